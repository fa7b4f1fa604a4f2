import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { DisplayCurrency } from "../../lib/bindings/DisplayCurrency";
import type { ModelPriceInfo } from "../../lib/bindings/ModelPriceInfo";
import type { PriceOverrideInput } from "../../lib/bindings/PriceOverrideInput";
import type { PriceOverrideRow } from "../../lib/bindings/PriceOverrideRow";
import { mockCommands, type Call, type Handler } from "../../test/ipc";
import YourPrices from "./YourPrices.svelte";

const USD: DisplayCurrency = { code: "USD", per_usd: "1" };
const EUR: DisplayCurrency = { code: "EUR", per_usd: "0.92" };

const vllm: PriceOverrideRow = {
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

const gpt4o: PriceOverrideRow = {
  model: "openai/gpt-4o",
  price: {
    input_per_mtok: "2",
    output_per_mtok: "8",
    cached_input_per_mtok: "1",
    cache_write_per_mtok: "2.5",
    reasoning_per_mtok: "12",
    context_window: 128000,
    set_on: "2026-11-20",
  },
};

const gpt4oListed: ModelPriceInfo = {
  key: "gpt-4o",
  origin: "catalog",
  version: "litellm 1.106.2 (2026-10-21)",
  input_per_mtok: "2.5",
  output_per_mtok: "10",
  cached_input_per_mtok: "1.25",
  context_window: 128000,
  free: false,
};

/** A mocked core: the user's prices live in `rows`; every call is recorded. */
function mockCore(rows: PriceOverrideRow[], handlers: Record<string, Handler> = {}): Call[] {
  return mockCommands({ list_price_overrides: () => rows, model_price: () => null, ...handlers });
}

function show(currency: DisplayCurrency = USD, onchange: () => void = () => {}): void {
  render(YourPrices, { props: { currency, onchange } });
}

function cells(row: HTMLElement): string[] {
  return within(row)
    .getAllByRole("cell")
    .map((c) => c.textContent?.trim() ?? "");
}

describe("Your prices", () => {
  it("lists the user's prices with money in the display currency", async () => {
    mockCore([vllm, gpt4o]);
    show();

    const rows = await screen.findAllByTestId("override-row");
    expect(rows).toHaveLength(2);
    const [first, second] = rows as [HTMLElement, HTMLElement];
    expect(within(first).getByRole("rowheader")).toHaveTextContent("my-vllm/llama-3-70b");
    expect(cells(first).slice(0, 4)).toEqual(["$0.60", "$2.40", "—", "—"]);
    expect(cells(first)[4]).toMatch(/2026/);
    expect(within(second).getByRole("rowheader")).toHaveTextContent("openai/gpt-4o");
    expect(within(second).getByRole("rowheader")).toHaveTextContent("cache write $2.50 · reasoning $12.00 / M");
    expect(cells(second).slice(0, 4)).toEqual(["$2.00", "$8.00", "$1.00", "128,000"]);
    expect(screen.getByRole("columnheader", { name: "Input / M" })).toBeVisible();
    expect(screen.queryByTestId("overrides-empty")).not.toBeInTheDocument();
  });

  it("converts to the display currency", async () => {
    mockCore([vllm]);
    show(EUR);

    const row = await screen.findByTestId("override-row");
    expect(cells(row).slice(0, 2)).toEqual(["€0.552", "€2.21"]);
  });

  it("says when there are none", async () => {
    mockCore([]);
    show();
    expect(await screen.findByTestId("overrides-empty")).toHaveTextContent("No prices of your own yet.");
  });

  it("shows why the list cannot be read", async () => {
    mockCore([], {
      list_price_overrides: () => {
        throw { kind: "data_dir", message: "no data folder: set SWITCHBOARD_DATA_DIR" };
      },
    });
    show();
    const list = screen.getByTestId("overrides-list");
    expect(await within(list).findByRole("alert")).toHaveTextContent("no data folder: set SWITCHBOARD_DATA_DIR");
  });

  it("adds a price: sends what was typed, shows the new row and clears the form", async () => {
    const user = userEvent.setup();
    const onchange = vi.fn();
    const saved: PriceOverrideRow = {
      model: "my-vllm/llama-3-70b",
      price: { ...vllm.price, cached_input_per_mtok: "0.3", context_window: 32000 },
    };
    const calls = mockCore([], { set_price_override: () => [saved] });
    show(USD, onchange);

    const save = await screen.findByTestId("override-save");
    expect(save).toBeDisabled();
    expect(save).toHaveTextContent("Add price");
    await user.type(screen.getByTestId("override-model"), " my-vllm/llama-3-70b");
    await user.type(screen.getByTestId("override-input"), "0.6");
    expect(save).toBeDisabled();
    await user.type(screen.getByTestId("override-output"), "2.4");
    await user.type(screen.getByTestId("override-cached"), "0.3");
    await user.type(screen.getByTestId("override-context"), "32,000");
    expect(save).toBeEnabled();
    await user.click(save);

    const row = await screen.findByTestId("override-row");
    expect(row).toHaveTextContent("my-vllm/llama-3-70b");
    expect(cells(row).slice(0, 4)).toEqual(["$0.60", "$2.40", "$0.30", "32,000"]);
    const sent = calls.filter((c) => c.cmd === "set_price_override").map((c) => c.args);
    expect(sent).toEqual([
      {
        model: " my-vllm/llama-3-70b",
        price: {
          input_per_mtok: "0.6",
          output_per_mtok: "2.4",
          cached_input_per_mtok: "0.3",
          cache_write_per_mtok: null,
          reasoning_per_mtok: null,
          context_window: 32000,
        } satisfies PriceOverrideInput,
      },
    ]);
    expect(onchange).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId("override-model")).toHaveValue("");
    expect(screen.getByTestId("override-output")).toHaveValue("");
    expect(screen.getByTestId("override-saved")).toHaveTextContent("Saved: my-vllm/llama-3-70b now costs your price.");
    expect(screen.queryByTestId("override-error")).not.toBeInTheDocument();
  });

  it("shows Rust's refusal verbatim, keeps the form and the list, and clears it on edit", async () => {
    const user = userEvent.setup();
    const onchange = vi.fn();
    const message = 'Output price "abc" is not a number: type US dollars per million tokens, like 0.60';
    mockCore([gpt4o], {
      set_price_override: () => {
        throw { kind: "invalid_input", message };
      },
    });
    show(USD, onchange);

    await screen.findByTestId("override-row");
    await user.type(screen.getByTestId("override-model"), "my-vllm/llama-3-70b");
    await user.type(screen.getByTestId("override-input"), "0.6");
    await user.type(screen.getByTestId("override-output"), "abc");
    await user.click(screen.getByTestId("override-save"));

    const error = await screen.findByTestId("override-error");
    expect(error.textContent?.trim()).toBe(message);
    expect(error).toHaveAttribute("role", "alert");
    expect(screen.getByTestId("override-save")).toHaveAccessibleDescription(message);
    expect(screen.getAllByTestId("override-row")).toHaveLength(1);
    expect(screen.getByTestId("override-output")).toHaveValue("abc");
    expect(onchange).not.toHaveBeenCalled();

    await user.type(screen.getByTestId("override-output"), "{Backspace}");
    expect(screen.queryByTestId("override-error")).not.toBeInTheDocument();
  });

  it("shows a corrupt file's error as Rust words it", async () => {
    const user = userEvent.setup();
    const message =
      "your prices in /data/prices/overrides.json are not valid JSON (EOF while parsing an object at line 1 column 6); fix or delete the file, nothing was changed";
    mockCore([], {
      set_price_override: () => {
        throw { kind: "prices", message };
      },
    });
    show();

    await user.type(await screen.findByTestId("override-model"), "x/y");
    await user.type(screen.getByTestId("override-input"), "1");
    await user.type(screen.getByTestId("override-output"), "2");
    await user.click(screen.getByTestId("override-save"));
    expect((await screen.findByTestId("override-error")).textContent?.trim()).toBe(message);
  });

  it("refuses a context window that is not a whole number without asking the core", async () => {
    const user = userEvent.setup();
    const calls = mockCore([]);
    show();

    await user.type(await screen.findByTestId("override-model"), "x/y");
    await user.type(screen.getByTestId("override-input"), "1");
    await user.type(screen.getByTestId("override-output"), "2");
    await user.type(screen.getByTestId("override-context"), "128k");
    await user.click(screen.getByTestId("override-save"));
    expect(await screen.findByTestId("override-error")).toHaveTextContent(
      "Context window must be a whole number of tokens, like 128000",
    );
    expect(calls.map((c) => c.cmd)).not.toContain("set_price_override");
  });

  it("shows what the price list says for a model it knows, in the display currency", async () => {
    const user = userEvent.setup();
    const calls = mockCore([], {
      model_price: (args) => ((args as { model: string }).model === "openai/gpt-4o" ? gpt4oListed : null),
    });
    show();

    await user.type(await screen.findByTestId("override-model"), "openai/gpt-4o");
    const hint = await screen.findByTestId("override-catalog-hint");
    expect(hint).toHaveTextContent(
      "The price list says $2.50 / $10.00 per million (input / output), cached input $1.25; context 128,000 tokens.",
    );
    expect(hint).toHaveTextContent("litellm 1.106.2 (2026-10-21)");
    // Asked once the typing paused, for the whole id only.
    const asked = calls.filter((c) => c.cmd === "model_price").map((c) => c.args);
    expect(asked).toEqual([{ model: "openai/gpt-4o" }]);

    // Another model: the hint goes at once, and an unknown one says so.
    await user.type(screen.getByTestId("override-model"), "-mystery");
    expect(screen.queryByTestId("override-catalog-hint")).not.toBeInTheDocument();
    expect(await screen.findByTestId("override-no-catalog")).toHaveTextContent(
      "openai/gpt-4o-mystery is not in the price list: without your price it shows as unpriced.",
    );
  });

  it("converts the hint to the display currency and calls a local model free", async () => {
    const user = userEvent.setup();
    mockCore([], {
      model_price: (args) =>
        (args as { model: string }).model === "ollama/llama3.2"
          ? ({
              key: "ollama/llama3.2",
              origin: "local",
              version: "local model",
              input_per_mtok: "0",
              output_per_mtok: "0",
              cached_input_per_mtok: null,
              context_window: null,
              free: true,
            } satisfies ModelPriceInfo)
          : gpt4oListed,
    });
    show(EUR);

    const model = await screen.findByTestId("override-model");
    await user.type(model, "openai/gpt-4o");
    expect(await screen.findByTestId("override-catalog-hint")).toHaveTextContent(
      "The price list says €2.30 / €9.20 per million",
    );
    await user.clear(model);
    await user.type(model, "ollama/llama3.2");
    await waitFor(() =>
      expect(screen.getByTestId("override-catalog-hint")).toHaveTextContent("A local model: free unless you set a price."),
    );
  });

  it("asks nothing for text that is not a provider/model id", async () => {
    const user = userEvent.setup();
    const calls = mockCore([]);
    show();

    await user.type(await screen.findByTestId("override-model"), "llama");
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(calls.map((c) => c.cmd)).toEqual(["list_price_overrides"]);
    expect(screen.queryByTestId("override-no-catalog")).not.toBeInTheDocument();
  });

  it("removes a price through the core", async () => {
    const user = userEvent.setup();
    const onchange = vi.fn();
    const calls = mockCore([vllm, gpt4o], { remove_price_override: () => [gpt4o] });
    show(USD, onchange);

    const rows = await screen.findAllByTestId("override-row");
    await user.click(within(rows[0] as HTMLElement).getByTestId("override-remove"));
    await waitFor(() => expect(screen.getAllByTestId("override-row")).toHaveLength(1));
    expect(screen.getByTestId("override-row")).toHaveTextContent("openai/gpt-4o");
    expect(calls.filter((c) => c.cmd === "remove_price_override").map((c) => c.args)).toEqual([
      { model: "my-vllm/llama-3-70b" },
    ]);
    expect(onchange).toHaveBeenCalledTimes(1);
    expect(screen.getByRole("heading", { name: "Your prices" })).toHaveFocus();
  });

  it("shows why a price could not be removed and keeps the row", async () => {
    const user = userEvent.setup();
    const message = "you have set no price for my-vllm/llama-3-70b";
    mockCore([vllm], {
      remove_price_override: () => {
        throw { kind: "invalid_input", message };
      },
    });
    show();

    await user.click(await screen.findByRole("button", { name: "Remove your price for my-vllm/llama-3-70b" }));
    expect((await screen.findByTestId("override-remove-error")).textContent?.trim()).toBe(message);
    expect(screen.getByTestId("override-row")).toBeInTheDocument();
  });

  it("edits a price: the form is filled in and saving updates it", async () => {
    const user = userEvent.setup();
    const calls = mockCore([gpt4o], {
      set_price_override: () => [{ ...gpt4o, price: { ...gpt4o.price, input_per_mtok: "1.5" } }],
    });
    show();

    await user.click(await screen.findByRole("button", { name: "Edit your price for openai/gpt-4o" }));
    expect(screen.getByTestId("override-model")).toHaveValue("openai/gpt-4o");
    expect(screen.getByTestId("override-cached")).toHaveValue("1");
    expect(screen.getByTestId("override-cache-write")).toHaveValue("2.5");
    expect(screen.getByTestId("override-reasoning")).toHaveValue("12");
    expect(screen.getByTestId("override-context")).toHaveValue("128000");
    const input = screen.getByTestId("override-input");
    expect(input).toHaveFocus();
    expect(screen.getByTestId("override-save")).toHaveTextContent("Update price");

    await user.clear(input);
    await user.type(input, "1.5");
    await user.click(screen.getByTestId("override-save"));
    await waitFor(() => expect(cells(screen.getByTestId("override-row"))[0]).toBe("$1.50"));
    expect(calls.find((c) => c.cmd === "set_price_override")?.args).toEqual({
      model: "openai/gpt-4o",
      price: {
        input_per_mtok: "1.5",
        output_per_mtok: "8",
        cached_input_per_mtok: "1",
        cache_write_per_mtok: "2.5",
        reasoning_per_mtok: "12",
        context_window: 128000,
      },
    });
  });
});
