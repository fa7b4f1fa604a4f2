import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "../../App.svelte";
import type { IpcError } from "../../lib/bindings/IpcError";
import type { ProviderStatus } from "../../lib/bindings/ProviderStatus";
import type { ProvidersOverview } from "../../lib/bindings/ProvidersOverview";
import { mockCore, sampleInfo, samplePrices } from "../../test/core";
import { anthropic, gemini, noServiceProblem, ollama, openai, sampleOverview } from "../../test/providers";

function overview(providers: ProviderStatus[], keychain = sampleOverview.keychain): ProvidersOverview {
  return { keychain, providers };
}

/** The status bar's providers item, once it no longer says it is loading. */
async function providersItem(): Promise<HTMLElement> {
  const item = within(screen.getByTestId("status-bar")).getByTestId("status-providers");
  await waitFor(() => expect(item).not.toHaveTextContent("Providers…"));
  return item;
}

function dot(item: HTMLElement): Element | null {
  return item.querySelector(".dot");
}

describe("the status bar's providers", () => {
  it("says so when no provider has a key", async () => {
    mockCore({ info: sampleInfo }, samplePrices, () => overview([gemini, ollama]));
    render(App);

    const item = await providersItem();
    expect(item).toHaveTextContent(/^No provider keys yet$/);
    expect(item).toHaveAttribute("title", "Set up providers in Settings");
    expect(dot(item)).toHaveClass("idle");
  });

  it("counts the providers with a key and names where each key comes from", async () => {
    mockCore({ info: sampleInfo }, samplePrices, () => overview([openai, anthropic, gemini, ollama]));
    render(App);

    const item = await providersItem();
    expect(item).toHaveTextContent(/^2 providers ready$/);
    expect(item).toHaveAttribute("title", "OpenAI (keychain), Anthropic ($ANTHROPIC_API_KEY)");
    expect(dot(item)).toHaveClass("ok");
    expect(item).toHaveAccessibleName("2 providers ready");
  });

  it("says one provider, not one providers", async () => {
    mockCore({ info: sampleInfo }, samplePrices, () => overview([gemini, anthropic]));
    render(App);

    expect(await providersItem()).toHaveTextContent(/^1 provider ready$/);
  });

  it("warns when the keychain is unavailable, with the cause in the tooltip", async () => {
    mockCore({ info: sampleInfo }, samplePrices, () =>
      overview([anthropic, gemini], { backend: "the Secret Service", problem: noServiceProblem }),
    );
    render(App);

    const item = await providersItem();
    expect(item).toHaveTextContent(/^1 provider ready · keychain unavailable$/);
    expect(item.title).toBe(`Anthropic ($ANTHROPIC_API_KEY)\nKeychain unavailable: ${noServiceProblem.cause}`);
    expect(dot(item)).toHaveClass("warn");
  });

  it("shows a quiet placeholder until the core answers", async () => {
    let answer: (overview: ProvidersOverview) => void = () => {};
    mockCore({ info: sampleInfo }, samplePrices, () => new Promise((resolve) => (answer = resolve)));
    render(App);

    const item = within(screen.getByTestId("status-bar")).getByTestId("status-providers");
    expect(item).toHaveTextContent(/^Providers…$/);
    expect(dot(item)).toHaveClass("idle");

    answer(overview([openai]));
    await waitFor(() => expect(item).toHaveTextContent(/^1 provider ready$/));
  });

  it("says the providers are unknown when the core fails, with its message", async () => {
    const error: IpcError = { kind: "provider_settings", message: "Could not read providers.toml: permission denied" };
    mockCore({ info: sampleInfo }, samplePrices, () => {
      throw error;
    });
    render(App);

    const item = await providersItem();
    expect(item).toHaveTextContent(/^Providers unknown$/);
    expect(item).toHaveAttribute("title", error.message);
  });

  it("opens the providers settings when clicked", async () => {
    const user = userEvent.setup();
    mockCore({ info: sampleInfo });
    render(App);

    await user.click(await providersItem());
    expect(screen.getByTestId("settings-view")).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Providers" })).toHaveFocus();
  });

  it("reads the keys again when the user leaves Settings", async () => {
    const user = userEvent.setup();
    let current = overview([gemini, ollama]);
    let calls = 0;
    mockCore({ info: sampleInfo }, samplePrices, () => {
      calls++;
      return current;
    });
    render(App);

    const item = await providersItem();
    expect(item).toHaveTextContent("No provider keys yet");

    await user.click(item);
    await screen.findByTestId("key-status-gemini");
    // A key set in Settings; the status bar catches up when the user goes back.
    current = overview([
      { ...gemini, key: { ...gemini.key, set: true, source: "keychain", last4: "wxyz" } },
      ollama,
    ]);
    const before = calls;

    await user.click(screen.getByTestId("settings-back"));
    await waitFor(() => expect(item).toHaveTextContent(/^1 provider ready$/));
    expect(item).toHaveAttribute("title", "Google Gemini (keychain)");
    expect(calls).toBe(before + 1);
  });
});
