/*
 * The first answer after start-up cost one long task (130–190 ms on a 2-core machine,
 * make bench-ui): the first markdown render compiles the parser, renderer and
 * sanitizer, and its first layout loads the fonts it uses (bold, italic, monospace).
 * Rendering a sample of every block shape once, off screen, while the app is idle after
 * start moves that out of the first stream (its first batch: 45 ms). Compiling alone,
 * without the layout, changed nothing.
 */
import { mount, unmount } from "svelte";
import { offscreenHost } from "../../../lib/offscreenHost";
import MarkdownAnswer from "./MarkdownAnswer.svelte";

const SAMPLE = [
  "# Heading\n\nA paragraph with **bold**, *em*, `code`, ~~strike~~ and a [link](https://example.com).\n\n",
  "- item one\n- item **two**\n  1. nested\n\n> a quote\n> with two lines\n\n",
  "| a | b |\n|:--|--:|\n| 1 | `2` |\n\n",
  "```ts\nconst answer: number = 42;\nfunction f(x: string) { return x.length; }\n```\n\n",
  "    indented code\n\n---\n\nThe end.\n",
].join("");

export function warmUpMarkdown(): void {
  const host = offscreenHost("width: 320px;");
  const component = mount(MarkdownAnswer, { target: host, props: { text: SAMPLE } });
  void host.offsetHeight; // lay it out now: that is what loads the fonts
  requestAnimationFrame(() => {
    void unmount(component);
    host.remove();
  });
}
