/*
 * Append-only text that hands out any part of itself without building the whole.
 *
 * Why: in JavaScriptCore a string grown with `+=` is a rope, and reading a slice of a
 * rope (or comparing it) first copies all of it into one flat string. A streaming answer
 * read that way once a frame copies the whole answer every frame — 1.3 MB a frame at
 * 650,000 characters — and that garbage brings on collections of hundreds of
 * milliseconds. The log keeps the pieces as they came and joins only what is asked for.
 */
export class TextLog {
  #chunks: string[] = [];
  /** Where each chunk ends in the whole text, ascending. */
  #ends: number[] = [];

  get length(): number {
    return this.#ends.at(-1) ?? 0;
  }

  append(text: string): void {
    if (text === "") return;
    this.#chunks.push(text);
    this.#ends.push(this.length + text.length);
  }

  /** The text from `from` to `to` (default: the end), like `String.prototype.slice`. */
  slice(from: number, to = this.length): string {
    const end = Math.min(to, this.length);
    if (from >= end) return "";
    // The first chunk that ends after `from`.
    let lo = 0;
    let hi = this.#ends.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.#ends[mid] ?? 0) > from) hi = mid;
      else lo = mid + 1;
    }
    const parts: string[] = [];
    for (let i = lo; i < this.#chunks.length; i++) {
      const chunk = this.#chunks[i] ?? "";
      const start = (this.#ends[i] ?? 0) - chunk.length;
      if (start >= end) break;
      parts.push(chunk.slice(Math.max(0, from - start), end - start));
    }
    return parts.join("");
  }
}
