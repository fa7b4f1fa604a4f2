/**
 * The exact text of the code block a "Copy" button (`[data-copy]`) belongs to, or null
 * when the element is not inside a rendered code block.
 */
export function copyTextOf(button: Element): string | null {
  const code = button.closest(".md-code")?.querySelector("pre > code");
  return code?.textContent ?? null;
}
