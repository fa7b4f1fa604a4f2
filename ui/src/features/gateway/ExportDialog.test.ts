import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { ExportOptions } from "../../lib/bindings/ExportOptions";
import type { Problem } from "../../lib/bindings/Problem";
import type { Setup } from "../../lib/bindings/Setup";
import { mockCommands, sent } from "../../test/ipc";
import ExportDialog from "./ExportDialog.svelte";
import { exportOf, fallback } from "./fixtures";

type PreviewArgs = { setups: Setup[]; options: ExportOptions };

/** What the dialog last asked the core to preview. */
function lastPreview(calls: ReturnType<typeof mockCommands>): { setup: Setup | undefined; options: ExportOptions | undefined } {
  const last = sent(calls, "gateway_preview").at(-1) as PreviewArgs | undefined;
  return { setup: last?.setups[0], options: last?.options };
}

function core(problems: (args: PreviewArgs) => Problem[] = () => []): ReturnType<typeof mockCommands> {
  return mockCommands({
    gateway_preview: (args) => {
      const a = args as PreviewArgs;
      return exportOf(a.setups, a.options, problems(a));
    },
    gateway_save: () => "/home/ada/portkey-chat.json",
    setup_save: (args) => (args as { setup: Setup }).setup,
  });
}

function open(setup = fallback("chat", ["openai/gpt-4o", "anthropic/claude-sonnet-4-5"])): void {
  render(ExportDialog, { setups: [setup], onClose: () => {} });
}

