/*
 * The playground's state: the columns, the shared system prompt and draft, the turns
 * sent, and every run in flight. Runs are started through the core (`startCompare`);
 * their events arrive in per-frame batches and are routed to the answers created for
 * them before the request left, so no event can arrive for an answer that is not there.
 */
import { estimateInputs, startCompare, stopCompare, toIpcError } from "../../lib/api";
import type { ChatRequest } from "../../lib/bindings/ChatRequest";
import type { RunEvent } from "../../lib/bindings/RunEvent";
import type { Target } from "../../lib/bindings/Target";
import { Answer } from "./answer.svelte";
import { Column, emptyParams, type ColumnSetup } from "./column.svelte";
import { turnMarks, type TurnMarks } from "./marks";
import { SessionSpend } from "./sessionSpend.svelte";

export const MAX_COLUMNS = 8;
const SETUP_STORAGE = "switchboard.playground.columns";

/** One request to the core: the answers its targets fill, in target order. */
interface RunSlot {
  answers: Answer[];
  id: number | null;
  /** Stop requests made before the core answered with the run's id. */
  pendingStops: (number | null)[];
}

export class Playground {
  columns: Column[] = $state([]);
  /** The shared system prompt. */
  system = $state("");
  /** The message being written. */
  draft = $state("");
  /** The shared messages sent so far, one per turn. */
  turns: string[] = $state([]);
  readonly spend = new SessionSpend();
  /** The latest turn's answers across the columns, their marks and total. */
  readonly latest: TurnMarks & { turn: number; answers: Answer[] } = $derived.by(() => {
    const turn = this.turns.length - 1;
    const answers = this.columns.flatMap((c) => c.answers.filter((a) => a.turn === turn));
    return { turn, answers, ...turnMarks(answers) };
  });
  /**
   * Why the latest run is not being saved to the history (a full disk, a read-only or
   * damaged history); null when it is. Its answers stream all the same.
   */
  notSaved: string | null = $state(null);
  #runs = new Set<RunSlot>();
  #estimateRequest = 0;
  #storage: Storage | null;

  constructor(storage: Storage | null = globalThis.localStorage ?? null) {
    this.#storage = storage;
    this.columns = this.#restore();
  }

  /** Columns with a model that the next turn goes to. */
  get active(): Column[] {
    return this.columns.filter((c) => c.model !== null && !c.paused);
  }

  get running(): boolean {
    return this.columns.some((c) => c.answers.some((a) => a.live));
  }

  get canSend(): boolean {
    return this.draft.trim() !== "" && this.active.length > 0;
  }

  /** Why Send is not possible, for its tooltip; null when it is. */
  get sendBlocked(): string | null {
    if (this.columns.every((c) => c.model === null)) return "Pick at least one model";
    if (this.active.length === 0) return "Every column is paused";
    if (this.draft.trim() === "") return "Write a message first";
    return null;
  }

  // ── Columns ────────────────────────────────────────────────────────────

  addColumn(setup?: Partial<ColumnSetup>): Column | null {
    if (this.columns.length >= MAX_COLUMNS) return null;
    const column = new Column(setup);
    this.columns.push(column);
    this.save();
    return column;
  }

  removeColumn(column: Column): void {
    for (const a of column.answers) if (a.live) void this.stop(a);
    this.columns = this.columns.filter((c) => c !== column);
    this.save();
  }

  duplicateColumn(column: Column): Column | null {
    if (this.columns.length >= MAX_COLUMNS) return null;
    const copy = column.duplicate();
    this.columns.splice(this.columns.indexOf(column) + 1, 0, copy);
    this.save();
    return copy;
  }

  /** Moves a column `by` places (negative: left), clamped to the row. */
  moveColumn(column: Column, by: number): void {
    const from = this.columns.indexOf(column);
    const to = Math.max(0, Math.min(this.columns.length - 1, from + by));
    if (from < 0 || from === to) return;
    const next = [...this.columns];
    next.splice(from, 1);
    next.splice(to, 0, column);
    this.columns = next;
    this.save();
  }

  setModel(column: Column, model: string): void {
    column.model = model;
    this.save();
  }

  /** Replaces every column with `setups` (a named set); answers go with them. */
  loadSetups(setups: readonly ColumnSetup[]): void {
    void this.stopAll();
    this.columns = setups.slice(0, MAX_COLUMNS).map((s) => new Column(s));
    this.turns = [];
    this.save();
  }

  /**
   * A saved run back in the playground (re-run, fork): its targets as the columns, its
   * system prompt, and its prompt in the draft. Whatever was on screen goes, as with a
   * named set; the caller sends, or lets the user edit first.
   */
  loadRun(setups: readonly ColumnSetup[], system: string, prompt: string): void {
    this.loadSetups(setups);
    this.system = system;
    this.draft = prompt;
  }

  /** Keeps only `column` in the next turns; the others stay on screen, paused. */
  continueWith(column: Column): void {
    for (const c of this.columns) c.paused = c !== column;
  }

  /** Brings every paused column back into the next turns. */
  resumeAll(): void {
    for (const c of this.columns) c.paused = false;
  }

