/**
 * The spend dashboard's state: the range and period chosen, and the three groupings the
 * core sums for that range (per period, per provider, per model). Money stays as the
 * core's decimal strings; only the charts turn it into numbers, to draw.
 */
import { historyStats } from "../../lib/api/history";
import { toIpcError } from "../../lib/api/errors";
import type { StatsRow } from "../../lib/bindings/StatsRow";
import { addDecimals } from "../../lib/money";
import { fillPeriods, rangeBounds, type Period, type RangeId } from "./periods";

export class SpendDashboard {
  range: RangeId = $state("30d");
  period: Period = $state("day");
  /** Per period, oldest first, every period of the range filled in. */
  periods: StatsRow[] = $state.raw([]);
  providers: StatsRow[] = $state.raw([]);
  models: StatsRow[] = $state.raw([]);
  loading = $state(false);
  /** True once a load has answered (the empty state waits for it). */
  loaded = $state(false);
  error: string | null = $state(null);

  readonly #now: () => Date;
  /** Answers to an older request are dropped: the last range or period chosen wins. */
  #seq = 0;
  #periodSeq = 0;

  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
  }

  bounds(): { from: string | null; to: string | null } {
    return rangeBounds(this.range, this.#now());
  }

  /** Everything again, for the range as it is. */
  async load(): Promise<void> {
    const seq = ++this.#seq;
    const periodSeq = ++this.#periodSeq;
    const { from, to } = this.bounds();
    const period = this.period;
    this.loading = true;
    try {
      const [periods, providers, models] = await Promise.all([
        historyStats(period, from, to),
        historyStats("provider", from, to),
        historyStats("model", from, to),
      ]);
      if (seq !== this.#seq) return;
      if (periodSeq === this.#periodSeq) this.periods = fillPeriods(periods, period, from, to, this.#now());
      this.providers = providers;
      this.models = models;
      this.error = null;
      this.loaded = true;
    } catch (e) {
      if (seq === this.#seq) this.error = toIpcError(e).message;
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }

  setRange(range: RangeId): Promise<void> {
    this.range = range;
    return this.load();
  }

  /** Another period only asks for the time grouping again. */
  async setPeriod(period: Period): Promise<void> {
    this.period = period;
    const seq = ++this.#periodSeq;
    const { from, to } = this.bounds();
    try {
      const rows = await historyStats(period, from, to);
      if (seq !== this.#periodSeq) return;
      this.periods = fillPeriods(rows, period, from, to, this.#now());
      this.error = null;
    } catch (e) {
      if (seq === this.#periodSeq) this.error = toIpcError(e).message;
    }
  }

  /** No response at all in the range. */
  get empty(): boolean {
    return this.loaded && this.error === null && this.models.every((m) => m.responses === 0);
  }

  /** The range's totals over every model: exact sums, `usd` null when nothing was priced. */
  get totals(): { usd: string | null; responses: number; unpriced: number; wins: number; input: number; output: number } {
    let usd: string | null = null;
    let responses = 0;
    let unpriced = 0;
    let wins = 0;
    let input = 0;
    let output = 0;
    for (const m of this.models) {
      if (m.cost_usd !== null) usd = usd === null ? m.cost_usd : addDecimals(usd, m.cost_usd);
      responses += m.responses;
      unpriced += m.unpriced;
      wins += m.wins;
      input += m.input_tokens;
      output += m.output_tokens;
    }
    return { usd, responses, unpriced, wins, input, output };
  }
}
