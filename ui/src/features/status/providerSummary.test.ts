import { describe, expect, it } from "vitest";
import { anthropic, gemini, myVllm, noServiceProblem, ollama, openai, sampleOverview } from "../../test/providers";
import { keySourceLabel, providerSummary, readyList } from "./providerSummary";

describe("providerSummary", () => {
  it("names each key's source", () => {
    expect(keySourceLabel(openai)).toBe("keychain");
    expect(keySourceLabel(anthropic)).toBe("$ANTHROPIC_API_KEY");
    expect(keySourceLabel({ ...anthropic, key: { ...anthropic.key, env_var: null } })).toBe("environment");
    expect(readyList([openai, anthropic, myVllm])).toBe("OpenAI (keychain), Anthropic ($ANTHROPIC_API_KEY), my-vllm (keychain)");
  });

  it("counts only the providers with a key set", () => {
    expect(providerSummary(sampleOverview)).toEqual({
      tone: "ok",
      text: "3 providers ready",
      title: "OpenAI (keychain), Anthropic ($ANTHROPIC_API_KEY), my-vllm (keychain)",
    });
    expect(providerSummary({ ...sampleOverview, providers: [gemini, ollama] })).toEqual({
      tone: "idle",
      text: "No provider keys yet",
      title: "Set up providers in Settings",
    });
    expect(providerSummary({ ...sampleOverview, providers: [] }).text).toBe("No provider keys yet");
  });

  it("adds the keychain's problem, with no keys too", () => {
    const keychain = { backend: "the Secret Service", problem: noServiceProblem };
    expect(providerSummary({ keychain, providers: [gemini] })).toEqual({
      tone: "warn",
      text: "No provider keys yet · keychain unavailable",
      title: `Set up providers in Settings\nKeychain unavailable: ${noServiceProblem.cause}`,
    });
  });
});