describe("the export dialog", () => {
  it("shows the problems inline and blocks Save and Copy while one is an error", async () => {
    core((a) =>
      a.setups[0]?.alias.includes(" ")
        ? [{ severity: "error", at: "setup `my chat`", message: "the alias contains ` `", fix: "rename the setup" }]
        : [{ severity: "warning", at: "setup `chat`, groq/llama", message: "no price is known", fix: "add your own price" }],
    );
    const user = userEvent.setup();
    open();

    expect(await screen.findByText(/no price is known/)).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId("export-save")).toBeEnabled());
    expect(screen.getByTestId("export-copy")).toBeEnabled();
    expect(screen.getByTestId("export-text")).toHaveTextContent("model_name: chat");

    await user.clear(screen.getByTestId("setup-alias"));
    await user.type(screen.getByTestId("setup-alias"), "my chat");
    expect(await screen.findByText(/the alias contains ` `/)).toBeInTheDocument();
    expect(screen.getByTestId("export-problem")).toHaveAttribute("data-severity", "error");
    expect(screen.getByTestId("export-save")).toBeDisabled();
    expect(screen.getByTestId("export-copy")).toBeDisabled();
  });

  it("asks for the preview once typing pauses, not on every keystroke", async () => {
    const calls = core();
    const user = userEvent.setup();
    open();
    await screen.findByTestId("export-text");
    const before = sent(calls, "gateway_preview").length;
    await user.type(screen.getByTestId("setup-alias"), "-fast");
    await waitFor(() => {
      expect(lastPreview(calls).setup?.alias).toBe("chat-fast");
    });
    expect(sent(calls, "gateway_preview").length - before).toBeLessThan(5);
  });

  it("switching strategy regroups the models: one per group to fall back, one group to balance", async () => {
    const calls = core();
    const user = userEvent.setup();
    open();
    await screen.findByTestId("export-text");

    await user.click(screen.getByTestId("strategy-loadbalance"));
    expect(screen.getByTestId("target-weight-1")).toBeInTheDocument();
    await waitFor(() => {
      expect(lastPreview(calls).setup?.groups.map((g) => g.targets.map((t) => t.model))).toEqual([
        ["openai/gpt-4o", "anthropic/claude-sonnet-4-5"],
      ]);
    });

    await user.click(screen.getByTestId("strategy-fallback"));
    expect(screen.queryByTestId("target-weight-1")).toBeNull();
    await waitFor(() => {
      expect(lastPreview(calls).setup?.groups.map((g) => g.targets.map((t) => t.model))).toEqual([
        ["openai/gpt-4o"],
        ["anthropic/claude-sonnet-4-5"],
      ]);
    });

    // The keyboard way to reorder: the second model moves up, first in the route.
    await user.click(screen.getByTestId("target-up-1"));
    await waitFor(() => {
      expect(lastPreview(calls).setup?.groups[0]?.targets[0]?.model).toBe("anthropic/claude-sonnet-4-5");
    });
  });

  it("asks before writing real keys, and cancelling writes nothing", async () => {
    const calls = core();
    const user = userEvent.setup();
    open();
    await user.click(await screen.findByTestId("format-portkey"));
    await user.selectOptions(screen.getByTestId("portkey-keys"), "keychain");
    await waitFor(() => {
      expect(lastPreview(calls).options).toEqual({ format: "portkey", portkey_keys: "keychain" });
    });
    // Keys go into a file only: never onto the clipboard.
    expect(screen.getByTestId("export-copy")).toBeDisabled();

    await user.click(screen.getByTestId("export-save"));
    const confirm = await screen.findByTestId("keys-confirm");
    expect(confirm).toHaveTextContent(/secrets/);
    await user.click(screen.getByTestId("keys-cancel"));
    expect(screen.queryByTestId("keys-confirm")).toBeNull();
    expect(sent(calls, "gateway_save")).toEqual([]);

    await user.click(screen.getByTestId("export-save"));
    await user.click(await screen.findByTestId("keys-confirm-ok"));
    await waitFor(() => expect(sent(calls, "gateway_save")).toHaveLength(1));
    expect(sent(calls, "gateway_save")[0]).toMatchObject({
      confirmKeys: true,
      options: { format: "portkey", portkey_keys: "keychain" },
    });
    expect(await screen.findByTestId("export-status")).toHaveTextContent("/home/ada/portkey-chat.json");
  });

  it("saves without asking when the config holds no keys", async () => {
    const calls = core();
    const user = userEvent.setup();
    open();
    await waitFor(() => expect(screen.getByTestId("export-save")).toBeEnabled());
    await user.click(screen.getByTestId("export-save"));
    await waitFor(() => expect(sent(calls, "gateway_save")).toHaveLength(1));
    expect(screen.queryByTestId("keys-confirm")).toBeNull();
    expect(sent(calls, "gateway_save")[0]).toMatchObject({ confirmKeys: false, options: { format: "litellm" } });
  });

  it("stores the setup made from a run with Save setup", async () => {
    const calls = core();
    const user = userEvent.setup();
    open();
    await user.click(await screen.findByTestId("export-save-setup"));
    await waitFor(() => expect(sent(calls, "setup_save")).toHaveLength(1));
    expect(sent(calls, "setup_save")[0]).toMatchObject({ setup: { alias: "chat" }, replacing: null });
    expect(await screen.findByTestId("export-status")).toHaveTextContent("Saved as “chat”");
  });

  it("adds a model by its id: last in a fallback, as its own group", async () => {
    const calls = core();
    const user = userEvent.setup();
    open();
    await screen.findByTestId("export-text");
    const input = screen.getByTestId("setup-add-model-input");

    // Not a provider/model id: refused, nothing added.
    await user.type(input, "gpt-4o{Enter}");
    expect(screen.getByRole("alert")).toHaveTextContent("provider/model");
    expect(screen.queryByTestId("setup-target-2")).toBeNull();

    await user.clear(input);
    await user.type(input, " groq/llama-3.3-70b {Enter}");
    expect(screen.getByTestId("setup-target-2")).toHaveTextContent("groq/llama-3.3-70b");
    expect(input).toHaveValue("");
    await waitFor(() => {
      expect(lastPreview(calls).setup?.groups.map((g) => g.targets.map((t) => t.model))).toEqual([
        ["openai/gpt-4o"],
        ["anthropic/claude-sonnet-4-5"],
        ["groq/llama-3.3-70b"],
      ]);
    });
  });

  it("adds a model to a load balance in its one group, with weight 1", async () => {
    const calls = core();
    const user = userEvent.setup();
    open();
    await screen.findByTestId("export-text");
    await user.click(screen.getByTestId("strategy-loadbalance"));
    await user.clear(screen.getByTestId("target-weight-0"));
    await user.type(screen.getByTestId("target-weight-0"), "3");

    await user.type(screen.getByTestId("setup-add-model-input"), "groq/llama-3.3-70b");
    await user.click(screen.getByTestId("setup-add-model"));
    expect(screen.getByTestId("target-weight-2")).toHaveValue(1);
    await waitFor(() => {
      expect(lastPreview(calls).setup?.groups.map((g) => g.targets.map((t) => [t.model, t.weight]))).toEqual([
        [
          ["openai/gpt-4o", 3],
          ["anthropic/claude-sonnet-4-5", 1],
          ["groq/llama-3.3-70b", 1],
        ],
      ]);
    });
  });
});
