import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "./App.svelte";
import { mockCore, sampleInfo } from "./test/core";

describe("the main window", () => {
  it("shows the sidebar, compare area, composer and status bar", async () => {
    mockCore({ info: sampleInfo });
    render(App);

    const sidebar = screen.getByTestId("history-sidebar");
    expect(sidebar).toHaveTextContent("No runs yet — your comparisons will appear here");
    expect(within(sidebar).getByLabelText("Search runs")).toBeVisible();
    await waitFor(() => expect(within(sidebar).getByTestId("tally-today")).toHaveTextContent("$0.00"));
    expect(within(sidebar).getByTestId("tally-run")).toHaveTextContent("—");
    expect(screen.getByTestId("compare-area")).toHaveTextContent("Compare models side by side");
    expect(within(screen.getByTestId("compare-area")).getByRole("button", { name: /Add a model/ })).toBeVisible();
    expect(screen.getByLabelText("Message")).toBeVisible();
    const status = screen.getByTestId("status-bar");
    expect(await within(status).findByText("3 providers ready")).toBeVisible();
    expect(status).toHaveTextContent("Router off");
  });

  it("does not pretend to run: the Run button is disabled and says why", () => {
    mockCore({ info: sampleInfo });
    render(App);

    const run = within(screen.getByTestId("prompt-composer")).getByRole("button", { name: "Run" });
    expect(run).toBeDisabled();
    expect(run).toHaveAccessibleDescription("Pick at least one model");
  });

  it("shows the core's version in the status bar", async () => {
    mockCore({ info: sampleInfo });
    render(App);

    expect(await screen.findByTestId("status-version")).toHaveTextContent(/^0\.1\.0$/);
  });

  it("shows and hides the system prompt field", async () => {
    const user = userEvent.setup();
    mockCore({ info: sampleInfo });
    render(App);

    const toggle = screen.getByRole("button", { name: /System prompt/ });
    const field = screen.getByLabelText(/System prompt/, { selector: "textarea" });
    expect(field).not.toBeVisible();

    await user.click(toggle);
    expect(toggle).toHaveAttribute("aria-expanded", "true");
    expect(field).toBeVisible();
    await user.type(field, "Be brief.");
    expect(field).toHaveValue("Be brief.");

    await user.click(toggle);
    expect(field).not.toBeVisible();
    expect(toggle).toHaveAccessibleName(/\(set\)/);
  });

  it("opens settings in place of the compare area, and Back returns", async () => {
    const user = userEvent.setup();
    mockCore({ info: sampleInfo });
    render(App);

    await user.click(screen.getByTestId("open-settings"));
    const settings = screen.getByTestId("settings-view");
    expect(settings).toBeVisible();
    expect(screen.queryByTestId("compare-area")).not.toBeInTheDocument();
    expect(screen.queryByTestId("prompt-composer")).not.toBeInTheDocument();
    const providers = within(settings).getByTestId("providers-settings");
    expect(await within(providers).findByTestId("key-status-openai")).toHaveTextContent("Keychain ····1234");
    for (const name of ["OpenAI", "Anthropic", "Google Gemini", "Ollama", "my-vllm"]) {
      expect(within(providers).getByText(name)).toBeVisible();
    }
    expect(settings).toHaveTextContent("Theme follows your system");
    expect(within(settings).getByRole("heading", { name: "Prices & currency" })).toBeVisible();
    expect(await within(settings).findByTestId("prices-version")).toHaveTextContent("litellm 1.106.2 (2026-10-21)");

    await user.click(screen.getByTestId("settings-back"));
    expect(screen.queryByTestId("settings-view")).not.toBeInTheDocument();
    expect(screen.getByTestId("compare-area")).toBeVisible();
    expect(screen.getByTestId("prompt-composer")).toBeVisible();
  });

  it("works from the keyboard: Ctrl+, opens settings, Escape closes them and focus comes back", async () => {
    const user = userEvent.setup();
    mockCore({ info: sampleInfo });
    render(App);

    const opener = screen.getByTestId("open-settings");
    opener.focus();
    await user.keyboard("{Control>},{/Control}");
    expect(screen.getByTestId("settings-view")).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Settings" })).toHaveFocus();

    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("settings-view")).not.toBeInTheDocument();
    await waitFor(() => expect(opener).toHaveFocus());
  });

  it("Escape first cancels an open providers form, then closes settings", async () => {
    const user = userEvent.setup();
    mockCore({ info: sampleInfo });
    render(App);

    await user.click(screen.getByTestId("open-settings"));
    await user.click(await screen.findByTestId("key-edit-openai"));
    expect(screen.getByTestId("key-input-openai")).toHaveFocus();

    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("key-input-openai")).not.toBeInTheDocument();
    expect(screen.getByTestId("settings-view")).toBeInTheDocument();

    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("settings-view")).not.toBeInTheDocument();
  });

});
