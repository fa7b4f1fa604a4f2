/*
 * Editing a setup in the UI: its strategy as the user picks it (fallback or load
 * balance), its targets in order, their weights. The core keeps the shape in `groups`:
 * fallback = one target per group, load balance = one group of all targets.
 */
import type { Setup } from "../../lib/bindings/Setup";
import type { SetupTarget } from "../../lib/bindings/SetupTarget";
import type { StrategyChoice } from "../../lib/bindings/StrategyChoice";
import { emptyParams } from "../compare/column.svelte";

/** Every target, group by group. */
export function targetsOf(setup: Setup): SetupTarget[] {
  return setup.groups.flatMap((g) => g.targets);
}

/**
 * How the setup routes, as the editor shows it: one group of several targets is a load
 * balance; anything else (one target, one per group, an imported mix) is edited as a fallback.
 */
export function choiceOf(setup: Setup): StrategyChoice {
  const [only] = setup.groups;
  return setup.groups.length === 1 && only !== undefined && only.targets.length > 1 ? "loadbalance" : "fallback";
}

/** A balanced group followed by fallbacks (imported configs): reshaping it loses that shape. */
export function isMixed(setup: Setup): boolean {
  return setup.groups.length > 1 && setup.groups.some((g) => g.targets.length > 1);
}

/** `targets` arranged as `choice` says. */
export function shaped(setup: Setup, choice: StrategyChoice, targets: SetupTarget[] = targetsOf(setup)): Setup {
  const groups = choice === "loadbalance" ? [{ targets }] : targets.map((t) => ({ targets: [t] }));
  return { ...setup, groups };
}

/** The setup with its targets in a new order (the strategy unchanged). */
export function moved(setup: Setup, from: number, to: number): Setup {
  const targets = [...targetsOf(setup)];
  if (from < 0 || from >= targets.length || to < 0 || to >= targets.length || from === to) return setup;
  const [t] = targets.splice(from, 1);
  if (t === undefined) return setup;
  targets.splice(to, 0, t);
  return shaped(setup, choiceOf(setup), targets);
}

/** The setup with target `index` changed by `change`. */
export function withTarget(setup: Setup, index: number, change: Partial<SetupTarget>): Setup {
  let i = 0;
  const groups = setup.groups.map((g) => ({
    targets: g.targets.map((t) => (i++ === index ? { ...t, ...change } : t)),
  }));
  return { ...setup, groups };
}

/** The setup without target `index` (an emptied group goes with it). */
export function withoutTarget(setup: Setup, index: number): Setup {
  let i = 0;
  const groups = setup.groups
    .map((g) => ({ targets: g.targets.filter(() => i++ !== index) }))
    .filter((g) => g.targets.length > 0);
  return { ...setup, groups };
}

/** A model id as the user typed it, trimmed, or null when it is not `provider/model`. */
export function modelId(typed: string): string | null {
  const id = typed.trim();
  const slash = id.indexOf("/");
  return slash > 0 && slash < id.length - 1 ? id : null;
}

/**
 * The setup with `model` added last, with default parameters: in a load balance into its
 * one group with weight 1, otherwise (a fallback, an empty setup) as its own group.
 */
export function withAddedTarget(setup: Setup, model: string): Setup {
  const target: SetupTarget = { model, weight: 1, params: emptyParams() };
  const [only] = setup.groups;
  if (choiceOf(setup) === "loadbalance" && only !== undefined) {
    return { ...setup, groups: [{ targets: [...only.targets, target] }] };
  }
  return { ...setup, groups: [...setup.groups, { targets: [target] }] };
}

/** A new, empty fallback setup, under `chat` or the first of `chat-2`, `chat-3`… not in `taken`. */
export function blankSetup(taken: readonly string[]): Setup {
  const used = new Set(taken);
  let alias = "chat";
  for (let n = 2; used.has(alias); n++) alias = `chat-${n}`;
  return { alias, groups: [], retries: 2, timeout_secs: 60 };
}

/** Each target's share of the load in percent (load balance), rounded. */
export function shares(targets: SetupTarget[]): number[] {
  const total = targets.reduce((sum, t) => sum + t.weight, 0);
  return targets.map((t) => (total > 0 ? Math.round((t.weight / total) * 100) : 0));
}
