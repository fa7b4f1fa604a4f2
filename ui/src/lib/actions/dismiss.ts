/*
 * A popover's way out: a click anywhere outside `node`, or Escape inside it, calls
 * `close`. `close` answers whether it closed something (false while the popover is
 * shut); only then is Escape kept from reaching the views behind (which would, say,
 * leave the run being viewed).
 */
import type { Action } from "svelte/action";

export const dismiss: Action<HTMLElement, () => boolean> = (node, close) => {
  let onClose = close;
  const onWindowClick = (event: MouseEvent): void => {
    if (event.target instanceof Node && !node.contains(event.target)) onClose();
  };
  const onKeydown = (event: KeyboardEvent): void => {
    if (event.key === "Escape" && onClose()) event.stopPropagation();
  };
  window.addEventListener("click", onWindowClick);
  node.addEventListener("keydown", onKeydown);
  return {
    update(next: () => boolean) {
      onClose = next;
    },
    destroy() {
      window.removeEventListener("click", onWindowClick);
      node.removeEventListener("keydown", onKeydown);
    },
  };
};
