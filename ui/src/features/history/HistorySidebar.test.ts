import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { RunQuery } from "../../lib/bindings/RunQuery";
import { USD } from "../../lib/stores/currency.svelte";
import { mockCommands, sent } from "../../test/ipc";
import { pagedHistory, runSummary, runsFrom } from "../../test/history";
import { SessionSpend } from "../compare/sessionSpend.svelte";
import { HistoryStore } from "./history.svelte";
import HistorySidebar from "./HistorySidebar.svelte";

function renderSidebar(history: HistoryStore): void {
  render(HistorySidebar, {
    onOpenSettings: () => {},
    onOpenAbout: () => {},
    settingsOpen: false,
    spend: new SessionSpend(),
    runUsd: null,
    currency: USD,
    history,
  });
}

const rows = (): HTMLElement[] => screen.queryAllByRole("option");

/** jsdom has no layout: the scroll position is set by hand. */
function scrollTo(element: HTMLElement, top: number): void {
  Object.defineProperty(element, "scrollTop", { value: top, writable: true, configurable: true });
}

describe("HistorySidebar", () => {
  it("lists runs newest first with title, models, cost, marks and the interrupted badge", async () => {
    mockCommands({
      history_list: () => ({
        runs: [
          runSummary(3, { title: "DNS basics", winner: "openai/gpt-4o", starred: true }),
          runSummary(2, { cost_usd: null, unpriced: 2, interrupted: 1 }),
          runSummary(1, { cost_usd: "0.5", unpriced: 1, models: ["openai/gpt-4o", "a/b", "c/d", "e/f"] }),
        ],
        total: 3,
        next: null,
      }),
      history_status: () => null,
    });
    const history = new HistoryStore();
    renderSidebar(history);
    await history.reload();

    await waitFor(() => expect(rows()).toHaveLength(3));
    const [first, second, third] = rows() as [HTMLElement, HTMLElement, HTMLElement];
    expect(first).toHaveAttribute("data-testid", "history-row-3");
    expect(first).toHaveTextContent("DNS basics");
    expect(within(first).getByTestId("history-winner")).toBeInTheDocument();
    expect(within(first).getByTestId("history-star")).toHaveAttribute("aria-pressed", "true");
    expect(within(first).getByTestId("history-cost")).toHaveTextContent("$0.0123");
    expect(second).toHaveTextContent("Prompt number 2");
    expect(second).not.toHaveTextContent("second line");
    expect(within(second).getByTestId("history-cost")).toHaveTextContent("unpriced");
    expect(within(second).getByTestId("history-cost")).not.toHaveTextContent("$0");
    expect(within(second).getByTestId("history-interrupted")).toHaveTextContent("interrupted");
    expect(within(third).getByTestId("history-cost")).toHaveTextContent("$0.50 + 1 unpriced");
    expect(third).toHaveTextContent("gpt-4o, b, d +1");
    expect(screen.getByTestId("history-count")).toHaveTextContent("3 runs");
  });

  it("renders a bounded number of rows for 100,000 runs, and the right ones when scrolled", async () => {
    const all = runsFrom(100_000, 1);
    mockCommands({ history_list: () => ({ runs: all, total: 100_000, next: null }) });
    const history = new HistoryStore();
    renderSidebar(history);
    await history.reload();

    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
    expect(rows().length).toBeLessThan(60);
    expect(rows()[0]).toHaveAttribute("data-testid", "history-row-100000");

    const list = screen.getByTestId("history-list");
    scrollTo(list, 50 * 50_000);
    await fireEvent.scroll(list);
    await waitFor(() => expect(screen.getByTestId("history-row-50000")).toBeInTheDocument());
    expect(rows().length).toBeLessThan(60);
    expect(screen.queryByTestId("history-row-100000")).toBeNull();
  });

  it("loads the next page when scrolled near the end", async () => {
    const calls = mockCommands({ history_list: (a) => pagedHistory(100_000)((a as unknown as { query: RunQuery }).query) });
    const history = new HistoryStore();
    renderSidebar(history);
    await history.reload();
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
    expect(history.runs).toHaveLength(100);

    const list = screen.getByTestId("history-list");
    scrollTo(list, 50 * 90);
    await fireEvent.scroll(list);
    await waitFor(() => expect(history.runs).toHaveLength(200));
    expect(sent(calls, "history_list").map((a) => (a as unknown as { query: RunQuery }).query.before)).toEqual([null, 99_901]);
  });

  it("moves with the arrow keys and opens with Enter", async () => {
    const user = userEvent.setup();
    const calls = mockCommands({
      history_list: () => ({ runs: runsFrom(5, 1), total: 5, next: null }),
      history_run: () => {
        throw { kind: "not_found", message: "gone" };
      },
    });
    const history = new HistoryStore();
    renderSidebar(history);
    await history.reload();
    await waitFor(() => expect(rows()).toHaveLength(5));

    await user.click(screen.getByTestId("history-search"));
    await user.keyboard("{ArrowDown}");
    expect(screen.getByTestId("history-list")).toHaveFocus();
    expect(screen.getByTestId("history-row-5")).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{ArrowDown}{ArrowDown}{ArrowUp}");
    expect(screen.getByTestId("history-row-4")).toHaveAttribute("aria-selected", "true");
    expect(screen.getByTestId("history-list")).toHaveAttribute("aria-activedescendant", "history-row-4");
    await user.keyboard("{Enter}");
    await waitFor(() => expect(sent(calls, "history_run")).toEqual([{ id: 4 }]));
  });

  it("searches as the user types and shows each match's snippet", async () => {
    const user = userEvent.setup();
    const calls = mockCommands({
      history_list: (a) => {
        const q = (a as unknown as { query: RunQuery }).query;
        return q.text === null
          ? { runs: runsFrom(2, 1), total: 2, next: null }
          : { runs: [runSummary(1, { snippet: "…the resolver asks the root…" })], total: 1, next: null };
      },
    });
    const history = new HistoryStore();
    renderSidebar(history);
    await history.reload();
    await user.type(screen.getByTestId("history-search"), "resolver");
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(within(rows()[0]!).getByTestId("history-snippet")).toHaveTextContent("the resolver asks the root");
    expect(sent(calls, "history_list")).toHaveLength(2);
  });

  it("says when nothing matches", async () => {
    mockCommands({ history_list: () => ({ runs: [], total: 0, next: null }) });
    const history = new HistoryStore();
    renderSidebar(history);
    history.setFilters({ starred: true });
    await waitFor(() => expect(screen.getByText("No matching runs")).toBeInTheDocument());
  });

  it("shows a damaged database with a way out that keeps the old file", async () => {
    const user = userEvent.setup();
    const calls = mockCommands({
      history_list: () => ({ runs: [], total: 0, next: null }),
      history_status: () => ({ kind: "corrupt", message: "database disk image is malformed", path: "/data/history.db" }),
      history_start_fresh: () => "/data/history.db.corrupt-1",
    });
    const history = new HistoryStore();
    renderSidebar(history);
    await history.checkStatus();
    const banner = await screen.findByTestId("history-problem");
    expect(banner).toHaveTextContent("The history file is damaged");
    expect(banner).toHaveTextContent("database disk image is malformed");
    await user.click(screen.getByTestId("history-start-fresh"));
    await waitFor(() => expect(screen.getByTestId("history-moved")).toHaveTextContent("/data/history.db.corrupt-1"));
    expect(screen.queryByTestId("history-problem")).toBeNull();
    expect(sent(calls, "history_start_fresh")).toHaveLength(1);
  });
});
