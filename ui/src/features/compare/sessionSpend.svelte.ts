/*
 * The running cost tallies: this session (since the app started) in total and per
 * model, kept here; today and this month from the core's spend ledger, which also
 * counts earlier sessions. Sums are exact decimal strings, never floats.
 */
import { spendTotals, toIpcError } from "../../lib/api";
import type { Cost } from "../../lib/bindings/Cost";
import type { SpendTotals } from "../../lib/bindings/SpendTotals";
import { addDecimals, compareDecimals } from "../../lib/money";

export interface ModelTally {
  model: string;
  /** USD, exact. */
  usd: string;
  answers: number;
  /** Answers whose price is unknown (not counted in `usd`). */
  unpriced: number;
}

export class SessionSpend {
  usd = $state("0");
  unpriced = $state(0);
  byModel: Record<string, ModelTally> = $state({});
  ledger: SpendTotals | null = $state.raw(null);
  ledgerError: string | null = $state(null);

  add(model: string, cost: Cost): void {
    const tally = this.byModel[model] ?? { model, usd: "0", answers: 0, unpriced: 0 };
    tally.answers += 1;
    if (cost.usd === null) {
      tally.unpriced += 1;
      this.unpriced += 1;
    } else {
      tally.usd = addDecimals(tally.usd, cost.usd);
      this.usd = addDecimals(this.usd, cost.usd);
    }
    this.byModel[model] = tally;
  }

  /** Models of this session, most expensive first. */
  get models(): ModelTally[] {
    return Object.values(this.byModel).sort((a, b) => compareDecimals(b.usd, a.usd) || b.answers - a.answers);
  }

  /** Reads today's and this month's totals from the ledger (after each run, and at start). */
  async refreshLedger(): Promise<void> {
    try {
      this.ledger = await spendTotals();
      this.ledgerError = null;
    } catch (reason: unknown) {
      this.ledgerError = toIpcError(reason).message;
    }
  }
}
