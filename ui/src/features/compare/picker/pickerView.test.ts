import { describe, expect, it } from "vitest";
import type { ModelChoice } from "../../../lib/bindings/ModelChoice";
import type { CatalogEntry, ModelListState } from "../../../lib/stores/modelCatalog.svelte";
import { anthropic, gemini, myVllm, ollama, openai } from "../../../test/providers";
import { matches, pickerView, searchTerms, typedModelId } from "./pickerView";
import { gpt4o, gpt4oMini, haiku, llama, model, o3, sonnet, vllmDown } from "./testModels";

function ready(models: ModelChoice[]): ModelListState {
  return { status: "ready", models, refreshing: false };
}

const entries: CatalogEntry[] = [
  { provider: openai, models: ready([gpt4o, gpt4oMini, o3]) },
  { provider: anthropic, models: ready([sonnet, haiku]) },
  { provider: gemini, models: { status: "no_key" } },
  { provider: ollama, models: ready([llama]) },
  {
    provider: myVllm,
    models: { status: "error", failure: { from: "provider", error: vllmDown.error!, hint: vllmDown.hint } },
  },
];

const ids = (view: { options: readonly { id: string }[] }): string[] => view.options.map((o) => o.id);

describe("model picker: matching", () => {
  it("splits the query into lower-case terms", () => {
    expect(searchTerms("  GPT  4o\tmini ")).toEqual(["gpt", "4o", "mini"]);
    expect(searchTerms("   ")).toEqual([]);
  });

  it("needs every term in the id or the display name, in any case and order", () => {
    expect(matches(sonnet, searchTerms("sonnet 4.5"))).toBe(true);
    expect(matches(sonnet, searchTerms("4.5 SONNET"))).toBe(true);
    expect(matches(sonnet, searchTerms("anthropic claude"))).toBe(true);
    expect(matches(sonnet, searchTerms("sonnet opus"))).toBe(false);
    expect(matches(gpt4oMini, [])).toBe(true);
  });
});

describe("model picker: the view", () => {
  it("shows every list in the catalog's order, failures where they are, keyless providers apart", () => {
    const view = pickerView(entries, "");
    expect(view.groups.map((g) => `${g.provider.id}:${g.kind}`)).toEqual([
      "openai:models",
      "anthropic:models",
      "ollama:models",
      "my-vllm:error",
    ]);
    expect(view.noKey.map((p) => p.id)).toEqual(["gemini"]);
    expect(ids(view)).toEqual([gpt4o.id, gpt4oMini.id, o3.id, sonnet.id, haiku.id, llama.id]);
    expect(view.typed).toBeNull();
  });

  it("searches across providers and drops providers with no match", () => {
    const view = pickerView(entries, "4");
    expect(ids(view)).toEqual([gpt4o.id, gpt4oMini.id, sonnet.id, haiku.id]);
    expect(view.groups.map((g) => g.provider.id)).toEqual(["openai", "anthropic", "my-vllm"]);
  });

  it("puts an exact match first, then models starting with the query, in the provider's order", () => {
    const models = [
      model("openrouter/x/gpt-4o-mini", null),
      model("openrouter/openai/gpt-4o-mini", null),
      model("openrouter/gpt-4o", null),
      model("openrouter/gpt-4o-mini", null),
    ];
    const view = pickerView([{ provider: { ...openai, id: "openrouter" }, models: ready(models) }], "gpt-4o");
    expect(ids(view)).toEqual([
      "openrouter/gpt-4o",
      "openrouter/gpt-4o-mini",
      "openrouter/x/gpt-4o-mini",
      "openrouter/openai/gpt-4o-mini",
    ]);
  });

  it("leaves out excluded models", () => {
    const view = pickerView(entries, "claude", new Set([sonnet.id]));
    expect(ids(view)).toEqual([haiku.id]);
  });

  it("draws at most the limit per provider and counts the rest", () => {
    const many = Array.from({ length: 250 }, (_, i) => model(`openai/m-${i}`, null));
    const big: CatalogEntry[] = [{ provider: openai, models: ready(many) }];
    const all = pickerView(big, "", new Set(), 200);
    expect(all.options).toHaveLength(200);
    expect(all.groups[0]).toMatchObject({ kind: "models", more: 50 });
    expect(all.matched).toBe(250);
    const some = pickerView(big, "m-24", new Set(), 200);
    expect(ids(some)).toEqual(["openai/m-24", ...Array.from({ length: 10 }, (_, i) => `openai/m-24${i}`)]);
    expect(some.groups[0]).toMatchObject({ more: 0 });
  });

  it("says when a provider listed nothing, but not while searching", () => {
    const empty: CatalogEntry[] = [{ provider: ollama, models: ready([]) }];
    expect(pickerView(empty, "").groups).toEqual([{ kind: "empty", provider: ollama }]);
    expect(pickerView(empty, "llama").groups).toEqual([]);
  });
});

describe("model picker: an id as typed", () => {
  it("offers provider/model for a configured provider when no list holds it, first", () => {
    const view = pickerView(entries, "  openai/gpt-5-preview ");
    expect(view.typed).toBe("openai/gpt-5-preview");
    expect(ids(view)[0]).toBe("openai/gpt-5-preview");
    // Also for a provider without a key or whose list failed: lists can be incomplete.
    expect(typedModelId("gemini/gemini-2.5-pro", entries, new Set())).toBe("gemini/gemini-2.5-pro");
    expect(typedModelId("my-vllm/qwen3", entries, new Set())).toBe("my-vllm/qwen3");
  });

  it("does not offer a listed id, an unknown provider, a bare name, or an excluded id", () => {
    expect(typedModelId("openai/gpt-4o", entries, new Set())).toBeNull();
    expect(typedModelId("OpenAI/GPT-4o".replace("OpenAI", "openai"), entries, new Set())).toBeNull();
    expect(typedModelId("nope/model", entries, new Set())).toBeNull();
    expect(typedModelId("gpt-4o", entries, new Set())).toBeNull();
    expect(typedModelId("openai/", entries, new Set())).toBeNull();
    expect(typedModelId("openai/gpt 5", entries, new Set())).toBeNull();
    expect(typedModelId("openai/gpt-5", entries, new Set(["openai/gpt-5"]))).toBeNull();
  });
});
