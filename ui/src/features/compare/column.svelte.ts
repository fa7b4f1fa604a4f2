/*
 * One column of the grid: a target (model, its parameters, optionally its own system
 * prompt or prompt variant) and the answers it has given, turn by turn. Each column
 * keeps its own conversation: the next turn sends it this column's answers, not the
 * others'.
 */
import type { InputEstimate } from "../../lib/bindings/InputEstimate";
import type { Message } from "../../lib/bindings/Message";
import type { Params } from "../../lib/bindings/Params";
import type { Target } from "../../lib/bindings/Target";
import { Answer } from "./answer.svelte";

export function emptyParams(): Params {
  return {
    temperature: null,
    top_p: null,
    max_tokens: null,
    stop: [],
    seed: null,
    reasoning_effort: null,
    thinking_budget: null,
  };
}

/** What a column is set to; also what a named model set stores per column. */
export interface ColumnSetup {
  model: string | null;
  params: Params;
  /** Overrides the shared system prompt; "" sends none. null: the shared one. */
  system: string | null;
  /** Replaces the shared message for this column; `{{prompt}}` stands for the shared message. */
  variant: string | null;
}

let nextKey = 0;

export class Column {
  /** Stable identity for keyed rendering and focus, never reused. */
  readonly key = `col-${++nextKey}`;
  model: string | null = $state(null);
  params: Params = $state(emptyParams());
  system: string | null = $state(null);
  variant: string | null = $state(null);
  /** Width in pixels once the user resized it; null: share the row. */
  width: number | null = $state(null);
  /** Left out of the next turns ("continue with one" chose another column). */
  paused = $state(false);
  answers: Answer[] = $state([]);
  estimate: InputEstimate | null = $state.raw(null);

  constructor(setup?: Partial<ColumnSetup>) {
    if (setup) this.setup = { ...this.setup, ...setup };
  }

  get setup(): ColumnSetup {
    return {
      model: this.model,
      params: $state.snapshot(this.params),
      system: this.system,
      variant: this.variant,
    };
  }

  set setup(s: ColumnSetup) {
    this.model = s.model;
    this.params = { ...emptyParams(), ...s.params, stop: [...(s.params.stop ?? [])] };
    this.system = s.system;
    this.variant = s.variant;
  }

  get latest(): Answer | undefined {
    return this.answers.at(-1);
  }

  /** The message this column sends for the shared `prompt` (its variant, if any). */
  messageFor(prompt: string): string {
    const variant = this.variant?.trim() ? this.variant : null;
    if (variant === null) return prompt;
    return variant.includes("{{prompt}}") ? variant.replaceAll("{{prompt}}", prompt) : variant;
  }

  /** The system prompt this column sends, given the shared one. */
  systemFor(shared: string): string | null {
    const s = this.system ?? shared;
    return s.trim() === "" ? null : s;
  }

  /**
   * This column's conversation before `turn`: each earlier turn it answered with text,
   * as a user and an assistant message. A turn with no text (an error before the first
   * token) is left out: a user message with no reply would break the alternation.
   */
  history(turn = Number.POSITIVE_INFINITY): Message[] {
    const messages: Message[] = [];
    for (const a of this.answers) {
      if (a.turn >= turn) break;
      if (a.text === "") continue;
      messages.push({ role: "user", content: a.prompt }, { role: "assistant", content: a.text });
    }
    return messages;
  }

  /**
   * What this column sends for the shared `prompt` and system prompt: its model and
   * params, its own system prompt (or the shared one; "" sends none), and its own
   * conversation ending with its message for this turn.
   */
  targetFor(prompt: string, sharedSystem: string): Target {
    return {
      model: this.model ?? "",
      params: $state.snapshot(this.params),
      system: this.systemFor(sharedSystem) ?? "",
      messages: [...this.history(), { role: "user", content: this.messageFor(prompt) }],
    };
  }

  /** A copy with the same setup and no answers. */
  duplicate(): Column {
    const copy = new Column(this.setup);
    copy.width = this.width;
    return copy;
  }
}
