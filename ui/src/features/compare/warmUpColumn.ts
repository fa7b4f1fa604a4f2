/*
 * The first send after start-up also paid for the first run of the column's answer
 * code: JavaScriptCore compiles a function the first time it is called, and WebKit
 * meets the answer's markup and rules for the first time. With the fonts already
 * loaded (warmUpFonts), the first send's task still took 44–46 ms of CPU, its Svelte
 * update alone 28 ms; with this warm-up first, 27 ms (8 ms of Svelte), as later sends
 * take (perf on the web process, make bench-ui with eight columns).
 * This renders two columns off screen while the app is idle after start: an answer
 * being sent, then finished (priced in one, unpriced in the other), a frame apart.
 */
import { flushSync, mount, unmount } from "svelte";
import type { DisplayCurrency } from "../../lib/bindings/DisplayCurrency";
import type { RunEvent } from "../../lib/bindings/RunEvent";
import { offscreenHost } from "../../lib/offscreenHost";
import { ModelCatalog } from "../../lib/stores/modelCatalog.svelte";
import { Answer } from "./answer.svelte";
import CompareColumn from "./CompareColumn.svelte";
import { Playground } from "./playground.svelte";

const USD: DisplayCurrency = { code: "USD", per_usd: "1" };

/** Runs `step` in the next animation frame, then resolves. */
function nextFrame(step: () => void): Promise<void> {
  return new Promise((resolve) =>
    requestAnimationFrame(() => {
      step();
      resolve();
    }),
  );
}

/** How a warm-up answer ends: priced, or unpriced and counted here (other figures). */
function summaryEvent(model: string, priced: boolean): RunEvent {
  return {
    target: 0,
    event: "summary",
    model,
    status: "ok",
    text: "Warm.",
    reasoning: "",
    finish_reason: priced ? "stop" : "length",
    usage: {
      input_tokens: 10,
      cached_input_tokens: 0,
      cache_write_tokens: 0,
      cache_write_1h_tokens: 0,
      output_tokens: 20,
      reasoning_tokens: 0,
      source: priced ? "reported" : "estimated",
      cost_usd: null,
    },
    cost: priced
      ? { usd: "0.0012", source: "computed", free: false, price_version: null, price_key: null, breakdown: null }
      : { usd: null, source: "unpriced", free: false, price_version: null, price_key: null, breakdown: null },
    metrics: { ttft_ms: 120, total_ms: 900, output_tokens_per_s: 25 },
    error: null,
    hint: null,
  };
}

export async function warmUpColumn(): Promise<void> {
  const host = offscreenHost("width: 720px; height: 420px; display: flex;");

  // Its own playground, without storage: nothing of this reaches the user's setup. Two
  // columns with models, as "Continue with this one" shows only when several are active.
  const playground = new Playground(null);
  const catalog = new ModelCatalog();
  const columns = ["warm/priced", "warm/unpriced"].flatMap((model, index) => {
    const column = playground.addColumn({ model });
    if (column === null) return [];
    const answer = new Answer(0, model, [{ role: "user", content: "Warm up" }], null);
    column.answers = [answer];
    const component = mount(CompareColumn, {
      target: host,
      props: {
        playground,
        column,
        // Negative: its test ids (column--1, …) are none of the real columns'.
        index: -1 - index,
        catalog,
        currency: USD,
        // No marks: tests look for marks anywhere on the page.
        marks: [],
        onOpenProviders: () => undefined,
      },
    });
    return [{ model, answer, component, priced: index === 0 }];
  });
  try {
    // The send: "Sending…", the live figures, Stop.
    flushSync();
    void host.offsetHeight;
    // The end, a frame later so that neither half is one long task: the final figures,
    // Retry / Copy / Continue.
    await nextFrame(() => {
      for (const { model, answer, priced } of columns) {
        answer.apply({ target: 0, event: "delta", text: "Warm." });
        answer.apply(summaryEvent(model, priced));
      }
      flushSync();
      void host.offsetHeight;
    });
  } finally {
    for (const { component } of columns) void unmount(component);
    host.remove();
  }
}
