import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { KeyCheck } from "../../lib/bindings/KeyCheck";
import type { ProviderStatus } from "../../lib/bindings/ProviderStatus";
import { deferred, sent } from "../../test/ipc";
import {
  anthropic,
  gemini,
  mockProviders,
  noServiceProblem,
  openai,
  sampleOverview,
  showProviders,
} from "../../test/providers";
import ProvidersSettings from "./ProvidersSettings.svelte";

const TYPED_KEY = "sk-proj-TYPED-secret-5678";

/** Gemini after a key was saved in the keychain. */
const geminiWithKey: ProviderStatus = {
  ...gemini,
  key: { ...gemini.key, set: true, source: "keychain", last4: "5678" },
};

describe("Providers settings: the list", () => {
  it("shows each provider's key status, where the key comes from and its last four", async () => {
    mockProviders();
    await showProviders();

    expect(screen.getByTestId("key-status-openai")).toHaveTextContent("Keychain ····1234");
    expect(screen.getByTestId("provider-row-openai")).toHaveTextContent("overrides $OPENAI_API_KEY");
    expect(screen.getByTestId("provider-row-openai")).toHaveTextContent("openai/…");
    expect(screen.getByTestId("key-status-anthropic")).toHaveTextContent("From $ANTHROPIC_API_KEY ····abcd");
    expect(screen.getByTestId("key-status-gemini")).toHaveTextContent("Not set");
    expect(screen.getByTestId("key-status-ollama")).toHaveTextContent("No key needed");
    expect(screen.getByTestId("key-status-my-vllm")).toHaveTextContent("Keychain ····9z9z");

    // Rows in the core's order: built-ins first, then custom endpoints.
    const rows = within(screen.getByRole("list", { name: "Providers" })).getAllByRole("listitem");
    expect(rows.map((r) => r.dataset.testid)).toEqual([
      "provider-row-openai",
      "provider-row-anthropic",
      "provider-row-gemini",
      "provider-row-ollama",
      "provider-row-my-vllm",
    ]);
  });

  it("shows a base URL only when it is not the default, with where it comes from", async () => {
    mockProviders();
    await showProviders();

    expect(screen.queryByTestId("base-url-openai")).not.toBeInTheDocument();
    expect(screen.getByTestId("base-url-anthropic")).toHaveTextContent("https://proxy.example.com/anthropic");
    expect(screen.getByTestId("provider-row-anthropic")).toHaveTextContent("from $ANTHROPIC_BASE_URL");
    expect(screen.getByTestId("base-url-gemini")).toHaveTextContent("https://gemini.internal.example/v1");
    expect(screen.getByTestId("provider-row-gemini")).toHaveTextContent("set in Settings");
    expect(screen.getByTestId("base-url-my-vllm")).toHaveTextContent("http://gpu-box:8000/v1");
  });

  it("offers Remove key only for a key in the keychain, and Base URL only for built-ins", async () => {
    mockProviders();
    await showProviders();

    expect(screen.getByTestId("key-edit-openai")).toHaveTextContent("Replace key");
    expect(screen.getByTestId("key-edit-gemini")).toHaveTextContent("Set key");
    expect(screen.getByTestId("key-remove-openai")).toBeVisible();
    expect(screen.queryByTestId("key-remove-anthropic")).not.toBeInTheDocument();
    expect(screen.queryByTestId("key-remove-gemini")).not.toBeInTheDocument();
    expect(screen.getByTestId("base-url-edit-openai")).toBeVisible();
    expect(screen.queryByTestId("base-url-edit-my-vllm")).not.toBeInTheDocument();
    expect(screen.getByTestId("custom-edit-my-vllm")).toBeVisible();
    expect(screen.queryByTestId("custom-edit-openai")).not.toBeInTheDocument();
  });

  it("names the keychain in use when it works", async () => {
    mockProviders();
    await showProviders();

    expect(screen.getByTestId("keychain-backend")).toHaveTextContent(
      "Keys are kept in the Secret Service (service switchboard).",
    );
    expect(within(screen.getByTestId("keychain-backend")).getByText("switchboard").tagName).toBe("CODE");
    expect(screen.queryByTestId("keychain-problem")).not.toBeInTheDocument();
  });

  it("shows the keychain's problem: the cause, the fix, and the keychain's own words", async () => {
    mockProviders({}, { ...sampleOverview, keychain: { backend: "the Secret Service", problem: noServiceProblem } });
    await showProviders();

    const banner = screen.getByTestId("keychain-problem");
    expect(banner).toHaveAttribute("role", "alert");
    expect(banner).toHaveTextContent("No keychain is running: nothing provides the Secret Service on this session.");
    expect(banner).toHaveTextContent("Install and start a Secret Service provider (gnome-keyring");
    expect(banner).toHaveTextContent("until then, keys are read from environment variables.");
    expect(banner).toHaveTextContent("org.freedesktop.secrets was not provided by any .service files");
    expect(screen.queryByTestId("keychain-backend")).not.toBeInTheDocument();
  });

  it("shows why the list cannot be read, and tries again", async () => {
    const user = userEvent.setup();
    let fail = true;
    mockProviders({
      list_providers: () => {
        if (fail) throw { kind: "provider_settings", message: "providers.json is not valid JSON; fix or delete it" };
        return sampleOverview;
      },
    });
    render(ProvidersSettings);

    expect(await screen.findByRole("alert")).toHaveTextContent("providers.json is not valid JSON; fix or delete it");
    fail = false;
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByTestId("provider-row-openai")).toBeVisible();
  });
});

