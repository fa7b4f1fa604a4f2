import type { CompareRequest } from "../bindings/CompareRequest";
import type { DisplayCurrency } from "../bindings/DisplayCurrency";
import type { InputEstimate } from "../bindings/InputEstimate";
import type { PriceStatus } from "../bindings/PriceStatus";
import type { RefreshReport } from "../bindings/RefreshReport";
import { call } from "./invoke";

/** Which prices are in use (catalog version, model counts, OpenRouter, overrides) and the display currency. */
export function priceStatus(): Promise<PriceStatus> {
  return call<PriceStatus>("price_status");
}

/**
 * Fetches LiteLLM's price map and OpenRouter's prices now. Resolves with what each
 * source did; a source that failed says so in the report and keeps its prices.
 */
export function refreshPrices(): Promise<RefreshReport> {
  return call<RefreshReport>("refresh_prices");
}

/** The currency costs are shown in. */
export function getCurrency(): Promise<DisplayCurrency> {
  return call<DisplayCurrency>("get_currency");
}

/**
 * Saves the display currency. `rate` is units of `code` per US dollar, as typed (a
 * decimal string); USD needs none. Rejects with kind `invalid_input` and the core's
 * message when the code or rate is refused; nothing is saved then.
 */
export function setCurrency(code: string, rate: string | null): Promise<DisplayCurrency> {
  return call<DisplayCurrency>("set_currency", { code, rate });
}

/** Input tokens and input cost of a request before it is sent, one estimate per target. */
export function estimateInputs(request: CompareRequest): Promise<InputEstimate[]> {
  return call<InputEstimate[]>("estimate_inputs", { request });
}
