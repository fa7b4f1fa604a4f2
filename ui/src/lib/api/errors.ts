import type { IpcError } from "../bindings/IpcError";
import type { IpcErrorKind } from "../bindings/IpcErrorKind";

/** The kind every error that did not come from the core's typed error is filed under. */
const FALLBACK_KIND: IpcErrorKind = "internal";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/**
 * True for the shape the Rust shell rejects with: `{ kind, message }`.
 *
 * The kind is trusted as a string: the set of kinds is owned by Rust and reaches
 * us through the generated bindings, so the UI never keeps its own copy of it.
 */
export function isIpcError(value: unknown): value is IpcError {
  return isRecord(value) && typeof value.kind === "string" && typeof value.message === "string";
}

/** Turns whatever a rejected `invoke()` produced into an `IpcError` the UI can show. */
export function toIpcError(reason: unknown): IpcError {
  if (isIpcError(reason)) {
    return { kind: reason.kind, message: reason.message };
  }
  if (reason instanceof Error) {
    return { kind: FALLBACK_KIND, message: reason.message || reason.name };
  }
  if (typeof reason === "string" && reason.trim() !== "") {
    return { kind: FALLBACK_KIND, message: reason };
  }
  if (isRecord(reason) && typeof reason.message === "string" && reason.message !== "") {
    return { kind: FALLBACK_KIND, message: reason.message };
  }
  return { kind: FALLBACK_KIND, message: "Something went wrong talking to the Switchboard core." };
}
