import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import App from "../../App.svelte";
import { mockCompareCore } from "../../test/compare";
import { sampleInfo } from "../../test/core";
import { sent } from "../../test/ipc";
import { responseRecord, runDetail, runSummary } from "../../test/history";
import { sampleOverview } from "../../test/providers";
import { DAYS, MODELS, PROVIDERS, statsBy } from "./fixtures";

function core(): ReturnType<typeof mockCompareCore> {
  return mockCompareCore({
    app_info: () => sampleInfo,
    list_providers: () => sampleOverview,
    history_list: () => ({ runs: [runSummary(7, { prompt: "Explain DNS" })], total: 1, next: null }),
    history_run: () => runDetail(7, [responseRecord(0)]),
    history_stats: statsBy({ day: DAYS, provider: PROVIDERS, model: MODELS }),
  });
}

beforeEach(() => {
  // jsdom has no canvas, as some webviews may not: the real uPlot is never reached.
  vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockReturnValue(null);
});

describe("opening the spend dashboard", () => {
  it("loads only when opened, from the sidebar's Spend button, and Back returns to the playground", async () => {
    const user = userEvent.setup();
    const { calls } = core();
    render(App);
    await user.type(screen.getByTestId("prompt-input"), "my draft");
    expect(sent(calls, "history_stats")).toEqual([]);

    await user.click(screen.getByTestId("open-spend"));
    const view = await screen.findByTestId("spend-dashboard");
    expect(screen.queryByTestId("compare-area")).toBeNull();
    expect(screen.getByTestId("open-spend")).toHaveAttribute("aria-pressed", "true");
    await screen.findByTestId("spend-model-openai/gpt-4o");
    expect(sent(calls, "history_stats").map((a) => (a as { by: string }).by)).toEqual(["day", "provider", "model"]);
    // No canvas here: the chart says so, and nothing crashed.
    expect(view.querySelector('[data-testid="spend-chart-time-unavailable"]')).not.toBeNull();

    await user.click(screen.getByTestId("spend-back"));
    expect(screen.queryByTestId("spend-dashboard")).toBeNull();
    expect(screen.getByTestId("prompt-input")).toHaveValue("my draft");
    expect(screen.getByTestId("open-spend")).toHaveAttribute("aria-pressed", "false");
  });

  it("Escape leaves it; a run opened from the sidebar shows over it and Back returns to it", async () => {
    const user = userEvent.setup();
    core();
    render(App);
    await user.click(screen.getByTestId("open-spend"));
    await screen.findByTestId("spend-dashboard");
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("spend-dashboard")).toBeNull());
    expect(screen.getByTestId("compare-area")).toBeInTheDocument();

    await user.click(screen.getByTestId("open-spend"));
    await screen.findByTestId("spend-dashboard");
    await user.click(await screen.findByTestId("history-row-7"));
    await screen.findByTestId("run-view");
    expect(screen.queryByTestId("spend-dashboard")).toBeNull();
    await user.click(screen.getByTestId("run-back"));
    expect(await screen.findByTestId("spend-dashboard")).toBeInTheDocument();
  });
});
