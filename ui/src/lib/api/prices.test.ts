import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it } from "vitest";
import type { CompareRequest } from "../bindings/CompareRequest";
import type { InputEstimate } from "../bindings/InputEstimate";
import type { Params } from "../bindings/Params";
import type { RefreshReport } from "../bindings/RefreshReport";
import { samplePrices } from "../../test/core";
import { estimateInputs, getCurrency, priceStatus, refreshPrices, setCurrency } from "./prices";

/** Mocks the core with one answer and records every call. */
function answerWith(answer: (cmd: string, payload: unknown) => unknown): { cmd: string; payload: unknown }[] {
  const calls: { cmd: string; payload: unknown }[] = [];
  mockIPC((cmd, payload) => {
    calls.push({ cmd, payload });
    return answer(cmd, payload);
  });
  return calls;
}

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

  it("rejects with kind internal when no core is present", async () => {
    await expect(priceStatus()).rejects.toMatchObject({ kind: "internal" });
  });
});
