/*
 * What a column offers for an error, by the core's error kind (its title is
 * `lib/errorKinds`'s, shared with the settings and the picker; the core's own hint is
 * shown as well when it sent one).
 */
import type { ErrorKind } from "../../lib/bindings/ErrorKind";

/** Errors the user fixes in Settings → Providers (a link is shown). */
export function needsProviderSettings(kind: ErrorKind): boolean {
  return kind === "auth" || kind === "permission";
}

/** Errors worth retrying as they are. */
export function retryable(kind: ErrorKind): boolean {
  return ["rate_limited", "overloaded", "server", "timeout", "network", "stream_interrupted", "malformed_response", "cancelled"].includes(kind);
}
