pub mod json_lines;
// Only the tests that run `switchboard serve` use it.
#[allow(dead_code)]
pub mod served;
