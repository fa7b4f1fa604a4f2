pub mod json_lines;
