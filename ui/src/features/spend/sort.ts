import type { StatsRow } from "../../lib/bindings/StatsRow";
import { compareDecimals } from "../../lib/money";

export type SortKey = "model" | "responses" | "input" | "output" | "spend" | "avg" | "unpriced" | "wins";
export type SortDir = "asc" | "desc";

/** Names read A→Z first; numbers largest first. */
export function defaultDir(key: SortKey): SortDir {
  return key === "model" ? "asc" : "desc";
}

function numberOf(row: StatsRow, key: Exclude<SortKey, "model" | "spend" | "avg">): number {
  switch (key) {
    case "responses":
      return row.responses;
    case "input":
      return row.input_tokens;
    case "output":
      return row.output_tokens;
    case "unpriced":
      return row.unpriced;
    case "wins":
      return row.wins;
  }
}

/**
 * The rows ordered by `key`; money compares exactly, and a row with nothing priced
 * comes last whichever way (it is not $0). Ties keep the core's order.
 */
export function sortRows(rows: readonly StatsRow[], key: SortKey, dir: SortDir): StatsRow[] {
  const sign = dir === "asc" ? 1 : -1;
  const indexed = rows.map((row, i) => ({ row, i }));
  indexed.sort((a, b) => {
    let c: number;
    if (key === "model") {
      c = sign * a.row.key.localeCompare(b.row.key);
    } else if (key === "spend" || key === "avg") {
      const x = key === "spend" ? a.row.cost_usd : a.row.avg_cost_usd;
      const y = key === "spend" ? b.row.cost_usd : b.row.avg_cost_usd;
      if (x === null || y === null) c = x === y ? 0 : x === null ? 1 : -1;
      else c = sign * compareDecimals(x, y);
    } else {
      c = sign * (numberOf(a.row, key) - numberOf(b.row, key));
    }
    return c !== 0 ? c : a.i - b.i;
  });
  return indexed.map((x) => x.row);
}
