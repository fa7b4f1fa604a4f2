/*
 * highlight.js core with only the two languages a gateway config is written in
 * (LiteLLM's YAML, Portkey's and OpenRouter's JSON).
 */
import hljs from "highlight.js/lib/core";
import json from "highlight.js/lib/languages/json";
import yaml from "highlight.js/lib/languages/yaml";

hljs.registerLanguage("json", json);
hljs.registerLanguage("yaml", yaml);

/** Highlighted HTML (`<span class="hljs-…">` and escaped text), or null for another language. */
export function highlightConfig(code: string, language: string): string | null {
  if (language !== "yaml" && language !== "json") return null;
  try {
    return hljs.highlight(code, { language, ignoreIllegals: true }).value;
  } catch {
    return null;
  }
}
