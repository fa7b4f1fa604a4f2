import type { Channel } from "@tauri-apps/api/core";
import type { CompareRequest } from "../lib/bindings/CompareRequest";
import type { Cost } from "../lib/bindings/Cost";
import type { RunEvent } from "../lib/bindings/RunEvent";
import type { TargetSummary } from "../lib/bindings/TargetSummary";
import type { Usage } from "../lib/bindings/Usage";
import { mockCommands, type Call, type Handler } from "./ipc";

/** One comparison the UI started against the mocked core. */
export interface StartedRun {
  id: number;
  request: CompareRequest;
  /** Sends a batch of events to the UI, as the core's channel does. */
  emit: (events: RunEvent[]) => void;
}

/**
 * A mocked core for the playground: `start_compare` records each run and hands the test
 * its channel (answering a `StartedRun`); `stop_compare` answers true; `estimate_inputs`,
 * `spend_totals` and the (empty) history answer plainly. `extra` adds or replaces handlers.
 */
export function mockCompareCore(extra: Record<string, Handler> = {}): { runs: StartedRun[]; calls: Call[] } {
  const runs: StartedRun[] = [];
  const calls = mockCommands({
    start_compare: (args) => {
      const a = args as unknown as { request: CompareRequest; events: Channel<RunEvent[]> };
      const id = runs.length + 1;
      runs.push({ id, request: a.request, emit: (events) => a.events.onmessage(events) });
      return { id, history_id: 1000 + id, history_error: null };
    },
    stop_compare: () => true,
    estimate_inputs: (args) =>
      (args as unknown as { request: CompareRequest }).request.targets.map((t) => ({
        model: t.model,
        input_tokens: 12,
        counted_with: "tiktoken o200k_base",
        input_usd: "0.00003",
        free: false,
        context_window: 128000,
        fits: true,
        warning: null,
        price_version: "litellm test",
      })),
    spend_totals: () => ({ today_usd: "0.5", month_usd: "2.25", per_model: [], unpriced_answers: 0 }),
    get_currency: () => ({ code: "USD", per_usd: "1" }),
    history_list: () => ({ runs: [], total: 0, next: null }),
    history_status: () => null,
    ...extra,
  });
  return { runs, calls };
}

export function cost(usd: string | null): Cost {
  return {
    usd,
    source: usd === null ? "unpriced" : "computed",
    free: false,
    price_version: usd === null ? null : "litellm test",
    price_key: null,
    breakdown: null,
  };
}

/** Usage as a provider reports it: 10 tokens in, 20 out, unless `over` says otherwise. */
export function usage(over: Partial<Usage> = {}): Usage {
  return {
    input_tokens: 10,
    cached_input_tokens: 0,
    cache_write_tokens: 0,
    cache_write_1h_tokens: 0,
    output_tokens: 20,
    reasoning_tokens: 0,
    source: "reported",
    cost_usd: null,
    ...over,
  };
}

/** A finished answer's summary event for `target`. */
export function summary(target: number, over: Partial<TargetSummary> & { model: string }): RunEvent {
  const s: TargetSummary = {
    status: "ok",
    text: "",
    reasoning: "",
    finish_reason: "stop",
    usage: usage(),
    cost: cost("0.001"),
    metrics: { ttft_ms: 100, total_ms: 900, output_tokens_per_s: 25 },
    error: null,
    hint: null,
    ...over,
  };
  return { target, event: "summary", ...s };
}
