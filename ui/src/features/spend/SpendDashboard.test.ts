import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { DisplayCurrency } from "../../lib/bindings/DisplayCurrency";
import { deferred, mockCommands, sent, type Handler } from "../../test/ipc";
import { DAYS, MODELS, NOW, PROVIDERS, row, statsBy } from "./fixtures";
import SpendDashboard from "./SpendDashboard.svelte";

/** What the mocked uPlot was given, one entry per chart drawn. */
const plots = vi.hoisted(() => [] as { opts: Record<string, unknown>; data: unknown[][]; destroyed: boolean }[]);

vi.mock("uplot", () => {
  class FakePlot {
    width = 600;
    entry: { opts: Record<string, unknown>; data: unknown[][]; destroyed: boolean };
    constructor(opts: Record<string, unknown>, data: unknown[][], host: HTMLElement) {
      this.entry = { opts, data, destroyed: false };
      plots.push(this.entry);
      host.appendChild(document.createElement("canvas"));
    }
    setSize(): void {}
    destroy(): void {
      this.entry.destroyed = true;
    }
    static paths = { bars: () => () => null };
  }
  return { default: FakePlot };
});

const USD: DisplayCurrency = { code: "USD", per_usd: "1" };
const EUR: DisplayCurrency = { code: "EUR", per_usd: "0.9" };

function core(stats: Handler = statsBy({ day: DAYS, provider: PROVIDERS, model: MODELS })): ReturnType<typeof mockCommands> {
  return mockCommands({ history_stats: stats });
}

function show(currency: DisplayCurrency = USD, onBack: () => void = () => {}): void {
  render(SpendDashboard, { currency, onBack, now: () => NOW });
}

function cell(model: string, col: string): HTMLElement {
  const el = screen.getByTestId(`spend-model-${model}`).querySelector<HTMLElement>(`[data-col="${col}"]`);
  if (!el) throw new Error(`no ${col} cell for ${model}`);
  return el;
}

/** The mocked chart drawn last (the one on screen). */
function lastPlot(): (typeof plots)[number] {
  const live = plots.filter((p) => !p.destroyed);
  const plot = live[live.length - 1];
  if (!plot) throw new Error("no chart drawn");
  return plot;
}

beforeEach(() => {
  plots.length = 0;
  // jsdom has no canvas: pretend to have one (uPlot itself is mocked above).
  vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockReturnValue({} as unknown as CanvasRenderingContext2D);
});

