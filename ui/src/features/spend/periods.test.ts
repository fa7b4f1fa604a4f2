import { describe, expect, it } from "vitest";
import { DAYS, NOW, row } from "./fixtures";
import { fillPeriods, firstDayOf, isoWeek, longLabel, parseDate, rangeBounds, shortLabel } from "./periods";

describe("the dashboard's ranges", () => {
  it("count back from today, inclusive, in local dates", () => {
    expect(rangeBounds("7d", NOW)).toEqual({ from: "2026-11-16", to: "2026-11-22" });
    expect(rangeBounds("30d", NOW)).toEqual({ from: "2026-10-24", to: "2026-11-22" });
    expect(rangeBounds("90d", NOW)).toEqual({ from: "2026-08-25", to: "2026-11-22" });
    expect(rangeBounds("month", NOW)).toEqual({ from: "2026-11-01", to: "2026-11-22" });
    expect(rangeBounds("all", NOW)).toEqual({ from: null, to: null });
  });

  it("cross a year and the first of a month", () => {
    expect(rangeBounds("7d", new Date(2027, 0, 3, 0, 5))).toEqual({ from: "2026-12-28", to: "2027-01-03" });
    expect(rangeBounds("month", new Date(2027, 0, 1, 23, 59))).toEqual({ from: "2027-01-01", to: "2027-01-01" });
  });
});

describe("ISO weeks, as the core writes them", () => {
  it.each([
    ["2026-11-16", "2026-W47"],
    ["2026-11-22", "2026-W47"],
    ["2026-01-01", "2026-W01"],
    ["2025-12-29", "2026-W01"],
    ["2027-01-03", "2026-W53"],
    ["2021-01-03", "2020-W53"],
    ["2024-12-30", "2025-W01"],
  ])("%s is in %s", (day, week) => {
    const d = parseDate(day);
    if (!d) throw new Error("bad date");
    expect(isoWeek(d)).toBe(week);
  });

  it("start on their Monday", () => {
    expect(firstDayOf("2026-W47", "week")).toBe("2026-11-16");
    expect(firstDayOf("2026-W01", "week")).toBe("2025-12-29");
    expect(firstDayOf("2026-11", "month")).toBe("2026-11-01");
    expect(firstDayOf("nonsense", "week")).toBeNull();
  });
});

describe("filling the periods", () => {
  it("gives every day of the range a row, empty days as zero responses", () => {
    const filled = fillPeriods(DAYS, "day", "2026-11-16", "2026-11-22", NOW);
    expect(filled.map((r) => r.key)).toEqual([
      "2026-11-16",
      "2026-11-17",
      "2026-11-18",
      "2026-11-19",
      "2026-11-20",
      "2026-11-21",
      "2026-11-22",
    ]);
    expect(filled[2]).toBe(DAYS[0]);
    expect(filled[4]).toBe(DAYS[1]);
    expect(filled[0]).toMatchObject({ responses: 0, unpriced: 0 });
  });

  it("walks weeks and months, and an open start begins at the first row", () => {
    const weeks = fillPeriods([row("2026-W44"), row("2026-W47")], "week", null, null, NOW);
    expect(weeks.map((r) => r.key)).toEqual(["2026-W44", "2026-W45", "2026-W46", "2026-W47"]);
    const months = fillPeriods([row("2026-08")], "month", "2026-08-25", "2026-11-22", NOW);
    expect(months.map((r) => r.key)).toEqual(["2026-08", "2026-09", "2026-10", "2026-11"]);
  });

  it("keeps rows it cannot place, and no history stays empty", () => {
    expect(fillPeriods([], "day", null, null, NOW)).toEqual([]);
    const odd = fillPeriods([row("someday")], "day", "2026-11-21", "2026-11-22", NOW);
    expect(odd.map((r) => r.key)).toEqual(["2026-11-21", "2026-11-22", "someday"]);
  });

  it("labels periods short on the axis and in full in the readout", () => {
    expect(shortLabel("2026-11-20", "day")).toBe("Nov 20");
    expect(shortLabel("2026-W47", "week")).toBe("W47");
    expect(shortLabel("2026-11", "month")).toBe("Nov 2026");
    expect(longLabel("2026-11-20", "day")).toBe("Fri, Nov 20, 2026");
    expect(longLabel("2026-W47", "week")).toBe("Week 47, 2026 (from Nov 16)");
    expect(longLabel("2026-11", "month")).toBe("Nov 2026");
  });
});
