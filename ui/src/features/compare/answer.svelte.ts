/*
 * One model's answer to one turn, as it streams: the text and reasoning so far, the
 * live state, and — once the core sends it — the summary with the real metrics and cost.
 * Partial text is never dropped: an error or a stop keeps what had arrived.
 */
import type { ErrorInfo } from "../../lib/bindings/ErrorInfo";
import type { FinishReason } from "../../lib/bindings/FinishReason";
import type { Message } from "../../lib/bindings/Message";
import type { RunEvent } from "../../lib/bindings/RunEvent";
import type { TargetSummary } from "../../lib/bindings/TargetSummary";
import type { Usage } from "../../lib/bindings/Usage";
import { TextLog } from "./textLog";

/** `failed`: the run could not start at all (the core refused the request). */
export type AnswerStatus = "waiting" | "streaming" | "ok" | "error" | "cancelled" | "failed";

export class Answer {
  /** Which turn of the comparison (0-based) this answers. */
  readonly turn: number;
  /** The model it was sent to. */
  readonly model: string;
  /** The whole conversation sent, ending with this turn's user message (for retry). */
  readonly sent: readonly Message[];
  /** The system prompt sent (null: none). */
  readonly system: string | null;

  text = $state("");
  reasoning = $state("");
  status: AnswerStatus = $state("waiting");
  finish: FinishReason | null = $state(null);
  usage: Usage | null = $state.raw(null);
  error: ErrorInfo | null = $state.raw(null);
  hint: string | null = $state(null);
  summary: TargetSummary | null = $state.raw(null);
  /** performance.now() when sent, when the first token arrived, when it ended. */
  startedAt: number = $state(0);
  firstTokenAt: number | null = $state(null);
  endedAt: number | null = $state(null);
  /** Set once the core has accepted the run, for stop. */
  run: number | null = null;
  target = 0;
  /** The text's pieces while it streams, for `textSlice` (dropped once settled). */
  #log: TextLog | null = new TextLog();

  constructor(turn: number, model: string, sent: readonly Message[], system: string | null) {
    this.turn = turn;
    this.model = model;
    this.sent = sent;
    this.system = system;
    this.startedAt = performance.now();
  }

  /** The user message this answer replies to. */
  get prompt(): string {
    return this.sent.at(-1)?.content ?? "";
  }

  /** Still waiting for or receiving tokens. */
  get live(): boolean {
    return this.status === "waiting" || this.status === "streaming";
  }

  /** Applies one event of the run (already routed to this answer). */
  apply(event: RunEvent): void {
    switch (event.event) {
      case "started":
        if (this.status === "waiting") this.status = "streaming";
        break;
      case "delta":
        this.#firstToken();
        this.text += event.text;
        this.#log?.append(event.text);
        break;
      case "reasoning":
        this.#firstToken();
        this.reasoning += event.text;
        break;
      case "usage": {
        const { target: _t, event: _e, ...usage } = event;
        this.usage = usage;
        break;
      }
      case "finished":
        this.finish = event.finish_reason;
        break;
      case "error": {
        const { target: _t, event: _e, ...error } = event;
        this.error = error;
        break;
      }
      case "summary": {
        const { target: _t, event: _e, ...summary } = event;
        this.#settle(summary);
        break;
      }
    }
  }

  /**
   * `text.slice(from, to)`, without copying the whole text while it streams: `text` is
   * then a rope, and slicing a rope flattens it (see TextLog).
   */
  textSlice(from: number, to?: number): string {
    return this.#log !== null ? this.#log.slice(from, to) : this.text.slice(from, to);
  }

  /** The run could not start: the request never left. */
  fail(message: string): void {
    this.status = "failed";
    this.error = { kind: "invalid_request", message, status: null, retry_after_s: null, phase: null };
    this.endedAt = performance.now();
  }

  #firstToken(): void {
    if (this.firstTokenAt === null) this.firstTokenAt = performance.now();
    if (this.status === "waiting") this.status = "streaming";
  }

  #settle(summary: TargetSummary): void {
    this.summary = summary;
    this.#log = null;
    // The summary's text is the whole answer: equal to what streamed, unless a batch was
    // lost with a reloaded page; it wins either way.
    if (summary.text !== this.text) this.text = summary.text;
    if (summary.reasoning !== this.reasoning) this.reasoning = summary.reasoning;
    this.usage = summary.usage;
    this.finish = summary.finish_reason;
    this.error = summary.error;
    this.hint = summary.hint;
    this.status = summary.status;
    this.endedAt = performance.now();
  }
}
