import type { StatsBy } from "../../lib/bindings/StatsBy";
import type { StatsRow } from "../../lib/bindings/StatsRow";

/** Sunday, November 22, 2026, mid-afternoon local time: the dashboard's "now" in tests. */
export const NOW = new Date(2026, 10, 22, 15, 30);

export function row(key: string, over: Partial<StatsRow> = {}): StatsRow {
  return {
    key,
    responses: 1,
    input_tokens: 10,
    output_tokens: 20,
    cost_usd: "0.01",
    unpriced: 0,
    avg_cost_usd: "0.01",
    wins: 0,
    ...over,
  };
}

export const MODELS: StatsRow[] = [
  row("openai/gpt-4o", {
    responses: 12,
    input_tokens: 12345,
    output_tokens: 67890,
    cost_usd: "1.2345",
    avg_cost_usd: "0.102875",
    wins: 3,
  }),
  row("anthropic/claude-sonnet-4-5", {
    responses: 4,
    input_tokens: 400,
    output_tokens: 800,
    cost_usd: "0.0000042",
    unpriced: 1,
    avg_cost_usd: "0.0000014",
    wins: 5,
  }),
  row("ollama/llama3.2", {
    responses: 7,
    input_tokens: 700,
    output_tokens: 1400,
    cost_usd: null,
    unpriced: 7,
    avg_cost_usd: null,
    wins: 0,
  }),
];

export const PROVIDERS: StatsRow[] = [
  row("openai", { responses: 12, cost_usd: "1.2345", avg_cost_usd: "0.102875", wins: 3 }),
  row("anthropic", { responses: 4, cost_usd: "0.0000042", unpriced: 1, avg_cost_usd: "0.0000014", wins: 5 }),
  row("ollama", { responses: 7, cost_usd: null, unpriced: 7, avg_cost_usd: null }),
];

export const DAYS: StatsRow[] = [
  row("2026-11-18", { responses: 14, cost_usd: "0.5", avg_cost_usd: "0.0357" }),
  row("2026-11-20", { responses: 2, cost_usd: null, unpriced: 2, avg_cost_usd: null }),
];

/** A `history_stats` handler answering each grouping from `rows`. */
export function statsBy(rows: Partial<Record<StatsBy, StatsRow[]>>): (args: unknown) => StatsRow[] {
  return (args) => rows[(args as { by: StatsBy }).by] ?? [];
}
