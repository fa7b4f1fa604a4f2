import { describe, expect, it } from "vitest";
import type { ProviderModels } from "../../../lib/bindings/ProviderModels";
import { canListModels, ModelCatalog } from "../../../lib/stores/modelCatalog.svelte";
import { deferred, mockCommands, sent } from "../../../test/ipc";
import { gemini, ollama, openai, sampleOverview } from "../../../test/providers";
import { answerModels, askedFor, gpt4o, modelsOf, vllmDown } from "./testModels";

function statuses(catalog: ModelCatalog): Record<string, string> {
  return Object.fromEntries(catalog.entries.map((e) => [e.provider.id, e.models.status]));
}

describe("ModelCatalog", () => {
  it("asks every provider with a key, or needing none, for its models; keyless ones are kept as no key", async () => {
    const calls = mockCommands({ list_providers: () => sampleOverview, provider_models: answerModels() });
    const catalog = new ModelCatalog();
    expect(catalog.providers.status).toBe("idle");

    const loading = catalog.load();
    expect(catalog.providers.status).toBe("loading");
    await loading;

    expect(catalog.providers.status).toBe("ready");
    expect(statuses(catalog)).toEqual({
      openai: "ready",
      anthropic: "ready",
      gemini: "no_key",
      ollama: "ready",
      "my-vllm": "ready",
    });
    expect(askedFor(calls).sort()).toEqual(["anthropic", "my-vllm", "ollama", "openai"]);
    expect(catalog.model("openai/gpt-4o")).toEqual(gpt4o);
    expect(catalog.model("openai/nope")).toBeNull();
    expect(canListModels(gemini)).toBe(false);
    expect(canListModels(ollama)).toBe(true);
    expect(canListModels(openai)).toBe(true);
  });

  it("asks in parallel, each provider with its own state", async () => {
    const slow = deferred<ProviderModels>();
    mockCommands({
      list_providers: () => sampleOverview,
      provider_models: answerModels({ openai: () => slow.promise }),
    });
    const catalog = new ModelCatalog();
    const loading = catalog.load();
    await new Promise((r) => setTimeout(r, 0));
    expect(statuses(catalog)).toMatchObject({ openai: "loading", anthropic: "ready", ollama: "ready" });
    slow.resolve(modelsOf("openai"));
    await loading;
    expect(statuses(catalog).openai).toBe("ready");
  });

  it("keeps the lists for the app's life: load() asks once, reload() asks again", async () => {
    const calls = mockCommands({ list_providers: () => sampleOverview, provider_models: answerModels() });
    const catalog = new ModelCatalog();
    await Promise.all([catalog.load(), catalog.load()]);
    await catalog.load();
    expect(sent(calls, "list_providers")).toHaveLength(1);
    expect(sent(calls, "provider_models")).toHaveLength(4);

    await catalog.reload();
    expect(sent(calls, "list_providers")).toHaveLength(2);
    expect(sent(calls, "provider_models")).toHaveLength(8);
  });

  it("files a provider's error with its hint, and a core rejection, without rejecting", async () => {
    mockCommands({
      list_providers: () => sampleOverview,
      provider_models: answerModels({
        "my-vllm": () => vllmDown,
        ollama: () => {
          throw { kind: "provider_settings", message: "providers.json is not valid JSON" };
        },
      }),
    });
    const catalog = new ModelCatalog();
    await expect(catalog.load()).resolves.toBeUndefined();

    const vllm = catalog.entries.find((e) => e.provider.id === "my-vllm")?.models;
    expect(vllm).toEqual({
      status: "error",
      failure: { from: "provider", error: vllmDown.error, hint: vllmDown.hint },
    });
    const local = catalog.entries.find((e) => e.provider.id === "ollama")?.models;
    expect(local).toEqual({
      status: "error",
      failure: { from: "core", error: { kind: "provider_settings", message: "providers.json is not valid JSON" } },
    });
    expect(statuses(catalog).openai).toBe("ready");
  });

  it("reloads one provider: a failed one shows loading, a shown list stays until the answer", async () => {
    let down = true;
    const again = deferred<ProviderModels>();
    const calls = mockCommands({
      list_providers: () => sampleOverview,
      provider_models: answerModels({ "my-vllm": () => (down ? vllmDown : again.promise) }),
    });
    const catalog = new ModelCatalog();
    await catalog.load();
    expect(statuses(catalog)["my-vllm"]).toBe("error");

    down = false;
    const retry = catalog.reloadProvider("my-vllm");
    expect(statuses(catalog)["my-vllm"]).toBe("loading");
    again.resolve(modelsOf("my-vllm"));
    await retry;
    expect(statuses(catalog)["my-vllm"]).toBe("ready");

    const refresh = catalog.reloadProvider("openai");
    expect(catalog.entries[0]?.models).toMatchObject({ status: "ready", refreshing: true });
    await refresh;
    expect(catalog.entries[0]?.models).toMatchObject({ status: "ready", refreshing: false });

    // A provider without a key, or not listed, is not asked.
    await catalog.reloadProvider("gemini");
    await catalog.reloadProvider("nope");
    expect(askedFor(calls).filter((p) => p === "gemini" || p === "nope")).toEqual([]);
  });

  it("never lets an older answer replace a newer one", async () => {
    const first = deferred<ProviderModels>();
    let answer: () => unknown = () => first.promise;
    mockCommands({ list_providers: () => sampleOverview, provider_models: answerModels({ openai: () => answer() }) });
    const catalog = new ModelCatalog();
    const loading = catalog.load();
    await new Promise((r) => setTimeout(r, 0));

    answer = () => modelsOf("openai", [gpt4o]);
    await catalog.reloadProvider("openai");
    first.resolve(modelsOf("openai"));
    await loading;
    const openaiList = catalog.entries[0]?.models;
    expect(openaiList?.status === "ready" && openaiList.models).toEqual([gpt4o]);
  });

  it("shows why the providers could not be listed, and load() tries again", async () => {
    let fail = true;
    const calls = mockCommands({
      list_providers: () => {
        if (fail) throw { kind: "provider_settings", message: "providers.json is not valid JSON" };
        return sampleOverview;
      },
      provider_models: answerModels(),
    });
    const catalog = new ModelCatalog();
    await catalog.load();
    expect(catalog.providers).toEqual({
      status: "error",
      error: { kind: "provider_settings", message: "providers.json is not valid JSON" },
    });
    expect(catalog.entries).toEqual([]);

    fail = false;
    await catalog.load();
    expect(catalog.providers.status).toBe("ready");
    expect(sent(calls, "list_providers")).toHaveLength(2);
  });

  it("on reload, follows keys set or removed, and keeps its list when the providers cannot be read", async () => {
    let overview = sampleOverview;
    let fail = false;
    mockCommands({
      list_providers: () => {
        if (fail) throw { kind: "internal", message: "the core stopped" };
        return overview;
      },
      provider_models: answerModels({ gemini: () => modelsOf("gemini", []) }),
    });
    const catalog = new ModelCatalog();
    await catalog.load();

    const geminiWithKey = { ...gemini, key: { ...gemini.key, set: true, source: "keychain" as const } };
    const openaiWithout = { ...openai, key: { ...openai.key, set: false, source: "none" as const } };
    overview = { ...sampleOverview, providers: [openaiWithout, geminiWithKey] };
    await catalog.reload();
    expect(statuses(catalog)).toEqual({ openai: "no_key", gemini: "ready" });

    fail = true;
    await catalog.reload();
    expect(catalog.providers.status).toBe("ready");
    expect(statuses(catalog)).toEqual({ openai: "no_key", gemini: "ready" });
  });
});
