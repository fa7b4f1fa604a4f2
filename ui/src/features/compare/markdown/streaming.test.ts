import { describe, expect, it } from "vitest";
import { copyTextOf } from "./copy";
import { SAMPLE, randomChunks, rng } from "./fixtures";
import { renderMarkdown } from "./render";
import { StreamingMarkdown, type MarkdownBlock } from "./streaming";
import { TextLog } from "../textLog";

function html(blocks: readonly MarkdownBlock[]): string {
  return blocks.map((b) => b.html).join("");
}

/** Appends the chunks, reading `blocks` after each like the UI does once per frame. */
function stream(chunks: readonly string[], read = true): StreamingMarkdown {
  const r = new StreamingMarkdown();
  for (const c of chunks) {
    r.append(c);
    if (read) void r.blocks;
  }
  return r;
}

const ONE_SHOT = renderMarkdown(SAMPLE);

describe("StreamingMarkdown: same result however the text is chunked", () => {
  it("renders the sample like a one-shot render", () => {
    expect(ONE_SHOT).toContain("<h1");
    expect(ONE_SHOT).toContain("<table>");
    expect(ONE_SHOT).toContain('href="https://example.com/ref"');
    expect(html(stream([SAMPLE]).blocks)).toBe(ONE_SHOT);
  });

  it("character by character (every intermediate state)", () => {
    expect(html(stream([...SAMPLE]).blocks)).toBe(ONE_SHOT);
  });

  it("every two-way split (every third position)", () => {
    for (let i = 1; i < SAMPLE.length; i += 3) {
      const r = stream([SAMPLE.slice(0, i), SAMPLE.slice(i)], false);
      expect(html(r.blocks), `split at ${i}`).toBe(ONE_SHOT);
    }
  }, 60_000);

  it("200 random chunkings", () => {
    const random = rng(42);
    for (let run = 0; run < 200; run++) {
      const chunks = randomChunks(SAMPLE, random, 1 + (run % 40));
      // Reading blocks renders the open block (slow under jsdom); do it on every 10th run.
      expect(html(stream(chunks, run % 10 === 0).blocks), `run ${run}`).toBe(ONE_SHOT);
    }
  }, 60_000);

  it("treats \\r\\n split across deltas like \\n", () => {
    const crlf = SAMPLE.replace(/\n/g, "\r\n");
    const chunks = randomChunks(crlf, rng(7), 5);
    expect(html(stream(chunks).blocks)).toBe(ONE_SHOT);
  });

  it("only the tail is open, ids are stable and reset starts over", () => {
    const r = stream([SAMPLE]);
    const blocks = r.blocks;
    const firstOpen = blocks.findIndex((b) => !b.final);
    // The trailing paragraph and the block before it (no complete line follows it yet).
    expect(firstOpen).toBe(blocks.length - 2);
    expect(blocks.slice(firstOpen).every((b) => !b.final)).toBe(true);
    r.append("\n");
    expect(r.blocks.findIndex((b) => !b.final)).toBe(blocks.length - 1);
    expect(new Set(blocks.map((b) => b.id)).size).toBe(blocks.length);
    const ids = blocks.map((b) => b.id);
    r.reset();
    expect(r.blocks).toEqual([]);
    r.append(SAMPLE);
    expect(r.blocks.map((b) => b.id).some((id) => ids.includes(id))).toBe(false);
  });

  it("set() appends a growing text and starts over on a different one", () => {
    const r = new StreamingMarkdown();
    r.set("Hello");
    r.set("Hello **world**");
    expect(html(r.blocks)).toBe(renderMarkdown("Hello **world**"));
    r.set("Other");
    expect(html(r.blocks)).toBe(renderMarkdown("Other"));
  });

  it("set() with a reader of the grown part reads only the new text, and settles like set()", () => {
    const log = new TextLog();
    const r = new StreamingMarkdown();
    const read: [number, number][] = [];
    const grown = (from: number, to: number): string => {
      read.push([from, to]);
      return log.slice(from, to);
    };
    let text = "";
    for (const chunk of randomChunks(SAMPLE, rng(3), 12)) {
      log.append(chunk);
      text += chunk;
      r.set(text, grown);
    }
    // Each call asked for exactly the part after what it had already read.
    read.forEach(([from], i) => expect(from).toBe(i === 0 ? 0 : read[i - 1]?.[1]));
    expect(html(r.set(SAMPLE))).toBe(ONE_SHOT);
    expect(html(r.set("Replaced at the end"))).toBe(renderMarkdown("Replaced at the end"));
  });
});

