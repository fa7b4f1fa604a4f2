/*
 * The playground's keyboard shortcuts (window level; fields handle their own keys first):
 *   Ctrl/⌘+Enter  send                 Esc or Ctrl/⌘+.  stop every column
 *   Ctrl/⌘+N      new comparison       Alt+1…8          focus column 1…8
 *   Ctrl/⌘+L      focus the message
 */
import type { Playground } from "./playground.svelte";

function focusColumn(index: number): boolean {
  const column = document.querySelector<HTMLElement>(`[data-testid="column-${index}"]`);
  if (!column) return false;
  // (jsdom has no scrollIntoView.)
  if (typeof column.scrollIntoView === "function") column.scrollIntoView({ block: "nearest", inline: "nearest" });
  column.focus();
  return true;
}

/** Handles `event` when it is one of the shortcuts; returns whether it was. */
export function handleShortcut(event: KeyboardEvent, playground: Playground): boolean {
  if (event.defaultPrevented) return false;
  const mod = event.ctrlKey || event.metaKey;
  let handled = true;
  if (mod && !event.altKey && event.key === "Enter") void playground.send();
  else if ((event.key === "Escape" && !mod) || (mod && event.key === ".")) {
    if (!playground.running) return false;
    void playground.stopAll();
  } else if (mod && !event.shiftKey && !event.altKey && event.key.toLowerCase() === "n") playground.newComparison();
  else if (mod && !event.altKey && event.key.toLowerCase() === "l") document.getElementById("prompt-input")?.focus();
  else if (event.altKey && !mod && /^Digit[1-8]$/.test(event.code)) handled = focusColumn(Number(event.code.slice(5)) - 1);
  else handled = false;
  if (handled) event.preventDefault();
  return handled;
}
