import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { ProviderModels } from "../../../lib/bindings/ProviderModels";
import { ModelCatalog } from "../../../lib/stores/modelCatalog.svelte";
import { deferred, mockCommands, sent, type Call, type Handler } from "../../../test/ipc";
import { sampleOverview } from "../../../test/providers";
import ModelPicker from "./ModelPicker.svelte";
import {
  answerModels,
  askedFor,
  gpt4o,
  gpt4oMini,
  haiku,
  llama,
  model,
  modelsOf,
  o3,
  sonnet,
  vllmDown,
} from "./testModels";

interface Shown {
  catalog: ModelCatalog;
  onPick: ReturnType<typeof vi.fn<(id: string) => void>>;
  onClose: ReturnType<typeof vi.fn<() => void>>;
  onOpenProviders: ReturnType<typeof vi.fn<() => void>>;
  /** Every command sent to the mocked core. */
  calls: Call[];
}

/** Shows the picker over a fresh catalog, `provider_models` answering as `models` says. */
function showPicker(models: Handler = answerModels(), exclude?: string[]): Shown {
  const calls = mockCommands({ list_providers: () => sampleOverview, provider_models: models });
  const props = {
    catalog: new ModelCatalog(),
    onPick: vi.fn<(id: string) => void>(),
    onClose: vi.fn<() => void>(),
    onOpenProviders: vi.fn<() => void>(),
  };
  render(ModelPicker, { props: { ...props, ...(exclude ? { exclude } : {}) } });
  return { ...props, calls };
}

/** Waits for the lists to be drawn (OpenAI's first model). */
async function listed(): Promise<void> {
  await screen.findByTestId(`model-option-${gpt4o.id}`);
}

function optionIds(): string[] {
  return screen.queryAllByRole("option").map((o) => o.dataset.testid ?? "");
}

function activeOption(): HTMLElement | null {
  const id = screen.getByTestId("model-search").getAttribute("aria-activedescendant");
  return id === null ? null : document.getElementById(id);
}