describe("StreamingMarkdown: finished blocks are not re-rendered", () => {
  it("keeps final block objects and only renders the open block", () => {
    const r = new StreamingMarkdown();
    r.append("First paragraph.\n\nSecond paragraph.\n\nThird");
    const [first, second] = r.blocks;
    expect(first?.final).toBe(true);
    expect(second?.final).toBe(false); // the next block's first line is not complete yet
    r.append(" block\n\nFourth\n");
    void r.blocks;
    expect(r.blocks[0]).toBe(first);
    expect(r.blocks[1]?.final).toBe(true);
    const rendersBefore = r.stats.renders;
    const finals = r.blocks.filter((b) => b.final);
    r.append(" still the fourth");
    r.append(" and more");
    expect(r.stats.renders).toBe(rendersBefore); // nothing rendered until read
    void r.blocks;
    expect(r.stats.renders - rendersBefore).toBe(1); // only the open block
    finals.forEach((b, i) => expect(r.blocks[i]).toBe(b));
  });

  it("parses only the open region: per-append cost does not grow with the answer", () => {
    const random = rng(3);
    const paragraphs: string[] = [];
    for (let i = 0; i < 400; i++) {
      paragraphs.push(`Paragraph ${i}: ` + "lorem ipsum ".repeat(1 + Math.floor(random() * 15)));
    }
    const text = paragraphs.join("\n\n");
    const longest = Math.max(...paragraphs.map((p) => p.length));
    const r = new StreamingMarkdown();
    let maxParsed = 0;
    for (let i = 0; i < text.length; i += 10) {
      r.append(text.slice(i, i + 10));
      maxParsed = Math.max(maxParsed, r.stats.lastParsedChars);
    }
    expect(text.length).toBeGreaterThan(20_000);
    // At most the open block, the next one (until its line ends) and one delta.
    expect(maxParsed).toBeLessThanOrEqual(2 * longest + 2 + 10 + 2);
    expect(r.stats.parsedChars).toBeLessThan(text.length * 40);
    expect(html(r.blocks)).toBe(renderMarkdown(text));
  });
});

describe("code blocks", () => {
  it("shows an open fence as escaped code and highlights it once closed", () => {
    const r = new StreamingMarkdown();
    r.append('Here:\n\n```ts\nconst a = "<b>";\nif (a) {');
    const open = r.blocks.at(-1)!;
    expect(open.final).toBe(false);
    expect(open.html).toContain('class="md-code md-code-open"');
    expect(open.html).toContain('const a = "&lt;b&gt;";\nif (a) {');
    expect(open.html).not.toContain("hljs-keyword");
    expect(open.html).toContain('<span class="md-code-lang">ts</span>');

    r.append("}\n```\n\nAfter.\n");
    const code = r.blocks.find((b) => b.html.includes("md-code"))!;
    expect(code.final).toBe(true);
    expect(code.html).not.toContain("md-code-open");
    expect(code.html).toContain('<span class="hljs-keyword">const</span>');
    expect(code.html).toContain("data-copy");
  });

  it("copyTextOf returns the exact code text", () => {
    const source = 'fn main() {\n    println!("<&>\\"");\n}\n\n// trailing blank line above';
    const el = document.createElement("div");
    el.innerHTML = renderMarkdown("```rust\n" + source + "\n```\n");
    const button = el.querySelector("button[data-copy]")!;
    expect(el.querySelector("code span.hljs-keyword")).not.toBeNull();
    expect(copyTextOf(button)).toBe(source);
    expect(copyTextOf(el)).toBeNull();
  });

  it("labels unknown languages and leaves them unhighlighted", () => {
    const out = renderMarkdown("```brainfuck\n+[-]<>\n```\n");
    expect(out).toContain('<span class="md-code-lang">brainfuck</span>');
    expect(out).toContain("+[-]&lt;&gt;");
    expect(out).not.toContain("hljs-");
  });
});

describe("a ~400 KB answer in 10-character deltas", () => {
  it("ends with the same output as the one-shot render", () => {
    const random = rng(11);
    const parts: string[] = [];
    let size = 0;
    while (size < 400_000) {
      const part = SAMPLE.slice(0, 200 + Math.floor(random() * (SAMPLE.length - 200)));
      // Cut at a line end so a part never leaves a fence open for the rest of the answer.
      const whole = part.slice(0, part.lastIndexOf("\n") + 1) + "\n```\n\nEnd of part.\n\n";
      parts.push(whole);
      size += whole.length;
    }
    const text = parts.join("");
    const r = new StreamingMarkdown();
    for (let i = 0; i < text.length; i += 10) {
      r.append(text.slice(i, i + 10));
      if (i % 1000 === 0) void r.blocks; // the UI reads once per frame, not per delta
    }
    expect(html(r.blocks)).toBe(renderMarkdown(text));
  }, 120_000);
});
