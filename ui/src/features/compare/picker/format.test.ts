import { describe, expect, it } from "vitest";
import { contextText, modelName, priceSource, priceText } from "./format";
import { gpt4o, listPrice, llama, model, o3 } from "./testModels";

describe("model picker: prices", () => {
  it("writes input and output per million tokens, with the money rules", () => {
    expect(priceText(listPrice("2.5", "10"))).toBe("in $2.50 / out $10.00 per M");
    expect(priceText(listPrice("0.15", "0.6"))).toBe("in $0.15 / out $0.60 per M");
    expect(priceText(listPrice("0.075", "0.0004"))).toBe("in $0.075 / out $0.0004 per M");
    expect(priceText(listPrice("1250", "0.0000123"))).toBe("in $1,250.00 / out $0.0000123 per M");
  });

  it("converts to the display currency", () => {
    expect(priceText(listPrice("2.5", "10"), { code: "EUR", per_usd: "0.9" })).toBe("in €2.25 / out €9.00 per M");
    expect(priceText(listPrice("1", "2"), { code: "CHF", per_usd: "0.8" })).toBe("in CHF 0.80 / out CHF 1.60 per M");
  });

  it("says free, unpriced, or a dash for the side it does not know", () => {
    expect(priceText(llama.price)).toBe("free");
    expect(priceText(null)).toBe("unpriced");
    expect(priceText(listPrice(null, null))).toBe("unpriced");
    expect(priceText(listPrice("3", null))).toBe("in $3.00 / out — per M");
    // Never throws on a string that is not a number.
    expect(priceText(listPrice("n/a", "1"))).toBe("in — / out $1.00 per M");
  });

  it("names where the price comes from", () => {
    expect(priceSource(listPrice("1", "1"))).toBe("Price from litellm 1.106.2 (2026-10-21)");
    expect(priceSource({ ...listPrice("1", "1"), origin: "override" })).toBe("Your own price");
    expect(priceSource(null)).toBeNull();
  });
});

describe("model picker: context windows", () => {
  it.each([
    [128000, "128k ctx"],
    [131072, "128k ctx"],
    [200000, "200k ctx"],
    [32768, "32k ctx"],
    [8192, "8k ctx"],
    [4096, "4k ctx"],
    [2500, "2.5k ctx"],
    [163840, "160k ctx"],
    [1000000, "1M ctx"],
    [1048576, "1M ctx"],
    [2097152, "2M ctx"],
    [1050000, "1.05M ctx"],
    [999999, "1M ctx"],
    [512, "512 ctx"],
  ])("%i tokens → %s", (tokens, text) => {
    expect(contextText(tokens)).toBe(text);
  });

  it("is nothing when unknown", () => {
    expect(contextText(null)).toBeNull();
    expect(contextText(0)).toBeNull();
  });
});

describe("model picker: names", () => {
  it("uses the display name, else the id without its provider", () => {
    expect(modelName(gpt4o)).toBe("GPT-4o");
    expect(modelName(o3)).toBe("o3-deep");
    expect(modelName(model("openrouter/anthropic/claude-3.5-sonnet", null, null, "  "))).toBe(
      "anthropic/claude-3.5-sonnet",
    );
  });
});
