import type { ResponseRecord } from "../lib/bindings/ResponseRecord";
import type { RunDetail } from "../lib/bindings/RunDetail";
import type { RunPage } from "../lib/bindings/RunPage";
import type { RunQuery } from "../lib/bindings/RunQuery";
import type { RunSummary } from "../lib/bindings/RunSummary";
import { cost, usage } from "./compare";

/** A saved run's summary; `id` also orders it (newer runs have larger ids). */
export function runSummary(id: number, over: Partial<RunSummary> = {}): RunSummary {
  return {
    id,
    created_at: new Date(Date.UTC(2026, 10, 22, 12, 0, 0) - (100_000 - id) * 60_000).toISOString(),
    source: "app",
    title: null,
    prompt: `Prompt number ${id}\nsecond line`,
    models: ["openai/gpt-4o", "anthropic/claude-sonnet-4-5"],
    cost_usd: "0.0123",
    unpriced: 0,
    starred: false,
    tags: [],
    winner: null,
    interrupted: 0,
    streaming: 0,
    snippet: null,
    ...over,
  };
}

/** Runs `from` down to `to` (inclusive), newest first. */
export function runsFrom(from: number, to: number): RunSummary[] {
  const runs: RunSummary[] = [];
  for (let id = from; id >= to; id--) runs.push(runSummary(id));
  return runs;
}

/**
 * A history of runs 1..`count`, paged as the core pages it: the runs below `before`,
 * newest first, `limit` at a time.
 */
export function pagedHistory(count: number): (query: RunQuery) => RunPage {
  return (query) => {
    const top = Math.min(count, (query.before ?? count + 1) - 1);
    const limit = query.limit || 50;
    const bottom = Math.max(1, top - limit + 1);
    const runs = top >= 1 ? runsFrom(top, bottom) : [];
    return { runs, total: count, next: bottom > 1 && runs.length > 0 ? bottom : null };
  };
}

export function responseRecord(position: number, over: Partial<ResponseRecord> = {}): ResponseRecord {
  return {
    id: 500 + position,
    position,
    model: position === 0 ? "openai/gpt-4o" : "anthropic/claude-sonnet-4-5",
    params: {
      temperature: 0.3,
      top_p: null,
      max_tokens: 512,
      stop: [],
      seed: null,
      reasoning_effort: null,
      thinking_budget: null,
    },
    system: "Be brief.",
    messages: [{ role: "user", content: "Explain DNS" }],
    text: "**DNS** maps names to addresses.",
    reasoning: "",
    status: "ok",
    finish_reason: "stop",
    error: null,
    usage: usage({ input_tokens: 12, output_tokens: 34 }),
    cost: cost("0.0021"),
    ttft_ms: 240,
    total_ms: 1830,
    winner: false,
    rating: null,
    route: null,
    ...over,
  };
}

export function runDetail(id: number, responses: ResponseRecord[], over: Partial<RunDetail> = {}): RunDetail {
  return {
    summary: runSummary(id, { prompt: "Explain DNS", models: responses.map((r) => r.model) }),
    prompt: "Explain DNS",
    system: "Be brief.",
    notes: null,
    parent_id: null,
    responses,
    ...over,
  };
}
