import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { DisplayCurrency } from "../../lib/bindings/DisplayCurrency";
import type { PriceOverrideRow } from "../../lib/bindings/PriceOverrideRow";
import type { PriceStatus } from "../../lib/bindings/PriceStatus";
import type { RefreshReport } from "../../lib/bindings/RefreshReport";
import { samplePrices } from "../../test/core";
import { mockCommands, type Call, type Handler } from "../../test/ipc";
import PricesAndCurrency from "./PricesAndCurrency.svelte";

/** A mocked core answering the given commands (no prices of the user's own unless given); every call is recorded. */
function mockPrices(given: Record<string, Handler>): Call[] {
  return mockCommands({ list_price_overrides: () => [], ...given });
}

const refreshFailed: RefreshReport = {
  litellm: null,
  litellm_error:
    "could not download the LiteLLM price map: error sending request: connection refused; the bundled or previously saved prices stay in use",
  openrouter_models: null,
  openrouter_error:
    "could not download OpenRouter's model list: connection refused; the bundled or previously saved prices stay in use",
};

const refreshed: PriceStatus = {
  ...samplePrices,
  catalog: {
    ...samplePrices.catalog,
    version: "litellm map fetched 2026-11-22",
    litellm_version: null,
    source_date: null,
    snapshot_date: "2026-11-22",
    url: "https://example.invalid/prices.json",
    checked_at: "2026-11-22T09:30:00Z",
    bundled: false,
  },
  models: 1234,
  openrouter: "openrouter /models (2026-11-22)",
  openrouter_models: 321,
};

