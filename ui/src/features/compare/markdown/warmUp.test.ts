import { describe, expect, it } from "vitest";
import { warmUpMarkdown } from "./warmUp";

describe("warmUpMarkdown", () => {
  it("renders its sample off screen, hidden from assistive tech, and leaves nothing behind", async () => {
    const before = document.body.childElementCount;
    warmUpMarkdown();
    const host = document.body.lastElementChild as HTMLElement;
    expect(host.getAttribute("aria-hidden")).toBe("true");
    expect(host.style.left).toBe("-10000px");
    // Every block shape the first answer may need: headings, lists, quotes, tables, code.
    for (const selector of ["h1", "strong", "em", "code", "ul", "ol", "blockquote", "table", ".md-code", "hr"]) {
      expect(host.querySelector(selector), selector).not.toBeNull();
    }
    await new Promise((resolve) => requestAnimationFrame(resolve));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(document.body.childElementCount).toBe(before);
  });
});
