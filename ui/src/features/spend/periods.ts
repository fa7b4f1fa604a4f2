/**
 * The dashboard's date arithmetic: the ranges it offers as local `YYYY-MM-DD` bounds
 * (inclusive, as `history_stats` takes them), and the periods between two bounds, so a
 * day, week or month without a response still gets its (empty) bar.
 */
import type { StatsRow } from "../../lib/bindings/StatsRow";

export type RangeId = "7d" | "30d" | "90d" | "month" | "all";
export type Period = "day" | "week" | "month";

export const RANGES: readonly { id: RangeId; label: string; phrase: string }[] = [
  { id: "7d", label: "7 days", phrase: "in the last 7 days" },
  { id: "30d", label: "30 days", phrase: "in the last 30 days" },
  { id: "90d", label: "90 days", phrase: "in the last 90 days" },
  { id: "month", label: "This month", phrase: "this month" },
  { id: "all", label: "All time", phrase: "yet" },
];

export const PERIODS: readonly { id: Period; label: string }[] = [
  { id: "day", label: "Day" },
  { id: "week", label: "Week" },
  { id: "month", label: "Month" },
];

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

/** A local date as `YYYY-MM-DD`. */
export function localDate(d: Date): string {
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** `YYYY-MM-DD` → a local date at noon (noon: daylight-saving shifts never change the day). */
export function parseDate(text: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12);
}

function addDays(d: Date, days: number): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + days, 12);
}

/** The range's bounds, inclusive, relative to `now`; null is open. */
export function rangeBounds(range: RangeId, now: Date): { from: string | null; to: string | null } {
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate(), 12);
  switch (range) {
    case "7d":
      return { from: localDate(addDays(today, -6)), to: localDate(today) };
    case "30d":
      return { from: localDate(addDays(today, -29)), to: localDate(today) };
    case "90d":
      return { from: localDate(addDays(today, -89)), to: localDate(today) };
    case "month":
      return { from: localDate(new Date(today.getFullYear(), today.getMonth(), 1, 12)), to: localDate(today) };
    case "all":
      return { from: null, to: null };
  }
}

/** The ISO week of a date as the core writes it: `2026-W47` (the week's Thursday decides the year). */
export function isoWeek(d: Date): string {
  const day = (d.getDay() + 6) % 7; // Monday 0
  const thursday = addDays(d, 3 - day);
  const jan1 = new Date(thursday.getFullYear(), 0, 1, 12);
  const week = Math.floor(Math.round((thursday.getTime() - jan1.getTime()) / 86_400_000) / 7) + 1;
  return `${thursday.getFullYear()}-W${pad(week)}`;
}

/** The key of the period holding the date, as the core writes it. */
export function periodKey(d: Date, period: Period): string {
  if (period === "day") return localDate(d);
  if (period === "week") return isoWeek(d);
  return localDate(d).slice(0, 7);
}

/** Most bars a chart gets: beyond it the gaps are left out rather than drawing thousands. */
const MAX_BARS = 1500;

/**
 * The core's rows (oldest first, only periods with responses) with every period between
 * `from` and `to` filled in: a missing period is a row of zeros (no responses, so nothing
 * spent). Open bounds take the first row and today. Unknown keys are kept as they are.
 */
export function fillPeriods(rows: readonly StatsRow[], period: Period, from: string | null, to: string | null, now: Date): StatsRow[] {
  const first = rows[0];
  const start = parseDate(from ?? (first ? firstDayOf(first.key, period) : "") ?? "");
  const end = parseDate(to ?? localDate(now));
  if (!start || !end || start > end) return [...rows];
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const keys: string[] = [];
  for (let d = start; d <= end && keys.length <= MAX_BARS; d = addDays(d, 1)) {
    const key = periodKey(d, period);
    if (keys[keys.length - 1] !== key) keys.push(key);
  }
  if (keys.length > MAX_BARS) return [...rows];
  const out = keys.map((key) => byKey.get(key) ?? emptyRow(key));
  // A row the walk did not produce (outside the bounds, an unexpected key) is not dropped.
  const seen = new Set(keys);
  const extra = rows.filter((r) => !seen.has(r.key));
  return extra.length === 0 ? out : [...out, ...extra].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The first day of a period key: `2026-11-21`, `2026-W47` → its Monday, `2026-11` → the 1st. */
export function firstDayOf(key: string, period: Period): string | null {
  if (period === "day") return parseDate(key) ? key : null;
  if (period === "month") return /^\d{4}-\d{2}$/.test(key) ? `${key}-01` : null;
  const m = /^(\d{4})-W(\d{2})$/.exec(key);
  if (!m) return null;
  // The week holding January 4th is week 1.
  const jan4 = new Date(Number(m[1]), 0, 4, 12);
  const monday = addDays(jan4, -((jan4.getDay() + 6) % 7) + (Number(m[2]) - 1) * 7);
  return localDate(monday);
}

export function emptyRow(key: string): StatsRow {
  return { key, responses: 0, input_tokens: 0, output_tokens: 0, cost_usd: "0", unpriced: 0, avg_cost_usd: null, wins: 0 };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A period key as an axis label: `Nov 21`, `W47`, `Nov 2026`. */
export function shortLabel(key: string, period: Period): string {
  if (period === "day") {
    const d = parseDate(key);
    return d ? `${MONTHS[d.getMonth()]} ${d.getDate()}` : key;
  }
  if (period === "week") {
    const m = /^\d{4}-W(\d{2})$/.exec(key);
    return m ? `W${m[1]}` : key;
  }
  const m = /^(\d{4})-(\d{2})$/.exec(key);
  return m ? `${MONTHS[Number(m[2]) - 1] ?? m[2]} ${m[1]}` : key;
}

/** A period key in full, for the readout: `Sat, Nov 21, 2026`, `Week 47, 2026 (from Nov 16)`, `Nov 2026`. */
export function longLabel(key: string, period: Period): string {
  if (period === "day") {
    const d = parseDate(key);
    if (!d) return key;
    const weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][d.getDay()];
    return `${weekday}, ${MONTHS[d.getMonth()]} ${d.getDate()}, ${d.getFullYear()}`;
  }
  if (period === "week") {
    const m = /^(\d{4})-W(\d{2})$/.exec(key);
    const monday = firstDayOf(key, "week");
    const d = monday ? parseDate(monday) : null;
    return m && d ? `Week ${Number(m[2])}, ${m[1]} (from ${MONTHS[d.getMonth()]} ${d.getDate()})` : key;
  }
  return shortLabel(key, "month");
}
