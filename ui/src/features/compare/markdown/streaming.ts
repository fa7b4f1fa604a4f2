/*
 * Incremental markdown for streaming answers.
 *
 * The text is split into top-level blocks by markdown-it's parser (each block knows the
 * lines it spans). Only the "open region" — everything after the last block known to be
 * final — is parsed on each update, so the cost of an append is bounded by the size of
 * the unfinished tail, not of the answer.
 *
 * A block is final once nothing appended later can change it:
 *  - a heading, horizontal rule or CLOSED code fence whose last line has ended;
 *  - any other block (paragraph, list, quote, table, indented code) once a complete
 *    non-blank line follows that the parser did not fold
 *    into it. A half-typed line could still join the block ("foo\n#" + "x" is one
 *    paragraph; "- a\n\n-" + " b" extends the list), a finished one no longer can.
 * Final blocks are rendered and sanitized once; their objects never change afterwards.
 *
 * Limitations: a reference-style link whose definition comes AFTER a finished block is
 * not resolved in that block (definitions earlier in the answer are); carriage returns
 * are dropped ("\r\n" → "\n"), so old-Mac lone "\r" line ends are not line breaks.
 */
import { blocksOf, normalizeNewlines, parse, parseBlocks, rawOf, renderBlock, isFenceClosed, type Block, type Env } from "./render";

export interface MarkdownBlock {
  /** Stable for the block's lifetime (and distinct across reset()), for keyed each. */
  readonly id: string;
  /** Sanitized HTML. */
  readonly html: string;
  /** Whether the block is finished; a final block object is never replaced. */
  readonly final: boolean;
}

export interface StreamingStats {
  /** Parser invocations. */
  parses: number;
  /** Characters passed to the parser, in total and in the last update. */
  parsedChars: number;
  lastParsedChars: number;
  /** Blocks rendered (renderer + sanitizer runs). */
  renders: number;
}

interface TailEntry {
  readonly id: string;
  readonly raw: string;
  readonly source: Block;
  readonly lines: readonly string[];
  readonly env: Env;
  /** Rendered lazily, when `blocks` is read: the UI reads once per frame, not per delta. */
  block: MarkdownBlock | null;
}

type References = NonNullable<Env["references"]>;

let generation = 0;

/** The most text parsed at once while enough of it is open (see `#update`). */
const LEX_WINDOW = 4096;

/** Spaces and tabs only: what markdown calls a blank line. */
const NOT_BLANK = /[^ \t]/;

/**
 * Whether `block` can no longer change (see the header). `lines` is the parsed source
 * split at "\n": every line but the last is complete.
 */
function isFinal(block: Block, lines: readonly string[]): boolean {
  const complete = (line: number): boolean => line >= 0 && line < lines.length - 1;
  if (block.start < 0) return false;
  switch (block.type) {
    case "heading_open":
    case "hr":
      return complete(block.end - 1);
    case "fence":
      return complete(block.end - 1) && isFenceClosed(rawOf(block, lines));
  }
  for (let line = block.end; complete(line); line++) {
    if (NOT_BLANK.test(lines[line] ?? "")) return true;
  }
  return false;
}

export class StreamingMarkdown {
  /**
   * The text as received, for set()'s comparison once the answer has settled. Only ever
   * grown with `+=` while streaming and never read then: flattening this rope each
   * frame would copy the whole answer each frame.
   */
  #source = "";
  #length = 0;
  /** The normalized text of the open region: everything after the last final block. */
  #open = "";
  #final: MarkdownBlock[] = [];
  #tail: TailEntry[] = [];
  /** Link definitions in the finished part of the text. */
  #references: References = {};
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
      ...this.#tail.map((t) => (t.block ??= Object.freeze({ id: t.id, html: this.#render(t.source, t.lines, t.env), final: false }))),
    ];
    return this.#blocks;
  }

  append(delta: string): void {
    if (delta === "") return;
    this.#source += delta;
    this.#length += delta.length;
    this.#open += normalizeNewlines(delta);
    this.#update();
  }

  /**
   * Shows `text`: appends the new suffix if it extends the current text, else starts
   * over. `grown`, when given, vouches that `text` only grew since the last call and
   * reads a part of it (`(from, to) => text.slice(from, to)`, but cheaper): then only
   * the new part is read, not the whole text compared.
   */
  set(text: string, grown?: (from: number, to: number) => string): readonly MarkdownBlock[] {
    if (grown !== undefined && text.length >= this.#length) {
      this.append(grown(this.#length, text.length));
    } else if (text !== this.#source) {
      if (text.startsWith(this.#source)) {
        this.append(text.slice(this.#length));
      } else {
        this.reset();
        this.append(text);
      }
    }
    return this.blocks;
  }

  reset(): void {
    this.#source = "";
    this.#length = 0;
    this.#open = "";
    this.#final = [];
    this.#tail = [];
    this.#references = {};
    this.#gen = ++generation;
    this.#blocks = [];
  }

  #update(): void {
    // A large open region (a first batch of a long answer, a whole text at once) is
    // parsed a bounded prefix at a time, so no single parse grows with the answer. This
    // is exact: every prefix is a state the stream could have paused in, and the blocks
    // it finishes are the ones a pause there would have finished.
    while (this.#open.length > LEX_WINDOW) {
      const lineEnd = this.#open.indexOf("\n", LEX_WINDOW / 2);
      if (lineEnd < 0) break;
      const before = this.#open.length;
      this.#parseOpen(lineEnd + 1);
      // Nothing finished in the window (one long block): parse the rest in one go.
      if (this.#open.length === before) break;
    }
    this.#parseOpen(this.#open.length);
  }

  /** Parses the open region up to `end`, finalizing what can no longer change. */
  #parseOpen(end: number): void {
    const src = this.#open.slice(0, end);
    this.stats.parses += 1;
    this.stats.parsedChars += src.length;
    this.stats.lastParsedChars = src.length;
    const env: Env = { references: { ...this.#references } };
    const blocks = blocksOf(parse(src, env));
    const lines = src.split("\n");

    let cutLine = 0; // every block before this line is final
    let finalizing = true;
    const previousTail = this.#tail;
    const tail: TailEntry[] = [];
    for (const [index, block] of blocks.entries()) {
      const prev = previousTail[index];
      const raw = rawOf(block, lines);
      const same = prev !== undefined && prev.raw === raw;
      if (finalizing && isFinal(block, lines)) {
        const html = same && prev.block !== null ? prev.block.html : this.#render(block, lines, env);
        this.#final.push(Object.freeze({ id: `${this.#gen}-${this.#final.length}`, html, final: true }));
        cutLine = block.end;
        continue;
      }
      finalizing = false;
      const id = `${this.#gen}-${this.#final.length + tail.length}`;
      tail.push(same && prev.id === id ? prev : { id, raw, source: block, lines, env, block: null });
    }
    if (cutLine > 0) {
      let cut = 0;
      for (let line = 0; line < cutLine; line++) cut += (lines[line] ?? "").length + 1;
      this.#keepReferences(src.slice(0, cut));
      this.#open = this.#open.slice(cut);
    }
    this.#tail = tail;
    this.#blocks = null;
  }

  #render(block: Block, lines: readonly string[], env: Env): string {
    this.stats.renders += 1;
    return renderBlock(block, lines, env);
  }

  /** Link definitions in the text that was just finished apply to everything after it. */
  #keepReferences(finished: string): void {
    if (!finished.includes("]:")) return;
    const env: Env = { references: { ...this.#references } };
    parseBlocks(finished, env);
    this.#references = env.references ?? this.#references;
  }
}
