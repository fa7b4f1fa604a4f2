import { listProviders, providerModels, toIpcError } from "../api";
import type { ErrorInfo } from "../bindings/ErrorInfo";
import type { IpcError } from "../bindings/IpcError";
import type { ModelChoice } from "../bindings/ModelChoice";
import type { ProviderStatus } from "../bindings/ProviderStatus";

/** Why a provider's models could not be had. */
export type ModelListFailure =
  /** The provider (or the local server) answered with an error, or could not be reached; `hint` says what to do. */
  | { readonly from: "provider"; readonly error: ErrorInfo; readonly hint: string | null }
  /** The core could not ask (an unknown provider, a broken providers file). */
  | { readonly from: "core"; readonly error: IpcError };

/** One provider's models, as far as we know them. */
export type ModelListState =
  /** Needs a key and has none: nothing is asked. */
  | { readonly status: "no_key" }
  | { readonly status: "loading" }
  /** `refreshing`: a reload is on its way; these models stay shown until it answers. */
  | { readonly status: "ready"; readonly models: readonly ModelChoice[]; readonly refreshing: boolean }
  | { readonly status: "error"; readonly failure: ModelListFailure };

/** The configured providers, as the core last listed them. */
export type CatalogProvidersState =
  | { readonly status: "idle" }
  | { readonly status: "loading" }
  | { readonly status: "ready"; readonly providers: readonly ProviderStatus[] }
  | { readonly status: "error"; readonly error: IpcError };

/** A provider and its models, in the core's order (built-ins first, then custom endpoints). */
export interface CatalogEntry {
  readonly provider: ProviderStatus;
  readonly models: ModelListState;
}

/** A provider answers a model list when it has a key, or needs none (a local server). */
export function canListModels(provider: ProviderStatus): boolean {
  return provider.key.set || !provider.needs_key;
}

const LOADING: ModelListState = { status: "loading" };
const NO_KEY: ModelListState = { status: "no_key" };

/**
 * Every configured provider's live model list, for the model picker: the providers
 * are listed once, then every provider that can answer is asked for its models in
 * parallel, each with its own state. Providers without a key stay in the list as
 * `no_key`. Lists are kept for the app's life; `reload()` asks again.
 *
 * Nothing here rejects: a failure is a state (the providers list's, or one
 * provider's), never an exception in the UI.
 */
export class ModelCatalog {
  providers: CatalogProvidersState = $state.raw({ status: "idle" });
  #lists: Readonly<Record<string, ModelListState>> = $state.raw({});

  /** Every provider with its models' state; empty until the providers are listed. */
  readonly entries: readonly CatalogEntry[] = $derived.by(() => {
    if (this.providers.status !== "ready") return [];
    const lists = this.#lists;
    return this.providers.providers.map((provider) => ({ provider, models: lists[provider.id] ?? LOADING }));
  });

  /** The last full load or reload; `load()` hands it back instead of asking again. */
  #loaded: Promise<void> | null = null;
  /** Bumped by every full (re)load, so an older providers list never replaces a newer one. */
  #generation = 0;
  /** Per provider, the latest models request: an older answer is dropped. */
  readonly #requests = new Map<string, number>();

  /**
   * Loads the providers and their models once; later calls resolve with that same load.
   * After the providers list could not be read, a call tries again.
   */
  load(): Promise<void> {
    if (this.#loaded === null || this.providers.status === "error") this.#loaded = this.#loadAll();
    return this.#loaded;
  }

  /**
   * Lists the providers again (keys may have been set or removed) and asks every
   * provider that can answer for its models again. Lists already shown stay on
   * screen until their new answer arrives.
   */
  reload(): Promise<void> {
    this.#loaded = this.#loadAll();
    return this.#loaded;
  }

  /**
   * Asks one provider for its models again: a failed list shows as loading, a shown
   * list stays until the answer. Does nothing for a provider that is not listed or has
   * no key.
   */
  async reloadProvider(id: string): Promise<void> {
    if (this.providers.status !== "ready") return;
    const provider = this.providers.providers.find((p) => p.id === id);
    if (provider === undefined || !canListModels(provider)) return;
    const current = this.#lists[id];
    this.#set(id, current?.status === "ready" ? { ...current, refreshing: true } : LOADING);
    await this.#fetch(id);
  }

  /** A model by its full id, from the lists loaded so far; null when no list has it. */
  model(id: string): ModelChoice | null {
    for (const entry of this.entries) {
      if (entry.models.status !== "ready") continue;
      const found = entry.models.models.find((m) => m.id === id);
      if (found !== undefined) return found;
    }
    return null;
  }

  async #loadAll(): Promise<void> {
    const generation = ++this.#generation;
    const previous = this.providers;
    if (previous.status !== "ready") this.providers = { status: "loading" };

    let providers: readonly ProviderStatus[];
    try {
      providers = (await listProviders()).providers;
    } catch (reason: unknown) {
      if (generation !== this.#generation) return;
      // A reload that cannot list the providers keeps the list it had, and refreshes its models.
      if (previous.status !== "ready") {
        this.providers = { status: "error", error: toIpcError(reason) };
        return;
      }
      providers = previous.providers;
    }
    if (generation !== this.#generation) return;

    const lists: Record<string, ModelListState> = {};
    for (const provider of providers) {
      const current = this.#lists[provider.id];
      if (!canListModels(provider)) lists[provider.id] = NO_KEY;
      else lists[provider.id] = current?.status === "ready" ? { ...current, refreshing: true } : LOADING;
    }
    this.providers = { status: "ready", providers };
    this.#lists = lists;
    await Promise.all(providers.filter(canListModels).map((p) => this.#fetch(p.id)));
  }

  /** Asks for one provider's models and files the answer, unless a newer request was made since. */
  async #fetch(id: string): Promise<void> {
    const request = (this.#requests.get(id) ?? 0) + 1;
    this.#requests.set(id, request);
    let next: ModelListState;
    try {
      const answer = await providerModels(id);
      next =
        answer.error === null
          ? { status: "ready", models: answer.models, refreshing: false }
          : { status: "error", failure: { from: "provider", error: answer.error, hint: answer.hint } };
    } catch (reason: unknown) {
      next = { status: "error", failure: { from: "core", error: toIpcError(reason) } };
    }
    if (this.#requests.get(id) !== request) return;
    // A reload may have dropped the provider (a removed endpoint) or its key meanwhile.
    const current = this.#lists[id];
    if (current === undefined || current.status === "no_key") return;
    this.#set(id, next);
  }

  #set(id: string, state: ModelListState): void {
    this.#lists = { ...this.#lists, [id]: state };
  }
}
