/**
 * What the status bar says about provider keys: a pure function over the core's
 * overview, so its words are tested without rendering it.
 */
import type { ProviderStatus } from "../../lib/bindings/ProviderStatus";
import type { ProvidersOverview } from "../../lib/bindings/ProvidersOverview";

export type SummaryTone = "ok" | "idle" | "warn";

export interface ProviderSummary {
  /** Which dot to show. */
  readonly tone: SummaryTone;
  readonly text: string;
  /** The tooltip. */
  readonly title: string;
}

/** Where a provider's key comes from, as the tooltip names it: "keychain", "$ANTHROPIC_API_KEY". */
export function keySourceLabel(provider: ProviderStatus): string {
  switch (provider.key.source) {
    case "keychain":
      return "keychain";
    case "env":
      return provider.key.env_var === null ? "environment" : `$${provider.key.env_var}`;
    case "none":
      return "no key";
  }
}

/** The providers with a key, e.g. "OpenAI (keychain), Anthropic ($ANTHROPIC_API_KEY)". */
export function readyList(providers: readonly ProviderStatus[]): string {
  return providers.map((p) => `${p.label} (${keySourceLabel(p)})`).join(", ");
}

export function providerSummary(overview: ProvidersOverview): ProviderSummary {
  const ready = overview.providers.filter((p) => p.key.set);
  const problem = overview.keychain.problem;

  const keys =
    ready.length === 0
      ? "No provider keys yet"
      : `${ready.length.toLocaleString("en-US")} ${ready.length === 1 ? "provider" : "providers"} ready`;
  const lines = [ready.length === 0 ? "Set up providers in Settings" : readyList(ready)];

  if (problem === null) {
    return { tone: ready.length === 0 ? "idle" : "ok", text: keys, title: lines.join("\n") };
  }
  lines.push(`Keychain unavailable: ${problem.cause}`);
  return { tone: "warn", text: `${keys} · keychain unavailable`, title: lines.join("\n") };
}