describe("Providers settings: keys", () => {
  it("sets a key: sends what was typed, empties the field and never shows the key again", async () => {
    const user = userEvent.setup();
    const calls = mockProviders({ set_key: () => geminiWithKey });
    await showProviders();

    await user.click(screen.getByTestId("key-edit-gemini"));
    const input = screen.getByTestId("key-input-gemini");
    expect(input).toHaveFocus();
    expect(input).toHaveAttribute("type", "password");
    expect(input).toHaveAttribute("autocomplete", "off");
    expect(input).toHaveAttribute("spellcheck", "false");
    expect(input).toHaveAccessibleName("Google Gemini API key");
    expect(screen.getByTestId("key-save-gemini")).toBeDisabled();

    await user.type(input, TYPED_KEY);
    await user.click(screen.getByTestId("key-save-gemini"));

    await waitFor(() => expect(screen.getByTestId("key-status-gemini")).toHaveTextContent("Keychain ····5678"));
    expect(sent(calls, "set_key")).toEqual([{ provider: "gemini", key: TYPED_KEY }]);
    expect(screen.getByTestId("key-input-gemini")).toHaveValue("");
    expect(document.body.innerHTML).not.toContain(TYPED_KEY);
    expect(screen.getByTestId("provider-row-gemini")).toHaveTextContent("Saved in the keychain.");
    expect(screen.getByTestId("key-edit-gemini")).toHaveTextContent("Replace key");
    expect(screen.getByTestId("key-remove-gemini")).toBeVisible();

    // Done closes the form; reopening it shows an empty field.
    await user.click(screen.getByTestId("key-cancel-gemini"));
    expect(screen.queryByTestId("key-input-gemini")).not.toBeInTheDocument();
    expect(screen.getByTestId("key-edit-gemini")).toHaveFocus();
    await user.click(screen.getByTestId("key-edit-gemini"));
    expect(screen.getByTestId("key-input-gemini")).toHaveValue("");
  });

  it("saves with Enter, and disables the form while the keychain is asked", async () => {
    const user = userEvent.setup();
    const answer = deferred<ProviderStatus>();
    mockProviders({ set_key: () => answer.promise });
    await showProviders();

    await user.click(screen.getByTestId("key-edit-gemini"));
    await user.type(screen.getByTestId("key-input-gemini"), `${TYPED_KEY}{Enter}`);
    const save = await screen.findByRole("button", { name: "Saving…" });
    expect(save).toBeDisabled();
    expect(screen.getByTestId("key-cancel-gemini")).toBeDisabled();
    expect(screen.getByTestId("key-edit-gemini")).toBeDisabled();

    answer.resolve(geminiWithKey);
    await waitFor(() => expect(screen.getByTestId("key-status-gemini")).toHaveTextContent("Keychain ····5678"));
    expect(screen.getByTestId("key-edit-gemini")).toBeEnabled();
  });

  it("shows a keychain refusal at the row, says environment keys still work, and the row stays usable", async () => {
    const user = userEvent.setup();
    const message =
      "no keychain is running: nothing provides the Secret Service on this session; install and start a Secret Service provider (gnome-keyring or KeePassXC with Secret Service enabled); until then, keys are read from environment variables (org.freedesktop.secrets was not provided)";
    let refuse = true;
    const calls = mockProviders({
      set_key: () => {
        if (refuse) throw { kind: "keychain", message };
        return geminiWithKey;
      },
    });
    await showProviders();

    await user.click(screen.getByTestId("key-edit-gemini"));
    await user.type(screen.getByTestId("key-input-gemini"), TYPED_KEY);
    await user.click(screen.getByTestId("key-save-gemini"));

    const error = await screen.findByTestId("provider-error-gemini");
    expect(error).toHaveAttribute("role", "alert");
    expect(error).toHaveTextContent(message);
    expect(error).toHaveTextContent("Keys in environment variables still work.");
    expect(screen.getByTestId("key-status-gemini")).toHaveTextContent("Not set");
    // Nothing is stuck: the form is still there and the key can be saved once the keychain works.
    expect(screen.getByTestId("key-test-gemini")).toBeEnabled();
    expect(screen.getByTestId("key-save-gemini")).toBeEnabled();
    refuse = false;
    await user.click(screen.getByTestId("key-save-gemini"));
    await waitFor(() => expect(screen.getByTestId("key-status-gemini")).toHaveTextContent("Keychain ····5678"));
    expect(screen.queryByTestId("provider-error-gemini")).not.toBeInTheDocument();
    expect(sent(calls, "set_key")).toHaveLength(2);
    expect(document.body.innerHTML).not.toContain(TYPED_KEY);
  });

  it("shows a malformed key's refusal without the keychain note", async () => {
    const user = userEvent.setup();
    mockProviders({
      set_key: () => {
        throw { kind: "invalid_input", message: "the key contains a space or a line break: paste it again" };
      },
    });
    await showProviders();

    await user.click(screen.getByTestId("key-edit-openai"));
    await user.type(screen.getByTestId("key-input-openai"), "sk bad");
    await user.click(screen.getByTestId("key-save-openai"));

    const error = await screen.findByTestId("provider-error-openai");
    expect(error).toHaveTextContent("the key contains a space or a line break: paste it again");
    expect(error).not.toHaveTextContent("environment variables");
    await user.type(screen.getByTestId("key-input-openai"), "x");
    expect(screen.queryByTestId("provider-error-openai")).not.toBeInTheDocument();
  });

  it("Escape cancels the key form without leaving settings", async () => {
    const user = userEvent.setup();
    mockProviders();
    await showProviders();
    let reachedWindow = false;
    const onWindowKey = (event: KeyboardEvent): void => {
      if (event.key === "Escape" && !event.defaultPrevented) reachedWindow = true;
    };
    window.addEventListener("keydown", onWindowKey);

    await user.click(screen.getByTestId("key-edit-openai"));
    await user.type(screen.getByTestId("key-input-openai"), "sk-abc{Escape}");

    expect(screen.queryByTestId("key-input-openai")).not.toBeInTheDocument();
    expect(screen.getByTestId("key-edit-openai")).toHaveFocus();
    expect(reachedWindow).toBe(false);
    window.removeEventListener("keydown", onWindowKey);
  });

  it("removes a key only after confirming, then shows the environment key in use", async () => {
    const user = userEvent.setup();
    const fromEnv: ProviderStatus = {
      ...openai,
      key: { ...openai.key, source: "env", env_var: "OPENAI_API_KEY", shadowed_env: null, last4: "9876" },
    };
    const calls = mockProviders({ delete_key: () => fromEnv });
    await showProviders();

    await user.click(screen.getByTestId("key-remove-openai"));
    const row = screen.getByTestId("provider-row-openai");
    expect(row).toHaveTextContent("Remove the OpenAI key from the keychain?");
    expect(row).toHaveTextContent("The key in $OPENAI_API_KEY will be used instead.");
    expect(sent(calls, "delete_key")).toEqual([]);

    // Keeping it asks nothing of the core.
    await user.click(within(row).getByRole("button", { name: "Keep it" }));
    expect(screen.queryByTestId("key-remove-confirm-openai")).not.toBeInTheDocument();
    expect(sent(calls, "delete_key")).toEqual([]);

    await user.click(screen.getByTestId("key-remove-openai"));
    await user.click(screen.getByTestId("key-remove-confirm-openai"));
    await waitFor(() =>
      expect(screen.getByTestId("key-status-openai")).toHaveTextContent("From $OPENAI_API_KEY ····9876"),
    );
    expect(sent(calls, "delete_key")).toEqual([{ provider: "openai" }]);
    expect(row).toHaveTextContent("Removed from the keychain. The key in $OPENAI_API_KEY is in use now.");
    expect(screen.queryByTestId("key-remove-openai")).not.toBeInTheDocument();
    expect(screen.getByTestId("key-edit-openai")).toHaveTextContent("Set key");
  });

  it("shows why a key could not be removed and keeps it", async () => {
    const user = userEvent.setup();
    mockProviders({
      delete_key: () => {
        throw { kind: "keychain", message: "the keychain is locked; unlock your login keyring and try again (locked)" };
      },
    });
    await showProviders();

    await user.click(screen.getByTestId("key-remove-openai"));
    await user.click(screen.getByTestId("key-remove-confirm-openai"));
    expect(await screen.findByTestId("provider-error-openai")).toHaveTextContent("the keychain is locked");
    expect(screen.getByTestId("key-status-openai")).toHaveTextContent("Keychain ····1234");
    expect(screen.getByTestId("key-remove-confirm-openai")).toBeEnabled();
  });
});

