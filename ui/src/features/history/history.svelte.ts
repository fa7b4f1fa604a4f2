/*
 * The history as the sidebar and the run view see it: the query (search text and
 * filters), the runs loaded so far page by page (newest first, paged with the `before`
 * cursor), the selection, the open run, and the undo of the last delete.
 *
 * Every list request carries a generation: a response that comes back after a newer
 * query was made (the user typed on) is dropped, so a slow search never overwrites a
 * faster, newer one.
 */
import {
  emptyQuery,
  historyDelete,
  historyList,
  historyRate,
  historyRestore,
  historyRun,
  historySetWinner,
  historyStartFresh,
  historyStatus,
  historyUpdate,
  onHistoryChanged,
  toIpcError,
} from "../../lib/api";
import type { HistoryProblem } from "../../lib/bindings/HistoryProblem";
import type { RunDetail } from "../../lib/bindings/RunDetail";
import type { RunEdit } from "../../lib/bindings/RunEdit";
import type { RunPage } from "../../lib/bindings/RunPage";
import type { RunQuery } from "../../lib/bindings/RunQuery";
import type { RunSummary } from "../../lib/bindings/RunSummary";

/** How long typing pauses before the search runs. */
export const SEARCH_DEBOUNCE_MS = 150;
/** Runs asked for per page. */
export const PAGE_SIZE = 100;
/** How long "Run deleted — Undo" stays. */
export const UNDO_MS = 8000;

export interface HistoryFilters {
  model: string | null;
  provider: string | null;
  /** `YYYY-MM-DD`, local, inclusive. */
  from: string | null;
  to: string | null;
  starred: boolean;
  withWinner: boolean;
  tag: string | null;
}

/** A page as the core sends it; anything else (an older core without history, a test double) is read as empty. */
function asPage(value: unknown): RunPage {
  const page = value as Partial<RunPage> | null;
  if (page === null || typeof page !== "object" || !Array.isArray(page.runs)) return { runs: [], total: 0, next: null };
  return { runs: page.runs, total: typeof page.total === "number" ? page.total : page.runs.length, next: page.next ?? null };
}

const PROBLEM_KINDS: readonly string[] = ["corrupt", "too_new", "unavailable"] satisfies HistoryProblem["kind"][];

function asProblem(value: unknown): HistoryProblem | null {
  const problem = value as Partial<HistoryProblem> | null;
  if (problem === null || typeof problem !== "object" || !PROBLEM_KINDS.includes(problem.kind ?? "")) return null;
  return { kind: problem.kind!, message: String(problem.message ?? ""), path: String(problem.path ?? "") };
}

export function noFilters(): HistoryFilters {
  return { model: null, provider: null, from: null, to: null, starred: false, withWinner: false, tag: null };
}

/** The last delete, while it can still be undone. */
export interface PendingUndo {
  ids: number[];
  label: string;
}

export class HistoryStore {
  /** What the search box holds (the search runs 150 ms after the last keystroke). */
  text = $state("");
  filters: HistoryFilters = $state(noFilters());
  runs: RunSummary[] = $state.raw([]);
  /** Runs matching the query, in every page. */
  total = $state(0);
  /** The cursor of the next page; null once every page is loaded. */
  next: number | null = $state(null);
  /** True until the first page of the current query has arrived. */
  loading = $state(false);
  loadingMore = $state(false);
  error: string | null = $state(null);
  /** The run the keyboard is on. */
  selected: number | null = $state(null);
  /** The run shown in the main area, whole; null: the playground is shown. */
  open: RunDetail | null = $state.raw(null);
  openError: string | null = $state(null);
  /** Why the database cannot be used; null when it is fine. */
  problem: HistoryProblem | null = $state.raw(null);
  /** Where the unusable database was moved by "Start a fresh history". */
  movedTo: string | null = $state(null);
  undo: PendingUndo | null = $state.raw(null);
  /** The last failed change (rename, star, delete…), shown until the next one. */
  actionError: string | null = $state(null);
  /** True while the list is for a text search (rows then show a snippet). */
  searching = $state(false);
  /** Counts the queries shown (not refreshes): the list goes back to its top on each. */
  version = $state(0);