describe("the spend dashboard", () => {
  it("asks for the last 30 days by day, provider and model, then each range and grouping chosen", async () => {
    const user = userEvent.setup();
    const calls = core();
    show();
    await screen.findByTestId("spend-model-openai/gpt-4o");
    expect(screen.getByTestId("spend-range-30d")).toHaveAttribute("aria-pressed", "true");
    expect(sent(calls, "history_stats")).toEqual([
      { by: "day", from: "2026-10-24", to: "2026-11-22" },
      { by: "provider", from: "2026-10-24", to: "2026-11-22" },
      { by: "model", from: "2026-10-24", to: "2026-11-22" },
    ]);

    const expected = {
      "7d": ["2026-11-16", "2026-11-22"],
      "90d": ["2026-08-25", "2026-11-22"],
      month: ["2026-11-01", "2026-11-22"],
      all: [null, null],
    } as const;
    for (const [range, [from, to]] of Object.entries(expected)) {
      const before = sent(calls, "history_stats").length;
      await user.click(screen.getByTestId(`spend-range-${range}`));
      await waitFor(() => expect(sent(calls, "history_stats").length).toBe(before + 3));
      expect(sent(calls, "history_stats").slice(before)).toEqual([
        { by: "day", from, to },
        { by: "provider", from, to },
        { by: "model", from, to },
      ]);
      expect(screen.getByTestId(`spend-range-${range}`)).toHaveAttribute("aria-pressed", "true");
    }

    // Another grouping asks only for the periods again, over the same range.
    await user.click(screen.getByTestId("spend-range-7d"));
    let before = sent(calls, "history_stats").length;
    await user.click(screen.getByTestId("spend-period-week"));
    await waitFor(() => expect(sent(calls, "history_stats").length).toBe(before + 1));
    expect(sent(calls, "history_stats").at(-1)).toEqual({ by: "week", from: "2026-11-16", to: "2026-11-22" });
    expect(screen.getByTestId("spend-period-week")).toHaveAttribute("aria-pressed", "true");

    before = sent(calls, "history_stats").length;
    await user.click(screen.getByTestId("spend-period-month"));
    await waitFor(() => expect(sent(calls, "history_stats").length).toBe(before + 1));
    expect(sent(calls, "history_stats").at(-1)).toEqual({ by: "month", from: "2026-11-16", to: "2026-11-22" });

    // A new range keeps the grouping chosen.
    before = sent(calls, "history_stats").length;
    await user.click(screen.getByTestId("spend-range-90d"));
    await waitFor(() => expect(sent(calls, "history_stats").length).toBe(before + 3));
    expect(sent(calls, "history_stats")[before]).toEqual({ by: "month", from: "2026-08-25", to: "2026-11-22" });
  });

  it("shows each model's numbers exactly, unpriced apart and never as $0", async () => {
    core();
    show();
    await screen.findByTestId("spend-model-openai/gpt-4o");

    expect(cell("openai/gpt-4o", "responses")).toHaveTextContent("12");
    expect(cell("openai/gpt-4o", "input")).toHaveTextContent("12,345");
    expect(cell("openai/gpt-4o", "output")).toHaveTextContent("67,890");
    expect(cell("openai/gpt-4o", "spend")).toHaveTextContent(/^\$1\.23$/);
    expect(cell("openai/gpt-4o", "avg")).toHaveTextContent(/^\$0\.1029$/);
    expect(cell("openai/gpt-4o", "unpriced")).toHaveTextContent("0");
    expect(cell("openai/gpt-4o", "wins")).toHaveTextContent("3");

    // Tiny amounts keep their digits (exact decimal strings, not floats).
    expect(cell("anthropic/claude-sonnet-4-5", "spend")).toHaveTextContent(/^\$0\.0000042$/);
    expect(cell("anthropic/claude-sonnet-4-5", "avg")).toHaveTextContent(/^\$0\.0000014$/);
    expect(cell("anthropic/claude-sonnet-4-5", "unpriced")).toHaveTextContent("1");
    expect(cell("anthropic/claude-sonnet-4-5", "wins")).toHaveTextContent("5");

    // Nothing priced: "unpriced", not $0.
    const llama = screen.getByTestId("spend-model-ollama/llama3.2");
    expect(cell("ollama/llama3.2", "spend")).toHaveTextContent("unpriced");
    expect(cell("ollama/llama3.2", "avg")).toHaveTextContent("—");
    expect(cell("ollama/llama3.2", "unpriced")).toHaveTextContent("7");
    expect(llama).not.toHaveTextContent("$0");

    // The totals add exactly and say what they leave out.
    expect(screen.getByTestId("spend-total")).toHaveTextContent(/^\$1\.23$/);
    expect(screen.getByTestId("spend-total-unpriced")).toHaveTextContent("8 unpriced");
    expect(screen.getByTestId("spend-responses")).toHaveTextContent("23");
    expect(screen.getByTestId("spend-wins")).toHaveTextContent("8");

    // The bars per provider: the unpriced one says so, with no bar.
    const providers = screen.getByTestId("spend-chart-providers");
    expect(within(providers).getByTestId("spend-chart-providers-openai")).toHaveTextContent("$1.23");
    const ollama = within(providers).getByTestId("spend-chart-providers-ollama");
    expect(ollama).toHaveTextContent("unpriced");
    expect(ollama).not.toHaveTextContent("$0");
    expect(ollama.querySelector<HTMLElement>(".fill")?.style.width).toBe("0%");
    expect(within(providers).getByTestId("spend-chart-providers-openai").querySelector<HTMLElement>(".fill")?.style.width).toBe("100%");
  });

  it("formats money in the display currency", async () => {
    core();
    show(EUR);
    await screen.findByTestId("spend-model-openai/gpt-4o");
    expect(cell("openai/gpt-4o", "spend")).toHaveTextContent(/^€1\.11$/);
    expect(cell("anthropic/claude-sonnet-4-5", "spend")).toHaveTextContent(/^€0\.00000378$/);
    expect(cell("ollama/llama3.2", "spend")).toHaveTextContent("unpriced");
  });

  it("sorts the table by any column, unpriced rows last", async () => {
    const user = userEvent.setup();
    core();
    show();
    await screen.findByTestId("spend-model-openai/gpt-4o");
    const order = (): string[] =>
      Array.from(screen.getByTestId("spend-model-table").querySelectorAll("tbody tr")).map((tr) =>
        (tr.getAttribute("data-testid") ?? "").replace("spend-model-", ""),
      );

    expect(order()).toEqual(["openai/gpt-4o", "anthropic/claude-sonnet-4-5", "ollama/llama3.2"]);
    const spendHeader = screen.getByTestId("spend-sort-spend").closest("th");
    expect(spendHeader).toHaveAttribute("aria-sort", "descending");

    await user.click(screen.getByTestId("spend-sort-spend"));
    expect(order()).toEqual(["anthropic/claude-sonnet-4-5", "openai/gpt-4o", "ollama/llama3.2"]);
    expect(spendHeader).toHaveAttribute("aria-sort", "ascending");

    await user.click(screen.getByTestId("spend-sort-unpriced"));
    expect(order()).toEqual(["ollama/llama3.2", "anthropic/claude-sonnet-4-5", "openai/gpt-4o"]);

    await user.click(screen.getByTestId("spend-sort-wins"));
    expect(order()).toEqual(["anthropic/claude-sonnet-4-5", "openai/gpt-4o", "ollama/llama3.2"]);

    await user.click(screen.getByTestId("spend-sort-model"));
    expect(order()).toEqual(["anthropic/claude-sonnet-4-5", "ollama/llama3.2", "openai/gpt-4o"]);

    await user.click(screen.getByTestId("spend-sort-avg"));
    expect(order()).toEqual(["openai/gpt-4o", "anthropic/claude-sonnet-4-5", "ollama/llama3.2"]);

    await user.click(screen.getByTestId("spend-sort-output"));
    expect(order()).toEqual(["openai/gpt-4o", "ollama/llama3.2", "anthropic/claude-sonnet-4-5"]);
  });

  it("switches the per-model bars between spend, average, tokens and wins", async () => {
    const user = userEvent.setup();
    core();
    show();
    const models = await screen.findByTestId("spend-chart-models");
    const values = (): string[] => Array.from(models.querySelectorAll("li")).map((li) => li.textContent?.trim() ?? "");
    expect(values()[0]).toContain("openai/gpt-4o");
    expect(values()[2]).toContain("unpriced");

    await user.click(screen.getByTestId("spend-metric-wins"));
    expect(values()[0]).toMatch(/anthropic\/claude-sonnet-4-5\s*5$/);

    await user.click(screen.getByTestId("spend-metric-tokens"));
    expect(values()[0]).toMatch(/openai\/gpt-4o\s*80\.2k$/);

    await user.click(screen.getByTestId("spend-metric-avg"));
    expect(values()[0]).toMatch(/\$0\.1029$/);
    expect(values()[2]).toMatch(/ollama\/llama3\.2\s*unpriced$/);
  });

  it("draws a bar per day of the range, empty days at zero and unpriced days without a bar", async () => {
    const user = userEvent.setup();
    core();
    show();
    await user.click(await screen.findByTestId("spend-range-7d"));
    await waitFor(() => expect(lastPlot().data[0]).toHaveLength(7));

    const chart = screen.getByTestId("spend-chart-time");
    expect(chart.querySelector("canvas")).not.toBeNull();
    const plot = lastPlot();
    expect(plot.data).toEqual([
      [0, 1, 2, 3, 4, 5, 6],
      [0, 0, 0.5, 0, null, 0, 0],
    ]);
    // The axis says which day each bar is, and the ticks are money in the display currency.
    const axes = plot.opts.axes as { values: (u: unknown, splits: number[]) => string[] }[];
    expect(axes[0]?.values(null, [0, 2, 6])).toEqual(["Nov 16", "Nov 18", "Nov 22"]);
    expect(axes[1]?.values(null, [0, 0.25, 0.5])).toEqual(["$0.00", "$0.25", "$0.50"]);

    // Pointing at a bar reads it out, exactly.
    const hooks = plot.opts.hooks as { setCursor: ((u: unknown) => void)[] };
    hooks.setCursor[0]?.({ cursor: { idx: 2 } });
    expect(await screen.findByTestId("spend-readout")).toHaveTextContent("Wed, Nov 18, 2026 · $0.50 · 14 responses");
    hooks.setCursor[0]?.({ cursor: { idx: 4 } });
    await waitFor(() => expect(screen.getByTestId("spend-readout")).toHaveTextContent("Fri, Nov 20, 2026 · unpriced · 2 responses"));
    expect(screen.getByTestId("spend-readout")).not.toHaveTextContent("$0");

    // Weeks: the 7 days are one ISO week.
    await user.click(screen.getByTestId("spend-period-week"));
    await waitFor(() => expect(lastPlot().data[0]).toHaveLength(1));
    expect((lastPlot().opts.axes as { values: (u: unknown, s: number[]) => string[] }[])[0]?.values(null, [0])).toEqual(["W47"]);
  });

  it("reads the chart colours from the theme again when the OS switches light and dark", async () => {
    const listeners: (() => void)[] = [];
    const matchMedia = vi.fn(() => ({
      matches: false,
      addEventListener: (_: string, fn: () => void) => listeners.push(fn),
      removeEventListener: () => {},
    }));
    vi.stubGlobal("matchMedia", matchMedia);
    try {
      core();
      show();
      await screen.findByTestId("spend-model-openai/gpt-4o");
      await waitFor(() => expect(plots.length).toBeGreaterThan(0));
      const drawn = plots.length;
      // jsdom does not inherit custom properties: set the token on the chart's own box.
      screen.getByTestId("spend-chart-time").style.setProperty("--accent", "#123456");
      for (const fn of listeners) fn();
      await waitFor(() => expect(plots.length).toBe(drawn + 1));
      const series = lastPlot().opts.series as { fill?: string }[];
      expect(series[1]?.fill).toBe("#123456");
      expect(plots.filter((p) => !p.destroyed)).toHaveLength(1);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("without a canvas draws no chart and still shows the numbers", async () => {
    vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockReturnValue(null);
    core();
    show();
    await screen.findByTestId("spend-model-openai/gpt-4o");
    expect(screen.getByTestId("spend-chart-time-unavailable")).toBeInTheDocument();
    expect(screen.queryByTestId("spend-chart-time")).toBeNull();
    expect(plots).toHaveLength(0);
    expect(screen.getByTestId("spend-period-2026-11-18")).toHaveTextContent("$0.50");
    expect(screen.getByTestId("spend-period-2026-11-20")).toHaveTextContent("unpriced");
  });

  it("says when a range has no responses, and when there is no history at all", async () => {
    const user = userEvent.setup();
    core(statsBy({}));
    show();
    const empty = await screen.findByTestId("spend-empty");
    expect(empty).toHaveTextContent("No responses in the last 30 days");
    expect(screen.queryByTestId("spend-model-table")).toBeNull();

    await user.click(screen.getByTestId("spend-show-all"));
    await waitFor(() => expect(screen.getByTestId("spend-empty")).toHaveTextContent("No history yet"));
    expect(screen.getByTestId("spend-range-all")).toHaveAttribute("aria-pressed", "true");
  });

  it("shows the core's error with its message, and tries again", async () => {
    const user = userEvent.setup();
    let fail = true;
    const answer = statsBy({ day: DAYS, provider: PROVIDERS, model: MODELS });
    core((args) => {
      if (fail) throw { kind: "unavailable", message: "the history database is locked" };
      return answer(args);
    });
    show();
    const error = await screen.findByTestId("spend-error");
    expect(error).toHaveAttribute("role", "alert");
    expect(error).toHaveTextContent("the history database is locked");
    expect(screen.queryByTestId("spend-empty")).toBeNull();

    fail = false;
    await user.click(screen.getByTestId("spend-retry"));
    await screen.findByTestId("spend-model-openai/gpt-4o");
    expect(screen.queryByTestId("spend-error")).toBeNull();
  });

  it("keeps the last range's answer when an older one arrives late", async () => {
    const user = userEvent.setup();
    const slow = deferred<ReturnType<typeof row>[]>();
    core((args) => {
      const a = args as { by: string; from: string | null };
      if (a.from === "2026-10-24" && a.by === "model") return slow.promise;
      return a.by === "model" ? [row("mistral/mistral-large")] : [];
    });
    show();
    await user.click(screen.getByTestId("spend-range-7d"));
    await screen.findByTestId("spend-model-mistral/mistral-large");
    slow.resolve([row("late/answer-not-shown")]);
    await new Promise((r) => setTimeout(r, 0));
    expect(screen.queryByTestId("spend-model-late/answer-not-shown")).toBeNull();
    expect(screen.getByTestId("spend-model-mistral/mistral-large")).toBeInTheDocument();
  });

  it("Back calls back", async () => {
    const user = userEvent.setup();
    const onBack = vi.fn();
    core();
    show(USD, onBack);
    await user.click(screen.getByTestId("spend-back"));
    expect(onBack).toHaveBeenCalledOnce();
  });
});
