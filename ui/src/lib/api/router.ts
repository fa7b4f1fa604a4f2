import type { UnlistenFn } from "@tauri-apps/api/event";
import type { RouterCallEvent } from "../bindings/RouterCallEvent";
import type { RouterStatus } from "../bindings/RouterStatus";
import { listenSafely } from "./history";
import { call } from "./invoke";

/** The event each finished router call sends (the live log). */
export const ROUTER_CALL = "router-call";
/** The app-wide notice that the router started or stopped. */
export const ROUTER_STATUS = "router-status";

/**
 * Starts the local router on `port` (the saved port when null) serving the saved setups.
 * Rejects with `invalid_input` when the port is taken (the message names it) or no setup
 * is saved, `keychain` when the token cannot be read or made.
 */
export function routerStart(port: number | null): Promise<RouterStatus> {
  return call<RouterStatus>("router_start", { port });
}

/** Stops the router (calls in flight end first); its status afterwards. */
export function routerStop(): Promise<RouterStatus> {
  return call<RouterStatus>("router_stop");
}

/** Whether the router runs, where, what it serves, and this session's totals. */
export function routerStatus(): Promise<RouterStatus> {
  return call<RouterStatus>("router_status");
}

/**
 * Saves the router's overall daily and monthly spend caps in USD, as typed (empty or
 * null = no cap); they apply at the next start. Rejects with `invalid_input` when an
 * amount is not one or is negative, or while the router runs. The status afterwards.
 */
export function routerSetCaps(dayUsd: string | null, monthUsd: string | null): Promise<RouterStatus> {
  return call<RouterStatus>("router_set_caps", { dayUsd, monthUsd });
}

/** Puts the router's token on the clipboard; the token itself never reaches the page. */
export function routerCopyToken(): Promise<void> {
  return call<void>("router_copy_token");
}

/** Calls `onCall` with each call the router finishes, and the session's totals after it. */
export function onRouterCall(onCall: (event: RouterCallEvent) => void): Promise<UnlistenFn> {
  return listenSafely<RouterCallEvent>(ROUTER_CALL, onCall);
}

/** Calls `onChange` each time the router starts or stops. */
export function onRouterStatus(onChange: (status: RouterStatus) => void): Promise<UnlistenFn> {
  return listenSafely<RouterStatus>(ROUTER_STATUS, onChange);
}
