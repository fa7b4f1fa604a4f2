// Test fixtures: a markdown sample with the block shapes that are tricky to split while streaming.
export const SAMPLE = `# Streaming answer

Intro paragraph with **bold**, *em*, \`inline code\`, a [link](https://example.com "t")
and an autolink <https://example.org>, soft
wrapped over lines.

Setext heading
==============

Another one
---

foo
# heading right after a paragraph

- item one
- item two
  continued lazily

  second paragraph of item two
- [x] task done
- nested:
  1. first
  2. second

- loose again

1. ordered
2. list

* star list
+ plus list

> A quote
lazy line
>
> > nested quote

| a | b |
|:--|--:|
| 1 | 2 |
| \`x\` | **y** |

    indented code

    more indented code

\`\`\`ts
const x: number = 1;
function f(a: string) { return a + "\`\`\`"; }
\`\`\`
text right after a fence
~~~python
def f():
    return "~~~ not a close"
~~~

\`\`\`\`md
\`\`\`
inner fence
\`\`\`
\`\`\`\`

***

- - -

[ref]: https://example.com/ref "Ref"

A [reference link][ref] and ~~strike~~ and a line  
break.

<div>raw html block</div>

Trailing paragraph without newline`;

/** A deterministic PRNG so failures are reproducible. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Splits `text` into chunks of 1..maxChunk characters. */
export function randomChunks(text: string, random: () => number, maxChunk: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    const n = 1 + Math.floor(random() * maxChunk);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}
