import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { ExportOptions } from "../../lib/bindings/ExportOptions";
import type { Problem } from "../../lib/bindings/Problem";
import type { Setup } from "../../lib/bindings/Setup";
import { mockCommands, sent } from "../../test/ipc";
import { exportOf, fallback, imported } from "./fixtures";
import SetupsView from "./SetupsView.svelte";

describe("the setups view", () => {
  it("imports a config: shows its setups, providers and notes, and saves only on Apply", async () => {
    let saved: Setup[] = [];
    const file = imported(
      [fallback("chat", ["openai/gpt-4o", "anthropic/claude-sonnet-4-5"])],
      [
        { at: "router_settings.cooldown_time", message: "Switchboard has no cooldown; skipped" },
        { at: "model_list[2] (chat)", message: "the key was written in the file; it was not imported" },
      ],
    );
    const calls = mockCommands({
      setups_list: () => saved,
      gateway_import_pick: () => file,
      gateway_import_apply: () => {
        saved = file.setups;
        return { setups_added: ["chat"], setups_replaced: [], providers_added: ["groq"], providers_kept: [] };
      },
    });
    const user = userEvent.setup();
    render(SetupsView, { onBack: () => {} });
    expect(await screen.findByTestId("setups-empty")).toBeInTheDocument();

    await user.click(screen.getByTestId("setups-import"));
    const report = await screen.findByTestId("import-report");
    const notes = within(report).getAllByTestId("import-note");
    expect(notes.map((n) => n.textContent)).toEqual([
      expect.stringContaining("Switchboard has no cooldown"),
      expect.stringContaining("the key was written in the file"),
    ]);
    expect(within(report).getByTestId("import-setups")).toHaveTextContent("openai/gpt-4o → anthropic/claude-sonnet-4-5");
    expect(within(report).getByTestId("import-providers")).toHaveTextContent("https://groq.example/openai/v1");
    expect(within(report).getByTestId("import-key-env")).toHaveTextContent("OPENAI_API_KEY");
    expect(sent(calls, "gateway_import_apply")).toEqual([]);

    await user.click(screen.getByTestId("import-apply"));
    await waitFor(() => expect(sent(calls, "gateway_import_apply")).toEqual([{ imported: file, replace: false }]));
    expect(await screen.findByTestId("setup-row-chat")).toHaveTextContent("Fallback");
    expect(screen.getByTestId("setups-notice")).toHaveTextContent("added chat");
    expect(screen.queryByTestId("import-report")).toBeNull();
  });

  it("an alias already saved needs Replace before Apply", async () => {
    const chat = fallback("chat", ["openai/gpt-4o"]);
    const calls = mockCommands({
      setups_list: () => [chat],
      gateway_import_pick: () => imported([chat], []),
      gateway_import_apply: () => ({ setups_added: [], setups_replaced: ["chat"], providers_added: [], providers_kept: [] }),
    });
    const user = userEvent.setup();
    render(SetupsView, { onBack: () => {} });
    await screen.findByTestId("setup-row-chat");
    await user.click(screen.getByTestId("setups-import"));
    await screen.findByTestId("import-report");
    expect(screen.getByTestId("import-apply")).toBeDisabled();
    await user.click(screen.getByTestId("import-replace"));
    await user.click(screen.getByTestId("import-apply"));
    await waitFor(() => expect(sent(calls, "gateway_import_apply")).toMatchObject([{ replace: true }]));
  });

  it("deletes a setup after asking", async () => {
    let saved = [fallback("chat", ["openai/gpt-4o"])];
    const calls = mockCommands({
      setups_list: () => saved,
      setup_delete: () => {
        saved = [];
        return true;
      },
    });
    const user = userEvent.setup();
    render(SetupsView, { onBack: () => {} });
    await user.click(await screen.findByTestId("setup-delete-chat"));
    expect(sent(calls, "setup_delete")).toEqual([]);
    await user.click(screen.getByTestId("setup-delete-yes-chat"));
    await waitFor(() => expect(sent(calls, "setup_delete")).toEqual([{ alias: "chat" }]));
    expect(await screen.findByTestId("setups-empty")).toBeInTheDocument();
  });

  it("New setup opens the dialog with an empty fallback; adding a model makes it exportable", async () => {
    const noTargets: Problem = { severity: "error", at: "setup `chat-2`", message: "it has no targets", fix: "add at least one model" };
    const calls = mockCommands({
      setups_list: () => [fallback("chat", ["openai/gpt-4o"])],
      gateway_preview: (args) => {
        const a = args as { setups: Setup[]; options: ExportOptions };
        const empty = a.setups.every((s) => s.groups.every((g) => g.targets.length === 0));
        return exportOf(a.setups, a.options, empty ? [noTargets] : []);
      },
    });
    const user = userEvent.setup();
    render(SetupsView, { onBack: () => {} });
    await screen.findByTestId("setup-row-chat");

    await user.click(screen.getByTestId("setups-new"));
    const dialog = await screen.findByTestId("export-dialog");
    // `chat` is saved already: the new one is `chat-2`.
    expect(within(dialog).getByTestId("setup-alias")).toHaveValue("chat-2");
    expect(within(dialog).getByTestId("strategy-fallback")).toBeChecked();
    expect(within(dialog).getByTestId("setup-targets-empty")).toBeInTheDocument();
    expect(await within(dialog).findByText(/it has no targets/)).toBeInTheDocument();
    expect(within(dialog).getByTestId("export-save")).toBeDisabled();
    expect(within(dialog).getByTestId("export-copy")).toBeDisabled();
    expect(within(dialog).getByTestId("export-save-setup")).toBeDisabled();

    await user.type(within(dialog).getByTestId("setup-add-model-input"), "openai/gpt-4o-mini{Enter}");
    expect(within(dialog).getByTestId("setup-target-0")).toHaveTextContent("openai/gpt-4o-mini");
    await waitFor(() => expect(within(dialog).getByTestId("export-save")).toBeEnabled());
    expect(within(dialog).getByTestId("export-save-setup")).toBeEnabled();
    expect(within(dialog).queryByText(/it has no targets/)).toBeNull();
    expect(sent(calls, "gateway_preview").at(-1)).toMatchObject({
      setups: [{ alias: "chat-2", groups: [{ targets: [{ model: "openai/gpt-4o-mini", weight: 1 }] }] }],
    });
  });

  it("with no setups, says how to get one", async () => {
    mockCommands({ setups_list: () => [] });
    render(SetupsView, { onBack: () => {} });
    const empty = await screen.findByTestId("setups-empty");
    expect(empty).toHaveTextContent(/Export to gateway/);
    expect(empty).toHaveTextContent(/New setup/);
    expect(empty).toHaveTextContent(/Import…/);
  });
});
