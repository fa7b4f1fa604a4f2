import { mockIPC } from "@tauri-apps/api/mocks";
import { render, screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "../../App.svelte";
import type { AppInfo } from "../../lib/bindings/AppInfo";
import { mockCore, sampleInfo, samplePrices } from "../../test/core";
import { sampleOverview } from "../../test/providers";

describe("About", () => {
  it("is reachable from the main view and shows the version and data folder from the core", async () => {
    const user = userEvent.setup();
    mockCore({ info: sampleInfo });
    render(App);

    await user.click(screen.getByTestId("open-about"));
    expect(screen.getByTestId("about-panel")).toBeVisible();
    expect(screen.getByRole("heading", { name: "About" })).toHaveFocus();

    expect(await screen.findByTestId("about-version")).toHaveTextContent(/^0\.1\.0$/);
    expect(screen.getByTestId("about-data-dir").textContent).toBe(sampleInfo.data_dir);
    expect(screen.queryByTestId("about-error")).not.toBeInTheDocument();
  });

  it("shows a loading state until the core answers", async () => {
    let answer: (info: AppInfo) => void = () => {};
    mockIPC((cmd) => {
      if (cmd === "app_info") return new Promise<AppInfo>((resolve) => (answer = resolve));
      if (cmd === "list_providers") return sampleOverview;
      return cmd === "list_price_overrides" ? [] : samplePrices;
    });
    const user = userEvent.setup();
    render(App);

    await user.click(screen.getByTestId("open-about"));
    const panel = screen.getByTestId("about-panel");
    expect(panel).toHaveAttribute("aria-busy", "true");
    expect(within(panel).getByRole("status")).toHaveTextContent("Loading app details…");
    expect(screen.queryByTestId("about-version")).not.toBeInTheDocument();

    answer(sampleInfo);
    expect(await screen.findByTestId("about-version")).toHaveTextContent(/^0\.1\.0$/);
    expect(panel).toHaveAttribute("aria-busy", "false");
    expect(within(panel).queryByRole("status")).not.toBeInTheDocument();
  });

  it("shows the core's error message when app_info fails, and can try again", async () => {
    const user = userEvent.setup();
    mockCore({ error: { kind: "data_dir", message: "Could not create the data folder: permission denied" } });
    render(App);

    await user.click(screen.getByTestId("open-about"));
    const error = await screen.findByTestId("about-error");
    expect(error.textContent).toBe("Could not create the data folder: permission denied");
    expect(error).toBeVisible();
    expect(screen.getByRole("alert")).toHaveTextContent("Couldn’t read app details from the core");
    expect(screen.queryByTestId("about-version")).not.toBeInTheDocument();
    expect(screen.queryByTestId("status-version")).not.toBeInTheDocument();
    expect(screen.getByTestId("status-bar")).toHaveTextContent("version unknown");

    mockCore({ info: sampleInfo });
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByTestId("about-version")).toHaveTextContent(/^0\.1\.0$/);
    expect(screen.queryByTestId("about-error")).not.toBeInTheDocument();
    expect(screen.getByTestId("status-version")).toHaveTextContent(/^0\.1\.0$/);
  });
});
