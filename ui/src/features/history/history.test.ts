import { emit } from "@tauri-apps/api/event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RunPage } from "../../lib/bindings/RunPage";
import type { RunQuery } from "../../lib/bindings/RunQuery";
import { deferred, mockCommands, sent } from "../../test/ipc";
import { pagedHistory, responseRecord, runDetail, runSummary, runsFrom } from "../../test/history";
import { HistoryStore, PAGE_SIZE, SEARCH_DEBOUNCE_MS, UNDO_MS } from "./history.svelte";

const queries = (calls: ReturnType<typeof mockCommands>): RunQuery[] =>
  sent(calls, "history_list").map((a) => (a as unknown as { query: RunQuery }).query);

afterEach(() => {
  vi.useRealTimers();
});

describe("HistoryStore", () => {
  it("loads the first page, then the next ones with the cursor, newest first", async () => {
    const calls = mockCommands({ history_list: (a) => pagedHistory(250)((a as unknown as { query: RunQuery }).query) });
    const h = new HistoryStore();
    await h.reload();
    expect(h.runs.map((r) => r.id).slice(0, 3)).toEqual([250, 249, 248]);
    expect(h.runs).toHaveLength(PAGE_SIZE);
    expect(h.total).toBe(250);
    expect(h.next).toBe(151);

    await h.loadMore();
    await h.loadMore();
    expect(h.runs).toHaveLength(250);
    expect(h.runs.at(-1)?.id).toBe(1);
    expect(h.next).toBeNull();
    await h.loadMore();
    expect(queries(calls).map((q) => q.before)).toEqual([null, 151, 51]);
    expect(queries(calls).every((q) => q.limit === PAGE_SIZE)).toBe(true);
  });

  it("searches 150 ms after the last keystroke, once", async () => {
    vi.useFakeTimers();
    const calls = mockCommands({ history_list: () => ({ runs: [], total: 0, next: null }) });
    const h = new HistoryStore();
    h.setText("d");
    h.setText("dn");
    h.setText("dns");
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS - 10);
    expect(queries(calls)).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(20);
    expect(queries(calls).map((q) => q.text)).toEqual(["dns"]);
    expect(h.filtered).toBe(true);
  });

  it("never lets a slow, older search overwrite a newer one", async () => {
    const slow = deferred<RunPage>();
    const calls = mockCommands({
      history_list: (a) => {
        const q = (a as unknown as { query: RunQuery }).query;
        if (q.text === "old") return slow.promise;
        return { runs: [runSummary(2, { snippet: "new match" })], total: 1, next: null };
      },
    });
    const h = new HistoryStore();
    vi.useFakeTimers();
    h.setText("old");
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);
    h.setText("new");
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);
    vi.useRealTimers();
    await vi.waitFor(() => expect(h.runs.map((r) => r.id)).toEqual([2]));
    slow.resolve({ runs: [runSummary(1)], total: 1, next: null });
    await slow.promise;
    await Promise.resolve();
    expect(h.runs.map((r) => r.id)).toEqual([2]);
    expect(h.searching).toBe(true);
    expect(queries(calls).map((q) => q.text)).toEqual(["old", "new"]);
  });

  it("drops a page that arrives after the query changed", async () => {
    const page2 = deferred<RunPage>();
    mockCommands({
      history_list: (a) => {
        const q = (a as unknown as { query: RunQuery }).query;
        if (q.before !== null) return page2.promise;
        return q.starred ? { runs: [runSummary(9, { starred: true })], total: 1, next: null } : pagedHistory(300)(q);
      },
    });
    const h = new HistoryStore();
    await h.reload();
    const more = h.loadMore();
    h.setFilters({ starred: true });
    await vi.waitFor(() => expect(h.runs.map((r) => r.id)).toEqual([9]));
    page2.resolve({ runs: runsFrom(200, 101), total: 300, next: 101 });
    await more;
    expect(h.runs.map((r) => r.id)).toEqual([9]);
    expect(h.filterCount).toBe(1);
  });

  it("refreshes on history-changed: a new run on top, the pages scrolled through kept", async () => {
    let count = 250;
    mockCommands({ history_list: (a) => pagedHistory(count)((a as unknown as { query: RunQuery }).query), history_status: () => null }, { events: true });
    const h = new HistoryStore();
    await h.start();
    await h.loadMore();
    expect(h.runs).toHaveLength(200);
    count = 251;
    await emit("history-changed", 251);
    await vi.waitFor(() => expect(h.runs[0]?.id).toBe(251));
    expect(h.runs).toHaveLength(201);
    expect(h.runs.at(-1)?.id).toBe(51);
    expect(h.next).toBe(51);
    expect(h.total).toBe(251);
    h.stop();
  });

  it("deletes at once and brings the run back with Undo", async () => {
    vi.useFakeTimers();
    let deleted = new Set<number>();
    const calls = mockCommands({
      history_list: () => {
        const runs = runsFrom(3, 1).filter((r) => !deleted.has(r.id));
        return { runs, total: runs.length, next: null };
      },
      history_delete: (a) => {
        const ids = (a as unknown as { ids: number[] }).ids;
        deleted = new Set([...deleted, ...ids]);
        return ids.length;
      },
      history_restore: (a) => {
        const ids = (a as unknown as { ids: number[] }).ids;
        deleted = new Set([...deleted].filter((id) => !ids.includes(id)));
        return ids.length;
      },
    });
    const h = new HistoryStore();
    await h.reload();
    await h.remove([2]);
    expect(h.runs.map((r) => r.id)).toEqual([3, 1]);
    expect(h.total).toBe(2);
    expect(h.undo).toEqual({ ids: [2], label: "Run deleted" });

    await h.undoDelete();
    expect(sent(calls, "history_restore")).toEqual([{ ids: [2] }]);
    expect(h.runs.map((r) => r.id)).toEqual([3, 2, 1]);
    expect(h.undo).toBeNull();

    await h.remove([3]);
    await vi.advanceTimersByTimeAsync(UNDO_MS + 1);
    expect(h.undo).toBeNull();
  });

  it("closes the open run when it is deleted, and puts it back in the list when the delete fails", async () => {
    mockCommands({
      history_list: () => ({ runs: runsFrom(2, 1), total: 2, next: null }),
      history_run: () => runDetail(2, [responseRecord(0)]),
      history_delete: () => {
        throw { kind: "history", message: "the disk is full" };
      },
    });
    const h = new HistoryStore();
    await h.reload();
    await h.openRun(2);
    expect(h.open?.summary.id).toBe(2);
    await h.remove([2]);
    expect(h.open).toBeNull();
    expect(h.actionError).toBe("the disk is full");
    expect(h.undo).toBeNull();
    expect(h.runs.map((r) => r.id)).toEqual([2, 1]);
  });

  it("renames, stars, tags and saves notes through history_update, keeping the list in step", async () => {
    const calls = mockCommands({
      history_list: () => ({ runs: [runSummary(5)], total: 1, next: null }),
      history_run: () => runDetail(5, [responseRecord(0), responseRecord(1)]),
      history_update: (a) => {
        const edit = (a as unknown as { edit: { title?: string | null; starred?: boolean; tags?: string[] } }).edit;
        return runSummary(5, { title: edit.title ?? null, starred: edit.starred ?? false, tags: edit.tags ?? [] });
      },
      history_set_winner: () => runSummary(5, { winner: "anthropic/claude-sonnet-4-5" }),
      history_rate: () => null,
    });
    const h = new HistoryStore();
    await h.reload();
    await h.openRun(5);
    await h.rename(5, "  DNS basics ");
    expect(h.runs[0]?.title).toBe("DNS basics");
    expect(h.open?.summary.title).toBe("DNS basics");
    await h.star(5, true);
    expect(h.runs[0]?.starred).toBe(true);
    await h.setTags(5, ["net", " net ", "", "dns"]);
    await h.setNotes(5, "good answer");
    await h.setNotes(5, "good answer");
    expect(h.open?.notes).toBe("good answer");
    await h.setWinner(501);
    expect(h.open?.responses.map((r) => r.winner)).toEqual([false, true]);
    expect(h.runs[0]?.winner).toBe("anthropic/claude-sonnet-4-5");
    await h.rate(500, 4);
    expect(h.open?.responses[0]?.rating).toBe(4);

    expect(sent(calls, "history_update")).toEqual([
      { id: 5, edit: { title: "DNS basics" } },
      { id: 5, edit: { starred: true } },
      { id: 5, edit: { tags: ["net", "dns"] } },
      { id: 5, edit: { notes: "good answer" } },
    ]);
    expect(sent(calls, "history_set_winner")).toEqual([{ runId: 5, responseId: 501 }]);
    expect(sent(calls, "history_rate")).toEqual([{ responseId: 500, rating: 4 }]);
  });

  it("says when a run is gone, and moves a bad database aside", async () => {
    const calls = mockCommands({
      history_list: () => ({ runs: [], total: 0, next: null }),
      history_run: () => {
        throw { kind: "not_found", message: "no run 4" };
      },
      history_status: () => ({ kind: "corrupt", message: "database disk image is malformed", path: "/data/history.db" }),
      history_start_fresh: () => "/data/history.db.corrupt-2026-11-22",
    });
    const h = new HistoryStore();
    await h.openRun(4);
    expect(h.openError).toBe("This run is no longer in the history.");
    await h.checkStatus();
    expect(h.problem?.kind).toBe("corrupt");
    await h.startFresh();
    expect(h.problem).toBeNull();
    expect(h.movedTo).toBe("/data/history.db.corrupt-2026-11-22");
    expect(sent(calls, "history_start_fresh")).toHaveLength(1);
  });
});
