/**
 * A container the start-up warm-ups (warmUpMarkdown, warmUpFonts, warmUpColumn) render
 * into: laid out like any element — the layout is what loads fonts and compiles the
 * code paths — but off screen, hidden from assistive tech and out of the tab order and
 * of clicks. The caller removes it when done.
 */
export function offscreenHost(size: string): HTMLDivElement {
  const host = document.createElement("div");
  host.setAttribute("aria-hidden", "true");
  host.inert = true;
  host.style.cssText = `position: absolute; left: -10000px; top: 0; ${size}`;
  document.body.append(host);
  return host;
}
