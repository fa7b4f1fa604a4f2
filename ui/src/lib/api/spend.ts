import type { SpendTotals } from "../bindings/SpendTotals";
import { call } from "./invoke";

/**
 * What answers cost today, this month and per model (this month), in local time, as
 * USD decimal strings; answers from unpriced models are counted, never added as $0.
 * Includes every answer whose `summary` event has already arrived. Rejects with kind
 * `spend` when the ledger cannot be read, or `data_dir` when there is no data folder.
 */
export function spendTotals(): Promise<SpendTotals> {
  return call<SpendTotals>("spend_totals");
}
