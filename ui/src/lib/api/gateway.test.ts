import { describe, expect, it } from "vitest";
import {
  gatewayImportApply,
  gatewayImportPick,
  gatewayPreview,
  gatewaySave,
  setupDelete,
  setupFromRun,
  setupSave,
  setupsList,
} from "./gateway";
import { answerWith } from "../../test/ipc";
import { fallback, imported } from "../../features/gateway/fixtures";

describe("gateway api", () => {
  it("sends every command with the contract's command and argument names", async () => {
    const calls = answerWith(() => null);
    const chat = fallback("chat", ["openai/gpt-4o"]);
    const options = { format: "portkey" as const, portkey_keys: "keychain" as const };
    const file = imported([chat], []);

    await setupsList();
    await setupSave(chat, "old-chat");
    await setupDelete("chat");
    await setupFromRun(7, "loadbalance");
    await gatewayPreview([chat], options);
    await gatewaySave([chat], options, true);
    await gatewayImportPick();
    await gatewayImportApply(file, false);

    expect(calls).toEqual([
      { cmd: "setups_list", payload: {} },
      { cmd: "setup_save", payload: { setup: chat, replacing: "old-chat" } },
      { cmd: "setup_delete", payload: { alias: "chat" } },
      { cmd: "setup_from_run", payload: { runId: 7, choice: "loadbalance" } },
      { cmd: "gateway_preview", payload: { setups: [chat], options } },
      { cmd: "gateway_save", payload: { setups: [chat], options, confirmKeys: true } },
      { cmd: "gateway_import_pick", payload: {} },
      { cmd: "gateway_import_apply", payload: { imported: file, replace: false } },
    ]);
  });

  it("rejects with the core's error unchanged", async () => {
    const error = { kind: "invalid_input", message: "a setup named `chat` is already saved" };
    answerWith(() => {
      throw error;
    });
    await expect(setupSave(fallback("chat", ["openai/gpt-4o"]), null)).rejects.toEqual(error);
  });
});
