import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "../../App.svelte";
import type { CompareRequest } from "../../lib/bindings/CompareRequest";
import type { RunDetail } from "../../lib/bindings/RunDetail";
import { cost, mockCompareCore, usage } from "../../test/compare";
import { sampleInfo } from "../../test/core";
import { sent, type Handler } from "../../test/ipc";
import { responseRecord, runDetail, runSummary } from "../../test/history";
import { sampleOverview } from "../../test/providers";

const hostile = 'Safe **bold**.\n\n<img src="x" onerror="window.__pwned = true"><script>window.__pwned = true</script>\n\n[click](javascript:alert(1))';

function detail(): RunDetail {
  return runDetail(7, [
    responseRecord(0, { text: hostile }),
    responseRecord(1, {
      status: "interrupted",
      text: "Partial answ",
      finish_reason: null,
      usage: null,
      cost: null,
      ttft_ms: 300,
      total_ms: null,
      system: "Answer in French.",
      messages: [{ role: "user", content: "Explain DNS, briefly" }],
      params: { ...responseRecord(1).params, temperature: 0.9 },
    }),
    responseRecord(2, {
      model: "gemini/gemini-2.5-flash",
      status: "error",
      text: "",
      error: { kind: "rate_limited", message: "quota exceeded", status: 429, retry_after_s: null, phase: null },
      usage: usage({ output_tokens: 0, source: "estimated" }),
      cost: cost(null),
      finish_reason: null,
    }),
  ]);
}

function core(extra: Record<string, Handler> = {}): ReturnType<typeof mockCompareCore> {
  return mockCompareCore({
    app_info: () => sampleInfo,
    list_providers: () => sampleOverview,
    history_list: () => ({ runs: [runSummary(7, { prompt: "Explain DNS" })], total: 1, next: null }),
    history_run: () => detail(),
    history_set_winner: () => runSummary(7, { winner: "openai/gpt-4o" }),
    history_export: () => ({ path: "/home/ada/run-7.md", runs: 1 }),
    ...extra,
  });
}

async function openRun(user: ReturnType<typeof userEvent.setup>): Promise<HTMLElement> {
  await user.click(await screen.findByTestId("history-row-7"));
  return screen.findByTestId("run-view");
}

