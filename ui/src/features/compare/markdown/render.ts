/*
 * Markdown to sanitized HTML, one top-level block at a time. Model output is untrusted:
 * markdown-it runs with raw HTML off (HTML the model writes is shown as text), images
 * become plain links (no remote loads), and every block's HTML goes through the
 * allow-list sanitizer (sanitize.ts) before it is shown.
 *
 * Why markdown-it: the answer's open block is parsed again every frame in every column.
 * In WebKitGTK's JavaScriptCore, marked's inline rules ran at ~1.5 µs a character (1.1 ms
 * for one 400-character paragraph, more than a frame's share of eight columns);
 * markdown-it scans characters instead of running large regular expressions and does the
 * same paragraph in ~0.3 ms (measured in the app's own page).
 */
import MarkdownIt, { type Env, type Token } from "markdown-it";
import { highlightCode } from "./highlight";
import { SAFE_URL, sanitize } from "./sanitize";

const md = new MarkdownIt("default", { html: false, linkify: false, typographer: false, breaks: false });

const escapeHtml: (text: string) => string = md.utils.escapeHtml;

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

/**
 * Whether a fenced code block's raw text ends with its closing fence. While streaming,
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

function renderCode(info: string, content: string, closed: boolean): string {
  const text = content.endsWith("\n") ? content.slice(0, -1) : content;
  const label = info.trim().split(/\s+/)[0] ?? "";
  const lang = label.toLowerCase();
  const grammar = LANG_ALIASES[lang] ?? lang;
  const highlighted = closed ? highlightCode(text, grammar) : null;
  const body = highlighted ?? escapeHtml(text);
  const langClass = highlighted === null ? "" : ` language-${escapeHtml(grammar)}`;
  return (
    `<div class="md-code${closed ? "" : " md-code-open"}">` +
    `<div class="md-code-bar"><span class="md-code-lang">${escapeHtml(label === "" ? "text" : label)}</span>` +
    `<button type="button" class="md-code-copy" data-copy="">Copy</button></div>` +
    `<pre><code class="hljs${langClass}">${body}</code></pre></div>\n`
  );
}

const rules = md.renderer.rules;
// `meta.closed` is set by renderBlock from the block's lines (markdown-it does not keep it).
rules.fence = (tokens, idx) => {
  const token = tokens[idx] as Token;
  return renderCode(token.info, token.content, token.meta?.["closed"] !== false);
};
rules.code_block = (tokens, idx) => renderCode("", (tokens[idx] as Token).content, true);
// No remote image loads from model output (tracking, exfiltration): a link instead.
rules.image = (tokens, idx, options, env, self) => {
  const token = tokens[idx] as Token;
  const src = String(token.attrGet("src") ?? "");
  const alt = self.renderInlineAsText(token.children ?? [], options, env);
  const label = escapeHtml(alt === "" ? src : alt);
  return SAFE_URL.test(src) ? `<a href="${escapeHtml(src)}">${label}</a>` : label;
};
// Table alignment as a class: the sanitizer allows no style attribute at all.
const alignedCell: NonNullable<typeof rules.th_open> = (tokens, idx, options, _env, self) => {
  const token = tokens[idx] as Token;
  const style = token.attrGet("style");
  if (typeof style === "string") {
    token.attrs = (token.attrs ?? []).filter(([name]) => name !== "style");
    const align = /text-align:(left|right|center)/.exec(style)?.[1];
    if (align !== undefined) token.attrJoin("class", `md-align-${align}`);
  }
  return self.renderToken(tokens, idx, options);
};
rules.th_open = alignedCell;
rules.td_open = alignedCell;

/** One top-level block: its tokens and the lines [start, end) of the source it spans. */
export interface Block {
  readonly type: string;
  readonly tokens: Token[];
  readonly start: number;
  readonly end: number;
}

export type { Env };

/** Parses `src` (newlines already normalized); `env.references` carries earlier link definitions. */
export function parse(src: string, env: Env): Token[] {
  return md.parse(src, env);
}

/** Only the block structure (link definitions land in `env`), without inline parsing. */
export function parseBlocks(src: string, env: Env): void {
  md.block.parse(src, md, env, []);
}

/** Groups a token stream into its top-level blocks. */
export function blocksOf(tokens: readonly Token[]): Block[] {
  const out: Block[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const first = tokens[i] as Token;
    let j = i;
    if (first.nesting === 1) {
      do j++;
      while (j < tokens.length && !((tokens[j] as Token).level === 0 && (tokens[j] as Token).nesting === -1));
    }
    const map = first.map ?? [-1, -1];
    out.push({ type: first.type, tokens: tokens.slice(i, j + 1), start: map[0], end: map[1] });
    i = j;
  }
  return out;
}

/** The source lines a block spans. */
export function rawOf(block: Block, lines: readonly string[]): string {
  return lines.slice(block.start, block.end).join("\n");
}

/** Sanitized HTML of one top-level block. */
export function renderBlock(block: Block, lines: readonly string[], env: Env): string {
  if (block.type === "fence") {
    const token = block.tokens[0] as Token;
    token.meta = { ...token.meta, closed: isFenceClosed(rawOf(block, lines)) };
  }
  return sanitize(md.renderer.render(block.tokens, md.options, env));
}

/** Line endings as the streaming renderer sees them (see StreamingMarkdown.append). */
export function normalizeNewlines(text: string): string {
  return text.replace(/\r/g, "");
}

/** One-shot reference render of a whole text: parse everything at once, render each block. */
export function renderMarkdown(text: string): string {
  const src = normalizeNewlines(text);
  const env: Env = {};
  const lines = src.split("\n");
  return blocksOf(parse(src, env))
    .map((b) => renderBlock(b, lines, env))
    .join("");
}
