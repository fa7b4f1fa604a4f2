/**
 * The spend-over-time bar chart, drawn with uPlot on a canvas. Colours come from the
 * app's CSS custom properties (read again when the OS theme changes); where there is no
 * canvas (jsdom, a locked-down webview) the chart is not created and the table stands in.
 */
import type uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

type UPlot = typeof uPlot;

let loading: Promise<UPlot> | null = null;

/**
 * uPlot itself, loaded the first time a chart is drawn: it reads the window as it loads
 * (matchMedia for the pixel ratio), so it is only ever loaded where a canvas exists.
 */
export function loadUPlot(): Promise<UPlot> {
  loading ??= withIntlLanguage(() => import("uplot")).then(
    (m) => m.default,
    (e: unknown) => {
      loading = null;
      throw e;
    },
  );
  return loading;
}

/**
 * Runs `load` with a `navigator.language` that Intl accepts. uPlot builds
 * `new Intl.NumberFormat(navigator.language)` as it loads, and WebKitGTK under a POSIX
 * locale (LANG=C — servers, containers, this project's CI) reports "C", which Intl
 * refuses with "invalid language tag": the chart then never loaded. The own property
 * shadows the browser's getter only while the module evaluates.
 */
async function withIntlLanguage<T>(load: () => Promise<T>): Promise<T> {
  if (intlAccepts(navigator.language)) return load();
  Object.defineProperty(navigator, "language", { value: "en-US", configurable: true });
  try {
    return await load();
  } finally {
    Reflect.deleteProperty(navigator, "language");
  }
}

function intlAccepts(tag: string): boolean {
  try {
    new Intl.NumberFormat(tag);
    return true;
  } catch {
    return false;
  }
}

export interface ChartTheme {
  bar: string;
  text: string;
  grid: string;
  font: string;
}

export interface BarChartInput {
  /** One label per bar, under it. */
  labels: readonly string[];
  /** One value per bar; null draws no bar. */
  values: readonly (number | null)[];
  /** A y-axis tick as the user reads it. */
  formatY: (value: number) => string;
  /** The bar under the pointer, or null when it leaves. */
  onHover: (index: number | null) => void;
  width: number;
  height: number;
  theme: ChartTheme;
}

/** True where a 2D canvas can be had. */
export function canvasSupported(): boolean {
  try {
    return typeof HTMLCanvasElement !== "undefined" && document.createElement("canvas").getContext("2d") !== null;
  } catch {
    return false;
  }
}

/** The chart colours from the design tokens in effect on `el` (light or dark). */
export function readTheme(el: Element): ChartTheme {
  const style = getComputedStyle(el);
  const v = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
  const family = v("--font-sans", "system-ui, sans-serif");
  return {
    bar: v("--accent", "#5e5ce6"),
    text: v("--text-muted", "#676772"),
    grid: v("--border", "#e6e6ea"),
    font: `11px ${family}`,
  };
}

/** Calls `onChange` when the OS switches between light and dark; returns the function that stops. */
export function onThemeChange(onChange: () => void): () => void {
  if (typeof window === "undefined" || typeof window.matchMedia !== "function") return () => {};
  const query = window.matchMedia("(prefers-color-scheme: dark)");
  query.addEventListener("change", onChange);
  return () => query.removeEventListener("change", onChange);
}

/** Every `step`th bar gets a label, so they never overlap (about 64 px each). */
function labelStep(count: number, width: number): number {
  const fits = Math.max(1, Math.floor(width / 64));
  return Math.max(1, Math.ceil(count / fits));
}

export function barChartOptions(U: UPlot, input: BarChartInput): uPlot.Options {
  const { labels, formatY, onHover, theme } = input;
  const count = labels.length;
  const bars = U.paths.bars?.({ size: [0.72, 56], align: 0 });
  return {
    width: input.width,
    height: input.height,
    legend: { show: false },
    cursor: {
      y: false,
      points: { show: false },
      drag: { x: false, y: false, setScale: false },
    },
    select: { show: false, left: 0, top: 0, width: 0, height: 0 },
    scales: {
      x: { time: false, range: () => [-0.5, Math.max(count, 1) - 0.5] },
      y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.12 : 1] },
    },
    series: [
      {},
      {
        label: "Spend",
        fill: theme.bar,
        stroke: theme.bar,
        width: 0,
        points: { show: false },
        ...(bars ? { paths: bars } : {}),
      },
    ],
    axes: [
      {
        stroke: theme.text,
        font: theme.font,
        grid: { show: false },
        ticks: { show: false },
        border: { show: true, stroke: theme.grid, width: 1 },
        gap: 6,
        size: 28,
        splits: (u) => {
          const step = labelStep(count, u.bbox.width / (window.devicePixelRatio || 1));
          const out: number[] = [];
          for (let i = 0; i < count; i += step) out.push(i);
          return out;
        },
        values: (_u, splits) => splits.map((i) => labels[i] ?? ""),
      },
      {
        stroke: theme.text,
        font: theme.font,
        grid: { stroke: theme.grid, width: 1 },
        ticks: { show: false },
        gap: 6,
        space: 36,
        size: (_u, values) => (values ? Math.max(...values.map((s) => s.length), 3) * 7 + 12 : 48),
        values: (_u, splits) => splits.map((v) => formatY(v)),
      },
    ],
    hooks: {
      setCursor: [(u) => onHover(u.cursor.idx ?? null)],
    },
  };
}

/** The bars drawn into `host`; destroy it to take it away. */
export function createBarChart(U: UPlot, host: HTMLElement, input: BarChartInput): uPlot {
  const x = input.labels.map((_, i) => i);
  const y = input.values.map((v) => v);
  return new U(barChartOptions(U, input), [x, y], host);
}
