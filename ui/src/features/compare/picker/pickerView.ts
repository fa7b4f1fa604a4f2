/**
 * What the model picker shows for a search: pure functions over the catalog's entries,
 * so matching, grouping and the "as typed" row are tested without rendering.
 */
import type { ModelChoice } from "../../../lib/bindings/ModelChoice";
import type { ProviderStatus } from "../../../lib/bindings/ProviderStatus";
import type { CatalogEntry, ModelListFailure } from "../../../lib/stores/modelCatalog.svelte";

/** At most this many rows per provider are drawn; the rest are reached by searching. */
export const ROW_LIMIT = 200;

/** The lower-case search terms: every one must appear in a model's id or name. */
export function searchTerms(query: string): string[] {
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter((term) => term !== "");
}

/** Lower-cased id and display name, computed once per model object. */
const haystacks = new WeakMap<ModelChoice, string>();

function haystack(model: ModelChoice): string {
  let text = haystacks.get(model);
  if (text === undefined) {
    text = `${model.id}\n${model.display_name ?? ""}`.toLowerCase();
    haystacks.set(model, text);
  }
  return text;
}

/** Every term appears in the model's id or its display name (case-insensitive); no terms match all. */
export function matches(model: ModelChoice, terms: readonly string[]): boolean {
  const text = haystack(model);
  return terms.every((term) => text.includes(term));
}

/** 0: the query is the model's id, name or model part; 1: one of them starts with the first term; 2: other matches. */
function rank(model: ModelChoice, query: string, first: string): number {
  const id = model.id.toLowerCase();
  const slash = id.indexOf("/");
  const bare = slash < 0 ? id : id.slice(slash + 1);
  const name = (model.display_name ?? "").toLowerCase();
  if (id === query || bare === query || name === query) return 0;
  if (id.startsWith(first) || bare.startsWith(first) || name.startsWith(first)) return 1;
  return 2;
}

/** One provider's part of the results. */
export type PickerGroup =
  | {
      readonly kind: "models";
      readonly provider: ProviderStatus;
      /** The matching models drawn, at most `ROW_LIMIT`. */
      readonly models: readonly ModelChoice[];
      /** Matching models not drawn. */
      readonly more: number;
      /** The provider's list is being fetched again. */
      readonly refreshing: boolean;
    }
  | { readonly kind: "loading"; readonly provider: ProviderStatus }
  | { readonly kind: "error"; readonly provider: ProviderStatus; readonly failure: ModelListFailure }
  /** The provider listed no models at all (not: none matched the search). */
  | { readonly kind: "empty"; readonly provider: ProviderStatus };

/** A row Enter or a click picks: a listed model, or the id as typed. */
export interface PickerOption {
  /** Unique among the options. */
  readonly key: string;
  /** The full `provider/model` id that is picked. */
  readonly id: string;
}

export interface PickerView {
  /** The query as a full id no list holds, offered as typed; null when it is not one. */
  readonly typed: string | null;
  /** Providers with models to show, loading, or failed, in the catalog's order. */
  readonly groups: readonly PickerGroup[];
  /** Providers that need a key and have none. */
  readonly noKey: readonly ProviderStatus[];
  /** The pickable rows in the order they are drawn: the typed id first, then each group's models. */
  readonly options: readonly PickerOption[];
  /** Models matched across every list (including rows not drawn). */
  readonly matched: number;
}

/** `provider/model` with a configured provider and no spaces. */
const FULL_ID = /^([^\s/]+)\/(\S+)$/;

/**
 * The query offered as a model id as typed: it looks like `provider/model` for a
 * configured provider, no loaded list holds it (lists can be incomplete), and it is
 * not excluded. Null otherwise.
 */
export function typedModelId(
  query: string,
  entries: readonly CatalogEntry[],
  exclude: ReadonlySet<string>,
): string | null {
  const id = query.trim();
  const match = FULL_ID.exec(id);
  if (match === null) return null;
  if (!entries.some((e) => e.provider.id === match[1])) return null;
  if (exclude.has(id)) return null;
  const lower = id.toLowerCase();
  const listed = entries.some(
    (e) => e.models.status === "ready" && e.models.models.some((m) => m.id.toLowerCase() === lower),
  );
  return listed ? null : id;
}

/**
 * The picker's rows for `query`: each ready provider's matching models (best first when
 * searching, at most `limit`, minus `exclude`), providers still loading or failed, the
 * providers without a key, and the id as typed when it is one no list holds.
 */
export function pickerView(
  entries: readonly CatalogEntry[],
  query: string,
  exclude: ReadonlySet<string> = new Set(),
  limit: number = ROW_LIMIT,
): PickerView {
  const terms = searchTerms(query);
  const lower = query.trim().toLowerCase();
  const first = terms[0] ?? "";
  const searching = terms.length > 0;

  const groups: PickerGroup[] = [];
  const noKey: ProviderStatus[] = [];
  const options: PickerOption[] = [];
  let matched = 0;

  const typed = typedModelId(query, entries, exclude);
  if (typed !== null) options.push({ key: `typed:${typed}`, id: typed });

  for (const { provider, models: state } of entries) {
    switch (state.status) {
      case "no_key":
        noKey.push(provider);
        break;
      case "loading":
        groups.push({ kind: "loading", provider });
        break;
      case "error":
        groups.push({ kind: "error", provider, failure: state.failure });
        break;
      case "ready": {
        if (state.models.length === 0) {
          if (!searching) groups.push({ kind: "empty", provider });
          break;
        }
        let found = state.models.filter((m) => !exclude.has(m.id) && matches(m, terms));
        if (found.length === 0) break;
        if (searching) {
          // Array.prototype.sort is stable: the provider's order holds within a rank.
          found = found
            .map((model) => ({ model, rank: rank(model, lower, first) }))
            .sort((a, b) => a.rank - b.rank)
            .map((r) => r.model);
        }
        matched += found.length;
        const shown = found.slice(0, limit);
        for (const model of shown) options.push({ key: `model:${model.id}`, id: model.id });
        groups.push({
          kind: "models",
          provider,
          models: shown,
          more: found.length - shown.length,
          refreshing: state.refreshing,
        });
        break;
      }
    }
  }
  return { typed, groups, noKey, options, matched };
}
