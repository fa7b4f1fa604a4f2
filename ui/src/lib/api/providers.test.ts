import { describe, expect, it } from "vitest";
import type { CustomEndpointConfig } from "../bindings/CustomEndpointConfig";
import type { KeyCheck } from "../bindings/KeyCheck";
import { gemini, myVllm, openai, sampleOverview } from "../../test/providers";
import {
  deleteKey,
  importEnvKeys,
  listProviders,
  removeCustomEndpoint,
  saveCustomEndpoint,
  setBaseUrl,
  setKey,
  testKey,
} from "./providers";
import { answerWith } from "../../test/ipc";

describe("providers api", () => {
  it("listProviders() invokes list_providers with no arguments", async () => {
    const calls = answerWith(() => sampleOverview);
    await expect(listProviders()).resolves.toEqual(sampleOverview);
    expect(calls).toEqual([{ cmd: "list_providers", payload: {} }]);
  });

  it("setKey() sends the provider and the key as typed", async () => {
    const calls = answerWith(() => openai);
    await expect(setKey("openai", " sk-test-1234 ")).resolves.toEqual(openai);
    expect(calls).toEqual([{ cmd: "set_key", payload: { provider: "openai", key: " sk-test-1234 " } }]);
  });

  it("setKey() rejects with the core's keychain error unchanged", async () => {
    const error = { kind: "keychain", message: "the keychain is locked; unlock your login keyring (locked)" };
    answerWith(() => {
      throw error;
    });
    await expect(setKey("openai", "sk-x")).rejects.toEqual(error);
  });

  it("deleteKey(), testKey() and setBaseUrl() send the provider", async () => {
    const check: KeyCheck = { provider: "openai", ok: true, models: 3, error: null, hint: null };
    const calls = answerWith((cmd) => (cmd === "test_key" ? check : gemini));
    await deleteKey("openai");
    await expect(testKey("openai")).resolves.toEqual(check);
    await setBaseUrl("gemini", "https://gemini.internal.example/v1");
    await setBaseUrl("gemini", null);
    expect(calls).toEqual([
      { cmd: "delete_key", payload: { provider: "openai" } },
      { cmd: "test_key", payload: { provider: "openai" } },
      { cmd: "set_base_url", payload: { provider: "gemini", url: "https://gemini.internal.example/v1" } },
      { cmd: "set_base_url", payload: { provider: "gemini", url: null } },
    ]);
  });

  it("importEnvKeys() returns what happened to each variable", async () => {
    const report = [{ provider: "openai", env_var: "OPENAI_API_KEY", outcome: "imported" }];
    const calls = answerWith(() => report);
    await expect(importEnvKeys()).resolves.toEqual(report);
    expect(calls).toEqual([{ cmd: "import_env_keys", payload: {} }]);
  });

  it("saveCustomEndpoint() sends replacing, the endpoint and the key", async () => {
    const endpoint: CustomEndpointConfig = {
      name: "my-vllm",
      base_url: "http://gpu-box:8000/v1",
      headers: [{ name: "X-Team", value: "research" }],
      key_header: "api-key",
    };
    const calls = answerWith(() => myVllm);
    await expect(saveCustomEndpoint(null, endpoint, "sk-local")).resolves.toEqual(myVllm);
    await saveCustomEndpoint("old-name", endpoint, null);
    expect(calls).toEqual([
      { cmd: "save_custom_endpoint", payload: { replacing: null, endpoint, key: "sk-local" } },
      { cmd: "save_custom_endpoint", payload: { replacing: "old-name", endpoint, key: null } },
    ]);
  });

  it("removeCustomEndpoint() sends the name and resolves with nothing", async () => {
    const calls = answerWith(() => null);
    await expect(removeCustomEndpoint("my-vllm")).resolves.toBeUndefined();
    expect(calls).toEqual([{ cmd: "remove_custom_endpoint", payload: { name: "my-vllm" } }]);
  });

  it("rejects with kind internal when no core is present", async () => {
    await expect(listProviders()).rejects.toMatchObject({ kind: "internal" });
  });
});
