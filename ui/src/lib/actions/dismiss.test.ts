import { describe, expect, it, vi } from "vitest";
import { dismiss } from "./dismiss";

function setup(open: { value: boolean }): { node: HTMLElement; inside: HTMLElement; outside: HTMLElement; destroy: () => void } {
  const node = document.createElement("div");
  const inside = document.createElement("button");
  node.appendChild(inside);
  const outside = document.createElement("p");
  document.body.append(node, outside);
  const close = (): boolean => {
    if (!open.value) return false;
    open.value = false;
    return true;
  };
  const handle = dismiss(node, close);
  return { node, inside, outside, destroy: () => handle?.destroy?.() };
}

describe("dismiss", () => {
  it("closes on a click outside, not on one inside", () => {
    const open = { value: true };
    const { inside, outside, destroy } = setup(open);
    inside.click();
    expect(open.value).toBe(true);
    outside.click();
    expect(open.value).toBe(false);
    destroy();
  });

  it("closes on Escape and keeps that Escape from the views behind; a shut popover lets it through", () => {
    const open = { value: true };
    const { inside, destroy } = setup(open);
    const behind = vi.fn();
    document.body.addEventListener("keydown", behind);
    inside.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(open.value).toBe(false);
    expect(behind).not.toHaveBeenCalled();
    inside.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(behind).toHaveBeenCalledTimes(1);
    document.body.removeEventListener("keydown", behind);
    destroy();
  });

  it("stops listening once destroyed", () => {
    const open = { value: true };
    const { outside, destroy } = setup(open);
    destroy();
    outside.click();
    expect(open.value).toBe(true);
  });
});
