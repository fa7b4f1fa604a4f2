#!/usr/bin/env python3
"""Builds Switchboard's bundled price snapshot from LiteLLM's model price map.

    snapshot.py MAP.json LITELLM_VERSION SOURCE_DATE > src-tauri/crates/core/data/litellm-prices.json

Keeps the chat entries of the providers Switchboard speaks, and of each entry only what
the cost and context-window code reads. The same filter runs in Rust when the map is
refreshed at run time (`switchboard_core::prices::catalog::keep_entry`); a Rust test checks
the two agree on the snapshot.
"""
import json
import re
import sys
from datetime import date

# LiteLLM's `litellm_provider` values for the providers Switchboard speaks
# (`switchboard_core::prices::catalog::PROVIDERS` must list the same).
PROVIDERS = {
    "openai", "anthropic", "gemini", "openrouter", "groq", "mistral", "deepseek",
    "xai", "together_ai", "fireworks_ai", "ollama", "lm_studio",
}

FIELDS = {
    "litellm_provider", "mode", "max_input_tokens", "max_output_tokens", "max_tokens",
    "input_cost_per_token", "output_cost_per_token", "cache_read_input_token_cost",
    "cache_creation_input_token_cost", "cache_creation_input_token_cost_above_1hr",
    "output_cost_per_reasoning_token", "output_cost_per_image_token", "off_peak_pricing",
    "supports_reasoning", "supports_prompt_caching", "deprecation_date",
}
# Long-context tiers at the standard service tier (not `_flex`, `_priority`, `_batches`…).
TIER = re.compile(
    r"^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost"
    r"|cache_creation_input_token_cost|cache_creation_input_token_cost_above_1hr)"
    r"_above_\d+k?_tokens$"
)


def keep_entry(entry):
    return isinstance(entry, dict) and entry.get("mode") == "chat" and entry.get("litellm_provider") in PROVIDERS


def main():
    path, version, source_date = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(path, encoding="utf-8") as f:
        full = json.load(f)
    models = {
        key: {k: v for k, v in sorted(entry.items()) if k in FIELDS or TIER.match(k)}
        for key, entry in sorted(full.items())
        if keep_entry(entry)
    }
    out = {
        "source": "litellm",
        "version": f"litellm {version} ({source_date})",
        "litellm_version": version,
        "source_date": source_date,
        "snapshot_date": date.today().isoformat(),
        "models": models,
    }
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