  /** The query the list shows (the text as last searched, not as being typed). */
  #searched = $state("");
  #generation = 0;
  #openRequest = 0;
  #debounce: ReturnType<typeof setTimeout> | null = null;
  #undoTimer: ReturnType<typeof setTimeout> | null = null;
  #unlisten: (() => void) | null = null;
  #stopped = false;

  /** True while a search text or a filter narrows the list. */
  get filtered(): boolean {
    const f = this.filters;
    return (
      this.#searched.trim() !== "" ||
      f.model !== null ||
      f.provider !== null ||
      f.from !== null ||
      f.to !== null ||
      f.starred ||
      f.withWinner ||
      f.tag !== null
    );
  }

  /** How many filters (not the text) are set, for the Filters button. */
  get filterCount(): number {
    const f = this.filters;
    return [f.model, f.provider, f.from, f.to, f.tag].filter((v) => v !== null).length + Number(f.starred) + Number(f.withWinner);
  }

  /** The query for the page before `before` (null: the first page). */
  query(before: number | null = null, limit = PAGE_SIZE): RunQuery {
    const f = this.filters;
    const text = this.#searched.trim();
    return {
      ...emptyQuery(),
      text: text === "" ? null : text,
      model: f.model,
      provider: f.provider,
      from: f.from,
      to: f.to,
      starred: f.starred,
      with_winner: f.withWinner,
      tag: f.tag,
      before,
      limit,
    };
  }

  // ── Lifecycle ──────────────────────────────────────────────────────────

