import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "../../App.svelte";
import { sampleInfo } from "../../test/core";
import { cost, mockCompareCore, summary } from "../../test/compare";
import { sent } from "../../test/ipc";
import { sampleOverview } from "../../test/providers";

function core(): ReturnType<typeof mockCompareCore> {
  return mockCompareCore({
    app_info: () => sampleInfo,
    list_providers: () => sampleOverview,
    provider_models: (args) => ({
      provider: (args as { provider: string }).provider,
      models: [],
      error: null,
      hint: null,
    }),
  });
}

async function pickTyped(user: ReturnType<typeof userEvent.setup>, index: number, model: string): Promise<void> {
  await user.click(screen.getByTestId(`column-model-${index}`));
  await user.type(screen.getByTestId("model-search"), model);
  await user.click(await screen.findByTestId("picker-use-typed"));
}

/** Adds one column per model through the UI, picking each by its typed id. */
async function withColumns(user: ReturnType<typeof userEvent.setup>, ...models: string[]): Promise<void> {
  for (const [index, model] of models.entries()) {
    await user.click(screen.getByTestId(index === 0 ? "add-first-column" : "add-column"));
    await pickTyped(user, index, model);
  }
}

describe("the playground", () => {
  it("builds columns with the picker, sends with Ctrl+Enter and streams each answer into its column", async () => {
    const user = userEvent.setup();
    const { runs, calls } = core();
    render(App);

    await withColumns(user, "openai/gpt-4o", "anthropic/claude-sonnet-4-5");
    expect(screen.getByTestId("column-0")).toHaveAttribute("data-model", "openai/gpt-4o");

    const input = screen.getByTestId("prompt-input");
    await user.type(input, "Compare these");
    // The estimate for the draft, per column.
    await waitFor(() => expect(screen.getByTestId("column-estimate-0")).toHaveTextContent("~12 tok in · ≈$0.00003 in"));
    await user.keyboard("{Control>}{Enter}{/Control}");

    expect(runs).toHaveLength(1);
    expect(runs[0]!.request.targets.map((t) => t.model)).toEqual(["openai/gpt-4o", "anthropic/claude-sonnet-4-5"]);
    expect(input).toHaveValue("");
    expect(screen.getByTestId("stop-all")).toBeVisible();

    runs[0]!.emit([
      { target: 0, event: "delta", text: "# Title\n\nSome `code` and **bold**" },
      { target: 1, event: "delta", text: "Partial" },
    ]);
    const col0 = screen.getByTestId("column-0");
    await waitFor(() => expect(within(col0).getByRole("heading", { name: "Title" })).toBeVisible());
    expect(within(col0).getByText("bold").tagName).toBe("STRONG");

    runs[0]!.emit([
      summary(0, { model: "openai/gpt-4o", text: "# Title\n\nSome `code` and **bold**", cost: cost("0.0021") }),
      summary(1, {
        model: "anthropic/claude-sonnet-4-5",
        status: "error",
        text: "Partial",
        finish_reason: null,
        cost: cost("0.0001"),
        error: { kind: "auth", message: "invalid x-api-key", status: 401, retry_after_s: null, phase: null },
        hint: "the anthropic key in the keychain was refused; replace it in Settings → Providers",
      }),
    ]);
    const col1 = screen.getByTestId("column-1");
    const error = await within(col1).findByTestId("answer-error");
    expect(error).toHaveTextContent("Key refused (HTTP 401)");
    expect(error).toHaveTextContent("invalid x-api-key");
    expect(within(col1).getByTestId("answer-hint")).toHaveTextContent("keychain was refused");
    expect(within(col1).getByTestId("answer-text")).toHaveTextContent("Partial");
    expect(within(col0).getByTestId("metric-cost")).toHaveTextContent("$0.0021");
    expect(screen.getByTestId("run-total")).toHaveTextContent("$0.0022");
    expect(screen.getByTestId("tally-session")).toHaveTextContent("$0.0022");
    expect(screen.queryByTestId("stop-all")).not.toBeInTheDocument();

    // A bad key links to the providers settings.
    await user.click(within(col1).getByTestId("answer-open-providers"));
    expect(screen.getByTestId("settings-view")).toBeInTheDocument();
    expect(sent(calls, "start_compare")).toHaveLength(1);
  });

  it("says when a run is not being saved, and streams it all the same", async () => {
    const user = userEvent.setup();
    const { runs } = mockCompareCore({
      app_info: () => sampleInfo,
      list_providers: () => sampleOverview,
      provider_models: (args) => ({ provider: (args as { provider: string }).provider, models: [], error: null, hint: null }),
      start_compare: (args) => {
        const a = args as unknown as { events: { onmessage: (e: unknown) => void } };
        runs.push({ id: 1, request: (args as never as { request: never }).request, emit: (events) => a.events.onmessage(events) });
        return { id: 1, history_id: null, history_error: "This run is not being saved: cannot use /data/history.db: No space left on device" };
      },
    });
    render(App);
    await withColumns(user, "openai/gpt-4o");
    await user.type(screen.getByTestId("prompt-input"), "x");
    await user.click(screen.getByTestId("send-button"));
    const notice = await screen.findByTestId("not-saved");
    expect(notice).toHaveTextContent("No space left on device");
    expect(notice).toHaveTextContent("stream all the same");
    runs[0]!.emit([{ target: 0, event: "delta", text: "Still here" }]);
    await waitFor(() => expect(screen.getByTestId("answer-text")).toHaveTextContent("Still here"));
  });

  it("renders a hostile answer as inert text", async () => {
    const user = userEvent.setup();
    const { runs } = core();
    render(App);
    await withColumns(user, "openai/gpt-4o");
    await user.type(screen.getByTestId("prompt-input"), "x");
    await user.click(screen.getByTestId("send-button"));
    const hostile =
      'Hi <img src=x onerror="window.__xss=1"><script>window.__xss=2</script> [a](javascript:window.__xss=3) <svg onload="window.__xss=4"></svg>';
    runs[0]!.emit([{ target: 0, event: "delta", text: hostile }, summary(0, { model: "openai/gpt-4o", text: hostile })]);
    const column = screen.getByTestId("column-0");
    await waitFor(() => expect(within(column).getByTestId("answer-text")).toHaveTextContent("Hi"));
    expect(column.querySelectorAll("script, img, svg[onload], iframe")).toHaveLength(0);
    const live = [...column.querySelectorAll("[data-testid=answer-text] *")].filter((e) =>
      [...e.attributes].some((a) => a.name.startsWith("on") || /^\s*javascript:/i.test(a.value)),
    );
    expect(live).toHaveLength(0);
    expect((window as { __xss?: unknown }).__xss).toBeUndefined();
  });

  it("stops one column from its footer and all with Escape", async () => {
    const user = userEvent.setup();
    const { runs, calls } = core();
    render(App);
    await withColumns(user, "openai/gpt-4o", "openai/gpt-4o-mini");
    await user.type(screen.getByTestId("prompt-input"), "Go");
    await user.click(screen.getByTestId("send-button"));
    runs[0]!.emit([{ target: 0, event: "delta", text: "so far" }]);

    await user.click(await screen.findByTestId("column-stop-0"));
    await user.click(document.body);
    await user.keyboard("{Escape}");
    expect(sent(calls, "stop_compare")).toEqual([
      { run: 1, target: 0 },
      { run: 1, target: null },
    ]);
    runs[0]!.emit([summary(0, { model: "openai/gpt-4o", status: "cancelled", text: "so far", finish_reason: null })]);
    const column = screen.getByTestId("column-0");
    await waitFor(() => expect(within(column).getByTestId("answer-stopped")).toBeVisible());
    expect(within(column).getByTestId("answer-text")).toHaveTextContent("so far");
  });

  it("duplicates, moves and removes columns from their menu; Alt+2 focuses the second column", async () => {
    const user = userEvent.setup();
    core();
    render(App);
    await withColumns(user, "openai/gpt-4o", "gemini/gemini-2.5-pro");
    const models = (): (string | null)[] =>
      screen.getAllByTestId(/^column-\d$/).map((c) => c.getAttribute("data-model"));

    await user.click(screen.getByTestId("column-menu-0"));
    await user.click(screen.getByTestId("column-duplicate-0"));
    expect(models()).toEqual(["openai/gpt-4o", "openai/gpt-4o", "gemini/gemini-2.5-pro"]);
    await user.click(screen.getByTestId("column-menu-2"));
    await user.click(screen.getByTestId("column-left-2"));
    expect(models()).toEqual(["openai/gpt-4o", "gemini/gemini-2.5-pro", "openai/gpt-4o"]);
    await user.click(screen.getByTestId("column-menu-0"));
    await user.click(screen.getByTestId("column-remove-0"));
    expect(models()).toEqual(["gemini/gemini-2.5-pro", "openai/gpt-4o"]);

    await user.click(document.body);
    await user.keyboard("{Alt>}2{/Alt}");
    expect(screen.getByTestId("column-1")).toHaveFocus();
  });

  it("lifts the grid's containment while a model picker is open, and gives it back when the last one closes", async () => {
    // Containment would make the grid the (position: fixed) picker's containing block
    // and clip it; while streaming, the contained grid keeps layout off the page.
    const user = userEvent.setup();
    core();
    render(App);
    await withColumns(user, "openai/gpt-4o", "gemini/gemini-2.5-pro");
    const grid = screen.getByTestId("columns");
    expect(grid).toHaveClass("contained");

    await user.click(screen.getByTestId("column-model-1"));
    expect(screen.getByTestId("model-picker")).toBeVisible();
    expect(grid).not.toHaveClass("contained");
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("model-picker")).toBeNull());
    expect(grid).toHaveClass("contained");

    // Going from one column's picker to another's: one open, the grid still uncontained.
    await user.click(screen.getByTestId("column-model-0"));
    expect(grid).not.toHaveClass("contained");
    await user.click(screen.getByTestId("column-model-1"));
    await waitFor(() => expect(screen.getAllByTestId("model-picker")).toHaveLength(1));
    expect(grid).not.toHaveClass("contained");
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("model-picker")).toBeNull());
    expect(grid).toHaveClass("contained");
  });
});
