/*
 * Incremental markdown for streaming answers.
 *
 * The text is split into top-level blocks by marked's lexer. Only the "open region" —
 * everything after the last block known to be final — is lexed on each update, so the
 * cost of an append is bounded by the size of the unfinished tail, not of the answer.
 *
 * A block is final once nothing appended later can change it:
 *  - a heading, horizontal rule or CLOSED code fence whose last line has ended;
 *  - any other block (paragraph, list, quote, table, indented code, raw HTML, link
 *    definition) once a complete non-blank line follows that the lexer did not fold
 *    into it. A half-typed line could still join the block ("foo\n#" + "x" is one
 *    paragraph; "- a\n\n-" + " b" extends the list), a finished one no longer can.
 * Final blocks are rendered and sanitized once; their objects never change afterwards.
 *
 * Limitations: a reference-style link whose definition comes AFTER a finished block is
 * not resolved in that block (definitions earlier in the answer are); carriage returns
 * are dropped ("\r\n" → "\n"), so old-Mac lone "\r" line ends are not line breaks.
 */
import type { Token, TokensList, Tokens } from "marked";
import { isContent, isFenceClosed, lex, normalizeNewlines, renderToken } from "./render";

export interface MarkdownBlock {
  /** Stable for the block's lifetime (and distinct across reset()), for keyed each. */
  readonly id: string;
  /** Sanitized HTML. */
  readonly html: string;
  /** Whether the block is finished; a final block object is never replaced. */
  readonly final: boolean;
}

export interface StreamingStats {
  /** Lexer invocations. */
  parses: number;
  /** Characters passed to the lexer, in total and in the last update. */
  parsedChars: number;
  lastParsedChars: number;
  /** Blocks rendered (parser + sanitizer runs). */
  renders: number;
}

interface TailEntry {
  readonly id: string;
  readonly token: Token;
  /** Rendered lazily, when `blocks` is read: the UI reads once per frame, not per delta. */
  block: MarkdownBlock | null;
}

/**
 * After a block: (blank lines, then) a complete non-blank line the lexer did not fold into
 * the block. Sticky, run at the block's end; the first form when the raw ends with "\n".
 */
const NEXT_LINE_AFTER_EOL = /(?:[ \t]*\n)*[ \t]*\S[^\n]*\n/y;
const NEXT_LINE = /\n(?:[ \t]*\n)*[ \t]*\S[^\n]*\n/y;

let generation = 0;

/** The most text lexed at once while enough of it is open (see `#update`). */
const LEX_WINDOW = 4096;

/** Whether `token`, ending at offset `end` of `src`, can no longer change (see above). */
function isFinal(token: Token, src: string, end: number): boolean {
  const eol = token.raw.endsWith("\n");
  switch (token.type) {
    case "heading":
    case "hr":
      return end < src.length && (eol || src[end] === "\n");
    case "code":
      if ((token as Tokens.Code).codeBlockStyle !== "indented") {
        return end < src.length && (eol || src[end] === "\n") && isFenceClosed(token.raw);
      }
      break;
  }
  const re = eol ? NEXT_LINE_AFTER_EOL : NEXT_LINE;
  re.lastIndex = end;
  return re.test(src);
}

export class StreamingMarkdown {
  /** The text as received (for set()'s prefix check). */
  #source = "";
  /** The normalized text. */
  #text = "";
  /** Offset in #text where the open region starts. */
  #openStart = 0;
  #final: MarkdownBlock[] = [];
  #tail: TailEntry[] = [];
  #links: TokensList["links"] = Object.create(null) as TokensList["links"];
  #gen = ++generation;
  #blocks: readonly MarkdownBlock[] | null = [];

  readonly stats: StreamingStats = { parses: 0, parsedChars: 0, lastParsedChars: 0, renders: 0 };

  /** The whole text received so far. */
  get text(): string {
    return this.#source;
  }

