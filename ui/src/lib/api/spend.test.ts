import { describe, expect, it } from "vitest";
import type { SpendTotals } from "../bindings/SpendTotals";
import { spendTotals } from "./spend";
import { answerWith } from "../../test/ipc";

const totals: SpendTotals = {
  today_usd: "0.0105",
  month_usd: "1.2345",
  per_model: [{ model: "openai/gpt-4o", usd: "1.2345", answers: 12, unpriced: 0 }],
  unpriced_answers: 3,
  skipped_lines: 0,
};

describe("spend api", () => {
  it("spendTotals() invokes spend_totals and keeps the amounts as decimal strings", async () => {
    const calls = answerWith(() => totals);
    await expect(spendTotals()).resolves.toEqual(totals);
    expect(calls).toEqual([{ cmd: "spend_totals", payload: {} }]);
  });

  it("spendTotals() rejects with the core's spend error unchanged", async () => {
    const error = { kind: "spend", message: "cannot read the spend ledger in /data/spend.jsonl: denied" };
    answerWith(() => {
      throw error;
    });
    await expect(spendTotals()).rejects.toEqual(error);
  });
});