describe("Providers settings: testing a key", () => {
  it("says the key works and how many models it lists, after a pending state", async () => {
    const user = userEvent.setup();
    const answer = deferred<KeyCheck>();
    const calls = mockProviders({ test_key: () => answer.promise });
    await showProviders();

    await user.click(screen.getByTestId("key-test-openai"));
    expect(screen.getByTestId("key-test-openai")).toBeDisabled();
    expect(screen.getByTestId("key-test-openai")).toHaveTextContent("Testing…");
    expect(screen.getByTestId("key-test-result-openai")).toHaveTextContent("Asking OpenAI for its models…");

    answer.resolve({ provider: "openai", ok: true, models: 42, error: null, hint: null });
    await waitFor(() => expect(screen.getByTestId("key-test-result-openai")).toHaveTextContent("Key works — 42 models"));
    expect(screen.getByTestId("key-test-openai")).toBeEnabled();
    expect(sent(calls, "test_key")).toEqual([{ provider: "openai" }]);
  });

  it("shows a refused key: the kind, the provider's message and what to do", async () => {
    const user = userEvent.setup();
    mockProviders({
      test_key: () =>
        ({
          provider: "anthropic",
          ok: false,
          models: null,
          error: {
            kind: "auth",
            message: "anthropic: invalid x-api-key",
            status: 401,
            retry_after_s: null,
            phase: null,
          },
          hint: "the anthropic key from $ANTHROPIC_API_KEY was refused; fix $ANTHROPIC_API_KEY, or save a key in Settings → Providers (the keychain's key takes precedence)",
        }) satisfies KeyCheck,
    });
    await showProviders();

    await user.click(screen.getByTestId("key-test-anthropic"));
    const result = await screen.findByText("Key refused (HTTP 401)");
    const box = screen.getByTestId("key-test-result-anthropic");
    expect(box).toContainElement(result);
    expect(box).toHaveTextContent("anthropic: invalid x-api-key");
    expect(box).toHaveTextContent("fix $ANTHROPIC_API_KEY, or save a key in Settings → Providers");
    expect(box).not.toHaveTextContent("works");
  });

  it("shows why the test could not run", async () => {
    const user = userEvent.setup();
    mockProviders({
      test_key: () => {
        throw { kind: "invalid_input", message: "unknown provider `nope`" };
      },
    });
    await showProviders();

    await user.click(screen.getByTestId("key-test-gemini"));
    expect(await screen.findByTestId("key-test-result-gemini")).toHaveTextContent("unknown provider nope");
  });
});

