import type { DisplayCurrency } from "../../lib/bindings/DisplayCurrency";
import { formatMoney } from "../../lib/money";

/** `12345` → `12,345` (the same grouping as money, whatever the locale). */
export function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** `1234567` → `1.23M`, `45200` → `45.2k`: tokens on a bar's label. */
export function formatCompact(n: number): string {
  if (n >= 1_000_000_000) return `${trimNumber(n / 1_000_000_000)}B`;
  if (n >= 1_000_000) return `${trimNumber(n / 1_000_000)}M`;
  if (n >= 10_000) return `${trimNumber(n / 1_000)}k`;
  return formatCount(n);
}

function trimNumber(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1).replace(/\.0$/, "") : n.toFixed(2).replace(/\.?0+$/, "");
}

/** A summed amount, or "unpriced" when nothing in it had a price — never $0 for that. */
export function formatSpend(usd: string | null, currency: DisplayCurrency): string {
  return usd === null ? "unpriced" : formatMoney(usd, currency);
}

/** A dollar amount as a number, to draw (the exact string is what is shown). */
export function toNumber(usd: string | null): number | null {
  if (usd === null) return null;
  const n = Number(usd);
  return Number.isFinite(n) ? n : null;
}

/** A chart tick in USD (a float) as the user reads it, in their currency. */
export function formatTick(usd: number, currency: DisplayCurrency): string {
  if (!Number.isFinite(usd) || usd <= 0) return formatMoney("0", currency);
  return formatMoney(usd.toFixed(12), currency);
}

/** A provider's key; the core sends "" when a response had none. */
export function providerLabel(key: string): string {
  return key === "" ? "unknown" : key;
}
