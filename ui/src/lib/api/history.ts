import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { ExportFormat } from "../bindings/ExportFormat";
import type { ExportResult } from "../bindings/ExportResult";
import type { ExportSelection } from "../bindings/ExportSelection";
import type { HistoryProblem } from "../bindings/HistoryProblem";
import type { RunDetail } from "../bindings/RunDetail";
import type { RunEdit } from "../bindings/RunEdit";
import type { RunPage } from "../bindings/RunPage";
import type { RunQuery } from "../bindings/RunQuery";
import type { RunSummary } from "../bindings/RunSummary";
import type { StatsBy } from "../bindings/StatsBy";
import type { StatsRow } from "../bindings/StatsRow";
import { call } from "./invoke";

/** The app-wide notice the core sends after a run is created or ends (payload: its id). */
export const HISTORY_CHANGED = "history-changed";

/** A query with every field at its default: all runs, newest first, the first page. */
export function emptyQuery(): RunQuery {
  return {
    text: null,
    model: null,
    provider: null,
    from: null,
    to: null,
    starred: false,
    with_winner: false,
    tag: null,
    before: null,
    limit: 0,
  };
}

/** One page of runs matching `query`, newest first; `next` is the cursor of the page after. */
export function historyList(query: RunQuery): Promise<RunPage> {
  return call<RunPage>("history_list", { query });
}

/** One run whole. Rejects with kind `not_found` when it is gone. */
export function historyRun(id: number): Promise<RunDetail> {
  return call<RunDetail>("history_run", { id });
}

/** Renames, stars, tags or annotates a run; resolves with its summary as it now is. */
export function historyUpdate(id: number, edit: RunEdit): Promise<RunSummary> {
  return call<RunSummary>("history_update", { id, edit });
}

/** Marks `responseId` the run's winner (one per run); null clears it. */
export function historySetWinner(runId: number, responseId: number | null): Promise<RunSummary> {
  return call<RunSummary>("history_set_winner", { runId, responseId });
}

/** Rates a response 1 to 5; null clears the rating. */
export function historyRate(responseId: number, rating: number | null): Promise<void> {
  return call<void>("history_rate", { responseId, rating });
}

/** Deletes runs (softly: `historyRestore` brings them back); resolves with how many. */
export function historyDelete(ids: number[]): Promise<number> {
  return call<number>("history_delete", { ids });
}

/** Brings deleted runs back; resolves with how many. */
export function historyRestore(ids: number[]): Promise<number> {
  return call<number>("history_restore", { ids });
}

/** Spend, tokens and wins grouped `by` model, provider, day, week or month, between two local dates. */
export function historyStats(by: StatsBy, from: string | null, to: string | null): Promise<StatsRow[]> {
  return call<StatsRow[]>("history_stats", { by, from, to });
}

/** Why the history cannot be used (corrupt, too new, unavailable), or null when it is fine. */
export function historyStatus(): Promise<HistoryProblem | null> {
  return call<HistoryProblem | null>("history_status");
}

/** Moves the unusable database aside and starts an empty one; resolves with where the old file went. */
export function historyStartFresh(): Promise<string> {
  return call<string>("history_start_fresh");
}

/**
 * Asks where to save (the core opens the native save dialog) and writes the runs
 * selected — by id, or every run matching a query — as JSON, CSV or a Markdown
 * comparison report. Resolves with where the file went and how many runs it holds;
 * `path` is null when the user cancelled the dialog.
 */
export function historyExport(selection: ExportSelection, format: ExportFormat): Promise<ExportResult> {
  return call<ExportResult>("history_export", { selection, format });
}

/**
 * Calls `onChange` with the run id each time the core says the history changed.
 * Resolves with the function that stops listening; outside the desktop app (no event
 * bridge) it resolves with one that does nothing.
 */
export function onHistoryChanged(onChange: (runId: number | null) => void): Promise<UnlistenFn> {
  return listenSafely<number | null>(HISTORY_CHANGED, (payload) => onChange(payload ?? null));
}

/** The notice that a run's answers could not all be saved (a full disk, say). */
export const HISTORY_WRITE_FAILED = "history-write-failed";

/** Calls `onFailure` with what went wrong each time a run could not be saved whole. */
export function onHistoryWriteFailed(onFailure: (message: string) => void): Promise<UnlistenFn> {
  return listenSafely<string>(HISTORY_WRITE_FAILED, onFailure);
}

/** Listens to an app event; outside the desktop app it resolves with a stop that does nothing. */
export async function listenSafely<T>(event: string, handler: (payload: T) => void): Promise<UnlistenFn> {
  let unlisten: UnlistenFn;
  try {
    unlisten = await listen<T>(event, (e) => handler(e.payload));
  } catch {
    return () => {};
  }
  // Stopping never throws at the caller (a window closing, a test's mocked bridge):
  // there is nothing to do about a listener that is already gone.
  return () => {
    try {
      const done: unknown = unlisten();
      if (done instanceof Promise) done.catch(() => {});
    } catch {
      // Already gone.
    }
  };
}
