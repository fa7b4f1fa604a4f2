import { describe, expect, it } from "vitest";
import { DrawPacer } from "./pace";

/** A pacer on a hand-driven clock and frame queue. */
function paced(gapMs = 8): { pacer: DrawPacer; draws: number[]; at: (ms: number) => void; frame: () => void; pending: () => number } {
  let now = 0;
  const frames: (() => void)[] = [];
  const draws: number[] = [];
  const pacer = new DrawPacer(
    () => draws.push(now),
    gapMs,
    () => now,
    (run) => frames.push(run),
  );
  return {
    pacer,
    draws,
    at: (ms) => (now = ms),
    frame: () => frames.splice(0).forEach((run) => run()),
    pending: () => frames.length,
  };
}

describe("DrawPacer", () => {
  it("draws a change at once when the answer was not drawn within the gap", () => {
    const p = paced();
    p.pacer.changed();
    p.at(16);
    p.pacer.changed();
    p.at(32);
    p.pacer.changed();
    expect(p.draws).toEqual([0, 16, 32]);
    expect(p.pending()).toBe(0);
  });

  it("folds changes that come close together into one draw in the next frame", () => {
    const p = paced();
    p.pacer.changed();
    // A page that fell behind handles three queued batches back to back.
    p.at(1);
    p.pacer.changed();
    p.at(2);
    p.pacer.changed();
    p.at(3);
    p.pacer.changed();
    expect(p.draws).toEqual([0]);
    expect(p.pending()).toBe(1);
    p.at(12);
    p.frame();
    expect(p.draws).toEqual([0, 12]);
    // The frame's draw counts as the last one: a change right after it waits again.
    p.at(14);
    p.pacer.changed();
    expect(p.draws).toEqual([0, 12]);
    p.at(28);
    p.frame();
    p.at(40);
    p.pacer.changed();
    expect(p.draws).toEqual([0, 12, 28, 40]);
  });
});
