/// <reference types="node" />
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { Cost } from "./bindings/Cost";
import type { DisplayCurrency } from "./bindings/DisplayCurrency";
import { formatCost, formatMoney, isPositiveDecimal, parseDecimal } from "./money";

/** The cases the core's formatter is tested against too (`money.rs`). */
interface Case {
  usd: string;
  code: string;
  per_usd: string | null;
  shown: string;
}

const CASES_FILE = resolve(__dirname, "../../../src-tauri/crates/core/data/money-format-cases.json");
const cases = JSON.parse(readFileSync(CASES_FILE, "utf8")) as Case[];

const USD: DisplayCurrency = { code: "USD", per_usd: "1" };
const EUR: DisplayCurrency = { code: "EUR", per_usd: "0.92" };

describe("formatMoney", () => {
  it("has the shared cases to run", () => {
    expect(cases.length).toBeGreaterThanOrEqual(17);
  });

  // `DisplayCurrency::new` gives USD rate 1 whatever it was given; the others keep theirs.
  it.each(cases)("$usd USD in $code at $per_usd shows as $shown", ({ usd, code, per_usd, shown }) => {
    const currency: DisplayCurrency = { code, per_usd: code === "USD" ? "1" : (per_usd ?? "") };
    expect(formatMoney(usd, currency)).toBe(shown);
  });

  it("keeps the digits of amounts far below a cent, and of large ones", () => {
    expect(formatMoney("0.000000000000000000123456", USD)).toBe("$0.000000000000000000123");
    expect(formatMoney("0.0000000000000000000000000015", USD)).toBe("$0.0000000000000000000000000015");
    expect(formatMoney("123456789012345678901234.565", USD)).toBe("$123,456,789,012,345,678,901,234.57");
    expect(formatMoney("0.00999949", USD)).toBe("$0.01");
    expect(formatMoney("0.0099949", USD)).toBe("$0.00999");
  });

  it("rounds halves away from zero", () => {
    expect(formatMoney("0.125", { code: "EUR", per_usd: "0.1" })).toBe("€0.0125");
    expect(formatMoney("2.345", USD)).toBe("$2.35");
    expect(formatMoney("-2.345", USD)).toBe("-$2.35");
    expect(formatMoney("0.00012345", USD)).toBe("$0.000123");
    expect(formatMoney("0.00012350", USD)).toBe("$0.000124");
  });

  it("puts the minus before the symbol, and after a code", () => {
    expect(formatMoney("-0.0123", EUR)).toBe("-€0.0113");
    expect(formatMoney("-2", { code: "CHF", per_usd: "0.88" })).toBe("CHF -1.76");
    expect(formatMoney("-0", USD)).toBe("$0.00");
  });

  it("writes ¥ for yen and yuan, and the code for others", () => {
    expect(formatMoney("1", { code: "JPY", per_usd: "151.5" })).toBe("¥151.50");
    expect(formatMoney("1", { code: "CNY", per_usd: "7.1" })).toBe("¥7.10");
    expect(formatMoney("1", { code: "SEK", per_usd: "10.5" })).toBe("SEK 10.50");
  });

  it("refuses strings that are not decimal numbers", () => {
    expect(() => formatMoney("1e-5", USD)).toThrow(RangeError);
    expect(() => formatMoney("", USD)).toThrow(RangeError);
    expect(() => formatMoney("1", { code: "EUR", per_usd: "abc" })).toThrow(RangeError);
  });
});

describe("parseDecimal and isPositiveDecimal", () => {
  it("read plain decimals only", () => {
    expect(parseDecimal("0.0123")).toEqual({ negative: false, mantissa: 123n, scale: 4 });
    expect(parseDecimal("-12")).toEqual({ negative: true, mantissa: 12n, scale: 0 });
    expect(parseDecimal(".5")).toEqual({ negative: false, mantissa: 5n, scale: 1 });
    expect(parseDecimal(" 84.25 ")).toEqual({ negative: false, mantissa: 8425n, scale: 2 });
    for (const bad of ["", ".", "1.2.3", "1,5", "abc", "1e3", "--1"]) expect(parseDecimal(bad)).toBeNull();
  });

  it("accept only rates above zero", () => {
    expect(isPositiveDecimal("0.92")).toBe(true);
    expect(isPositiveDecimal("84")).toBe(true);
    for (const bad of ["0", "0.000", "-1", "", "x"]) expect(isPositiveDecimal(bad)).toBe(false);
  });
});

describe("formatCost", () => {
  const computed: Cost = {
    usd: "0.0105",
    source: "computed",
    free: false,
    price_version: "litellm 1.106.2 (2026-10-21)",
    price_key: "gpt-4o",
    breakdown: null,
  };
  const unpriced: Cost = {
    usd: null,
    source: "unpriced",
    free: false,
    price_version: null,
    price_key: null,
    breakdown: null,
  };

  it("never shows an unknown price as $0", () => {
    expect(formatCost(unpriced, USD)).toBe("unpriced");
    expect(formatCost(unpriced, EUR)).toBe("unpriced");
  });

  it("says free for free models", () => {
    expect(formatCost({ ...computed, usd: "0", free: true }, USD)).toBe("free");
  });

  it("marks estimated costs with ≈, in the display currency", () => {
    expect(formatCost(computed, USD)).toBe("$0.0105");
    expect(formatCost({ ...computed, source: "reported" }, USD)).toBe("$0.0105");
    expect(formatCost({ ...computed, source: "estimated" }, USD)).toBe("≈$0.0105");
    expect(formatCost({ ...computed, source: "estimated" }, { code: "EUR", per_usd: "0.5" })).toBe("≈€0.00525");
  });

  it("shows a computed zero (not free) as an amount", () => {
    expect(formatCost({ ...computed, usd: "0" }, USD)).toBe("$0.00");
  });
});
