import { appInfo, toIpcError } from "../api";
import type { AppInfo } from "../bindings/AppInfo";
import type { IpcError } from "../bindings/IpcError";

export type AppInfoState =
  | { readonly status: "loading" }
  | { readonly status: "ready"; readonly info: AppInfo }
  | { readonly status: "error"; readonly error: IpcError };

/** What the core says about itself (version, data folder), loaded once and shared. */
export class AppInfoStore {
  state: AppInfoState = $state({ status: "loading" });
  #request = 0;

  /** Loads (or reloads) from the core; a stale answer never overwrites a newer one. */
  async load(): Promise<void> {
    const request = ++this.#request;
    this.state = { status: "loading" };
    try {
      const info = await appInfo();
      if (request === this.#request) this.state = { status: "ready", info };
    } catch (reason: unknown) {
      // The api layer already rejects with an IpcError; toIpcError keeps the type honest.
      if (request === this.#request) this.state = { status: "error", error: toIpcError(reason) };
    }
  }
}
