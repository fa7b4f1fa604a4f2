import { render } from "@testing-library/svelte";
import DOMPurify from "dompurify";
import { tick } from "svelte";
import { afterEach, describe, expect, it } from "vitest";
import MarkdownAnswer from "./MarkdownAnswer.svelte";
import { rng } from "./fixtures";
import { renderMarkdown } from "./render";
import { SAFE_URL, sanitize } from "./sanitize";
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

/** HTML written to get past a sanitizer: handlers, scripts, foreign content, URL tricks, clobbering. */
const HOSTILE_HTML = [
  '<a href="javascript:alert(1)">x</a>',
  '<a href=" JaVaScRiPt:alert(1)">x</a>',
  '<a href="java&#x0A;script:alert(1)">x</a>',
  '<a href="data:text/html,<script>alert(1)</script>">x</a>',
  '<a href="https://ok.example" onclick="alert(1)" target="_self" ping="https://t.example">ok</a>',
  '<a href="/relative">rel</a>',
  "<p style=\"background:url(javascript:alert(1))\" class=\"a\" id=\"x\">p</p>",
  '<img src=x onerror="alert(1)">',
  "<script>alert(1)</script><p>after</p>",
  "<svg><a href=\"javascript:alert(1)\"><text>t</text></a><script>alert(1)</script></svg>",
  "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
  "<template><script>alert(1)</script></template>",
  "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
  "<!--<img src=x onerror=alert(1)>--><p>c</p>",
  '<form action="javascript:alert(1)"><input name="attributes"><button formaction="javascript:alert(1)">go</button></form>',
  '<button type="submit" onclick="alert(1)" data-copy="x">b</button>',
  '<div class="md-code" onmouseover="alert(1)"><span class="x" style="color:red">s</span></div>',
  '<table background="javascript:alert(1)"><tr><td class="md-align-left" onclick="alert(1)">1</td></tr></table>',
  '<ol start="3" type="a" reversed><li value="9">i</li></ol>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe><object data="x"></object><embed src="x">',
  '<details open ontoggle="alert(1)"><summary>s</summary>d</details>',
  '<code class="hljs x" onfocus="alert(1)" tabindex="1" autofocus>c</code>',
  "<style>*{display:none}</style><link rel=stylesheet href=https://e.example/x.css><meta http-equiv=refresh content=0;url=javascript:alert(1)><base href=https://e.example/>",
  '<p>a<isindex action="javascript:alert(1)">b</p><marquee onstart="alert(1)">m</marquee>',
  '<a href="mailto:me@example.com" title="t">mail</a><a href="https://ok.example/?q=<b>&amp;" title="&quot;x&quot;">q</a>',
];

/** DOMPurify, strict in the same ways, as the oracle: what it would still remove is a bug. */
function oracle(html: string): string {
  return DOMPurify.sanitize(html, {
    ADD_ATTR: ["target"],
    // Not URLs: without this, a strict ALLOWED_URI_REGEXP applies to their values too.
    ADD_URI_SAFE_ATTR: ["target", "rel", "start", "type"],
    FORBID_TAGS: ["style", "img", "iframe", "form", "input", "button", "svg", "math", "details"],
    FORBID_ATTR: ["style", "id", "name", "tabindex", "autofocus"],
    ALLOWED_URI_REGEXP: SAFE_URL,
  });
}

describe("the allow-list sanitizer", () => {
  it("removes everything that can run or load, keeping the text", () => {
    for (const input of HOSTILE_HTML) {
      const out = sanitize(input);
      assertInert(parse(out));
      expect(out, input).not.toMatch(/<(script|img|svg|math|iframe|style|form|input|object|embed|link|meta|base|template|noscript)/i);
      // What DOMPurify would still take out of the result is a bug (buttons aside: ours
      // are the code blocks' Copy buttons, kept with type="button" only).
      const withoutButtons = out.replace(/<button type="button" class="[\w -]*"( data-copy="")?>|<button( type="button")?>|<\/button>/g, "");
      expect(oracle(withoutButtons), input).toBe(withoutButtons);
    }
    const outputs = HOSTILE_HTML.map((h) => parse(sanitize(h)));
    expect(outputs.flatMap((el) => [...el.querySelectorAll("a[href]")].map((a) => a.getAttribute("href")))).toEqual([
      "https://ok.example",
      "mailto:me@example.com",
      "https://ok.example/?q=<b>&",
    ]);
    expect(outputs.map((el) => el.textContent).join("")).toContain("after");
    expect(outputs.find((el) => el.querySelector("ol"))?.querySelector("ol")?.getAttribute("start")).toBe("3");
  });

  it("agrees with DOMPurify on 500 random trees of allowed and hostile markup", () => {
    const random = rng(99);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    // (No bare table cells: outside a table they parse differently in DOMPurify's <body>
    // than in the <template> both our sanitizer and Svelte's {@html} parse in.)
    const tags = ["p", "a", "code", "span", "div", "strong", "em", "ul", "li", "table", "img", "script", "svg", "math", "style", "form", "iframe", "b", "font", "select", "option", "textarea", "title", "noscript", "xmp"];
    const attrs = ['href="https://ok.example"', 'href="javascript:alert(1)"', 'href="&#106;avascript:alert(1)"', 'class="md-code"', 'class="a;b"', 'onclick="alert(1)"', 'style="x:y"', 'src="x"', 'onerror="alert(1)"', 'title="t"', 'data-x="1"', 'id="attributes"', 'name="x"'];
    const tree = (depth: number): string => {
      let out = "";
      for (let i = 0, n = 1 + Math.floor(random() * 3); i < n; i++) {
        if (depth > 3 || random() < 0.3) {
          out += pick(["text", "<", "&amp;", "\"'", "</p>", "<!--c-->", "]]>"]);
          continue;
        }
        const tag = pick(tags);
        const a = Array.from({ length: Math.floor(random() * 3) }, () => pick(attrs)).join(" ");
        out += `<${tag} ${a}>${tree(depth + 1)}</${tag}>`;
      }
      return out;
    };
    for (let run = 0; run < 500; run++) {
      const input = tree(0);
      const out = sanitize(input);
      assertInert(parse(out));
      expect(oracle(out), input).toBe(out);
      expect(sanitize(out), input).toBe(out); // stable: a second pass changes nothing
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

  it("while live, shows new text at once, and what comes right after it by the next frame", async () => {
    // Which changes fold into the next frame is DrawPacer's (pace.test.ts, on a clock).
    const { container, rerender } = render(MarkdownAnswer, { text: "First", live: true });
    await rerender({ text: "First, second", live: true });
    expect(container.textContent?.trim()).toBe("First, second");
    await rerender({ text: "First, second, third", live: true });
    await rerender({ text: "First, second, third, fourth", live: true });
    await new Promise((resolve) => requestAnimationFrame(resolve));
    await tick();
    expect(container.textContent?.trim()).toBe("First, second, third, fourth");
    // The end of the stream shows at once, with the status that ended it.
    await rerender({ text: "First, second, third, fourth. Done", live: false });
    expect(container.textContent?.trim()).toBe("First, second, third, fourth. Done");
  });
});
