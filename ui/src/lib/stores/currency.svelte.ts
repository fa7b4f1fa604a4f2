import { getCurrency } from "../api";
import type { DisplayCurrency } from "../bindings/DisplayCurrency";

export const USD: DisplayCurrency = { code: "USD", per_usd: "1" };

/**
 * The currency costs are shown in. US dollars until the core answers (and if it cannot):
 * amounts are always correct in dollars, so a failed load only changes the unit shown.
 */
export class CurrencyStore {
  value: DisplayCurrency = $state.raw(USD);

  async load(): Promise<void> {
    try {
      this.value = await getCurrency();
    } catch {
      this.value = USD;
    }
  }
}
