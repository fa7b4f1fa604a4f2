import type { AppInfo } from "../lib/bindings/AppInfo";
import type { IpcError } from "../lib/bindings/IpcError";
import type { PriceStatus } from "../lib/bindings/PriceStatus";
import type { ProvidersOverview } from "../lib/bindings/ProvidersOverview";
import type { RouterStatus } from "../lib/bindings/RouterStatus";
import { mockCommands } from "./ipc";
import { sampleOverview } from "./providers";

/**
 * A mocked Rust core whose `app_info` answers with `info`, or rejects with `error`;
 * `price_status` and `get_currency` answer with `prices`; the user has no prices of their own;
 * `list_providers` answers with what `providers` returns (the sample providers unless
 * given), asked afresh on every call; throwing an `IpcError` from it makes the call reject.
 * The history is empty and healthy; the router is stopped.
 */
export function mockCore(
  answer: { info: AppInfo } | { error: IpcError },
  prices: PriceStatus = samplePrices,
  providers: () => ProvidersOverview | Promise<ProvidersOverview> = () => sampleOverview,
): void {
  mockCommands({
    app_info: () => {
      if ("error" in answer) throw answer.error;
      return answer.info;
    },
    price_status: () => prices,
    get_currency: () => prices.currency,
    list_price_overrides: () => [],
    model_price: () => null,
    list_providers: () => providers(),
    spend_totals: () => ({ today_usd: "0", month_usd: "0", per_model: [], unpriced_answers: 0, skipped_lines: 0 }),
    history_list: () => ({ runs: [], total: 0, next: null }),
    history_status: () => null,
    router_status: () => stoppedRouter,
  });
}

/** A router that is not running, with nothing saved to serve. */
export const stoppedRouter: RouterStatus = {
  running: false,
  port: 4141,
  base_url: null,
  setups: [],
  problems: [],
  calls: 0,
  cost_usd: "0",
  unpriced_calls: 0,
  dropped: 0,
  save_error: null,
  cap_day_usd: null,
  cap_month_usd: null,
  cap_spend: [],
};

export const sampleInfo: AppInfo = {
  version: "0.1.0",
  data_dir: "/home/ada/.local/share/dev.switchboard.desktop",
};

/** The bundled catalog, nothing fetched, costs in US dollars. */
export const samplePrices: PriceStatus = {
  catalog: {
    source: "litellm",
    version: "litellm 1.106.2 (2026-10-21)",
    litellm_version: "1.106.2",
    source_date: "2026-10-21",
    snapshot_date: "2026-11-21",
    url: null,
    etag: null,
    checked_at: null,
    bundled: true,
  },
  models: 412,
  openrouter: null,
  openrouter_models: 0,
  overrides: 0,
  currency: { code: "USD", per_usd: "1" },
};
