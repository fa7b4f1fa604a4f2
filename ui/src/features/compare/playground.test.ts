import { describe, expect, it } from "vitest";
import { sent } from "../../test/ipc";
import { cost, mockCompareCore, summary, usage } from "../../test/compare";
import { Playground } from "./playground.svelte";

/** An in-memory Storage for the column setup. */
function memoryStorage(): Storage {
  const data = new Map<string, string>();
  return {
    get length() {
      return data.size;
    },
    clear: () => data.clear(),
    getItem: (k) => data.get(k) ?? null,
    key: (i) => [...data.keys()][i] ?? null,
    removeItem: (k) => void data.delete(k),
    setItem: (k, v) => void data.set(k, v),
  };
}

function playgroundWith(...models: string[]): Playground {
  const p = new Playground(memoryStorage());
  for (const model of models) p.addColumn({ model });
  return p;
}

describe("Playground", () => {
  it("streams each column's events into its own answer, then marks and totals the turn", async () => {
    const { runs } = mockCompareCore();
    const p = playgroundWith("openai/gpt-4o", "anthropic/claude-sonnet-4-5", "gemini/gemini-2.5-flash");
    p.draft = "Say hi";
    await p.send();

    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    expect(run.request.targets.map((t) => t.model)).toEqual([
      "openai/gpt-4o",
      "anthropic/claude-sonnet-4-5",
      "gemini/gemini-2.5-flash",
    ]);
    expect(run.request.targets[0]!.messages).toEqual([{ role: "user", content: "Say hi" }]);
    expect(p.draft).toBe("");
    expect(p.running).toBe(true);

    run.emit([
      { target: 0, event: "started" },
      { target: 1, event: "started" },
      { target: 0, event: "delta", text: "Hel" },
      { target: 1, event: "reasoning", text: "thinking" },
      { target: 0, event: "delta", text: "lo" },
    ]);
    const [a, b, c] = p.columns.map((col) => col.latest!);
    expect(a!.text).toBe("Hello");
    expect(a!.status).toBe("streaming");
    expect(b!.reasoning).toBe("thinking");
    expect(c!.status).toBe("waiting");

    run.emit([
      summary(0, { model: "openai/gpt-4o", text: "Hello", cost: cost("0.002"), metrics: { ttft_ms: 80, total_ms: 500, output_tokens_per_s: 40 } }),
      summary(1, { model: "anthropic/claude-sonnet-4-5", text: "Hi there, friend", cost: cost("0.0005"), usage: usage({ output_tokens: 90 }) }),
      summary(2, { model: "gemini/gemini-2.5-flash", text: "Hey", cost: cost(null) }),
    ]);
    expect(p.running).toBe(false);
    expect(b!.text).toBe("Hi there, friend");
    expect(p.latest.marks.get(a!)).toEqual(["fastest"]);
    expect(p.latest.marks.get(b!)).toEqual(["cheapest", "longest"]);
    expect(p.latest.totalUsd).toBe("0.0025");
    expect(p.latest.unpriced).toBe(1);
    expect(p.spend.usd).toBe("0.0025");
    expect(p.spend.unpriced).toBe(1);
    expect(p.spend.models.map((m) => m.model)[0]).toBe("openai/gpt-4o");
  });

  it("sends the next turn to each column with its own conversation, and only to the one continued with", async () => {
    const { runs } = mockCompareCore();
    const p = playgroundWith("openai/gpt-4o", "anthropic/claude-sonnet-4-5");
    p.draft = "First";
    await p.send();
    runs[0]!.emit([
      summary(0, { model: "openai/gpt-4o", text: "A1" }),
      summary(1, { model: "anthropic/claude-sonnet-4-5", text: "B1" }),
    ]);

    p.draft = "Second";
    await p.send();
    expect(runs[1]!.request.targets.map((t) => t.messages)).toEqual([
      [
        { role: "user", content: "First" },
        { role: "assistant", content: "A1" },
        { role: "user", content: "Second" },
      ],
      [
        { role: "user", content: "First" },
        { role: "assistant", content: "B1" },
        { role: "user", content: "Second" },
      ],
    ]);
    runs[1]!.emit([
      summary(0, { model: "openai/gpt-4o", text: "A2" }),
      summary(1, { model: "anthropic/claude-sonnet-4-5", text: "B2" }),
    ]);

    p.continueWith(p.columns[1]!);
    p.draft = "Third";
    await p.send();
    expect(runs[2]!.request.targets.map((t) => t.model)).toEqual(["anthropic/claude-sonnet-4-5"]);
    expect(runs[2]!.request.targets[0]!.messages).toHaveLength(5);
    expect(p.columns[0]!.paused).toBe(true);
  });

  it("sends a column's own system prompt and message variant", async () => {
    const { runs } = mockCompareCore();
    const p = playgroundWith("openai/gpt-4o", "openai/gpt-4o");
    p.system = "Be brief.";
    p.columns[1]!.system = "Be verbose.";
    p.columns[1]!.variant = "Explain like I am five: {{prompt}}";
    p.draft = "What is DNS?";
    await p.send();
    const [t0, t1] = runs[0]!.request.targets;
    expect(t0!.system).toBe("Be brief.");
    expect(t0!.messages).toEqual([{ role: "user", content: "What is DNS?" }]);
    expect(t1!.system).toBe("Be verbose.");
    expect(t1!.messages).toEqual([{ role: "user", content: "Explain like I am five: What is DNS?" }]);
  });

  it("keeps the partial text of a failing column and retries it with the same messages", async () => {
    const { runs } = mockCompareCore();
    const p = playgroundWith("openai/gpt-4o", "anthropic/claude-sonnet-4-5");
    p.draft = "Go";
    await p.send();
    runs[0]!.emit([
      { target: 1, event: "delta", text: "Partial" },
      { target: 1, event: "error", kind: "stream_interrupted", message: "the stream ended early", status: null, retry_after_s: null, phase: null },
      summary(1, {
        model: "anthropic/claude-sonnet-4-5",
        status: "error",
        text: "Partial",
        finish_reason: null,
        error: { kind: "stream_interrupted", message: "the stream ended early", status: null, retry_after_s: null, phase: null },
      }),
      summary(0, { model: "openai/gpt-4o", text: "Done" }),
    ]);
    const failed = p.columns[1]!.latest!;
    expect(failed.status).toBe("error");
    expect(failed.text).toBe("Partial");

    await p.retry(p.columns[1]!, failed);
    expect(runs).toHaveLength(2);
    expect(runs[1]!.request.targets).toHaveLength(1);
    expect(runs[1]!.request.targets[0]!.messages).toEqual([{ role: "user", content: "Go" }]);
    expect(p.columns[1]!.answers).toHaveLength(1);
    expect(p.columns[1]!.latest!.status).toBe("waiting");
    runs[1]!.emit([summary(0, { model: "anthropic/claude-sonnet-4-5", text: "Whole" })]);
    expect(p.columns[1]!.latest!.text).toBe("Whole");
  });

  it("stops one column or all through the core", async () => {
    const { runs, calls } = mockCompareCore();
    const p = playgroundWith("openai/gpt-4o", "anthropic/claude-sonnet-4-5");
    p.draft = "Go";
    await p.send();
    runs[0]!.emit([{ target: 1, event: "delta", text: "abc" }]);
    await p.stop(p.columns[1]!.latest!);
    await p.stopAll();
    expect(sent(calls, "stop_compare")).toEqual([
      { run: 1, target: 1 },
      { run: 1, target: null },
    ]);
  });

  it("marks every column failed with the core's reason when the run cannot start", async () => {
    mockCompareCore({
      start_compare: () => {
        throw { kind: "invalid_input", message: "a comparison takes at most 8 models, got 9" };
      },
    });
    const p = playgroundWith("openai/gpt-4o");
    p.draft = "Go";
    await p.send();
    const a = p.columns[0]!.latest!;
    expect(a.status).toBe("failed");
    expect(a.error?.message).toContain("at most 8");
    expect(p.running).toBe(false);
  });

  it("adds, duplicates, moves and removes columns, at most eight, and remembers the setup", () => {
    mockCompareCore();
    const storage = memoryStorage();
    const p = new Playground(storage);
    const first = p.addColumn({ model: "openai/gpt-4o" })!;
    first.params.temperature = 0.2;
    p.duplicateColumn(first);
    p.addColumn({ model: "gemini/gemini-2.5-pro" });
    p.moveColumn(p.columns[2]!, -2);
    expect(p.columns.map((c) => c.model)).toEqual(["gemini/gemini-2.5-pro", "openai/gpt-4o", "openai/gpt-4o"]);
    expect(p.columns[2]!.params.temperature).toBe(0.2);
    while (p.addColumn()) {
      /* fill */
    }
    expect(p.columns).toHaveLength(8);
    p.removeColumn(p.columns[7]!);
    p.save();

    const again = new Playground(storage);
    expect(again.columns).toHaveLength(7);
    expect(again.columns.map((c) => c.model).slice(0, 3)).toEqual(["gemini/gemini-2.5-pro", "openai/gpt-4o", "openai/gpt-4o"]);
    expect(again.columns[2]!.params.temperature).toBe(0.2);
  });

  it("estimates the draft per active column", async () => {
    const { calls } = mockCompareCore();
    const p = playgroundWith("openai/gpt-4o", "anthropic/claude-sonnet-4-5");
    p.draft = "How long is this?";
    await p.estimate();
    expect(p.columns.map((c) => c.estimate?.input_tokens)).toEqual([12, 12]);
    const args = sent(calls, "estimate_inputs")[0] as { request: { targets: { messages: unknown }[] } };
    expect(args.request.targets[1]!.messages).toEqual([{ role: "user", content: "How long is this?" }]);
  });
});

