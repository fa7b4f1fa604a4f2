/*
 * How a column names an error and what it suggests, by the core's error kind. The
 * core's own hint (which names the key that was refused, the URL that did not answer)
 * is shown as well when it sent one.
 */
import type { ErrorInfo } from "../../lib/bindings/ErrorInfo";
import type { ErrorKind } from "../../lib/bindings/ErrorKind";

const TITLES: Record<ErrorKind, string> = {
  auth: "Key refused",
  permission: "Not allowed",
  model_not_found: "Model not found",
  rate_limited: "Rate limited",
  context_length: "Prompt too long",
  invalid_request: "Request refused",
  content_filtered: "Blocked by the content filter",
  overloaded: "Provider overloaded",
  server: "Provider error",
  timeout: "Timed out",
  network: "Could not reach the provider",
  stream_interrupted: "The answer was cut off",
  malformed_response: "Unreadable answer",
  cancelled: "Stopped",
};

export function errorTitle(error: ErrorInfo): string {
  const title = TITLES[error.kind] ?? "Error";
  return error.status !== null ? `${title} (HTTP ${error.status})` : title;
}

/** Errors the user fixes in Settings → Providers (a link is shown). */
export function needsProviderSettings(kind: ErrorKind): boolean {
  return kind === "auth" || kind === "permission";
}

/** Errors worth retrying as they are. */
export function retryable(kind: ErrorKind): boolean {
  return ["rate_limited", "overloaded", "server", "timeout", "network", "stream_interrupted", "malformed_response", "cancelled"].includes(kind);
}
