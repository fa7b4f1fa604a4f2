/**
 * How the model picker writes a model's price and context window: pure functions,
 * tested without rendering.
 */
import type { DisplayCurrency } from "../../../lib/bindings/DisplayCurrency";
import type { ModelChoice } from "../../../lib/bindings/ModelChoice";
import type { ModelPriceInfo } from "../../../lib/bindings/ModelPriceInfo";
import { formatMoney } from "../../../lib/money";

export const USD: DisplayCurrency = { code: "USD", per_usd: "1" };

/** The name a model is shown by: its display name, else its id without the provider. */
export function modelName(model: ModelChoice): string {
  const name = model.display_name?.trim();
  if (name) return name;
  const slash = model.id.indexOf("/");
  return slash < 0 ? model.id : model.id.slice(slash + 1);
}

function perMillion(usd: string | null, currency: DisplayCurrency): string {
  if (usd === null) return "—";
  try {
    return formatMoney(usd, currency);
  } catch {
    // The core only sends decimal strings; a broken one is shown as unknown, never thrown.
    return "—";
  }
}

/**
 * `in $2.50 / out $10.00 per M` (per million tokens), `free` for a local model, or
 * `unpriced` when the price list does not know the model.
 */
export function priceText(price: ModelPriceInfo | null, currency: DisplayCurrency = USD): string {
  if (price === null) return "unpriced";
  if (price.free) return "free";
  if (price.input_per_mtok === null && price.output_per_mtok === null) return "unpriced";
  return `in ${perMillion(price.input_per_mtok, currency)} / out ${perMillion(price.output_per_mtok, currency)} per M`;
}

/** Where the price comes from, for the price's tooltip. */
export function priceSource(price: ModelPriceInfo | null): string | null {
  if (price === null) return null;
  return price.origin === "override" ? "Your own price" : `Price from ${price.version}`;
}

/** `value` to at most `decimals` places, without trailing zeros: `1.05`, `2.5`, `160`. */
function compact(value: number, decimals: number): string {
  const fixed = value.toFixed(decimals);
  return fixed.includes(".") ? fixed.replace(/\.?0+$/, "") : fixed;
}

/**
 * `128k ctx`, `200k ctx`, `1M ctx`. Binary sizes (32,768, 131,072, 1,048,576) are read
 * as the round names providers give them (`32k`, `128k`, `1M`). Null when unknown.
 */
export function contextText(tokens: number | null): string | null {
  if (tokens === null || !Number.isFinite(tokens) || tokens <= 0) return null;
  const binary = tokens % 1000 !== 0 && tokens % 1024 === 0;
  const k = binary ? 1024 : 1000;
  const thousands = tokens / k;
  const rounded = Number(thousands.toFixed(thousands >= 10 ? 0 : 1));
  let size: string;
  if (thousands < 1) size = String(tokens);
  else if (rounded < 1000) size = `${compact(thousands, thousands >= 10 ? 0 : 1)}k`;
  else size = `${compact(tokens / (k * k), 2)}M`;
  return `${size} ctx`;
}
