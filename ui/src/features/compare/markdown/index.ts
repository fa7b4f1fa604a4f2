export { copyTextOf } from "./copy";
export { renderMarkdown } from "./render";
export { StreamingMarkdown, type MarkdownBlock, type StreamingStats } from "./streaming";
export { default as MarkdownAnswer } from "./MarkdownAnswer.svelte";
export { warmUpMarkdown } from "./warmUp";
