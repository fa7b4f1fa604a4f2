import type { CustomEndpointConfig } from "../bindings/CustomEndpointConfig";
import type { ImportedKey } from "../bindings/ImportedKey";
import type { KeyCheck } from "../bindings/KeyCheck";
import type { ProviderStatus } from "../bindings/ProviderStatus";
import type { ProvidersOverview } from "../bindings/ProvidersOverview";
import { call } from "./invoke";

/** Every provider (built-ins first, then custom endpoints) with its key status, and the keychain's state. */
export function listProviders(): Promise<ProvidersOverview> {
  return call<ProvidersOverview>("list_providers");
}

/**
 * Hands `key` to the core, which saves it in the OS keychain (replacing any) and drops
 * it. Resolves with the provider's status, which holds the key's last four characters
 * only. Rejects with kind `keychain` ("cause; fix (detail)") or `invalid_input` (a
 * malformed key).
 */
export function setKey(provider: string, key: string): Promise<ProviderStatus> {
  return call<ProviderStatus>("set_key", { provider, key });
}

/** Removes a provider's key from the keychain; a key in its environment variable stays in use. */
export function deleteKey(provider: string): Promise<ProviderStatus> {
  return call<ProviderStatus>("delete_key", { provider });
}

/**
 * Tests the key the provider would use now by listing its models. A refused key or an
 * unreachable server resolves with `ok: false` and the error; only a problem on our
 * side (an unknown provider, the keychain) rejects.
 */
export function testKey(provider: string): Promise<KeyCheck> {
  return call<KeyCheck>("test_key", { provider });
}

/** Copies keys found in the providers' environment variables into the keychain. */
export function importEnvKeys(): Promise<ImportedKey[]> {
  return call<ImportedKey[]>("import_env_keys");
}

/** Sets a built-in provider's base URL; `null` goes back to the default (or its variable). */
export function setBaseUrl(provider: string, url: string | null): Promise<ProviderStatus> {
  return call<ProviderStatus>("set_base_url", { provider, url });
}

/**
 * Adds a custom OpenAI-compatible endpoint, or edits (and may rename) the one named
 * `replacing`. `key`, when given, goes to the keychain; `null` keeps the saved key.
 * Rejects with kind `invalid_input` and a message saying what to fix.
 */
export function saveCustomEndpoint(
  replacing: string | null,
  endpoint: CustomEndpointConfig,
  key: string | null,
): Promise<ProviderStatus> {
  return call<ProviderStatus>("save_custom_endpoint", { replacing, endpoint, key });
}

/** Removes a custom endpoint and its key. */
export function removeCustomEndpoint(name: string): Promise<void> {
  return call<null>("remove_custom_endpoint", { name }).then(() => undefined);
}
