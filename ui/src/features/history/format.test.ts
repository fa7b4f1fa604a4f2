import { describe, expect, it } from "vitest";
import { relativeDate, runCost, runTitle, shortModels } from "./format";
import { setupsFromRun } from "./rerun";
import { responseRecord, runDetail } from "../../test/history";

const USD = { code: "USD", per_usd: "1" };
const EUR = { code: "EUR", per_usd: "0.5" };

describe("history formatting", () => {
  it("titles a run by its title, else its prompt's first non-blank line", () => {
    expect(runTitle({ title: "Mine", prompt: "x" })).toBe("Mine");
    expect(runTitle({ title: "  ", prompt: "\n  First line \nsecond" })).toBe("First line");
    expect(runTitle({ title: null, prompt: "" })).toBe("(empty prompt)");
  });

  it("never shows an unknown price as $0", () => {
    expect(runCost({ cost_usd: null, unpriced: 3 }, USD)).toBe("unpriced");
    expect(runCost({ cost_usd: "0.0123", unpriced: 0 }, USD)).toBe("$0.0123");
    expect(runCost({ cost_usd: "2", unpriced: 1 }, EUR)).toBe("€1.00 + 1 unpriced");
  });

  it("shortens models and dates", () => {
    expect(shortModels(["openrouter/meta-llama/llama-3.3-70b", "openai/gpt-4o"])).toBe("llama-3.3-70b, gpt-4o");
    const now = Date.parse("2026-11-22T12:00:00Z");
    expect(relativeDate("2026-11-22T11:59:30Z", now)).toBe("just now");
    expect(relativeDate("2026-11-22T11:55:00Z", now)).toBe("5 min ago");
    expect(relativeDate("2026-11-22T09:00:00Z", now)).toBe("3 h ago");
    expect(relativeDate("2026-11-21T09:00:00Z", now)).toBe("yesterday");
    expect(relativeDate("2026-11-18T12:00:00Z", now)).toBe("4 d ago");
  });
});

describe("setupsFromRun", () => {
  it("gives one column per response in order, with its own system prompt and message only when they differ", () => {
    const run = runDetail(1, [
      responseRecord(1, { system: null, messages: [{ role: "user", content: "Variant: Explain DNS" }] }),
      responseRecord(0),
    ]);
    const setups = setupsFromRun(run);
    expect(setups.map((s) => s.model)).toEqual(["openai/gpt-4o", "anthropic/claude-sonnet-4-5"]);
    expect(setups[0]).toMatchObject({ system: null, variant: null });
    expect(setups[0]!.params.temperature).toBe(0.3);
    expect(setups[1]).toMatchObject({ system: "", variant: "Variant: Explain DNS" });
  });
});
