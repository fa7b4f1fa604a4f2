import type { AppInfo } from "../bindings/AppInfo";
import { call } from "./invoke";

/** The app's version and data folder, as the Rust core sees them. Rejects with an `IpcError`. */
export function appInfo(): Promise<AppInfo> {
  return call<AppInfo>("app_info");
}