describe("Providers settings: base URLs", () => {
  it("sets a built-in's base URL, with the default as the placeholder", async () => {
    const user = userEvent.setup();
    const proxied: ProviderStatus = { ...openai, base_url: "https://gateway.example/v1", base_url_source: "settings" };
    const calls = mockProviders({ set_base_url: () => proxied });
    await showProviders();

    await user.click(screen.getByTestId("base-url-edit-openai"));
    const input = screen.getByTestId("base-url-input-openai");
    expect(input).toHaveFocus();
    expect(input).toHaveValue("");
    expect(input).toHaveAttribute("placeholder", "https://api.openai.com/v1");
    expect(screen.getByTestId("base-url-reset-openai")).toBeDisabled();

    await user.type(input, " https://gateway.example/v1 ");
    await user.click(screen.getByTestId("base-url-save-openai"));
    await waitFor(() => expect(screen.getByTestId("base-url-openai")).toHaveTextContent("https://gateway.example/v1"));
    expect(sent(calls, "set_base_url")).toEqual([{ provider: "openai", url: "https://gateway.example/v1" }]);
    expect(screen.getByTestId("provider-row-openai")).toHaveTextContent("set in Settings");
    expect(screen.queryByTestId("base-url-input-openai")).not.toBeInTheDocument();
  });

  it("resets a base URL set in Settings to the default", async () => {
    const user = userEvent.setup();
    const calls = mockProviders({ set_base_url: () => ({ ...gemini, base_url: gemini.default_base_url, base_url_source: "default" }) });
    await showProviders();

    await user.click(screen.getByTestId("base-url-edit-gemini"));
    expect(screen.getByTestId("base-url-input-gemini")).toHaveValue("https://gemini.internal.example/v1");
    await user.click(screen.getByTestId("base-url-reset-gemini"));
    await waitFor(() => expect(screen.queryByTestId("base-url-gemini")).not.toBeInTheDocument());
    expect(sent(calls, "set_base_url")).toEqual([{ provider: "gemini", url: null }]);
  });

  it("shows a refused URL at the row and keeps what was typed", async () => {
    const user = userEvent.setup();
    mockProviders({
      set_base_url: () => {
        throw { kind: "invalid_input", message: "`ftp://x` is not an http(s) URL" };
      },
    });
    await showProviders();

    await user.click(screen.getByTestId("base-url-edit-anthropic"));
    await user.type(screen.getByTestId("base-url-input-anthropic"), "ftp://x");
    await user.click(screen.getByTestId("base-url-save-anthropic"));
    expect(await screen.findByTestId("provider-error-anthropic")).toHaveTextContent("ftp://x is not an http(s) URL");
    expect(screen.getByTestId("base-url-input-anthropic")).toHaveValue("ftp://x");
  });
});

