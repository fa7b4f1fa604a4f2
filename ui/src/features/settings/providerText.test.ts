import { describe, expect, it } from "vitest";
import type { KeyCheck } from "../../lib/bindings/KeyCheck";
import type { ProviderStatus } from "../../lib/bindings/ProviderStatus";
import { anthropic, gemini, myVllm, noServiceProblem, ollama, openai } from "../../test/providers";
import {
  baseUrlSourceText,
  checkSummary,
  codeSpans,
  customDraft,
  customPayload,
  importReport,
  keychainFallbackNote,
  keyStatusText,
  modelPrefix,
  problemLines,
  sentence,
  shadowNote,
} from "./providerText";

describe("keyStatusText", () => {
  it("names the source and the last four characters", () => {
    expect(keyStatusText(openai)).toBe("Keychain ····1234");
    expect(keyStatusText(anthropic)).toBe("From $ANTHROPIC_API_KEY ····abcd");
    expect(keyStatusText(gemini)).toBe("Not set");
  });

  it("says a local server needs no key, and shows one when it has one", () => {
    expect(keyStatusText(ollama)).toBe("No key needed");
    const withKey: ProviderStatus = { ...ollama, key: { ...openai.key, shadowed_env: null, last4: "0000" } };
    expect(keyStatusText(withKey)).toBe("Keychain ····0000");
  });

  it("leaves out the last four of a key too short to have them", () => {
    expect(keyStatusText({ ...openai, key: { ...openai.key, last4: null } })).toBe("Keychain");
  });
});

describe("notes on a row", () => {
  it("says which variable the keychain's key overrides", () => {
    expect(shadowNote(openai)).toBe("overrides $OPENAI_API_KEY");
    expect(shadowNote(anthropic)).toBeNull();
  });

  it("says where a base URL that is not the default comes from", () => {
    expect(baseUrlSourceText(openai)).toBeNull();
    expect(baseUrlSourceText(anthropic)).toBe("from $ANTHROPIC_BASE_URL");
    expect(baseUrlSourceText(gemini)).toBe("set in Settings");
    expect(baseUrlSourceText(myVllm)).toBeNull();
  });

  it("prefixes model ids with the provider id", () => {
    expect(modelPrefix("openai")).toBe("openai/…");
  });
});

describe("checkSummary", () => {
  const refused: KeyCheck = {
    provider: "openai",
    ok: false,
    models: null,
    error: {
      kind: "auth",
      message: "Incorrect API key provided",
      status: 401,
      retry_after_s: null,
      phase: null,
    },
    hint: "the openai key in the keychain was refused; replace it in Settings → Providers",
  };

  it("counts the models a working key lists", () => {
    expect(checkSummary({ provider: "openai", ok: true, models: 42, error: null, hint: null }, true)).toEqual({
      ok: true,
      title: "Key works — 42 models",
      message: null,
      hint: null,
    });
    expect(checkSummary({ provider: "openai", ok: true, models: 1, error: null, hint: null }, true).title).toBe(
      "Key works — 1 model",
    );
    expect(checkSummary({ provider: "ollama", ok: true, models: null, error: null, hint: null }, false).title).toBe(
      "Connection works",
    );
  });

  it("names the kind of failure with its status, the provider's message and the hint", () => {
    expect(checkSummary(refused, true)).toEqual({
      ok: false,
      title: "Key refused (HTTP 401)",
      message: "Incorrect API key provided",
      hint: "the openai key in the keychain was refused; replace it in Settings → Providers",
    });
  });

  it("names a network failure without a status", () => {
    const down: KeyCheck = {
      ...refused,
      error: { kind: "network", message: "connection refused", status: null, retry_after_s: null, phase: null },
      hint: "is http://localhost:11434/v1 reachable?",
    };
    expect(checkSummary(down, false).title).toBe("Can’t connect");
  });
});

describe("text from the core", () => {
  it("turns a cause or fix into a sentence", () => {
    expect(sentence("the keychain is locked")).toBe("The keychain is locked.");
    expect(sentence("Done!")).toBe("Done!");
    expect(sentence("  ")).toBe("");
  });

  it("gives the keychain banner its cause and fix", () => {
    expect(problemLines(noServiceProblem)).toEqual({
      cause: "No keychain is running: nothing provides the Secret Service on this session.",
      fix: "Install and start a Secret Service provider (gnome-keyring or KeePassXC with Secret Service enabled); until then, keys are read from environment variables.",
    });
  });

  it("splits out code written between backticks, and leaves a lone backtick alone", () => {
    expect(codeSpans("run `switchboard keys set openai` again")).toEqual([
      { text: "run ", code: false },
      { text: "switchboard keys set openai", code: true },
      { text: " again", code: false },
    ]);
    expect(codeSpans("it`s")).toEqual([{ text: "it`s", code: false }]);
  });

  it("adds that environment keys still work to keychain errors only", () => {
    expect(keychainFallbackNote({ kind: "keychain", message: "the keychain is locked" })).toBe(
      "Keys in environment variables still work.",
    );
    expect(keychainFallbackNote({ kind: "invalid_input", message: "too short" })).toBeNull();
  });
});

describe("importReport", () => {
  const labels: Record<string, string> = { openai: "OpenAI", anthropic: "Anthropic", gemini: "Google Gemini" };
  const labelOf = (id: string): string => labels[id] ?? id;

  it("says what happened to each variable", () => {
    expect(
      importReport(
        [
          { provider: "openai", env_var: "OPENAI_API_KEY", outcome: "imported" },
          { provider: "anthropic", env_var: "ANTHROPIC_API_KEY", outcome: "already_in_keychain" },
          { provider: "gemini", env_var: "GOOGLE_API_KEY", outcome: "kept_keychain_key" },
        ],
        labelOf,
      ),
    ).toEqual([
      "OpenAI: imported from $OPENAI_API_KEY.",
      "Anthropic: already in the keychain ($ANTHROPIC_API_KEY holds the same key).",
      "Google Gemini: kept the keychain’s key; $GOOGLE_API_KEY holds a different one.",
    ]);
  });

  it("says when there was nothing to import", () => {
    expect(importReport([], labelOf)).toEqual(["No keys found in the providers’ environment variables."]);
  });
});

describe("the custom endpoint form", () => {
  it("starts empty, or from a saved endpoint without its key", () => {
    expect(customDraft(null)).toEqual({ name: "", baseUrl: "", key: "", keyHeader: "", headers: [] });
    expect(customDraft(myVllm)).toEqual({
      name: "my-vllm",
      baseUrl: "http://gpu-box:8000/v1",
      key: "",
      keyHeader: "api-key",
      headers: [{ name: "X-Team", value: "research" }],
    });
  });

  it("sends trimmed values, drops blank header rows, and null for a blank key or key header", () => {
    expect(
      customPayload({
        name: " my-vllm ",
        baseUrl: " http://gpu-box:8000/v1 ",
        key: "   ",
        keyHeader: " ",
        headers: [
          { name: " X-Team ", value: " research " },
          { name: "", value: "  " },
          { name: "", value: "orphan" },
        ],
      }),
    ).toEqual({
      endpoint: {
        name: "my-vllm",
        base_url: "http://gpu-box:8000/v1",
        headers: [
          { name: "X-Team", value: "research" },
          { name: "", value: "orphan" },
        ],
        key_header: null,
      },
      key: null,
    });
    expect(customPayload({ ...customDraft(myVllm), key: "sk-new" }).key).toBe("sk-new");
    expect(customPayload(customDraft(myVllm)).endpoint.key_header).toBe("api-key");
  });
});
