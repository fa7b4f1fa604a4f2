/*
 * Across the columns of one turn: which answer was the fastest, the cheapest and the
 * longest, and what the turn cost in total. Only finished answers compete, and a mark
 * is only given when at least two did (one answer is not "the fastest").
 */
import { addDecimals, compareDecimals } from "../../lib/money";
import type { Answer } from "./answer.svelte";

export type Mark = "fastest" | "cheapest" | "longest";

export interface TurnMarks {
  marks: Map<Answer, Mark[]>;
  /** USD of every priced answer of the turn, exact; null when none is priced yet. */
  totalUsd: string | null;
  /** Answers of the turn whose cost is unknown. */
  unpriced: number;
}

function best(answers: readonly Answer[], value: (a: Answer) => number | null, better: (x: number, y: number) => boolean): Answer | null {
  let winner: Answer | null = null;
  let winning = 0;
  for (const a of answers) {
    const v = value(a);
    if (v === null) continue;
    if (winner === null || better(v, winning)) {
      winner = a;
      winning = v;
    }
  }
  return winner;
}

export function turnMarks(answers: readonly Answer[]): TurnMarks {
  const marks = new Map<Answer, Mark[]>();
  const mark = (a: Answer | null, m: Mark): void => {
    if (a) marks.set(a, [...(marks.get(a) ?? []), m]);
  };
  const done = answers.filter((a) => a.status === "ok" && a.summary !== null);
  if (done.length >= 2) {
    mark(best(done, (a) => a.summary?.metrics.total_ms ?? null, (x, y) => x < y), "fastest");
    const priced = done.filter((a) => a.summary?.cost.usd != null);
    if (priced.length >= 2) {
      let cheapest = priced[0] ?? null;
      for (const a of priced) {
        const usd = a.summary?.cost.usd;
        const low = cheapest?.summary?.cost.usd;
        if (usd != null && low != null && compareDecimals(usd, low) < 0) cheapest = a;
      }
      mark(cheapest, "cheapest");
    }
    mark(best(done, (a) => a.summary?.usage.output_tokens ?? null, (x, y) => x > y), "longest");
  }
  let totalUsd: string | null = null;
  let unpriced = 0;
  for (const a of answers) {
    const usd = a.summary?.cost.usd;
    if (a.summary === null) continue;
    if (usd == null) unpriced += 1;
    else totalUsd = addDecimals(totalUsd ?? "0", usd);
  }
  return { marks, totalUsd, unpriced };
}
