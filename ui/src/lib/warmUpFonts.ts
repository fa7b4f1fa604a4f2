/*
 * The first time WebKitGTK lays out text in a font it has not used yet (a family list,
 * weight, style, size and numeric variant), it asks fontconfig for every family in
 * the list until one exists. The app's stacks name many fonts Linux does not have, so
 * each new combination cost 6 ms (the monospace stack) to 15 ms (the sans one) on a
 * 2-core machine, measured in the app's page; the second time, nothing. The first run
 * after start-up met about ten of them at once: at the send (the run total, the
 * history row's badge, the columns' live figures and Stop buttons) and at its end (an
 * unpriced cost, the session's per-model tally) — most of the 50–70 ms tasks that
 * started and ended it (make bench-ui, eight columns).
 *
 * This lays out a word in each combination that the playground shows only once a run
 * starts, one per task while the app is idle after start. The first screen's own fonts
 * need none; markdown's come with warmUpMarkdown. A combination missing here costs its
 * few milliseconds once, nothing more.
 */

import { offscreenHost } from "./offscreenHost";

/** Inline CSS for each combination, as the components style it (see their <style>). */
const LATER_FONTS: readonly string[] = [
  // A column's live and final figures: the cost, and an unpriced cost.
  "font: 600 var(--text-xs) var(--font-mono); font-variant-numeric: tabular-nums",
  "font: italic 500 var(--text-xs) var(--font-mono); font-variant-numeric: tabular-nums",
  // A column's Stop, Retry, Copy, Continue.
  "font: 500 var(--text-xs) var(--font-sans)",
  // The compare toolbar's run total.
  "font: 600 var(--text-sm) var(--font-mono); font-variant-numeric: tabular-nums",
  // The history row of the run: its "live" badge and an unpriced cost.
  "font: 600 10px var(--font-sans)",
  "font: italic 400 var(--text-xs) var(--font-mono); font-variant-numeric: tabular-nums",
  // Markdown: a second-level heading, a code comment (the highlighter's italic).
  "font: 600 var(--text-lg) var(--font-sans)",
  "font: italic 400 var(--text-sm) var(--font-mono)",
];

/** The session tally's "Per model" disclosure: its marker has a font of its own. */
const DETAILS = '<details style="font: 400 var(--text-xs) var(--font-sans)"><summary>Per model</summary></details>';

export function warmUpFonts(): void {
  const host = offscreenHost("width: 320px;");
  const samples = [...LATER_FONTS.map((css) => `<span style="${css}">Warm 0.01 → $</span>`), DETAILS];
  // One combination per task: together they are a 100 ms task at idle, which a key
  // press at that moment would wait behind.
  const next = (index: number): void => {
    const html = samples[index];
    if (html === undefined) {
      host.remove();
      return;
    }
    host.insertAdjacentHTML("beforeend", html);
    void host.offsetHeight; // the layout is what loads the font
    setTimeout(() => next(index + 1), 0);
  };
  next(0);
}