describe("the run view", () => {
  it("shows the run as it was: prompt, system, each response's markdown (sanitized) and metrics", async () => {
    const user = userEvent.setup();
    core();
    render(App);
    const view = await openRun(user);

    expect(screen.queryByTestId("compare-area")).toBeNull();
    expect(within(view).getByTestId("run-prompt")).toHaveTextContent("Explain DNS");
    expect(within(view).getByTestId("run-system")).toHaveTextContent("Be brief.");

    const first = within(view).getByTestId("run-view-response-0");
    expect(first.querySelector("strong")).toHaveTextContent("bold");
    expect(first.querySelector("script")).toBeNull();
    expect(first.querySelector("[onerror]")).toBeNull();
    expect(first.querySelector('a[href^="javascript"]')).toBeNull();
    expect((window as unknown as { __pwned?: boolean }).__pwned).toBeUndefined();
    expect(within(first).getByTestId("run-metric-ttft-0")).toHaveTextContent("240 ms");
    expect(within(first).getByTestId("run-metric-total-0")).toHaveTextContent("1.83 s");
    expect(within(first).getByTestId("run-metric-tokens-0")).toHaveTextContent("12 → 34");
    expect(within(first).getByTestId("run-metric-cost-0")).toHaveTextContent("$0.0021");
    expect(within(first).getByTestId("run-metric-cost-0")).toHaveTextContent("list");
    expect(within(first).getByTestId("run-metric-cost-0")).toHaveAttribute("title", expect.stringContaining("from the price list"));
    expect(within(first).getByTestId("run-metric-finish-0")).toHaveTextContent("finished");

    const second = within(view).getByTestId("run-view-response-1");
    expect(within(second).getByTestId("run-status-1")).toHaveTextContent("interrupted");
    expect(within(second).getByTestId("run-interrupted-1")).toHaveTextContent("The text below is what had arrived");
    expect(within(second).getByTestId("run-text-1")).toHaveTextContent("Partial answ");
    expect(within(second).getByTestId("run-metric-cost-1")).toHaveTextContent("unpriced");

    const third = within(view).getByTestId("run-view-response-2");
    expect(within(third).getByTestId("run-error-2")).toHaveAttribute("data-kind", "rate_limited");
    expect(within(third).getByTestId("run-error-2")).toHaveTextContent("quota exceeded");
    expect(within(third).getByTestId("run-metric-cost-2")).toHaveTextContent("unpriced");
    expect(within(third).getByTestId("run-metric-cost-2")).not.toHaveTextContent("$0");
  });

  it("marks the winner, exports the run, and Back returns to the playground as it was", async () => {
    const user = userEvent.setup();
    const { calls } = core();
    render(App);
    await user.type(screen.getByTestId("prompt-input"), "my draft");
    await openRun(user);

    await user.click(screen.getByTestId("run-winner-0"));
    await waitFor(() => expect(screen.getByTestId("run-winner-0")).toHaveAttribute("aria-pressed", "true"));
    expect(sent(calls, "history_set_winner")).toEqual([{ runId: 7, responseId: 500 }]);

    await user.click(screen.getByTestId("run-export"));
    await user.click(screen.getByTestId("run-export-markdown"));
    expect(await screen.findByTestId("run-export-result")).toHaveTextContent("Saved 1 run to /home/ada/run-7.md");
    expect(sent(calls, "history_export")).toEqual([{ selection: { ids: [7] }, format: "markdown" }]);

    await user.click(screen.getByTestId("run-back"));
    expect(screen.queryByTestId("run-view")).toBeNull();
    expect(screen.getByTestId("prompt-input")).toHaveValue("my draft");
  });

  it("Re-run loads the run's targets into the playground and sends its prompt", async () => {
    const user = userEvent.setup();
    const { runs } = core();
    render(App);
    await openRun(user);
    await user.click(screen.getByTestId("run-rerun"));

    await waitFor(() => expect(runs).toHaveLength(1));
    expect(screen.queryByTestId("run-view")).toBeNull();
    const request: CompareRequest = runs[0]!.request;
    expect(request.request.system).toBe("Be brief.");
    expect(request.targets.map((t) => t.model)).toEqual(["openai/gpt-4o", "anthropic/claude-sonnet-4-5", "gemini/gemini-2.5-flash"]);
    expect(request.targets[0]!.params.temperature).toBe(0.3);
    expect(request.targets[0]!.system).toBe("Be brief.");
    expect(request.targets[0]!.messages).toEqual([{ role: "user", content: "Explain DNS" }]);
    expect(request.targets[1]!.params.temperature).toBe(0.9);
    expect(request.targets[1]!.system).toBe("Answer in French.");
    expect(request.targets[1]!.messages).toEqual([{ role: "user", content: "Explain DNS, briefly" }]);
    expect(screen.getAllByTestId("answer").length).toBe(3);
  });

  it("Fork loads the run into the playground without sending, for the user to edit", async () => {
    const user = userEvent.setup();
    const { runs } = core();
    render(App);
    await openRun(user);
    await user.click(screen.getByTestId("run-fork"));

    await waitFor(() => expect(screen.getByTestId("prompt-input")).toHaveValue("Explain DNS"));
    expect(screen.queryByTestId("run-view")).toBeNull();
    expect(screen.getByTestId("compare-area")).toBeInTheDocument();
    expect(screen.getByTestId("prompt-input")).toHaveFocus();
    expect(runs).toHaveLength(0);
  });

  it("deletes the run, then Undo restores it", async () => {
    const user = userEvent.setup();
    const { calls } = core({ history_delete: () => 1, history_restore: () => 1 });
    render(App);
    await openRun(user);
    await user.click(screen.getByTestId("run-delete"));
    expect(screen.queryByTestId("run-view")).toBeNull();
    await user.click(await screen.findByTestId("history-undo"));
    expect(sent(calls, "history_delete")).toEqual([{ ids: [7] }]);
    expect(sent(calls, "history_restore")).toEqual([{ ids: [7] }]);
    await waitFor(() => expect(screen.getByTestId("history-row-7")).toBeInTheDocument());
  });
});
