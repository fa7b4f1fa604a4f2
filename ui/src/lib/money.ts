/**
 * Money as the user reads it — the same rules as the core's
 * `src-tauri/crates/core/src/prices/money.rs` (`DisplayCurrency::format`,
 * `format_amount`) and `Cost::display`, tested against the same shared cases
 * (`src-tauri/crates/core/data/money-format-cases.json`).
 *
 * Amounts arrive from Rust as decimal strings and stay exact here: the digits are
 * computed on a BigInt mantissa and a decimal scale, never on floats, so $0.000000003
 * keeps its digits.
 */
import type { Cost } from "./bindings/Cost";
import type { DisplayCurrency } from "./bindings/DisplayCurrency";

/** A decimal number: `mantissa / 10^scale`, the mantissa never negative. */
interface Dec {
  readonly negative: boolean;
  readonly mantissa: bigint;
  readonly scale: number;
}

/** rust_decimal keeps at most 28 decimals. */
const MAX_SCALE = 28;

const DECIMAL = /^\s*([+-])?(\d*)(?:\.(\d*))?\s*$/;

/** Parses a plain decimal string (`"0.0123"`, `"-12"`, `"84.25"`); null when it is not one. */
export function parseDecimal(text: string): Dec | null {
  const match = DECIMAL.exec(text);
  if (!match) return null;
  const int = match[2] ?? "";
  const frac = match[3] ?? "";
  if (int === "" && frac === "") return null;
  return { negative: match[1] === "-", mantissa: BigInt(`${int || "0"}${frac}`), scale: frac.length };
}

