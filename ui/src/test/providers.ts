import { render, screen } from "@testing-library/svelte";
import ProvidersSettings from "../features/settings/ProvidersSettings.svelte";
import type { KeyStatus } from "../lib/bindings/KeyStatus";
import type { KeychainProblem } from "../lib/bindings/KeychainProblem";
import type { ProviderStatus } from "../lib/bindings/ProviderStatus";
import type { ProvidersOverview } from "../lib/bindings/ProvidersOverview";
import { mockCommands, type Call, type Handler } from "./ipc";

/** No key anywhere for a provider read from `envVars`. */
export function noKey(envVars: string[]): KeyStatus {
  return {
    set: false,
    source: "none",
    env_var: null,
    env_vars: envVars,
    shadowed_env: null,
    last4: null,
    keychain_error: null,
  };
}

/** OpenAI with its key in the keychain, also set (and overridden) in $OPENAI_API_KEY. */
export const openai: ProviderStatus = {
  id: "openai",
  label: "OpenAI",
  custom: false,
  wire: "openai",
  base_url: "https://api.openai.com/v1",
  base_url_source: "default",
  base_url_env: "OPENAI_BASE_URL",
  default_base_url: "https://api.openai.com/v1",
  needs_key: true,
  key: {
    set: true,
    source: "keychain",
    env_var: null,
    env_vars: ["OPENAI_API_KEY"],
    shadowed_env: "OPENAI_API_KEY",
    last4: "1234",
    keychain_error: null,
  },
  headers: [],
  key_header: null,
};

/** Anthropic with its key from $ANTHROPIC_API_KEY and a base URL from $ANTHROPIC_BASE_URL. */
export const anthropic: ProviderStatus = {
  id: "anthropic",
  label: "Anthropic",
  custom: false,
  wire: "anthropic",
  base_url: "https://proxy.example.com/anthropic",
  base_url_source: "env",
  base_url_env: "ANTHROPIC_BASE_URL",
  default_base_url: "https://api.anthropic.com",
  needs_key: true,
  key: {
    set: true,
    source: "env",
    env_var: "ANTHROPIC_API_KEY",
    env_vars: ["ANTHROPIC_API_KEY"],
    shadowed_env: null,
    last4: "abcd",
    keychain_error: null,
  },
  headers: [],
  key_header: null,
};

/** Gemini with no key, and a base URL set in Settings. */
export const gemini: ProviderStatus = {
  id: "gemini",
  label: "Google Gemini",
  custom: false,
  wire: "gemini",
  base_url: "https://gemini.internal.example/v1",
  base_url_source: "settings",
  base_url_env: "GEMINI_BASE_URL",
  default_base_url: "https://generativelanguage.googleapis.com",
  needs_key: true,
  key: noKey(["GEMINI_API_KEY", "GOOGLE_API_KEY"]),
  headers: [],
  key_header: null,
};

/** A local server: no key needed. */
export const ollama: ProviderStatus = {
  id: "ollama",
  label: "Ollama",
  custom: false,
  wire: "openai_compatible",
  base_url: "http://localhost:11434/v1",
  base_url_source: "default",
  base_url_env: "OLLAMA_BASE_URL",
  default_base_url: "http://localhost:11434/v1",
  needs_key: false,
  key: noKey(["OLLAMA_API_KEY"]),
  headers: [],
  key_header: null,
};

/** A custom endpoint with an extra header, its key sent in `api-key`. */
export const myVllm: ProviderStatus = {
  id: "my-vllm",
  label: "my-vllm",
  custom: true,
  wire: "openai_compatible",
  base_url: "http://gpu-box:8000/v1",
  base_url_source: "settings",
  base_url_env: null,
  default_base_url: null,
  needs_key: true,
  key: {
    set: true,
    source: "keychain",
    env_var: null,
    env_vars: [],
    shadowed_env: null,
    last4: "9z9z",
    keychain_error: null,
  },
  headers: [{ name: "X-Team", value: "research" }],
  key_header: "api-key",
};

export const sampleOverview: ProvidersOverview = {
  keychain: { backend: "the Secret Service (service `switchboard`)", problem: null },
  providers: [openai, anthropic, gemini, ollama, myVllm],
};

/** What the core reports on a Linux session without gnome-keyring. */
export const noServiceProblem: KeychainProblem = {
  kind: "no_service",
  cause: "no keychain is running: nothing provides the Secret Service on this session",
  fix: "install and start a Secret Service provider (gnome-keyring or KeePassXC with Secret Service enabled); until then, keys are read from environment variables",
  detail: "org.freedesktop.secrets was not provided by any .service files",
};

/**
 * A mocked core for the Providers settings: `list_providers` answers with `overview`, the
 * commands in `handlers` as they say, any other rejects. Every call is recorded.
 */
export function mockProviders(
  handlers: Record<string, Handler> = {},
  overview: ProvidersOverview = sampleOverview,
): Call[] {
  return mockCommands({ list_providers: () => overview, ...handlers });
}

/** Shows the Providers settings and waits for the list; resolves with OpenAI's row. */
export async function showProviders(): Promise<HTMLElement> {
  render(ProvidersSettings);
  return screen.findByTestId("provider-row-openai");
}
