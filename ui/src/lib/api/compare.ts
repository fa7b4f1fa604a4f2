import { Channel } from "@tauri-apps/api/core";
import type { CompareRequest } from "../bindings/CompareRequest";
import type { ProviderModels } from "../bindings/ProviderModels";
import type { RunEvent } from "../bindings/RunEvent";
import type { StartedRun } from "../bindings/StartedRun";
import { call } from "./invoke";

/**
 * Starts a comparison. `onEvents` receives the run's events in per-frame batches
 * (adjacent text of a column already merged), in order per column, until every
 * column has sent its `summary`. Resolves with the run's id, for `stopCompare`.
 * Rejects with kind `invalid_input` when the request cannot start (no models, more
 * than eight, no message).
 *
 * The core answers a `StartedRun` (the run's id and its history id); a core from before
 * the history answered the bare id, which is read the same way.
 */
export function startCompare(request: CompareRequest, onEvents: (events: RunEvent[]) => void): Promise<StartedRun> {
  const events = new Channel<RunEvent[]>();
  events.onmessage = onEvents;
  return call<StartedRun>("start_compare", { request, events });
}

/**
 * Stops one column (`target`) of a run, or the whole run when `target` is null. A
 * stopped column keeps its partial answer and still sends its summary. Resolves false
 * when the run had already ended.
 */
export function stopCompare(run: number, target: number | null): Promise<boolean> {
  return call<boolean>("stop_compare", { run, target });
}

/**
 * A provider's models, listed live, each with the price in use and its context
 * window; or, when the list cannot be had (no key, a refused key, a local server that
 * is not running), the typed error and what to do.
 */
export function providerModels(provider: string): Promise<ProviderModels> {
  return call<ProviderModels>("provider_models", { provider });
}