describe("Providers settings: importing from the environment", () => {
  it("imports, reports each variable and shows the keys now in the keychain", async () => {
    const user = userEvent.setup();
    let imported = false;
    const anthropicInKeychain: ProviderStatus = {
      ...anthropic,
      key: { ...anthropic.key, source: "keychain", env_var: null, shadowed_env: "ANTHROPIC_API_KEY" },
    };
    const calls = mockProviders({
      list_providers: () =>
        imported ? { ...sampleOverview, providers: [openai, anthropicInKeychain, gemini] } : sampleOverview,
      import_env_keys: () => {
        imported = true;
        return [
          { provider: "anthropic", env_var: "ANTHROPIC_API_KEY", outcome: "imported" },
          { provider: "openai", env_var: "OPENAI_API_KEY", outcome: "kept_keychain_key" },
        ];
      },
    });
    await showProviders();

    await user.click(screen.getByTestId("keys-import-env"));
    const report = await screen.findByTestId("keys-import-result");
    expect(report).toHaveTextContent("Anthropic: imported from $ANTHROPIC_API_KEY.");
    expect(report).toHaveTextContent("OpenAI: kept the keychain’s key; $OPENAI_API_KEY holds a different one.");
    await waitFor(() => expect(screen.getByTestId("key-status-anthropic")).toHaveTextContent("Keychain ····abcd"));
    expect(calls.map((c) => c.cmd)).toEqual(["list_providers", "import_env_keys", "list_providers"]);
  });

  it("says when there was nothing to import, and shows a failure", async () => {
    const user = userEvent.setup();
    let fail = false;
    mockProviders({
      import_env_keys: () => {
        if (fail) throw { kind: "keychain", message: "the keychain is locked; unlock it (locked)" };
        return [];
      },
    });
    await showProviders();

    await user.click(screen.getByTestId("keys-import-env"));
    expect(await screen.findByTestId("keys-import-result")).toHaveTextContent(
      "No keys found in the providers’ environment variables.",
    );
    fail = true;
    await user.click(screen.getByTestId("keys-import-env"));
    await waitFor(() => expect(screen.getByTestId("keys-import-result")).toHaveTextContent("the keychain is locked"));
    expect(screen.getByTestId("keys-import-env")).toBeEnabled();
  });
});
