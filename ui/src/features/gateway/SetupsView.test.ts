import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Setup } from "../../lib/bindings/Setup";
import { mockCommands, sent } from "../../test/ipc";
import { fallback, imported } from "./fixtures";
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
});
