import { describe, expect, it } from "vitest";
import { fallback } from "./fixtures";
import {
  blankSetup,
  choiceOf,
  isMixed,
  modelId,
  moved,
  shaped,
  shares,
  targetsOf,
  withAddedTarget,
  withTarget,
  withoutTarget,
} from "./setup";

const models = (s: ReturnType<typeof fallback>): string[] => targetsOf(s).map((t) => t.model);

describe("editing a setup", () => {
  it("a fallback keeps one model per group and a load balance puts them all in one", () => {
    const s = fallback("chat", ["openai/gpt-4o", "anthropic/claude", "groq/llama"]);
    expect(choiceOf(s)).toBe("fallback");
    const lb = shaped(s, "loadbalance");
    expect(lb.groups).toHaveLength(1);
    expect(lb.groups[0]?.targets.map((t) => t.model)).toEqual(models(s));
    expect(choiceOf(lb)).toBe("loadbalance");
    const back = shaped(lb, "fallback");
    expect(back.groups.map((g) => g.targets.length)).toEqual([1, 1, 1]);
  });

  it("reordering moves one model and keeps the strategy", () => {
    const lb = shaped(fallback("chat", ["a/1", "b/2", "c/3"]), "loadbalance");
    const next = moved(lb, 2, 0);
    expect(models(next)).toEqual(["c/3", "a/1", "b/2"]);
    expect(choiceOf(next)).toBe("loadbalance");
    expect(moved(lb, 0, 5)).toBe(lb);
  });

  it("weights are edited per model and shown as shares of the load", () => {
    const lb = withTarget(shaped(fallback("chat", ["a/1", "b/2"]), "loadbalance"), 0, { weight: 3 });
    expect(shares(targetsOf(lb))).toEqual([75, 25]);
  });

  it("removing a model drops its emptied group, and an imported mix is recognized", () => {
    const s = withoutTarget(fallback("chat", ["a/1", "b/2"]), 0);
    expect(s.groups).toHaveLength(1);
    const mixed = { ...s, groups: [{ targets: [...targetsOf(s), ...targetsOf(s)] }, ...s.groups] };
    expect(isMixed(mixed)).toBe(true);
    expect(isMixed(s)).toBe(false);
  });

  it("adds a model last: its own group in a fallback, weight 1 in a load balance's group", () => {
    const fb = withAddedTarget(fallback("chat", ["a/1", "b/2"]), "c/3");
    expect(fb.groups.map((g) => g.targets.map((t) => t.model))).toEqual([["a/1"], ["b/2"], ["c/3"]]);
    const lb = withAddedTarget(shaped(fallback("chat", ["a/1", "b/2"]), "loadbalance"), "c/3");
    expect(lb.groups.map((g) => g.targets.map((t) => [t.model, t.weight]))).toEqual([
      [
        ["a/1", 1],
        ["b/2", 1],
        ["c/3", 1],
      ],
    ]);
    const first = withAddedTarget(blankSetup([]), "a/1");
    expect(first.groups.map((g) => g.targets.map((t) => t.model))).toEqual([["a/1"]]);
  });

  it("accepts only provider/model ids, trimmed", () => {
    expect(modelId("  openai/gpt-4o ")).toBe("openai/gpt-4o");
    expect(modelId("openrouter/meta/llama")).toBe("openrouter/meta/llama");
    expect(["", "  ", "gpt-4o", "/gpt-4o", "openai/"].map(modelId)).toEqual([null, null, null, null, null]);
  });

  it("a new setup is an empty fallback under a free alias", () => {
    expect(blankSetup([])).toMatchObject({ alias: "chat", groups: [] });
    expect(blankSetup(["chat", "chat-2", "other"]).alias).toBe("chat-3");
  });
});
