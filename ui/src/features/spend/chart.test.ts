import { afterEach, describe, expect, it, vi } from "vitest";
import { createBarChart, loadUPlot, readTheme } from "./chart";

/** A 2D context that accepts every call: enough for uPlot to lay out and draw. */
function fakeContext(): CanvasRenderingContext2D {
  const calls: string[] = [];
  return new Proxy({ calls } as unknown as CanvasRenderingContext2D, {
    get(target, prop) {
      if (prop === "calls") return calls;
      if (prop === "measureText") return (text: string) => ({ width: text.length * 6 });
      if (prop in target) return (target as unknown as Record<string | symbol, unknown>)[prop];
      return (...args: unknown[]) => {
        calls.push(String(prop));
        void args;
      };
    },
    set(target, prop, value) {
      (target as unknown as Record<string | symbol, unknown>)[prop] = value;
      return true;
    },
  });
}

afterEach(() => vi.unstubAllGlobals());

describe("the real uPlot, with the dashboard's options", () => {
  it("builds the bar chart and draws bars without complaint", async () => {
    vi.stubGlobal("matchMedia", () => ({ matches: false, addEventListener() {}, removeEventListener() {}, addListener() {}, removeListener() {} }));
    vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockImplementation(() => fakeContext() as never);
    vi.stubGlobal("Path2D", class {
      rect(): void {}
      moveTo(): void {}
      lineTo(): void {}
      arc(): void {}
      closePath(): void {}
      addPath(): void {}
    });
    const U = await loadUPlot();
    const host = document.createElement("div");
    document.body.appendChild(host);
    const hovered: (number | null)[] = [];
    const plot = createBarChart(U, host, {
      labels: ["Nov 16", "Nov 17", "Nov 18"],
      values: [0, null, 0.5],
      formatY: (v) => `$${v.toFixed(2)}`,
      onHover: (i) => hovered.push(i),
      width: 600,
      height: 200,
      theme: readTheme(host),
    });
    // uPlot lays out and draws in a microtask.
    await new Promise((r) => setTimeout(r, 0));
    expect(host.querySelector("canvas")).not.toBeNull();
    expect(plot.data).toEqual([
      [0, 1, 2],
      [0, null, 0.5],
    ]);
    expect(plot.scales.x?.min).toBe(-0.5);
    expect(plot.scales.x?.max).toBe(2.5);
    expect(plot.scales.y?.min).toBe(0);
    expect(plot.scales.y?.max).toBeCloseTo(0.56);
    const fill = plot.series[1]?.fill as unknown as (u: unknown, i: number) => string;
    expect(fill(plot, 1)).toBe("#5e5ce6");
    expect((plot.ctx as unknown as { calls: string[] }).calls).toContain("fill");
    plot.destroy();
    host.remove();
  });
});

describe("loading uPlot under a POSIX locale", () => {
  it("loads where navigator.language is \"C\" (WebKitGTK with LANG=C), and puts the language back", async () => {
    vi.resetModules();
    vi.stubGlobal("matchMedia", () => ({ matches: false, addEventListener() {}, removeEventListener() {}, addListener() {}, removeListener() {} }));
    const proto = Object.getPrototypeOf(navigator) as object;
    const spy = vi.spyOn(proto as Navigator, "language", "get").mockReturnValue("C");
    try {
      expect(() => new Intl.NumberFormat(navigator.language)).toThrow(RangeError);
      const chart = await import("./chart");
      const U = await chart.loadUPlot();
      expect(typeof U).toBe("function");
      expect(navigator.language).toBe("C");
      expect(Object.getOwnPropertyDescriptor(navigator, "language")).toBeUndefined();
    } finally {
      spy.mockRestore();
    }
  });
});
