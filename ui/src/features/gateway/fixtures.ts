import type { Export } from "../../lib/bindings/Export";
import type { ExportOptions } from "../../lib/bindings/ExportOptions";
import type { Imported } from "../../lib/bindings/Imported";
import type { Problem } from "../../lib/bindings/Problem";
import type { Setup } from "../../lib/bindings/Setup";
import type { SetupTarget } from "../../lib/bindings/SetupTarget";

export function target(model: string, weight = 1): SetupTarget {
  return {
    model,
    weight,
    params: {
      temperature: null,
      top_p: null,
      max_tokens: null,
      stop: [],
      seed: null,
      reasoning_effort: null,
      thinking_budget: null,
    },
  };
}

/** A fallback over `models`, in order. */
export function fallback(alias: string, models: string[]): Setup {
  return { alias, groups: models.map((m) => ({ targets: [target(m)] })), retries: 2, timeout_secs: 60 };
}

/** What the core would render, enough for the dialog: the alias in a tiny config. */
export function exportOf(setups: Setup[], options: ExportOptions, problems: Problem[] = []): Export {
  const alias = setups[0]?.alias ?? "";
  const json = options.format !== "litellm";
  return {
    format: options.format,
    text: json ? `{\n  "strategy": { "mode": "fallback" },\n  "alias": "${alias}"\n}` : `model_list:\n  - model_name: ${alias}\n`,
    file_name: json ? `${options.format}-${alias}.json` : "litellm-config.yaml",
    language: json ? "json" : "yaml",
    problems,
    snippets: [
      { title: "curl", language: "bash", code: `curl -d '{"model": "${alias}"}'` },
      { title: "Python", language: "python", code: `client.chat.completions.create(model="${alias}")` },
    ],
  };
}

export function imported(setups: Setup[], notes: { at: string; message: string }[]): Imported {
  return {
    format: "litellm",
    setups,
    providers: { base_urls: { groq: "https://groq.example/openai/v1" }, custom: [] },
    key_env: { openai: "OPENAI_API_KEY" },
    notes,
  };
}
