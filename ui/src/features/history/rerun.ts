/* A saved run as playground columns, for Re-run and Fork. */
import type { RunDetail } from "../../lib/bindings/RunDetail";
import { emptyParams, type ColumnSetup } from "../compare/column.svelte";
import { MAX_COLUMNS } from "../compare/playground.svelte";

/**
 * One column per response, in column order: its model and params, its own system
 * prompt when it was sent one other than the run's ("" when it was sent none), and its
 * own message as a variant when it was not the run's prompt.
 */
export function setupsFromRun(run: RunDetail): ColumnSetup[] {
  const shared = run.system ?? "";
  return [...run.responses]
    .sort((a, b) => a.position - b.position)
    .slice(0, MAX_COLUMNS)
    .map((r) => {
      const own = r.system ?? "";
      const message = [...r.messages].reverse().find((m) => m.role === "user")?.content ?? run.prompt;
      return {
        model: r.model,
        params: { ...emptyParams(), ...r.params, stop: [...r.params.stop] },
        system: own === shared ? null : own,
        variant: message === run.prompt ? null : message,
      };
    });
}