describe("Model picker", () => {
  it("is a dialog with the search field focused, listing every provider's models", async () => {
    showPicker();
    const dialog = screen.getByRole("dialog", { name: "Pick a model" });
    expect(dialog).toHaveAttribute("data-testid", "model-picker");
    expect(screen.getByTestId("model-search")).toHaveFocus();
    await listed();

    expect(optionIds()).toEqual(
      [gpt4o, gpt4oMini, o3, sonnet, haiku, llama, model("my-vllm/qwen2.5-72b", null)].map(
        (m) => `model-option-${m.id}`,
      ),
    );
    const openai = screen.getByTestId("picker-provider-openai");
    expect(within(openai).getByText("OpenAI")).toBeVisible();
    expect(openai).toHaveTextContent("3 models");
    // The first row is active.
    expect(activeOption()).toBe(screen.getByTestId(`model-option-${gpt4o.id}`));
    expect(activeOption()).toHaveAttribute("aria-selected", "true");
  });

  it("shows each model's name, full id, price per million tokens and context window", async () => {
    showPicker();
    await listed();

    const row = screen.getByTestId(`model-option-${gpt4o.id}`);
    expect(within(row).getByText("GPT-4o")).toBeVisible();
    expect(within(row).getByText("openai/gpt-4o")).toHaveClass("mono");
    expect(screen.getByTestId(`model-price-${gpt4o.id}`)).toHaveTextContent("in $2.50 / out $10.00 per M");
    expect(screen.getByTestId(`model-price-${gpt4o.id}`)).toHaveAttribute(
      "title",
      "Price from litellm 1.106.2 (2026-10-21)",
    );
    expect(screen.getByTestId(`model-context-${gpt4o.id}`)).toHaveTextContent("128k ctx");
    expect(screen.getByTestId(`model-price-${gpt4oMini.id}`)).toHaveTextContent("in $0.15 / out $0.60 per M");
    expect(screen.getByTestId(`model-price-${sonnet.id}`)).toHaveTextContent("in $3.00 / out $15.00 per M");
    expect(screen.getByTestId(`model-context-${sonnet.id}`)).toHaveTextContent("200k ctx");
    expect(screen.getByTestId(`model-price-${llama.id}`)).toHaveTextContent("free");
    expect(screen.getByTestId(`model-context-${llama.id}`)).toHaveTextContent("128k ctx");
    // No display name: the id without its provider; no price, no context window.
    expect(within(screen.getByTestId(`model-option-${o3.id}`)).getByText("o3-deep")).toBeVisible();
    expect(screen.getByTestId(`model-price-${o3.id}`)).toHaveTextContent("unpriced");
    expect(screen.queryByTestId(`model-context-${o3.id}`)).not.toBeInTheDocument();
  });

  it("shows prices in the display currency when given one", async () => {
    mockCommands({ list_providers: () => sampleOverview, provider_models: answerModels() });
    render(ModelPicker, {
      props: {
        catalog: new ModelCatalog(),
        onPick: () => {},
        onClose: () => {},
        onOpenProviders: () => {},
        currency: { code: "EUR", per_usd: "0.9" },
      },
    });
    await listed();
    expect(screen.getByTestId(`model-price-${gpt4o.id}`)).toHaveTextContent("in €2.25 / out €9.00 per M");
  });

  it("searches across every provider: every term in the id or the name", async () => {
    const user = userEvent.setup();
    showPicker();
    await listed();

    await user.type(screen.getByTestId("model-search"), "4");
    expect(optionIds()).toEqual([gpt4o, gpt4oMini, sonnet, haiku].map((m) => `model-option-${m.id}`));

    await user.clear(screen.getByTestId("model-search"));
    await user.type(screen.getByTestId("model-search"), "Sonnet 4.5");
    expect(optionIds()).toEqual([`model-option-${sonnet.id}`]);
    expect(screen.queryByTestId("picker-provider-openai")).not.toBeInTheDocument();
    expect(screen.getByTestId("picker-provider-anthropic")).toHaveTextContent("1 model");

    await user.clear(screen.getByTestId("model-search"));
    await user.type(screen.getByTestId("model-search"), "mini gpt");
    expect(optionIds()).toEqual([`model-option-${gpt4oMini.id}`]);

    await user.clear(screen.getByTestId("model-search"));
    await user.type(screen.getByTestId("model-search"), "nothing-like-this");
    expect(optionIds()).toEqual([]);
    expect(screen.getByRole("status")).toHaveTextContent("No models match “nothing-like-this”.");
  });

  it("moves with the arrow keys and picks the active row with Enter", async () => {
    const user = userEvent.setup();
    const { onPick } = showPicker();
    await listed();
    const search = screen.getByTestId("model-search");

    await user.type(search, "claude");
    expect(activeOption()).toBe(screen.getByTestId(`model-option-${sonnet.id}`));
    await user.keyboard("{ArrowDown}");
    expect(activeOption()).toBe(screen.getByTestId(`model-option-${haiku.id}`));
    expect(screen.getByTestId(`model-option-${haiku.id}`)).toHaveAttribute("aria-selected", "true");
    expect(screen.getByTestId(`model-option-${sonnet.id}`)).toHaveAttribute("aria-selected", "false");
    // The last row stays active.
    await user.keyboard("{ArrowDown}{ArrowDown}");
    expect(activeOption()).toBe(screen.getByTestId(`model-option-${haiku.id}`));
    await user.keyboard("{ArrowUp}{ArrowUp}{ArrowDown}");
    expect(activeOption()).toBe(screen.getByTestId(`model-option-${haiku.id}`));
    expect(search).toHaveFocus();

    await user.keyboard("{Enter}");
    expect(onPick).toHaveBeenCalledExactlyOnceWith(haiku.id);
  });

  it("moves across providers, and a new search starts at its first row", async () => {
    const user = userEvent.setup();
    const { onPick } = showPicker();
    await listed();
    await user.keyboard("{ArrowDown}{ArrowDown}{ArrowDown}");
    expect(activeOption()).toBe(screen.getByTestId(`model-option-${sonnet.id}`));

    await user.type(screen.getByTestId("model-search"), "llama");
    expect(activeOption()).toBe(screen.getByTestId(`model-option-${llama.id}`));
    await user.keyboard("{Enter}");
    expect(onPick).toHaveBeenCalledExactlyOnceWith(llama.id);
  });

  it("picks a clicked row, keeping the focus in the search field", async () => {
    const user = userEvent.setup();
    const { onPick, onClose } = showPicker();
    await listed();

    await user.click(within(screen.getByTestId(`model-option-${sonnet.id}`)).getByText("Claude Sonnet 4.5"));
    expect(onPick).toHaveBeenCalledExactlyOnceWith(sonnet.id);
    expect(screen.getByTestId("model-search")).toHaveFocus();
    expect(onClose).not.toHaveBeenCalled();
  });

  it("closes on Escape, which does not reach the window", async () => {
    const user = userEvent.setup();
    const { onClose, onPick } = showPicker();
    await listed();
    let reachedWindow = false;
    const onWindowKey = (event: KeyboardEvent): void => {
      if (event.key === "Escape" && !event.defaultPrevented) reachedWindow = true;
    };
    window.addEventListener("keydown", onWindowKey);

    await user.keyboard("{Escape}");
    expect(onClose).toHaveBeenCalledOnce();
    expect(onPick).not.toHaveBeenCalled();
    expect(reachedWindow).toBe(false);
    window.removeEventListener("keydown", onWindowKey);
  });

  it("closes on a click outside, not on one inside", async () => {
    const user = userEvent.setup();
    const outside = document.createElement("button");
    outside.textContent = "elsewhere";
    document.body.append(outside);
    const { onClose } = showPicker();
    await listed();

    await user.click(screen.getByTestId("model-search"));
    await user.click(screen.getByTestId("picker-provider-openai"));
    expect(onClose).not.toHaveBeenCalled();
    await user.click(outside);
    expect(onClose).toHaveBeenCalledOnce();
    outside.remove();
  });

  it("keeps providers without a key in the list, with a shortcut to the key settings", async () => {
    const user = userEvent.setup();
    const { onOpenProviders, calls } = showPicker();
    await listed();

    const gemini = screen.getByTestId("picker-nokey-gemini");
    expect(gemini).toHaveTextContent("Google Gemini");
    expect(gemini).toHaveTextContent("No key — Set key or $GEMINI_API_KEY");
    // Shown while searching too: its models may be the ones looked for.
    await user.type(screen.getByTestId("model-search"), "gemini");
    expect(screen.getByTestId("picker-nokey-gemini")).toBeVisible();

    await user.click(within(screen.getByTestId("picker-nokey-gemini")).getByRole("button", { name: "Set key" }));
    expect(onOpenProviders).toHaveBeenCalledOnce();
    // Nothing was asked of a provider without a key.
    expect(askedFor(calls)).not.toContain("gemini");
  });

  it("shows a provider still loading, then its models", async () => {
    const slow = deferred<ProviderModels>();
    showPicker(answerModels({ anthropic: () => slow.promise }));
    await listed();

    expect(screen.getByTestId("picker-loading-anthropic")).toHaveTextContent("Loading models…");
    expect(screen.getByTestId("picker-provider-anthropic")).toContainElement(
      screen.getByTestId("picker-loading-anthropic"),
    );
    slow.resolve(modelsOf("anthropic"));
    expect(await screen.findByTestId(`model-option-${sonnet.id}`)).toBeVisible();
    expect(screen.queryByTestId("picker-loading-anthropic")).not.toBeInTheDocument();
  });

  it("shows a provider's error with its hint, and Retry asks again", async () => {
    const user = userEvent.setup();
    let down = true;
    const models = answerModels({ "my-vllm": () => (down ? vllmDown : modelsOf("my-vllm")) });
    const calls = mockCommands({ list_providers: () => sampleOverview, provider_models: models });
    const catalog = new ModelCatalog();
    render(ModelPicker, { props: { catalog, onPick: () => {}, onClose: () => {}, onOpenProviders: () => {} } });

    const error = await screen.findByTestId("picker-error-my-vllm");
    expect(error).toHaveTextContent("Can’t connect");
    expect(error).toHaveTextContent("my-vllm: could not connect to http://gpu-box:8000/v1 (connection refused)");
    expect(error).toHaveTextContent("is the server at http://gpu-box:8000/v1 running?");
    expect(screen.getByTestId("picker-provider-my-vllm")).toContainElement(error);
    // The other providers' models are there all the same.
    expect(screen.getByTestId(`model-option-${gpt4o.id}`)).toBeVisible();

    down = false;
    await user.click(within(error).getByRole("button", { name: "Retry" }));
    expect(await screen.findByTestId("model-option-my-vllm/qwen2.5-72b")).toBeVisible();
    expect(screen.queryByTestId("picker-error-my-vllm")).not.toBeInTheDocument();
    expect(askedFor(calls).filter((p) => p === "my-vllm")).toHaveLength(2);
  });

  it("offers a refused key's provider a way to the key settings", async () => {
    const user = userEvent.setup();
    const refused: ProviderModels = {
      provider: "anthropic",
      models: [],
      error: { kind: "auth", message: "anthropic: invalid x-api-key", status: 401, retry_after_s: null, phase: null },
      hint: "the anthropic key from $ANTHROPIC_API_KEY was refused; fix `ANTHROPIC_API_KEY`",
    };
    const { onOpenProviders } = showPicker(answerModels({ anthropic: () => refused }));

    const error = await screen.findByTestId("picker-error-anthropic");
    expect(error).toHaveTextContent("Key refused (HTTP 401)");
    expect(within(error).getByText("ANTHROPIC_API_KEY").tagName).toBe("CODE");
    await user.click(within(error).getByRole("button", { name: "Key settings" }));
    expect(onOpenProviders).toHaveBeenCalledOnce();
  });

  it("offers a full provider/model id no list holds, as typed", async () => {
    const user = userEvent.setup();
    const { onPick } = showPicker();
    await listed();
    const search = screen.getByTestId("model-search");

    await user.type(search, "openai/gpt-5-preview");
    const typed = screen.getByTestId("picker-use-typed");
    expect(typed).toHaveTextContent("Use openai/gpt-5-preview as typed");
    expect(activeOption()).toBe(typed);
    await user.keyboard("{Enter}");
    expect(onPick).toHaveBeenLastCalledWith("openai/gpt-5-preview");

    // A listed id is not offered again; it is the first row.
    await user.clear(search);
    await user.type(search, "openai/gpt-4o");
    expect(screen.queryByTestId("picker-use-typed")).not.toBeInTheDocument();
    expect(activeOption()).toBe(screen.getByTestId(`model-option-${gpt4o.id}`));

    // Nor a provider that is not configured.
    await user.clear(search);
    await user.type(search, "nope/model");
    expect(screen.queryByTestId("picker-use-typed")).not.toBeInTheDocument();

    await user.clear(search);
    await user.type(search, "gemini/gemini-2.5-pro");
    await user.click(screen.getByTestId("picker-use-typed"));
    expect(onPick).toHaveBeenLastCalledWith("gemini/gemini-2.5-pro");
  });

  it("leaves out excluded models", async () => {
    showPicker(answerModels(), [gpt4o.id, haiku.id]);
    await screen.findByTestId(`model-option-${gpt4oMini.id}`);
    expect(screen.queryByTestId(`model-option-${gpt4o.id}`)).not.toBeInTheDocument();
    expect(screen.queryByTestId(`model-option-${haiku.id}`)).not.toBeInTheDocument();
    expect(screen.getByTestId("picker-provider-openai")).toHaveTextContent("2 models");
  });

  it("draws at most 200 rows per provider until a search narrows them", async () => {
    const user = userEvent.setup();
    const many = Array.from({ length: 320 }, (_, i) => model(`openai/m-${String(i).padStart(3, "0")}`, null));
    showPicker(answerModels({ openai: () => modelsOf("openai", many) }));
    await screen.findByTestId("model-option-openai/m-000");

    const group = screen.getByTestId("picker-provider-openai");
    expect(within(group).getAllByRole("option")).toHaveLength(200);
    expect(group).toHaveTextContent("320 models");
    expect(screen.getByTestId("picker-more-openai")).toHaveTextContent("120 more — type to search");

    await user.type(screen.getByTestId("model-search"), "m-31");
    expect(
      within(group)
        .getAllByRole("option")
        .map((o) => o.dataset.testid),
    ).toEqual(Array.from({ length: 10 }, (_, i) => `model-option-openai/m-31${i}`));
    expect(screen.queryByTestId("picker-more-openai")).not.toBeInTheDocument();
  });

  it("shows why the providers could not be read, and tries again", async () => {
    const user = userEvent.setup();
    let fail = true;
    mockCommands({
      list_providers: () => {
        if (fail) throw { kind: "provider_settings", message: "providers.json is not valid JSON" };
        return sampleOverview;
      },
      provider_models: answerModels(),
    });
    render(ModelPicker, {
      props: { catalog: new ModelCatalog(), onPick: () => {}, onClose: () => {}, onOpenProviders: () => {} },
    });

    expect(await screen.findByRole("alert")).toHaveTextContent("providers.json is not valid JSON");
    fail = false;
    await user.click(screen.getByRole("button", { name: "Try again" }));
    await listed();
  });

  it("uses the catalog's lists without asking again", async () => {
    const calls = mockCommands({ list_providers: () => sampleOverview, provider_models: answerModels() });
    const catalog = new ModelCatalog();
    await catalog.load();
    const props = { catalog, onPick: () => {}, onClose: () => {}, onOpenProviders: () => {} };
    const first = render(ModelPicker, { props });
    await listed();
    first.unmount();
    render(ModelPicker, { props });
    await listed();
    expect(sent(calls, "list_providers")).toHaveLength(1);
    expect(sent(calls, "provider_models")).toHaveLength(4);
  });

  it("a refresh keeps the list shown until the new one arrives", async () => {
    let answer: () => unknown = () => modelsOf("openai");
    const calls = mockCommands({
      list_providers: () => sampleOverview,
      provider_models: answerModels({ openai: () => answer() }),
    });
    render(ModelPicker, {
      props: { catalog: new ModelCatalog(), onPick: () => {}, onClose: () => {}, onOpenProviders: () => {} },
    });
    await listed();

    const pending = deferred<ProviderModels>();
    answer = () => pending.promise;
    await fireEvent.click(screen.getByRole("button", { name: "Refresh OpenAI models" }));
    expect(screen.getByRole("button", { name: "Refresh OpenAI models" })).toBeDisabled();
    expect(screen.getByTestId(`model-option-${gpt4o.id}`)).toBeVisible();
    pending.resolve(modelsOf("openai", [gpt4o]));
    await waitFor(() => expect(screen.queryByTestId(`model-option-${o3.id}`)).not.toBeInTheDocument());
    expect(askedFor(calls).filter((p) => p === "openai")).toHaveLength(2);
  });
});
