import type { Attachment } from "svelte/attachments";

/**
 * Escape pressed anywhere inside the element cancels the inline form or question it
 * holds. The event is marked handled, so the settings view (which goes back on Escape)
 * stays where it is.
 */
export function escapeCancels(cancel: () => void): Attachment<HTMLElement> {
  return (element) => {
    function onKeydown(event: KeyboardEvent): void {
      if (event.key !== "Escape" || event.defaultPrevented) return;
      event.preventDefault();
      event.stopPropagation();
      cancel();
    }
    element.addEventListener("keydown", onKeydown);
    return () => element.removeEventListener("keydown", onKeydown);
  };
}
