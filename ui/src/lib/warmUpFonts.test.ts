import { afterEach, describe, expect, it, vi } from "vitest";
import { warmUpFonts } from "./warmUpFonts";

describe("warmUpFonts", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("lays out one combination per task, off screen and hidden from assistive tech, and leaves nothing behind", () => {
    vi.useFakeTimers();
    const before = document.body.childElementCount;
    warmUpFonts();
    const host = document.body.lastElementChild as HTMLElement;
    expect(host.getAttribute("aria-hidden")).toBe("true");
    expect(host.style.left).toBe("-10000px");
    // The first combination now; the next ones each in a later task.
    expect(host.childElementCount).toBe(1);
    vi.advanceTimersToNextTimer();
    expect(host.childElementCount).toBe(2);
    vi.runAllTimers();
    // The session tally's disclosure is among them, then the host goes.
    expect(host.querySelector("details > summary")).not.toBeNull();
    expect(host.isConnected).toBe(false);
    expect(document.body.childElementCount).toBe(before);
  });
});