  /** Final blocks followed by the open tail; a new array only after a change. */
  get blocks(): readonly MarkdownBlock[] {
    this.#blocks ??= [
      ...this.#final,
      ...this.#tail.map((t) => (t.block ??= Object.freeze({ id: t.id, html: this.#render(t.token), final: false }))),
    ];
    return this.#blocks;
  }

  append(delta: string): void {
    if (delta === "") return;
    this.#source += delta;
    this.#text += normalizeNewlines(delta);
    this.#update();
  }

  /** Shows `text`: appends the new suffix if it extends the current text, else starts over. */
  set(text: string): readonly MarkdownBlock[] {
    if (text !== this.#source) {
      if (text.startsWith(this.#source)) {
        this.append(text.slice(this.#source.length));
      } else {
        this.reset();
        this.append(text);
      }
    }
    return this.blocks;
  }

  reset(): void {
    this.#source = "";
    this.#text = "";
    this.#openStart = 0;
    this.#final = [];
    this.#tail = [];
    this.#links = Object.create(null) as TokensList["links"];
    this.#gen = ++generation;
    this.#blocks = [];
  }

  #update(): void {
    // JavaScriptCore (WebKitGTK, and WKWebView on macOS) runs several of marked's
    // anchored block rules in time proportional to the whole input on every call, so
    // one lex of n chars costs O(n²) there: tens of KB open after a fast stream or a
    // slow frame cost tens of ms a frame. Lexing a bounded prefix first is exact: every
    // prefix is a state the stream could have paused in, and the blocks it finishes
    // are the ones a pause there would have finished.
    while (this.#text.length - this.#openStart > LEX_WINDOW) {
      const lineEnd = this.#text.indexOf("\n", this.#openStart + LEX_WINDOW / 2);
      if (lineEnd < 0) break;
      const before = this.#openStart;
      this.#lexOpen(lineEnd + 1);
      // Nothing finished in the window (one long block): lex the rest in one go.
      if (this.#openStart === before) break;
    }
    this.#lexOpen(this.#text.length);
  }

  /** Lexes the open region up to `end`, finalizing what can no longer change. */
  #lexOpen(end: number): void {
    const src = this.#text.slice(this.#openStart, end);
    this.stats.parses += 1;
    this.stats.parsedChars += src.length;
    this.stats.lastParsedChars = src.length;
    const tokens = lex(src, this.#links);

    // Token raws concatenate to the source; if a marked version ever breaks that, keep
    // everything open (correct, just not incremental) rather than cut at a wrong offset.
    let total = 0;
    for (const t of tokens) total += t.raw.length;
    const offsetsOk = total === src.length;

    let cut = 0; // src offset up to which every token is final
    let pos = 0;
    let finalizing = offsetsOk;
    let index = 0; // content tokens seen, i.e. index into the previous tail
    const previousTail = this.#tail;
    const tail: TailEntry[] = [];
    for (const token of tokens) {
      pos += token.raw.length;
      if (token.type === "space") continue;
      const content = isContent(token);
      const prev = content ? previousTail[index++] : undefined;
      if (finalizing && isFinal(token, src, pos)) {
        if (content) {
          const html = prev?.block != null && prev.token.raw === token.raw ? prev.block.html : this.#render(token);
          this.#final.push(Object.freeze({ id: `${this.#gen}-${this.#final.length}`, html, final: true }));
        } else if (token.type === "def") {
          this.#keepDefinition(token as Tokens.Def);
        }
        cut = pos;
        continue;
      }
      finalizing = false;
      if (!content) continue;
      const id = `${this.#gen}-${this.#final.length + tail.length}`;
      tail.push(prev !== undefined && prev.id === id && prev.token.raw === token.raw ? prev : { id, token, block: null });
    }
    this.#openStart += cut;
    this.#tail = tail;
    this.#blocks = null;
  }

  #render(token: Token): string {
    this.stats.renders += 1;
    return renderToken(token);
  }

  #keepDefinition(def: Tokens.Def): void {
    const key = def.tag.toLowerCase().replace(/\s+/g, " ");
    if (!(key in this.#links)) this.#links[key] = { href: def.href, title: def.title };
  }
}

