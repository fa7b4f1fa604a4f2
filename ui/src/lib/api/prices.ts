import type { CompareRequest } from "../bindings/CompareRequest";
import type { DisplayCurrency } from "../bindings/DisplayCurrency";
import type { InputEstimate } from "../bindings/InputEstimate";
import type { ModelPriceInfo } from "../bindings/ModelPriceInfo";
import type { PriceOverrideInput } from "../bindings/PriceOverrideInput";
import type { PriceOverrideRow } from "../bindings/PriceOverrideRow";
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

/** Your own prices in use (USD per million tokens), sorted by model. */
export function listPriceOverrides(): Promise<PriceOverrideRow[]> {
  return call<PriceOverrideRow[]>("list_price_overrides");
}

/**
 * Saves your own price for `model` (`provider/model`) to `prices/overrides.json`, the
 * file `switchboard prices set` edits; costs use it at once. Prices are decimal strings
 * as typed, USD per million tokens. Resolves with every override; rejects with kind
 * `invalid_input` (the message names the field) or `prices` (the file cannot be read
 * or saved), and nothing is saved then.
 */
export function setPriceOverride(model: string, price: PriceOverrideInput): Promise<PriceOverrideRow[]> {
  return call<PriceOverrideRow[]>("set_price_override", { model, price });
}

/** Removes your own price for `model`; resolves with the overrides left. */
export function removePriceOverride(model: string): Promise<PriceOverrideRow[]> {
  return call<PriceOverrideRow[]>("remove_price_override", { model });
}

/**
 * What the price list (LiteLLM's map, OpenRouter's prices, or free for a local model)
 * says `model` costs, ignoring your own price; null when it does not know the model.
 */
export function modelPrice(model: string): Promise<ModelPriceInfo | null> {
  return call<ModelPriceInfo | null>("model_price", { model });
}
