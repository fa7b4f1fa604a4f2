import { emit } from "@tauri-apps/api/event";
import { describe, expect, it, vi } from "vitest";
import {
  emptyQuery,
  historyDelete,
  historyExport,
  historyList,
  historyRate,
  historyRestore,
  historyRun,
  historySetWinner,
  historyStartFresh,
  historyStats,
  historyStatus,
  historyUpdate,
  onHistoryChanged,
  onHistoryWriteFailed,
} from "./history";
import { startCompare } from "./compare";
import { answerWith, mockCommands } from "../../test/ipc";
import { runDetail, responseRecord, runSummary } from "../../test/history";

describe("history api", () => {
  it("sends every command with the contract's command and argument names", async () => {
    const calls = answerWith((cmd) => {
      switch (cmd) {
        case "history_list":
          return { runs: [runSummary(7)], total: 1, next: null };
        case "history_run":
          return runDetail(7, [responseRecord(0)]);
        case "history_update":
        case "history_set_winner":
          return runSummary(7);
        case "history_delete":
        case "history_restore":
          return 2;
        case "history_stats":
          return [];
        case "history_status":
          return null;
        case "history_start_fresh":
          return "/data/history.db.corrupt-1";
        case "history_export":
          return { path: "/home/ada/runs.csv", runs: 3 };
        default:
          return null;
      }
    });
    const query = { ...emptyQuery(), text: "dns", starred: true, before: 120, limit: 100 };

    await expect(historyList(query)).resolves.toEqual({ runs: [runSummary(7)], total: 1, next: null });
    await historyRun(7);
    await historyUpdate(7, { title: null, starred: true });
    await historySetWinner(7, 501);
    await historyRate(501, 4);
    await expect(historyDelete([7, 8])).resolves.toBe(2);
    await historyRestore([7, 8]);
    await historyStats("model", "2026-11-01", null);
    await expect(historyStatus()).resolves.toBeNull();
    await expect(historyStartFresh()).resolves.toBe("/data/history.db.corrupt-1");
    await expect(historyExport({ query }, "csv")).resolves.toEqual({ path: "/home/ada/runs.csv", runs: 3 });
    await historyExport({ ids: [7] }, "markdown");

    expect(calls).toEqual([
      { cmd: "history_list", payload: { query } },
      { cmd: "history_run", payload: { id: 7 } },
      { cmd: "history_update", payload: { id: 7, edit: { title: null, starred: true } } },
      { cmd: "history_set_winner", payload: { runId: 7, responseId: 501 } },
      { cmd: "history_rate", payload: { responseId: 501, rating: 4 } },
      { cmd: "history_delete", payload: { ids: [7, 8] } },
      { cmd: "history_restore", payload: { ids: [7, 8] } },
      { cmd: "history_stats", payload: { by: "model", from: "2026-11-01", to: null } },
      { cmd: "history_status", payload: {} },
      { cmd: "history_start_fresh", payload: {} },
      { cmd: "history_export", payload: { selection: { query }, format: "csv" } },
      { cmd: "history_export", payload: { selection: { ids: [7] }, format: "markdown" } },
    ]);
  });

  it("rejects with the core's error unchanged", async () => {
    const error = { kind: "not_found", message: "run 7 is not in the history" };
    answerWith(() => {
      throw error;
    });
    await expect(historyRun(7)).rejects.toEqual(error);
  });

  it("follows the history-changed event until told to stop", async () => {
    mockCommands({}, { events: true });
    const seen = vi.fn();
    const stop = await onHistoryChanged(seen);
    await emit("history-changed", 42);
    expect(seen).toHaveBeenCalledWith(42);
    stop();
    await emit("history-changed", 43);
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it("hears when a run could not be saved whole", async () => {
    mockCommands({}, { events: true });
    const seen = vi.fn();
    const stop = await onHistoryWriteFailed(seen);
    await emit("history-write-failed", "This run was not saved whole: database or disk is full");
    expect(seen).toHaveBeenCalledWith("This run was not saved whole: database or disk is full");
    stop();
  });

  it("startCompare answers the run's id, its history id and why it is not saved", async () => {
    answerWith(() => ({ id: 3, history_id: 99, history_error: null }));
    await expect(startCompare({ request: { system: null, messages: [], params: emptyParamsForTest() }, targets: [] }, () => {})).resolves.toEqual({
      id: 3,
      history_id: 99,
      history_error: null,
    });
  });
});

function emptyParamsForTest() {
  return { temperature: null, top_p: null, max_tokens: null, stop: [], seed: null, reasoning_effort: null, thinking_budget: null };
}
