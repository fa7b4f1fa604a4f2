import { render } from "@testing-library/svelte";
import { tick } from "svelte";
import { afterEach, describe, expect, it } from "vitest";
import MarkdownAnswer from "./MarkdownAnswer.svelte";
import { renderMarkdown } from "./render";
import { StreamingMarkdown } from "./streaming";

declare global {
  interface Window {
    __pwned?: unknown;
  }
}

const ATTACKS = [
  "<script>window.__pwned = 1</script>",
  '<img src=x onerror="window.__pwned = 2">',
  "Inline <img src=x onerror=window.__pwned=3> image",
  "[click](javascript:window.__pwned=4)",
  "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
  "[spaced](  JaVaScRiPt:window.__pwned=5 )",
  "<a href=\"javascript:window.__pwned=6\">raw link</a>",
  '<iframe src="javascript:window.__pwned=7"></iframe>',
  '<div onmouseover="window.__pwned=8" onclick="window.__pwned=8">hover</div>',
  "<style>body { display: none }</style>",
  '<svg><script>window.__pwned=9</script></svg>',
  '<details open ontoggle="window.__pwned=10">x</details>',
  "![x](javascript:window.__pwned=11)",
  '![x](https://evil.example/track.png "t")',
  "```html\n<script>window.__pwned=12</script>\n```",
  '<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned=13">',
  "<form action=\"javascript:window.__pwned=14\"><button>go</button></form>",
].join("\n\n");

function parse(html: string): HTMLElement {
  const el = document.createElement("div");
  el.innerHTML = html; // a <template>-free parse in jsdom; nothing here runs scripts
  return el;
}

function assertInert(root: Element): void {
  expect(root.querySelector("script, iframe, style, img, svg, math, form, object, embed")).toBeNull();
  for (const el of root.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      expect(attr.name.startsWith("on"), `${el.tagName} ${attr.name}`).toBe(false);
      expect(attr.name).not.toBe("style");
    }
  }
  for (const a of root.querySelectorAll("a[href]")) {
    expect(a.getAttribute("href")).toMatch(/^(https?:|mailto:)/i);
    expect(a.getAttribute("rel")).toBe("noopener noreferrer");
    expect(a.getAttribute("target")).toBe("_blank");
  }
}

afterEach(() => {
  delete window.__pwned;
});

describe("sanitizing model output", () => {
  it("leaves no script, handler, style or javascript:/data: URL in the HTML", () => {
    const html = renderMarkdown(ATTACKS);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<(iframe|style|img|svg|math|form)\b/i);
    // (no on*= attribute: checked on the parsed DOM, since the raw HTML is kept as visible text)
    expect(html).not.toMatch(/<a\b[^>]*href\s*=\s*["']?\s*(javascript|data):/i);
    assertInert(parse(html));
  });

  it("shows raw HTML as text rather than dropping it", () => {
    const html = renderMarkdown("Use <b>bold</b> tags.\n\n<script>alert(1)</script>\n");
    const el = parse(html);
    expect(el.textContent).toContain("Use <b>bold</b> tags.");
    expect(el.textContent).toContain("<script>alert(1)</script>");
    expect(el.querySelector("b, script")).toBeNull();
  });

  it("keeps safe links, opening in a new window without opener", () => {
    const el = parse(renderMarkdown("[docs](https://example.com/a?b=1) and <mailto:me@example.com>"));
    const links = [...el.querySelectorAll("a")];
    expect(links.map((a) => a.getAttribute("href"))).toEqual(["https://example.com/a?b=1", "mailto:me@example.com"]);
    assertInert(el);
  });

  it("is inert in every intermediate state while streaming", () => {
    const r = new StreamingMarkdown();
    for (let i = 0; i < ATTACKS.length; i += 7) {
      r.append(ATTACKS.slice(i, i + 7));
      const html = r.blocks.map((b) => b.html).join("");
      expect(html).not.toMatch(/<(script|iframe|img|style)/i);
      assertInert(parse(html));
    }
  });
});

describe("MarkdownAnswer", () => {
  it("renders a growing text and executes nothing", async () => {
    const { container, rerender } = render(MarkdownAnswer, { text: "" });
    for (let i = 0; i <= ATTACKS.length; i += 50) {
      await rerender({ text: ATTACKS.slice(0, i) });
    }
    await rerender({ text: ATTACKS });
    // Give any injected handler (onerror, ontoggle…) a chance to fire.
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const el of container.querySelectorAll("*")) {
      el.dispatchEvent(new MouseEvent("mouseover", { bubbles: true }));
      el.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    }
    expect(window.__pwned).toBeUndefined();
    assertInert(container);
    expect(container.textContent).toContain("<script>window.__pwned = 1</script>");
  });

  it("updates only the open block's DOM as text streams in", async () => {
    const { container, rerender } = render(MarkdownAnswer, { text: "# Title\n\nFirst paragraph.\n\nSecond" });
    const heading = container.querySelector("h1");
    const first = [...container.querySelectorAll("p")].find((p) => p.textContent === "First paragraph.");
    expect(heading).not.toBeNull();
    await rerender({ text: "# Title\n\nFirst paragraph.\n\nSecond paragraph, **growing**" });
    expect(container.querySelector("h1")).toBe(heading);
    expect([...container.querySelectorAll("p")].find((p) => p.textContent === "First paragraph.")).toBe(first);
    expect(container.querySelector("strong")?.textContent).toBe("growing");
  });

  it("while live, shows new text at the next animation frame, all of it at once", async () => {
    const { container, rerender } = render(MarkdownAnswer, { text: "First", live: true });
    await rerender({ text: "First, second", live: true });
    await rerender({ text: "First, second, third", live: true });
    expect(container.textContent?.trim()).toBe("First");
    await new Promise((resolve) => requestAnimationFrame(resolve));
    await tick();
    expect(container.textContent?.trim()).toBe("First, second, third");
    // The end of the stream shows at once, with the status that ended it.
    await rerender({ text: "First, second, third. Done", live: false });
    expect(container.textContent?.trim()).toBe("First, second, third. Done");
  });
});
