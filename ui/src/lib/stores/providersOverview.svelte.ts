import { listProviders, toIpcError } from "../api";
import type { IpcError } from "../bindings/IpcError";
import type { ProvidersOverview } from "../bindings/ProvidersOverview";

export type ProvidersOverviewState =
  | { readonly status: "loading" }
  | { readonly status: "ready"; readonly overview: ProvidersOverview }
  | { readonly status: "error"; readonly error: IpcError };

/**
 * The providers and their key status as the core last reported them, for the status bar.
 * Settings keeps its own list while open; this one is reloaded when the user leaves it.
 */
export class ProvidersOverviewStore {
  state: ProvidersOverviewState = $state({ status: "loading" });
  #request = 0;

  /**
   * Loads (or reloads) from the core. A reload keeps the last answer on screen until the
   * new one arrives, and a stale answer never overwrites a newer one.
   */
  async load(): Promise<void> {
    const request = ++this.#request;
    if (this.state.status === "error") this.state = { status: "loading" };
    try {
      const overview = await listProviders();
      if (request === this.#request) this.state = { status: "ready", overview };
    } catch (reason: unknown) {
      if (request === this.#request) this.state = { status: "error", error: toIpcError(reason) };
    }
  }
}
