import { describe, expect, it } from "vitest";
import type { CompareRequest } from "../bindings/CompareRequest";
import type { InputEstimate } from "../bindings/InputEstimate";
import type { ModelPriceInfo } from "../bindings/ModelPriceInfo";
import type { PriceOverrideInput } from "../bindings/PriceOverrideInput";
import type { PriceOverrideRow } from "../bindings/PriceOverrideRow";
import type { Params } from "../bindings/Params";
import type { RefreshReport } from "../bindings/RefreshReport";
import { samplePrices } from "../../test/core";
import {
  estimateInputs,
  getCurrency,
  listPriceOverrides,
  modelPrice,
  priceStatus,
  refreshPrices,
  removePriceOverride,
  setCurrency,
  setPriceOverride,
} from "./prices";
import { answerWith } from "../../test/ipc";

const row: PriceOverrideRow = {
  model: "my-vllm/llama-3-70b",
  price: {
    input_per_mtok: "0.6",
    output_per_mtok: "2.4",
    cached_input_per_mtok: null,
    cache_write_per_mtok: null,
    reasoning_per_mtok: null,
    context_window: 32000,
    set_on: "2026-11-21",
  },
};

describe("prices api", () => {
  it("priceStatus() invokes price_status with no arguments", async () => {
    const calls = answerWith(() => samplePrices);
    await expect(priceStatus()).resolves.toEqual(samplePrices);
    expect(calls).toEqual([{ cmd: "price_status", payload: {} }]);
  });

  it("refreshPrices() returns the core's report, errors included", async () => {
    const report: RefreshReport = {
      litellm: null,
      litellm_error: "could not download the LiteLLM price map: refused; the bundled or previously saved prices stay in use",
      openrouter_models: 12,
      openrouter_error: null,
    };
    const calls = answerWith(() => report);
    await expect(refreshPrices()).resolves.toEqual(report);
    expect(calls).toEqual([{ cmd: "refresh_prices", payload: {} }]);
  });

  it("getCurrency() invokes get_currency", async () => {
    const calls = answerWith(() => ({ code: "EUR", per_usd: "0.92" }));
    await expect(getCurrency()).resolves.toEqual({ code: "EUR", per_usd: "0.92" });
    expect(calls.map((c) => c.cmd)).toEqual(["get_currency"]);
  });

  it("setCurrency() sends the code and the rate as typed, or null", async () => {
    const calls = answerWith((_cmd, payload) => {
      const { code, rate } = payload as { code: string; rate: string | null };
      return { code: code.toUpperCase(), per_usd: rate ?? "1" };
    });
    await expect(setCurrency("eur", "0.92")).resolves.toEqual({ code: "EUR", per_usd: "0.92" });
    await expect(setCurrency("USD", null)).resolves.toEqual({ code: "USD", per_usd: "1" });
    expect(calls).toEqual([
      { cmd: "set_currency", payload: { code: "eur", rate: "0.92" } },
      { cmd: "set_currency", payload: { code: "USD", rate: null } },
    ]);
  });

  it("setCurrency() rejects with the core's invalid_input error unchanged", async () => {
    const error = { kind: "invalid_input", message: "'EURO' is not a currency code: use three letters, like EUR or INR" };
    answerWith(() => {
      throw error;
    });
    await expect(setCurrency("euro", "1")).rejects.toEqual(error);
  });

  it("estimateInputs() sends the request under `request` and returns one estimate per target", async () => {
    const params: Params = {
      temperature: null,
      top_p: null,
      max_tokens: null,
      stop: [],
      seed: null,
      reasoning_effort: null,
      thinking_budget: null,
    };
    const request: CompareRequest = {
      request: { system: null, messages: [{ role: "user", content: "hi" }], params },
      targets: [
        { model: "openai/gpt-4o", params },
        { model: "my-vllm/llama", params },
      ],
    };
    const estimate: InputEstimate = {
      model: "openai/gpt-4o",
      input_tokens: 8,
      counted_with: "tiktoken o200k_base",
      input_usd: "0.00002",
      free: false,
      context_window: 128000,
      fits: true,
      warning: null,
      price_version: "litellm 1.106.2 (2026-10-21)",
    };
    const unpriced: InputEstimate = {
      ...estimate,
      model: "my-vllm/llama",
      input_usd: null,
      context_window: null,
      fits: null,
      price_version: null,
    };
    const estimates = [estimate, unpriced];
    const calls = answerWith(() => estimates);
    await expect(estimateInputs(request)).resolves.toEqual(estimates);
    expect(calls).toEqual([{ cmd: "estimate_inputs", payload: { request } }]);
  });

  it("listPriceOverrides() invokes list_price_overrides with no arguments", async () => {
    const calls = answerWith(() => [row]);
    await expect(listPriceOverrides()).resolves.toEqual([row]);
    expect(calls).toEqual([{ cmd: "list_price_overrides", payload: {} }]);
  });

  it("setPriceOverride() sends the model and the price as typed under `price`", async () => {
    const price: PriceOverrideInput = {
      input_per_mtok: "0.6",
      output_per_mtok: "2.4",
      cached_input_per_mtok: null,
      cache_write_per_mtok: "0.75",
      reasoning_per_mtok: null,
      context_window: 32000,
    };
    const calls = answerWith(() => [row]);
    await expect(setPriceOverride("my-vllm/llama-3-70b", price)).resolves.toEqual([row]);
    expect(calls).toEqual([{ cmd: "set_price_override", payload: { model: "my-vllm/llama-3-70b", price } }]);
  });

  it("setPriceOverride() rejects with the core's error unchanged", async () => {
    const error = {
      kind: "invalid_input",
      message: 'Output price "abc" is not a number: type US dollars per million tokens, like 0.60',
    };
    answerWith(() => {
      throw error;
    });
    const price: PriceOverrideInput = {
      input_per_mtok: "0.6",
      output_per_mtok: "abc",
      cached_input_per_mtok: null,
      cache_write_per_mtok: null,
      reasoning_per_mtok: null,
      context_window: null,
    };
    await expect(setPriceOverride("x/y", price)).rejects.toEqual(error);
  });

  it("removePriceOverride() sends the model and returns what is left", async () => {
    const calls = answerWith(() => []);
    await expect(removePriceOverride("my-vllm/llama-3-70b")).resolves.toEqual([]);
    expect(calls).toEqual([{ cmd: "remove_price_override", payload: { model: "my-vllm/llama-3-70b" } }]);
  });

  it("modelPrice() returns the listed price, or null for an unknown model", async () => {
    const listed: ModelPriceInfo = {
      key: "gpt-4o",
      origin: "catalog",
      version: "litellm 1.106.2 (2026-10-21)",
      input_per_mtok: "2.5",
      output_per_mtok: "10",
      cached_input_per_mtok: "1.25",
      context_window: 128000,
      free: false,
    };
    const calls = answerWith((_cmd, payload) => ((payload as { model: string }).model === "openai/gpt-4o" ? listed : null));
    await expect(modelPrice("openai/gpt-4o")).resolves.toEqual(listed);
    await expect(modelPrice("my-vllm/x")).resolves.toBeNull();
    expect(calls.map((c) => c.payload)).toEqual([{ model: "openai/gpt-4o" }, { model: "my-vllm/x" }]);
  });

  it("rejects with kind internal when no core is present", async () => {
    await expect(priceStatus()).rejects.toMatchObject({ kind: "internal" });
  });
});
