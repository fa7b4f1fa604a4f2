/*
 * Renders ONE top-level marked token to sanitized HTML. Model output is untrusted:
 * raw HTML is shown as text, images become plain links (no remote loads), and every
 * block goes through DOMPurify with a strict allow-list as a second line of defence.
 */
import DOMPurify from "dompurify";
import { Lexer, Marked, Parser, type MarkedOptions, type Token, type TokensList, type Tokens } from "marked";
import { highlightCode } from "./highlight";

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Common aliases models put after the fence, mapped to the registered grammar names. */
const LANG_ALIASES: Record<string, string> = {
  js: "javascript",
  jsx: "javascript",
  mjs: "javascript",
  cjs: "javascript",
  ts: "typescript",
  tsx: "typescript",
  py: "python",
  rs: "rust",
  golang: "go",
  sh: "bash",
  shell: "bash",
  zsh: "bash",
  console: "bash",
  html: "xml",
  svg: "xml",
  yml: "yaml",
  jsonc: "json",
};

/** Only these URL schemes survive in links; everything else (javascript:, data:, vbscript:, relative) is dropped. */
const SAFE_URL = /^(?:https?:|mailto:)/i;

/**
 * Whether a fenced code token's raw text ends with its closing fence. While streaming,
 * an unclosed fence runs to the end of the text; it is shown escaped, not highlighted.
 */
export function isFenceClosed(raw: string): boolean {
  const open = /^ {0,3}(`{3,}|~{3,})/.exec(raw);
  if (!open) return true; // indented code: nothing to close
  const fence = open[1] ?? "```";
  const lines = raw.replace(/\n+$/, "").split("\n");
  if (lines.length < 2) return false;
  const last = lines[lines.length - 1] ?? "";
  const close = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(last);
  return close !== null && close[1] !== undefined && close[1][0] === fence[0] && close[1].length >= fence.length;
}

function renderCode(token: Tokens.Code): string {
  const label = (token.lang ?? "").trim().split(/\s+/)[0] ?? "";
  const lang = label.toLowerCase();
  const grammar = LANG_ALIASES[lang] ?? lang;
  const closed = isFenceClosed(token.raw);
  const highlighted = closed ? highlightCode(token.text, grammar) : null;
  const body = highlighted ?? escapeHtml(token.text);
  const langClass = highlighted === null ? "" : ` language-${escapeHtml(grammar)}`;
  return (
    `<div class="md-code${closed ? "" : " md-code-open"}">` +
    `<div class="md-code-bar"><span class="md-code-lang">${escapeHtml(label === "" ? "text" : label)}</span>` +
    `<button type="button" class="md-code-copy" data-copy="">Copy</button></div>` +
    `<pre><code class="hljs${langClass}">${body}</code></pre></div>\n`
  );
}

const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    code: renderCode,
    // Raw HTML written by the model is shown as what it is: text.
    html(token: Tokens.HTML | Tokens.Tag): string {
      const text = escapeHtml(token.text);
      return "block" in token && token.block ? `<p class="md-raw-html">${text}</p>\n` : text;
    },
    // No remote image loads from model output (tracking/exfiltration); show a link instead.
    image(token: Tokens.Image): string {
      const label = escapeHtml(token.text === "" ? token.href : token.text);
      return SAFE_URL.test(token.href) ? `<a href="${escapeHtml(token.href)}">${label}</a>` : label;
    },
  },
});

const options: MarkedOptions = marked.defaults;

/** Lexes `src` as a standalone document; `links` carries reference definitions seen earlier. */
export function lex(src: string, links?: TokensList["links"]): TokensList {
  const lexer = new Lexer(options);
  if (links !== undefined) Object.assign(lexer.tokens.links, links);
  return lexer.lex(src);
}

let purifier: ReturnType<typeof DOMPurify> | null = null;

function getPurifier(): ReturnType<typeof DOMPurify> {
  if (purifier !== null) return purifier;
  const p = DOMPurify(window);
  p.addHook("afterSanitizeAttributes", (node) => {
    if (node.nodeName === "A") {
      const href = node.getAttribute("href");
      if (href === null || !SAFE_URL.test(href.trim())) {
        node.removeAttribute("href");
      } else {
        node.setAttribute("target", "_blank");
        node.setAttribute("rel", "noopener noreferrer");
      }
    }
  });
  purifier = p;
  return p;
}

export function sanitize(html: string): string {
  return getPurifier().sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ["style", "img", "iframe", "form", "input", "textarea", "select", "object", "embed", "svg", "math", "video", "audio", "source", "picture", "link", "meta", "base"],
    FORBID_ATTR: ["style", "srcset", "src", "action", "formaction"],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
    ALLOW_DATA_ATTR: true,
  });
}

/** Sanitized HTML of one top-level block token. */
export function renderToken(token: Token): string {
  return sanitize(new Parser(options).parse([token]));
}

/** Whether a token produces visible output (space and link-definition tokens don't). */
export function isContent(token: Token): boolean {
  return token.type !== "space" && token.type !== "def";
}

/** Line endings as the streaming renderer sees them (see StreamingMarkdown.append). */
export function normalizeNewlines(text: string): string {
  return text.replace(/\r/g, "");
}

/** One-shot reference render of a whole text: lex everything at once, render each block. */
export function renderMarkdown(text: string): string {
  return lex(normalizeNewlines(text)).filter(isContent).map(renderToken).join("");
}