  /** Loads the status and the first page, and follows the core's `history-changed` notices. */
  async start(): Promise<void> {
    this.#stopped = false;
    const unlisten = await onHistoryChanged((id) => void this.#changed(id));
    // Stopped while the listener was being set up (the window closed at once).
    if (this.#stopped) {
      unlisten();
      return;
    }
    this.#unlisten = unlisten;
    await Promise.all([this.checkStatus(), this.reload()]);
  }

  stop(): void {
    this.#stopped = true;
    this.#unlisten?.();
    this.#unlisten = null;
    if (this.#debounce !== null) clearTimeout(this.#debounce);
    if (this.#undoTimer !== null) clearTimeout(this.#undoTimer);
  }

  // ── Query ──────────────────────────────────────────────────────────────

  /** The search box changed: search once typing pauses. */
  setText(text: string): void {
    this.text = text;
    if (this.#debounce !== null) clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => {
      this.#debounce = null;
      if (this.text.trim() === this.#searched.trim()) return;
      this.#searched = this.text;
      void this.reload();
    }, SEARCH_DEBOUNCE_MS);
  }

  setFilters(change: Partial<HistoryFilters>): void {
    this.filters = { ...this.filters, ...change };
    void this.reload();
  }

  clearFilters(): void {
    this.filters = noFilters();
    void this.reload();
  }

  /** The first page of the current query, replacing the list. */
  async reload(): Promise<void> {
    const generation = ++this.#generation;
    this.loading = true;
    this.loadingMore = false;
    const searching = this.#searched.trim() !== "";
    try {
      const page = asPage(await historyList(this.query()));
      if (generation !== this.#generation) return;
      this.runs = page.runs;
      this.total = page.total;
      this.next = page.next;
      this.error = null;
      this.searching = searching;
      this.version++;
      if (this.selected !== null && !page.runs.some((r) => r.id === this.selected)) this.selected = null;
    } catch (reason: unknown) {
      if (generation !== this.#generation) return;
      this.error = toIpcError(reason).message;
      this.runs = [];
      this.total = 0;
      this.next = null;
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }

  /** The next page, appended; does nothing on the last page or while one is coming. */
  async loadMore(): Promise<void> {
    if (this.next === null || this.loadingMore || this.loading) return;
    const generation = this.#generation;
    this.loadingMore = true;
    try {
      const page = asPage(await historyList(this.query(this.next)));
      if (generation !== this.#generation) return;
      const seen = new Set(this.runs.map((r) => r.id));
      this.runs = [...this.runs, ...page.runs.filter((r) => !seen.has(r.id))];
      this.total = page.total;
      this.next = page.next;
    } catch (reason: unknown) {
      if (generation === this.#generation) this.error = toIpcError(reason).message;
    } finally {
      if (generation === this.#generation) this.loadingMore = false;
    }
  }

  /**
   * The first page again, merged over what is loaded: new runs come in on top, changed
   * ones are replaced, and the older pages already scrolled through stay.
   */
  async refresh(): Promise<void> {
    const generation = ++this.#generation;
    this.loadingMore = false;
    try {
      const page = asPage(await historyList(this.query()));
      if (generation !== this.#generation) return;
      const oldest = page.next === null ? Number.NEGATIVE_INFINITY : (page.runs.at(-1)?.id ?? Number.NEGATIVE_INFINITY);
      const older = page.next === null ? [] : this.runs.filter((r) => r.id < oldest);
      this.runs = [...page.runs, ...older];
      this.total = page.total;
      this.next = older.length > 0 ? (older.at(-1)?.id ?? page.next) : page.next;
      this.error = null;
    } catch (reason: unknown) {
      if (generation === this.#generation) this.error = toIpcError(reason).message;
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }

  async #changed(id: number | null): Promise<void> {
    await this.refresh();
    if (this.open !== null && (id === null || id === this.open.summary.id)) await this.#reopen(this.open.summary.id);
  }

  // ── Selection and the open run ─────────────────────────────────────────

  /** Moves the selection `by` rows (clamped); returns the index selected, or -1. */
  move(by: number): number {
    if (this.runs.length === 0) return -1;
    const at = this.runs.findIndex((r) => r.id === this.selected);
    const index = at < 0 ? (by > 0 ? 0 : this.runs.length - 1) : Math.max(0, Math.min(this.runs.length - 1, at + by));
    this.selected = this.runs[index]?.id ?? null;
    if (index >= this.runs.length - 5) void this.loadMore();
    return index;
  }

  /** Opens run `id` in the main area. */
  async openRun(id: number): Promise<void> {
    this.selected = id;
    this.openError = null;
    await this.#reopen(id);
  }

  async #reopen(id: number): Promise<void> {
    const request = ++this.#openRequest;
    try {
      const detail = await historyRun(id);
      if (request !== this.#openRequest) return;
      this.open = detail;
      this.openError = null;
    } catch (reason: unknown) {
      if (request !== this.#openRequest) return;
      const error = toIpcError(reason);
      this.openError = (error.kind as string) === "not_found" ? "This run is no longer in the history." : error.message;
      this.open = null;
    }
  }

  /** Back to the playground. */
  close(): void {
    ++this.#openRequest;
    this.open = null;
    this.openError = null;
  }

  // ── Changes ────────────────────────────────────────────────────────────

  async rename(id: number, title: string): Promise<void> {
    const trimmed = title.trim();
    await this.#edit(id, { title: trimmed === "" ? null : trimmed });
  }

  async star(id: number, starred: boolean): Promise<void> {
    await this.#edit(id, { starred });
  }

  async setTags(id: number, tags: string[]): Promise<void> {
    const clean = [...new Set(tags.map((t) => t.trim()).filter((t) => t !== ""))];
    await this.#edit(id, { tags: clean });
  }

  async setNotes(id: number, notes: string): Promise<void> {
    if (this.open?.summary.id === id && (this.open.notes ?? "") === notes) return;
    await this.#edit(id, { notes: notes.trim() === "" ? null : notes });
  }

  async #edit(id: number, edit: RunEdit): Promise<void> {
    try {
      const summary = await historyUpdate(id, edit);
      this.actionError = null;
      this.#replace(summary);
      if (this.open?.summary.id === id) {
        this.open = {
          ...this.open,
          summary: { ...summary, snippet: this.open.summary.snippet },
          notes: edit.notes !== undefined ? edit.notes : this.open.notes,
        };
      }
    } catch (reason: unknown) {
      this.actionError = toIpcError(reason).message;
    }
  }

  /** Marks response `responseId` of the open run the winner; null (or the winner again) clears it. */
  async setWinner(responseId: number | null): Promise<void> {
    const run = this.open;
    if (run === null) return;
    try {
      const summary = await historySetWinner(run.summary.id, responseId);
      this.actionError = null;
      this.#replace(summary);
      if (this.open?.summary.id === run.summary.id) {
        this.open = {
          ...this.open,
          summary,
          responses: this.open.responses.map((r) => ({ ...r, winner: r.id === responseId })),
        };
      }
    } catch (reason: unknown) {
      this.actionError = toIpcError(reason).message;
    }
  }

  /** Rates a response of the open run 1 to 5 (null clears). */
  async rate(responseId: number, rating: number | null): Promise<void> {
    try {
      await historyRate(responseId, rating);
      this.actionError = null;
      if (this.open) {
        this.open = { ...this.open, responses: this.open.responses.map((r) => (r.id === responseId ? { ...r, rating } : r)) };
      }
    } catch (reason: unknown) {
      this.actionError = toIpcError(reason).message;
    }
  }

  /** Deletes runs at once (they leave the list), with "Undo" offered for a while. */
  async remove(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    const gone = new Set(ids);
    const before = this.runs;
    this.runs = this.runs.filter((r) => !gone.has(r.id));
    this.total = Math.max(0, this.total - (before.length - this.runs.length));
    if (this.selected !== null && gone.has(this.selected)) this.selected = null;
    if (this.open !== null && gone.has(this.open.summary.id)) this.close();
    try {
      await historyDelete(ids);
      this.actionError = null;
      this.#offerUndo({ ids, label: ids.length === 1 ? "Run deleted" : `${ids.length} runs deleted` });
    } catch (reason: unknown) {
      this.actionError = toIpcError(reason).message;
      await this.refresh();
    }
  }

  /** Brings the last deleted runs back. */
  async undoDelete(): Promise<void> {
    const pending = this.undo;
    if (pending === null) return;
    this.dismissUndo();
    try {
      await historyRestore(pending.ids);
      this.actionError = null;
    } catch (reason: unknown) {
      this.actionError = toIpcError(reason).message;
    }
    await this.refresh();
  }

  dismissUndo(): void {
    if (this.#undoTimer !== null) clearTimeout(this.#undoTimer);
    this.#undoTimer = null;
    this.undo = null;
  }

  #offerUndo(pending: PendingUndo): void {
    this.dismissUndo();
    this.undo = pending;
    this.#undoTimer = setTimeout(() => {
      this.#undoTimer = null;
      this.undo = null;
    }, UNDO_MS);
  }

  #replace(summary: RunSummary): void {
    this.runs = this.runs.map((r) => (r.id === summary.id ? { ...summary, snippet: r.snippet } : r));
  }

  // ── The database's health ──────────────────────────────────────────────

  async checkStatus(): Promise<void> {
    try {
      this.problem = asProblem(await historyStatus());
    } catch (reason: unknown) {
      this.problem = { kind: "unavailable", message: toIpcError(reason).message, path: "" };
    }
  }

  /** Moves the unusable database aside (kept, never wiped) and starts an empty one. */
  async startFresh(): Promise<void> {
    try {
      this.movedTo = await historyStartFresh();
      this.problem = null;
      this.actionError = null;
      await this.reload();
    } catch (reason: unknown) {
      this.actionError = toIpcError(reason).message;
    }
  }
}