/** A positive rate, as `DisplayCurrency::new` accepts it. */
export function isPositiveDecimal(text: string): boolean {
  const d = parseDecimal(text);
  return d !== null && !d.negative && d.mantissa > 0n;
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

function multiply(a: Dec, b: Dec): Dec {
  return { negative: a.negative !== b.negative, mantissa: a.mantissa * b.mantissa, scale: a.scale + b.scale };
}

/** Rounds to at most `dp` decimals, halves away from zero (rust_decimal's `MidpointAwayFromZero`). */
function roundDp(d: Dec, dp: number): Dec {
  if (d.scale <= dp) return d;
  const divisor = pow10(d.scale - dp);
  let q = d.mantissa / divisor;
  if ((d.mantissa % divisor) * 2n >= divisor) q += 1n;
  return { negative: d.negative, mantissa: q, scale: dp };
}

/** Like rust_decimal's `Display`: every decimal of the scale, trailing zeros included. */
function toPlain(d: Dec): string {
  const digits = d.mantissa.toString().padStart(d.scale + 1, "0");
  if (d.scale === 0) return digits;
  return `${digits.slice(0, -d.scale)}.${digits.slice(-d.scale)}`;
}

function compare(d: Dec, other: Dec): number {
  const scale = Math.max(d.scale, other.scale);
  const a = d.mantissa * pow10(scale - d.scale);
  const b = other.mantissa * pow10(scale - other.scale);
  return a === b ? 0 : a < b ? -1 : 1;
}

/** `a + b` for decimal strings (costs from Rust), exact; plain digits, no exponent. */
export function addDecimals(a: string, b: string): string {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  if (!x || !y) throw new RangeError(`not decimal amounts: ${JSON.stringify([a, b])}`);
  const scale = Math.max(x.scale, y.scale);
  const sx = (x.negative ? -1n : 1n) * x.mantissa * pow10(scale - x.scale);
  const sy = (y.negative ? -1n : 1n) * y.mantissa * pow10(scale - y.scale);
  const sum = sx + sy;
  const plain = toPlain({ negative: sum < 0n, mantissa: sum < 0n ? -sum : sum, scale });
  return sum < 0n ? `-${plain}` : plain;
}

/** Orders two decimal strings: negative when `a < b`, 0 when equal, positive when `a > b`. */
export function compareDecimals(a: string, b: string): number {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  if (!x || !y) throw new RangeError(`not decimal amounts: ${JSON.stringify([a, b])}`);
  if (x.negative !== y.negative && (x.mantissa !== 0n || y.mantissa !== 0n)) return x.negative ? -1 : 1;
  const c = compare(x, y);
  return x.negative ? -c : c;
}

const ONE: Dec = { negative: false, mantissa: 1n, scale: 0 };
const CENT: Dec = { negative: false, mantissa: 1n, scale: 2 };

/** Pads to at least `min` decimals, trims trailing zeros beyond it. */
function trim(s: string, min: number): string {
  const point = s.indexOf(".");
  const int = point < 0 ? s : s.slice(0, point);
  const frac = (point < 0 ? "" : s.slice(point + 1)).replace(/0+$/, "").padEnd(min, "0");
  return `${int}.${frac}`;
}

/** `1234.5` → `1,234.50`. */
function group(s: string, dp: number): string {
  const padded = trim(s, dp);
  const [int = "", frac = ""] = padded.split(".");
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${grouped}.${frac}`;
}

/**
 * The digits of an amount, with precision for its size:
 * 1 and more: 2 decimals, thousands separated (`1,234.57`); from 0.01: up to 4
 * decimals, at least 2 (`0.12`, `0.0105`); below 0.01: 3 significant digits
 * (`0.00123`, `0.0000042`); zero: `0.00`.
 */
function formatAmount(amount: Dec): string {
  const a: Dec = { ...amount, negative: false };
  const zero = a.mantissa === 0n;
  const negative = amount.negative && !zero;
  let s: string;
  if (zero) {
    s = "0.00";
  } else if (compare(a, ONE) >= 0) {
    s = group(toPlain(roundDp(a, 2)), 2);
  } else if (compare(a, CENT) >= 0) {
    const r = roundDp(a, 4);
    // Rounding 0.99996 gives 1.0000.
    s = compare(r, ONE) >= 0 ? "1.00" : trim(toPlain(r), 2);
  } else {
    // Leading zeros after the point, then 3 significant digits.
    const zeros = a.scale - a.mantissa.toString().length;
    const dp = Math.min(Math.max(zeros + 3, 3), MAX_SCALE);
    s = trim(toPlain(roundDp(a, dp)), 2);
  }
  return negative ? `-${s}` : s;
}

const SYMBOLS: Readonly<Record<string, string>> = {
  USD: "$",
  EUR: "€",
  GBP: "£",
  INR: "₹",
  JPY: "¥",
  CNY: "¥",
};

/** `$`, `€`, `£`, `₹`, `¥`; null for currencies written with their code. */
export function currencySymbol(code: string): string | null {
  return SYMBOLS[code] ?? null;
}

/**
 * `usd` (a decimal string in US dollars) converted to `currency` and formatted:
 * `$0.0105`, `€0.0113`, `CHF 0.0012`, `-$1.00`. Throws a RangeError on a string that
 * is not a decimal number (amounts come from Rust, which never sends one).
 */
export function formatMoney(usd: string, currency: DisplayCurrency): string {
  const amount = parseDecimal(usd);
  const rate = parseDecimal(currency.per_usd);
  if (!amount) throw new RangeError(`not a decimal amount: ${JSON.stringify(usd)}`);
  if (!rate) throw new RangeError(`not a decimal rate: ${JSON.stringify(currency.per_usd)}`);
  const digits = formatAmount(multiply(amount, rate));
  const symbol = currencySymbol(currency.code);
  if (symbol === null) return `${currency.code} ${digits}`;
  return digits.startsWith("-") ? `-${symbol}${digits.slice(1)}` : `${symbol}${digits}`;
}

/** `$0.0105`, `≈$0.0105` (estimated), `free`, `unpriced` — never `$0` for an unknown price. */
export function formatCost(cost: Cost, currency: DisplayCurrency): string {
  if (cost.usd === null) return "unpriced";
  if (cost.free) return "free";
  const shown = formatMoney(cost.usd, currency);
  return cost.source === "estimated" ? `≈${shown}` : shown;
}
