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
      const currency: unknown = await getCurrency();
      // Anything but a currency (an older core, a test double) keeps dollars.
      const ok =
        typeof currency === "object" &&
        currency !== null &&
        typeof (currency as DisplayCurrency).code === "string" &&
        typeof (currency as DisplayCurrency).per_usd === "string";
      this.value = ok ? (currency as DisplayCurrency) : USD;
    } catch {
      this.value = USD;
    }
  }
}
