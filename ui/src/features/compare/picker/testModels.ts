/**
 * Model lists for the picker's tests, answering `provider_models` for the sample
 * providers of `src/test/providers.ts` (OpenAI, Anthropic and my-vllm with keys, Gemini
 * without one, Ollama needing none).
 */
import type { ModelChoice } from "../../../lib/bindings/ModelChoice";
import type { ModelPriceInfo } from "../../../lib/bindings/ModelPriceInfo";
import type { ProviderModels } from "../../../lib/bindings/ProviderModels";
import { sent, type Call, type Handler } from "../../../test/ipc";

/** A price-list price, USD per million tokens. */
export function listPrice(input: string | null, output: string | null): ModelPriceInfo {
  return {
    key: "test",
    origin: "catalog",
    version: "litellm 1.106.2 (2026-10-21)",
    input_per_mtok: input,
    output_per_mtok: output,
    cached_input_per_mtok: null,
    context_window: null,
    free: false,
  };
}

export function model(
  id: string,
  price: ModelPriceInfo | null,
  context: number | null = null,
  name: string | null = null,
): ModelChoice {
  return { id, display_name: name, context_window: context, price };
}

export const gpt4o = model("openai/gpt-4o", listPrice("2.5", "10"), 128000, "GPT-4o");
export const gpt4oMini = model("openai/gpt-4o-mini", listPrice("0.15", "0.6"), 128000);
export const o3 = model("openai/o3-deep", null);
export const sonnet = model("anthropic/claude-sonnet-4-5", listPrice("3", "15"), 200000, "Claude Sonnet 4.5");
export const haiku = model("anthropic/claude-haiku-4-5", listPrice("1", "5"), 200000, "Claude Haiku 4.5");
export const llama = model(
  "ollama/llama3.2:3b",
  { ...listPrice("0", "0"), origin: "local", version: "local model", free: true },
  131072,
);
export const vllmModel = model("my-vllm/qwen2.5-72b", null, 32768);

export const listed: Record<string, ModelChoice[]> = {
  openai: [gpt4o, gpt4oMini, o3],
  anthropic: [sonnet, haiku],
  ollama: [llama],
  "my-vllm": [vllmModel],
};

export function modelsOf(provider: string, models: ModelChoice[] = listed[provider] ?? []): ProviderModels {
  return { provider, models, error: null, hint: null };
}

/** my-vllm's server is not running. */
export const vllmDown: ProviderModels = {
  provider: "my-vllm",
  models: [],
  error: {
    kind: "network",
    message: "my-vllm: could not connect to http://gpu-box:8000/v1 (connection refused)",
    status: null,
    retry_after_s: null,
    phase: null,
  },
  hint: "is the server at http://gpu-box:8000/v1 running? Start it, or fix the base URL in Settings → Providers",
};

/** `provider_models` answering from `listed`, or from `answers` where it has the provider. */
export function answerModels(answers: Record<string, () => unknown> = {}): Handler {
  return (args) => {
    const provider = String((args as { provider?: unknown } | undefined)?.provider);
    const answer = answers[provider];
    return answer ? answer() : modelsOf(provider);
  };
}

/** The providers `provider_models` was asked about, in order. */
export function askedFor(calls: readonly Call[]): string[] {
  return sent(calls, "provider_models").map((args) => String((args as { provider?: unknown } | undefined)?.provider));
}