describe("Prices & currency", () => {
  it("shows the bundled catalog, its model count, and that nothing was fetched", async () => {
    mockPrices({ price_status: () => samplePrices });
    render(PricesAndCurrency);

    expect(await screen.findByTestId("prices-version")).toHaveTextContent(/^litellm 1\.106\.2 \(2026-10-21\)$/);
    const section = screen.getByTestId("prices-section");
    expect(screen.getByTestId("prices-origin")).toHaveTextContent("Bundled");
    expect(screen.getByTestId("prices-models")).toHaveTextContent("412");
    expect(screen.getByTestId("prices-checked")).toHaveTextContent("Never");
    expect(screen.getByTestId("prices-openrouter")).toHaveTextContent("Not fetched");
    expect(screen.queryByText("Your prices", { selector: "dt" })).not.toBeInTheDocument();
    expect(await screen.findByTestId("overrides-empty")).toHaveTextContent("No prices of your own yet.");
    expect(section).toHaveAttribute("aria-busy", "false");
  });

  it("shows a refreshed catalog, when it was checked, OpenRouter's prices and the user's own", async () => {
    mockPrices({ price_status: () => ({ ...refreshed, overrides: 2 }) });
    render(PricesAndCurrency);

    expect(await screen.findByTestId("prices-version")).toHaveTextContent("litellm map fetched 2026-11-22");
    expect(screen.getByTestId("prices-origin")).toHaveTextContent("Refreshed");
    expect(screen.getByTestId("prices-models")).toHaveTextContent("1,234");
    expect(screen.getByTestId("prices-checked")).toHaveTextContent(/2026/);
    expect(screen.getByTestId("prices-checked")).not.toHaveTextContent("Never");
    expect(screen.getByTestId("prices-openrouter")).toHaveTextContent("321 models priced");
    expect(screen.getByTestId("prices-openrouter")).toHaveTextContent("openrouter /models (2026-11-22)");
    expect(screen.getByTestId("prices-section")).toHaveTextContent("2 models");
  });

  it("shows the core's error when the status cannot be read, and can try again", async () => {
    const user = userEvent.setup();
    mockPrices({
      price_status: () => {
        throw { kind: "data_dir", message: "no data folder: set SWITCHBOARD_DATA_DIR" };
      },
    });
    render(PricesAndCurrency);

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("no data folder: set SWITCHBOARD_DATA_DIR");
    mockPrices({ price_status: () => samplePrices });
    await user.click(within(alert).getByRole("button", { name: "Try again" }));
    expect(await screen.findByTestId("prices-version")).toHaveTextContent("litellm 1.106.2");
  });

  it("refreshes with progress, then shows Rust's errors verbatim and keeps the version", async () => {
    const user = userEvent.setup();
    let finish: (report: RefreshReport) => void = () => {};
    const calls = mockPrices({
      price_status: () => samplePrices,
      refresh_prices: () => new Promise<RefreshReport>((resolve) => (finish = resolve)),
    });
    render(PricesAndCurrency);

    const button = await screen.findByTestId("prices-refresh");
    expect(button).toHaveTextContent("Refresh prices");
    await user.click(button);
    expect(button).toBeDisabled();
    expect(button).toHaveTextContent("Refreshing…");
    expect(screen.getByTestId("prices-refresh-result")).toHaveTextContent("Fetching");

    finish(refreshFailed);
    const result = screen.getByTestId("prices-refresh-result");
    await waitFor(() => expect(result).toHaveTextContent(refreshFailed.litellm_error ?? "?"));
    expect(result).toHaveTextContent(refreshFailed.openrouter_error ?? "?");
    expect(result).toHaveAttribute("role", "alert");
    await waitFor(() => expect(button).toBeEnabled());
    expect(button).toHaveTextContent("Refresh prices");
    expect(screen.getByTestId("prices-version")).toHaveTextContent("litellm 1.106.2 (2026-10-21)");
    expect(calls.filter((c) => c.cmd === "price_status")).toHaveLength(2);
    expect(calls.find((c) => c.cmd === "refresh_prices")?.args).toEqual({});
  });

  it("shows what a successful refresh did and the new version", async () => {
    const user = userEvent.setup();
    let status: PriceStatus = samplePrices;
    mockPrices({
      price_status: () => status,
      refresh_prices: () => {
        status = refreshed;
        return {
          litellm: { outcome: "updated", models: 1234, version: "litellm map fetched 2026-11-22" },
          litellm_error: null,
          openrouter_models: 321,
          openrouter_error: null,
        } satisfies RefreshReport;
      },
    });
    render(PricesAndCurrency);

    await user.click(await screen.findByTestId("prices-refresh"));
    const result = screen.getByTestId("prices-refresh-result");
    await waitFor(() =>
      expect(result).toHaveTextContent(
        "LiteLLM price map updated: 1234 chat models (litellm map fetched 2026-11-22).",
      ),
    );
    expect(result).toHaveTextContent("OpenRouter: 321 priced models.");
    expect(result).toHaveAttribute("role", "status");
    await waitFor(() => expect(screen.getByTestId("prices-version")).toHaveTextContent("litellm map fetched 2026-11-22"));
    expect(screen.getByTestId("prices-origin")).toHaveTextContent("Refreshed");
  });

  it("says when the saved map was already current, and shows a rejected refresh's message", async () => {
    const user = userEvent.setup();
    let answer: () => unknown = () =>
      ({
        litellm: { outcome: "not_modified" },
        litellm_error: null,
        openrouter_models: null,
        openrouter_error: null,
      }) satisfies RefreshReport;
    mockPrices({ price_status: () => samplePrices, refresh_prices: () => answer() });
    render(PricesAndCurrency);

    const button = await screen.findByTestId("prices-refresh");
    await user.click(button);
    const result = screen.getByTestId("prices-refresh-result");
    await waitFor(() => expect(result).toHaveTextContent("LiteLLM price map: already up to date."));

    answer = () => {
      throw { kind: "data_dir", message: "SWITCHBOARD_DATA_DIR is set but empty; unset it or give it a folder" };
    };
    await waitFor(() => expect(button).toBeEnabled());
    await user.click(button);
    await waitFor(() =>
      expect(result).toHaveTextContent("SWITCHBOARD_DATA_DIR is set but empty; unset it or give it a folder"),
    );
    expect(result).toHaveAttribute("role", "alert");
  });

  it("starts from the saved currency; USD needs no rate", async () => {
    mockPrices({ price_status: () => samplePrices });
    render(PricesAndCurrency);

    const code = await screen.findByTestId("currency-code");
    expect(code).toHaveValue("USD");
    expect(screen.getByTestId("currency-rate")).toBeDisabled();
    expect(screen.getByTestId("currency-save")).toBeDisabled();
    expect(screen.getByTestId("currency-preview")).toHaveTextContent("An answer costing $0.0123 shows as $0.0123");
    expect(screen.getByRole("button", { name: "USD" })).toHaveAttribute("aria-pressed", "true");
  });

  it("previews as the user types and saves the code and rate through the core", async () => {
    const user = userEvent.setup();
    const calls = mockPrices({
      price_status: () => samplePrices,
      set_currency: (args) => {
        const { code, rate } = args as { code: string; rate: string | null };
        return { code: code.trim().toUpperCase(), per_usd: rate ?? "1" } satisfies DisplayCurrency;
      },
    });
    render(PricesAndCurrency);

    const code = await screen.findByTestId("currency-code");
    await user.clear(code);
    await user.type(code, "eur");
    const rate = screen.getByTestId("currency-rate");
    expect(rate).toBeEnabled();
    expect(screen.getByText("EUR per US dollar")).toBeVisible();
    const preview = screen.getByTestId("currency-preview");
    expect(preview).toHaveTextContent("Enter a three-letter code");
    await user.type(rate, "0.92");
    expect(preview).toHaveTextContent("An answer costing $0.0123 shows as €0.0113");

    await user.click(screen.getByTestId("currency-save"));
    await waitFor(() => expect(screen.getByTestId("currency-saved")).toHaveTextContent("Saved"));
    expect(calls.filter((c) => c.cmd === "set_currency").map((c) => c.args)).toEqual([{ code: "eur", rate: "0.92" }]);
    expect(code).toHaveValue("EUR");
    expect(screen.getByTestId("currency-save")).toBeDisabled();
    expect(screen.queryByTestId("currency-error")).not.toBeInTheDocument();
  });

  it("shows the core's validation error inline and keeps the saved currency", async () => {
    const user = userEvent.setup();
    const message = "'EURO' is not a currency code: use three letters, like EUR or INR";
    mockPrices({
      price_status: () => ({ ...samplePrices, currency: { code: "EUR", per_usd: "0.92" } }),
      set_currency: () => {
        throw { kind: "invalid_input", message };
      },
    });
    render(PricesAndCurrency);

    const code = await screen.findByTestId("currency-code");
    expect(code).toHaveValue("EUR");
    expect(screen.getByTestId("currency-rate")).toHaveValue("0.92");
    await user.clear(code);
    await user.type(code, "euro");
    await user.click(screen.getByTestId("currency-save"));

    const error = await screen.findByTestId("currency-error");
    expect(error.textContent?.trim()).toBe(message);
    expect(error).toHaveAttribute("role", "alert");
    expect(code).toHaveAttribute("aria-invalid", "true");
    expect(screen.queryByTestId("currency-saved")).not.toBeInTheDocument();

    // Editing clears the error; picking the saved currency brings its rate back.
    await user.click(screen.getByRole("button", { name: "GBP" }));
    expect(screen.queryByTestId("currency-error")).not.toBeInTheDocument();
    expect(screen.getByTestId("currency-rate")).toHaveValue("");
    await user.click(screen.getByRole("button", { name: "EUR" }));
    expect(screen.getByTestId("currency-rate")).toHaveValue("0.92");
    expect(screen.getByTestId("currency-save")).toBeDisabled();
  });

  it("sends no rate for USD", async () => {
    const user = userEvent.setup();
    const calls = mockPrices({
      price_status: () => ({ ...samplePrices, currency: { code: "INR", per_usd: "84.25" } }),
      set_currency: () => ({ code: "USD", per_usd: "1" }) satisfies DisplayCurrency,
    });
    render(PricesAndCurrency);

    expect(await screen.findByTestId("currency-preview")).toHaveTextContent("shows as ₹1.04");
    await user.click(screen.getByRole("button", { name: "USD" }));
    expect(screen.getByTestId("currency-rate")).toBeDisabled();
    expect(screen.getByTestId("currency-rate")).toHaveValue("");
    await user.click(screen.getByTestId("currency-save"));
    await waitFor(() => expect(screen.getByTestId("currency-saved")).toBeVisible());
    expect(calls.find((c) => c.cmd === "set_currency")?.args).toEqual({ code: "USD", rate: null });
  });

  it("lists the user's prices in the saved currency and counts a new one in the status", async () => {
    const user = userEvent.setup();
    const row: PriceOverrideRow = {
      model: "my-vllm/llama-3-70b",
      price: {
        input_per_mtok: "0.6",
        output_per_mtok: "2.4",
        cached_input_per_mtok: null,
        cache_write_per_mtok: null,
        reasoning_per_mtok: null,
        context_window: null,
        set_on: "2026-11-21",
      },
    };
    let rows: PriceOverrideRow[] = [];
    mockPrices({
      price_status: () => ({ ...samplePrices, overrides: rows.length, currency: { code: "EUR", per_usd: "0.92" } }),
      list_price_overrides: () => rows,
      model_price: () => null,
      set_price_override: () => (rows = [row]),
    });
    render(PricesAndCurrency);

    await user.type(await screen.findByTestId("override-model"), "my-vllm/llama-3-70b");
    await user.type(screen.getByTestId("override-input"), "0.6");
    await user.type(screen.getByTestId("override-output"), "2.4");
    await user.click(screen.getByTestId("override-save"));

    expect(await screen.findByTestId("override-row")).toHaveTextContent("€0.552");
    await waitFor(() => expect(screen.getByText("Your prices", { selector: "dt" })).toBeVisible());
    expect(screen.getByTestId("prices-section")).toHaveTextContent("1 model");
  });
});
