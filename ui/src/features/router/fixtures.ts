import type { RouterCallRow } from "../../lib/bindings/RouterCallRow";
import type { RouterStatus } from "../../lib/bindings/RouterStatus";

/** A stopped router with `aliases` saved (one deployment each unless given). */
export function stopped(setups: { alias: string; deployments: string[] }[] = [], port = 4141): RouterStatus {
  return {
    running: false,
    port,
    base_url: null,
    setups,
    problems: [],
    calls: 0,
    cost_usd: "0",
    unpriced_calls: 0,
    dropped: 0,
    save_error: null,
    cap_day_usd: null,
    cap_month_usd: null,
    cap_spend: [],
  };
}

/** The same router, serving on `port`. */
export function running(setups: { alias: string; deployments: string[] }[], port = 4141, over: Partial<RouterStatus> = {}): RouterStatus {
  return { ...stopped(setups, port), running: true, base_url: `http://127.0.0.1:${port}/v1`, ...over };
}

/** A call that went well. */
export function callRow(over: Partial<RouterCallRow> = {}): RouterCallRow {
  return {
    at: "2026-11-22T14:03:07.000Z",
    alias: "chat",
    deployment: "openai/gpt-4o-mini",
    status: "ok",
    http_status: 200,
    attempts: 1,
    input_tokens: 12,
    output_tokens: 34,
    cost_usd: "0.000125",
    cost_source: "computed",
    latency_ms: 420,
    client: "OpenAI/Python 2.8.1",
    stream: true,
    error: null,
    ...over,
  };
}
