import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import MarkdownAnswer from "./MarkdownAnswer.svelte";

describe("MarkdownAnswer", () => {
  it("copies a code block's exact text with its Copy button", async () => {
    const user = userEvent.setup();
    const code = 'fn main() {\n    println!("<hi>");\n}';
    render(MarkdownAnswer, { text: `Here:\n\n\`\`\`rust\n${code}\n\`\`\`\n\nDone.` });

    const button = screen.getByRole("button", { name: "Copy" });
    await user.click(button);
    expect(await navigator.clipboard.readText()).toBe(code);
    await waitFor(() => expect(button).toHaveTextContent("Copied"));
  });
});
