import { describe, expect, it, vi } from "vitest";
import { warmUpColumn } from "./warmUpColumn";

describe("warmUpColumn", () => {
  it("renders a column sending, then finished, off screen and inert, and leaves nothing behind", async () => {
    const before = document.body.childElementCount;
    const saved = localStorage.getItem("switchboard.playground.columns");
    // The end comes in the next frame: take that frame's callback to look in between.
    const frames: FrameRequestCallback[] = [];
    const raf = vi.spyOn(window, "requestAnimationFrame").mockImplementation((cb) => frames.push(cb));
    const done = warmUpColumn();
    const host = document.body.lastElementChild as HTMLElement;
    expect(host.getAttribute("aria-hidden")).toBe("true");
    expect(host.inert).toBe(true);
    expect(host.style.left).toBe("-10000px");
    // The send's state: none of the real columns' test ids.
    expect(host.querySelector('[data-testid="column-0"]')).toBeNull();
    expect(host.querySelector('[data-testid="column--1"] [data-testid="answer-waiting"]')).not.toBeNull();
    expect(host.querySelector('[data-testid="column-stop--1"]')).not.toBeNull();
    expect(frames).toHaveLength(1);
    frames[0]?.(performance.now());
    // The end's: figures, Retry / Copy / Continue, priced and unpriced.
    expect(host.querySelector('[data-testid="column-retry--1"]')).not.toBeNull();
    expect(host.querySelector('[data-testid="column-continue--2"]')).not.toBeNull();
    // No marks: the E2E tests look for them anywhere on the page.
    expect(host.querySelector('[data-testid^="mark-"]')).toBeNull();
    expect(host.querySelector('[data-testid="column--2"] .metric.cost.unpriced')).not.toBeNull();
    await done;
    raf.mockRestore();
    expect(document.body.childElementCount).toBe(before);
    // Its playground has no storage: the user's saved columns are untouched.
    expect(localStorage.getItem("switchboard.playground.columns")).toBe(saved);
  });
});
