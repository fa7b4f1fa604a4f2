/**
 * Words and payloads for the providers settings: pure functions over the core's types,
 * so what a row says is tested without rendering it. Nothing here ever holds a key:
 * the core sends only whether one is set, where it comes from and its last four characters.
 */
import type { CustomEndpointConfig } from "../../lib/bindings/CustomEndpointConfig";
import type { HeaderPair } from "../../lib/bindings/HeaderPair";
import type { ImportedKey } from "../../lib/bindings/ImportedKey";
import type { IpcError } from "../../lib/bindings/IpcError";
import type { KeyCheck } from "../../lib/bindings/KeyCheck";
import type { KeychainProblem } from "../../lib/bindings/KeychainProblem";
import { errorTitle } from "../../lib/errorKinds";
import type { ProviderStatus } from "../../lib/bindings/ProviderStatus";

/** Stands for the hidden part of a key, before its last four characters. */
export const MASK = "····";

/** How a model id of this provider starts: `openai/…`. */
export function modelPrefix(id: string): string {
  return `${id}/…`;
}

function masked(last4: string | null): string {
  return last4 === null ? "" : ` ${MASK}${last4}`;
}

/** Where the key in use comes from, with its last four characters: "Keychain ····1234". */
export function keyStatusText(provider: ProviderStatus): string {
  const key = provider.key;
  switch (key.source) {
    case "keychain":
      return `Keychain${masked(key.last4)}`;
    case "env":
      return `${key.env_var === null ? "From the environment" : `From $${key.env_var}`}${masked(key.last4)}`;
    case "none":
      return provider.needs_key ? "Not set" : "No key needed";
  }
}

/** Said when the keychain's key wins over a variable that is also set. */
export function shadowNote(provider: ProviderStatus): string | null {
  const shadowed = provider.key.shadowed_env;
  return shadowed === null ? null : `overrides $${shadowed}`;
}

/** Where a built-in's base URL comes from when it is not the default; null when it is. */
export function baseUrlSourceText(provider: ProviderStatus): string | null {
  if (provider.custom) return null;
  switch (provider.base_url_source) {
    case "default":
      return null;
    case "settings":
      return "set in Settings";
    case "env":
      return provider.base_url_env === null ? "from the environment" : `from $${provider.base_url_env}`;
  }
}

/** How each kind of provider error is named above its message. */
/** What a key test says: a title, and for a failure the provider's message and what to do. */
export interface CheckSummary {
  readonly ok: boolean;
  readonly title: string;
  readonly message: string | null;
  readonly hint: string | null;
}

function count(n: number, one: string, many: string): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

/** `withKey` is false for a local server tested without a key: then the connection, not a key, works. */
export function checkSummary(check: KeyCheck, withKey: boolean): CheckSummary {
  if (check.ok) {
    const what = withKey ? "Key works" : "Connection works";
    const title = check.models === null ? what : `${what} — ${count(check.models, "model", "models")}`;
    return { ok: true, title, message: null, hint: null };
  }
  const error = check.error;
  if (error === null) {
    return { ok: false, title: "The test failed", message: null, hint: check.hint };
  }
  return { ok: false, title: errorTitle(error), message: error.message, hint: check.hint };
}

/** Added under an error from the keychain: keys in environment variables are not affected. */
export function keychainFallbackNote(error: IpcError): string | null {
  return error.kind === "keychain" ? "Keys in environment variables still work." : null;
}

/** "the keychain is locked" → "The keychain is locked." */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === "") return "";
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** The keychain banner's two lines. */
export function problemLines(problem: KeychainProblem): { cause: string; fix: string } {
  return { cause: sentence(problem.cause), fix: sentence(problem.fix) };
}

/** A piece of the core's text: plain, or code it wrote between backticks (`switchboard keys set openai`). */
export interface TextPart {
  readonly text: string;
  readonly code: boolean;
}

export function codeSpans(text: string): TextPart[] {
  const pieces = text.split("`");
  // An unmatched backtick is not markup: keep the text as written.
  if (pieces.length % 2 === 0) return [{ text, code: false }];
  return pieces.map((piece, i) => ({ text: piece, code: i % 2 === 1 })).filter((part) => part.text !== "");
}

/** One line per environment key looked at, named by the provider's label. */
export function importReport(results: readonly ImportedKey[], labelOf: (id: string) => string): string[] {
  if (results.length === 0) return ["No keys found in the providers’ environment variables."];
  return results.map((r) => {
    const name = labelOf(r.provider);
    switch (r.outcome) {
      case "imported":
        return `${name}: imported from $${r.env_var}.`;
      case "already_in_keychain":
        return `${name}: already in the keychain ($${r.env_var} holds the same key).`;
      case "kept_keychain_key":
        return `${name}: kept the keychain’s key; $${r.env_var} holds a different one.`;
    }
  });
}

/** The custom endpoint form as typed. */
export interface CustomDraft {
  readonly name: string;
  readonly baseUrl: string;
  readonly key: string;
  readonly keyHeader: string;
  readonly headers: readonly HeaderPair[];
}

/** An empty form, or one filled in from a saved endpoint (never with its key). */
export function customDraft(provider: ProviderStatus | null): CustomDraft {
  if (provider === null) return { name: "", baseUrl: "", key: "", keyHeader: "", headers: [] };
  return {
    name: provider.id,
    baseUrl: provider.base_url,
    key: "",
    keyHeader: provider.key_header ?? "",
    headers: provider.headers.map((h) => ({ ...h })),
  };
}

/**
 * What `save_custom_endpoint` is sent. Rows left entirely blank are dropped; anything
 * else goes as typed (trimmed), so the core's message says what to fix. A blank key
 * is `null`: the saved key stays.
 */
export function customPayload(draft: CustomDraft): { endpoint: CustomEndpointConfig; key: string | null } {
  const headers = draft.headers
    .map((h) => ({ name: h.name.trim(), value: h.value.trim() }))
    .filter((h) => h.name !== "" || h.value !== "");
  const keyHeader = draft.keyHeader.trim();
  return {
    endpoint: {
      name: draft.name.trim(),
      base_url: draft.baseUrl.trim(),
      headers,
      key_header: keyHeader === "" ? null : keyHeader,
    },
    key: draft.key.trim() === "" ? null : draft.key.trim(),
  };
}