  /** A fresh comparison with the same columns: runs stopped, answers and turns cleared. */
  newComparison(): void {
    void this.stopAll();
    for (const c of this.columns) {
      c.answers = [];
      c.paused = false;
    }
    this.turns = [];
  }

  // ── Runs ───────────────────────────────────────────────────────────────

  /** Sends the draft to every active column, each with its own conversation. */
  async send(): Promise<void> {
    if (!this.canSend) return;
    const prompt = this.draft;
    const turn = this.turns.length;
    this.turns.push(prompt);
    this.draft = "";
    const targets: Target[] = [];
    const answers: Answer[] = [];
    for (const c of this.active) {
      const target = c.targetFor(prompt, this.system);
      // "" is how a target says "no system prompt"; the answer keeps null for that.
      const answer = new Answer(turn, target.model, target.messages ?? [], target.system || null);
      // Class instances are not proxied: the answer pushed is the one events update.
      c.answers.push(answer);
      targets.push(target);
      answers.push(answer);
    }
    await this.#start(targets, answers, prompt);
  }

  /** Sends `answer`'s request again; the column's answer for that turn is replaced. */
  async retry(column: Column, answer: Answer): Promise<void> {
    if (answer.live) return;
    const index = column.answers.indexOf(answer);
    if (index < 0) return;
    const fresh = new Answer(answer.turn, answer.model, answer.sent, answer.system);
    column.answers[index] = fresh;
    const target: Target = {
      model: answer.model,
      params: $state.snapshot(column.params),
      system: answer.system ?? "",
      messages: [...answer.sent],
    };
    await this.#start([target], [fresh], answer.prompt);
  }

  /** Stops one answer; it keeps its partial text and gets its summary. */
  async stop(answer: Answer): Promise<void> {
    const slot = [...this.#runs].find((r) => r.answers.includes(answer));
    if (!slot) return;
    const index = slot.answers.indexOf(answer);
    if (slot.id === null) slot.pendingStops.push(index);
    else await stopCompare(slot.id, index).catch(() => false);
  }

  /** Stops every run in flight. */
  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.#runs].map((slot) => {
        if (slot.id === null) {
          slot.pendingStops.push(null);
          return Promise.resolve(false);
        }
        return stopCompare(slot.id, null).catch(() => false);
      }),
    );
  }

  async #start(targets: Target[], answers: Answer[], prompt: string): Promise<void> {
    const slot: RunSlot = { answers, id: null, pendingStops: [] };
    this.#runs.add(slot);
    const request: ChatRequest = {
      system: this.system.trim() === "" ? null : this.system,
      messages: [{ role: "user", content: prompt }],
      params: emptyParams(),
    };
    const onEvents = (events: RunEvent[]): void => {
      for (const e of events) {
        const answer = slot.answers[e.target];
        if (!answer) continue;
        answer.apply(e);
        if (e.event === "summary") {
          this.spend.add(e.model, e.cost);
          if (slot.answers.every((a) => !a.live)) this.#finish(slot);
        }
      }
    };
    try {
      const started = await startCompare({ request, targets }, onEvents);
      slot.id = started.id;
      this.notSaved = started.history_error;
      for (const target of slot.pendingStops) await stopCompare(slot.id, target).catch(() => false);
    } catch (reason: unknown) {
      const error = toIpcError(reason);
      for (const a of answers) a.fail(error.message);
      this.#runs.delete(slot);
    }
  }

  #finish(slot: RunSlot): void {
    this.#runs.delete(slot);
    void this.spend.refreshLedger();
  }

  // ── Estimates ──────────────────────────────────────────────────────────

  /**
   * Input tokens and cost of the draft for every active column, before it is sent.
   * A stale answer never overwrites a newer one; a failure leaves no estimate.
   */
  async estimate(): Promise<void> {
    const request = ++this.#estimateRequest;
    const columns = this.active;
    const prompt = this.draft;
    if (columns.length === 0) return;
    const targets = columns.map((c) => c.targetFor(prompt, this.system));
    try {
      const estimates = await estimateInputs({
        request: { system: null, messages: [{ role: "user", content: prompt }], params: emptyParams() },
        targets,
      });
      if (request !== this.#estimateRequest) return;
      columns.forEach((c, i) => (c.estimate = estimates[i] ?? null));
    } catch {
      if (request === this.#estimateRequest) for (const c of columns) c.estimate = null;
    }
  }

  // ── Persistence of the column setup (not the answers: history keeps those) ──

  save(): void {
    try {
      this.#storage?.setItem(SETUP_STORAGE, JSON.stringify(this.columns.map((c) => c.setup)));
    } catch {
      // A full or disabled storage only costs the setup at the next start.
    }
  }

  #restore(): Column[] {
    try {
      const raw = this.#storage?.getItem(SETUP_STORAGE);
      if (!raw) return [];
      const parsed: unknown = JSON.parse(raw);
      if (!Array.isArray(parsed)) return [];
      return parsed
        .filter((s): s is ColumnSetup => typeof s === "object" && s !== null && "model" in s)
        .slice(0, MAX_COLUMNS)
        .map((s) => new Column({ ...s, params: { ...emptyParams(), ...(s.params ?? {}) } }));
    } catch {
      return [];
    }
  }
}
