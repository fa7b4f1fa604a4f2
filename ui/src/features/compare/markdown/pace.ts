/**
 * When a live answer redraws. A stream changes the answer with every batch the core
 * sends (about one a frame per column, several once the page falls behind, in up to
 * eight columns). Drawing every change at once would queue work behind a slow frame;
 * drawing only in the next animation frame made every change wait for one (WebKit draws
 * a changed page without waiting for the display's next refresh, and with eight answers
 * streaming the page drew ~60 frames/s on rAF against ~90–100 this way; delta→paint
 * p50 31–36 → 19–23 ms in make bench-ui). So: at once when this answer has not been drawn
 * within the last `gapMs`, else in the next frame, with whatever else arrived by then.
 */
export const DRAW_GAP_MS = 8;

export class DrawPacer {
  private last = Number.NEGATIVE_INFINITY;
  private queued = false;

  constructor(
    private readonly draw: () => void,
    private readonly gapMs: number = DRAW_GAP_MS,
    private readonly clock: () => number = () => performance.now(),
    private readonly nextFrame: (run: () => void) => void = (run) => void requestAnimationFrame(run),
  ) {}

  /** The answer changed: draws it now, or in the next frame if it was drawn just now. */
  changed(): void {
    if (this.queued) return;
    const now = this.clock();
    if (now - this.last >= this.gapMs) {
      this.last = now;
      this.draw();
      return;
    }
    this.queued = true;
    this.nextFrame(() => {
      this.queued = false;
      this.last = this.clock();
      this.draw();
    });
  }
}
