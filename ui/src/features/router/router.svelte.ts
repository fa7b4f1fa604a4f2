// The local router as the app sees it: its status (shared by the Router view and the
// status bar) and the live log, which fills from the core's `router-call` events while
// the app runs, whichever view is open.
import { toIpcError } from "../../lib/api/errors";
import { onRouterCall, onRouterStatus, routerCopyToken, routerSetCaps, routerStart, routerStatus, routerStop } from "../../lib/api/router";
import type { RouterCallEvent } from "../../lib/bindings/RouterCallEvent";
import type { RouterStatus } from "../../lib/bindings/RouterStatus";
import { DEFAULT_PORT, LOG_CAP, parsePort, pushRow, type LogRow } from "./logic";

export class RouterStore {
  /** Null until the core first answers. */
  status: RouterStatus | null = $state.raw(null);
  /** The newest call first, at most [`LOG_CAP`]. */
  rows: LogRow[] = $state.raw([]);
  /** What the port field holds. */
  portText: string = $state(String(DEFAULT_PORT));
  busy = $state(false);
  error: string | null = $state(null);
  /** This start's totals, kept after a stop (the log still shows its calls); null before any start. */
  session: Pick<RouterStatus, "calls" | "cost_usd" | "unpriced_calls"> | null = $state.raw(null);
  /** "Token copied" and the like; cleared by the next action. */
  notice: string | null = $state(null);
  /** What the daily and monthly cap fields hold, USD; empty = no cap. */
  capDayText: string = $state("");
  capMonthText: string = $state("");
  /** Why the core refused the caps typed; shown beside the fields. */
  capsError: string | null = $state(null);
  /** Set briefly after the caps are saved. */
  capsSaved = $state(false);

  private nextKey = 0;
  private stops: Promise<() => void>[] = [];

  get running(): boolean {
    return this.status?.running === true;
  }

  /** Starts listening to the core's router events and reads the status. */
  async start(): Promise<void> {
    this.stops.push(
      onRouterCall((e) => this.onCall(e)),
      onRouterStatus((s) => this.setStatus(s)),
    );
    await this.load();
  }

  stop(): void {
    for (const stop of this.stops) void stop.then((s) => s());
    this.stops = [];
  }

  async load(): Promise<void> {
    try {
      this.setStatus(await routerStatus());
    } catch (e) {
      this.error = toIpcError(e).message;
    }
  }

  /** Starts the router on the port typed (refused before asking the core when it is not a port). */
  async startRouter(): Promise<void> {
    const parsed = parsePort(this.portText);
    this.notice = null;
    if ("error" in parsed) {
      this.error = parsed.error;
      return;
    }
    await this.act(() => routerStart(parsed.port));
  }

  async stopRouter(): Promise<void> {
    this.notice = null;
    await this.act(() => routerStop());
  }

  /** Saves the caps as typed: the core parses them, so its message says what is wrong. */
  async saveCaps(): Promise<void> {
    this.busy = true;
    this.capsSaved = false;
    try {
      this.setStatus(await routerSetCaps(this.capDayText, this.capMonthText), true);
      this.capsError = null;
      this.capsSaved = true;
    } catch (e) {
      this.capsError = toIpcError(e).message;
    } finally {
      this.busy = false;
    }
  }

  async copyToken(): Promise<void> {
    this.notice = null;
    try {
      await routerCopyToken();
      this.error = null;
      this.notice = "Token copied. Keep it in SWITCHBOARD_ROUTER_TOKEN for your apps.";
    } catch (e) {
      this.error = toIpcError(e).message;
    }
  }

  onCall(event: RouterCallEvent): void {
    this.rows = pushRow(this.rows, event.call, this.nextKey++, LOG_CAP);
    this.session = { calls: event.calls, cost_usd: event.cost_usd, unpriced_calls: event.unpriced_calls };
  }

  private setStatus(status: RouterStatus, capsSaved = false): void {
    const wasRunning = this.status?.running === true;
    const first = this.status === null;
    this.status = status;
    if (status.running) this.session = { calls: status.calls, cost_usd: status.cost_usd, unpriced_calls: status.unpriced_calls };
    // The field follows the core (the saved port) unless the user is mid-edit of a stopped router.
    if (status.running || !wasRunning) this.portText = String(status.port);
    // The cap fields show the saved caps when the core first answers, once they are saved,
    // and while running (the caps in force); otherwise what is being typed is left alone.
    if (first || capsSaved || status.running) {
      this.capDayText = status.cap_day_usd ?? "";
      this.capMonthText = status.cap_month_usd ?? "";
    }
    if (status.running) this.capsSaved = false;
  }

  private async act(work: () => Promise<RouterStatus>): Promise<void> {
    this.busy = true;
    try {
      this.setStatus(await work());
      this.error = null;
    } catch (e) {
      this.error = toIpcError(e).message;
    } finally {
      this.busy = false;
    }
  }
}
