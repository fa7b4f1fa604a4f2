/* How the history shows a run in a line: its title, its models, its cost and its age. */
import type { DisplayCurrency } from "../../lib/bindings/DisplayCurrency";
import type { RunSummary } from "../../lib/bindings/RunSummary";
import { formatMoney } from "../../lib/money";

/** The user's title, or the prompt's first non-blank line. */
export function runTitle(run: Pick<RunSummary, "title" | "prompt">): string {
  const title = run.title?.trim();
  if (title) return title;
  const line = run.prompt.split("\n").find((l) => l.trim() !== "")?.trim();
  return line ?? "(empty prompt)";
}

/** `openai/gpt-4o` → `gpt-4o`; `openrouter/meta-llama/llama-3.3-70b` → `llama-3.3-70b`. */
export function shortModel(model: string): string {
  return model.split("/").at(-1) || model;
}

/** The models of a run, short, at most `max` named and the rest counted. */
export function shortModels(models: readonly string[], max = 3): string {
  const names = models.slice(0, max).map(shortModel);
  const rest = models.length - names.length;
  return rest > 0 ? `${names.join(", ")} +${rest}` : names.join(", ");
}

/**
 * A run's cost: the sum of its priced answers, with the unpriced counted apart
 * (`$0.0123 + 1 unpriced`); `unpriced` when nothing is priced — never `$0`.
 */
export function runCost(run: Pick<RunSummary, "cost_usd" | "unpriced">, currency: DisplayCurrency): string {
  if (run.cost_usd === null) return "unpriced";
  const money = formatMoney(run.cost_usd, currency);
  return run.unpriced > 0 ? `${money} + ${run.unpriced} unpriced` : money;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `just now`, `5 min ago`, `3 h ago`, `yesterday`, `4 d ago`, then the date. */
export function relativeDate(iso: string, now: number = Date.now()): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return "";
  const ago = now - at;
  if (ago < MINUTE) return "just now";
  if (ago < HOUR) return `${Math.floor(ago / MINUTE)} min ago`;
  if (ago < DAY) return `${Math.floor(ago / HOUR)} h ago`;
  if (ago < 2 * DAY) return "yesterday";
  if (ago < 7 * DAY) return `${Math.floor(ago / DAY)} d ago`;
  const date = new Date(at);
  const sameYear = date.getFullYear() === new Date(now).getFullYear();
  return date.toLocaleDateString(undefined, sameYear ? { month: "short", day: "numeric" } : { year: "numeric", month: "short", day: "numeric" });
}

/** The full local date and time, for a tooltip. */
export function fullDate(iso: string): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? iso : new Date(at).toLocaleString();
}
