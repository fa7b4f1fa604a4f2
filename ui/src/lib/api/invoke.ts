import { invoke, type InvokeArgs } from "@tauri-apps/api/core";
import type { IpcError } from "../bindings/IpcError";
import { toIpcError } from "./errors";

/** Raised when the page runs outside the desktop shell (a plain browser, a preview server). */
const NO_CORE: IpcError = {
  kind: "internal",
  message: "The Switchboard core is not available — this page is running outside the desktop app.",
};

interface TauriGlobals {
  __TAURI_INTERNALS__?: { invoke?: unknown };
}

/** The Tauri shell (or a test's mockIPC) installs the IPC bridge on window before the page runs. */
function coreIsPresent(): boolean {
  if (typeof window === "undefined") return false;
  return typeof (window as TauriGlobals).__TAURI_INTERNALS__?.invoke === "function";
}

/**
 * Calls a Rust command. Every rejection is an `IpcError`, so callers switch on
 * `kind` and show `message`; they never see a raw string or an exception object.
 */
export async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  if (!coreIsPresent()) {
    throw NO_CORE;
  }
  try {
    return await invoke<T>(command, args);
  } catch (reason: unknown) {
    throw toIpcError(reason);
  }
}
