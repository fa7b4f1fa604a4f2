/*
 * How the UI names a provider error, by the core's stable kind: one table for the
 * providers settings (key tests), the model picker (model lists) and the playground's
 * columns, so the same failure reads the same everywhere.
 */
import type { ErrorInfo } from "./bindings/ErrorInfo";
import type { ErrorKind } from "./bindings/ErrorKind";

const ERROR_KIND_LABELS: Record<ErrorKind, string> = {
  auth: "Key refused",
  permission: "Not allowed",
  model_not_found: "Model not found",
  rate_limited: "Rate limited",
  context_length: "Too long",
  invalid_request: "Request refused",
  content_filtered: "Filtered",
  overloaded: "Provider overloaded",
  server: "Provider error",
  timeout: "Timed out",
  network: "Can’t connect",
  stream_interrupted: "Connection dropped",
  malformed_response: "Unexpected answer",
  cancelled: "Cancelled",
};

export function errorKindLabel(kind: ErrorKind): string {
  return ERROR_KIND_LABELS[kind];
}

/** `Rate limited (HTTP 429)`; the label alone when no HTTP status came with it. */
export function errorTitle(error: Pick<ErrorInfo, "kind" | "status">): string {
  const status = error.status === null ? "" : ` (HTTP ${error.status})`;
  return `${errorKindLabel(error.kind)}${status}`;
}
