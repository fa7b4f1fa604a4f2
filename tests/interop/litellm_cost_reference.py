#!/usr/bin/env python3
"""LiteLLM's own cost for every chat model of Switchboard's price snapshot.

    python litellm_cost_reference.py SNAPSHOT.json > cases.jsonl

Runs the pinned `litellm` package (the one `tests/interop/venv.sh` installs) with its
local price map, and prints one JSON line per (model, token counts, time):
{"key", "provider", "case", "at", "input", "cached_input", "cache_write",
 "cache_write_1h", "output", "reasoning", "prompt_cost", "completion_cost"}.
Token counts follow LiteLLM's convention: `input` holds the cached and cache-write
tokens, `output` the reasoning tokens. The Rust test
`src-tauri/crates/cli/tests/litellm_cost.rs` prices the same counts and compares.
"""
import json
import os
import sys
from datetime import datetime, timezone

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_LOG", "ERROR")

import litellm  # noqa: E402
from litellm._internal_context import pinned_billing_time  # noqa: E402
from litellm.types.utils import Usage  # noqa: E402

# A weekday noon (no off-peak window open) and, for models with off-peak prices, a
# weekday night and a Saturday afternoon (off-peak windows open).
PEAK = datetime(2026, 11, 18, 12, 0, tzinfo=timezone.utc)
OFF_PEAK = [datetime(2026, 11, 18, 0, 30, tzinfo=timezone.utc), datetime(2026, 11, 21, 15, 0, tzinfo=timezone.utc)]


def cases(entry):
    yield "plain", dict(input=1234, output=567)
    yield "cached", dict(input=5000, cached_input=3000, output=100)
    yield "cache_write", dict(input=5000, cache_write=2000, output=100)
    yield "cache_write_1h", dict(input=5000, cache_write=2000, cache_write_1h=1500, output=100)
    yield "reasoning", dict(input=100, output=2000, reasoning=1500)
    yield "everything", dict(input=9000, cached_input=4000, cache_write=3000, cache_write_1h=1000, output=800, reasoning=300)
    thresholds = sorted({
        int(k.rsplit("_above_", 1)[1][: -len("_tokens")].replace("k", "")) * (1000 if "k_tokens" in k else 1)
        for k, v in entry.items()
        if "_above_" in k and k.endswith("_tokens") and v is not None
    })
    for t in thresholds:
        yield f"at_{t}", dict(input=t, cached_input=1000, output=300, reasoning=100)
        yield f"above_{t}", dict(input=t + 1, cached_input=1000, cache_write=500, cache_write_1h=200, output=300, reasoning=100)
        yield f"far_above_{t}", dict(input=t * 2, output=1000)


def litellm_usage(c):
    input_, output = c.get("input", 0), c.get("output", 0)
    details = {"cached_tokens": c.get("cached_input", 0)}
    write, write_1h = c.get("cache_write", 0), c.get("cache_write_1h", 0)
    if write:
        details["cache_write_tokens"] = write
        if write_1h:
            details["cache_creation_token_details"] = {
                "ephemeral_5m_input_tokens": write - write_1h,
                "ephemeral_1h_input_tokens": write_1h,
            }
    return Usage(
        prompt_tokens=input_,
        completion_tokens=output,
        total_tokens=input_ + output,
        reasoning_tokens=c.get("reasoning", 0) or None,
        prompt_tokens_details=details,
    )


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        snapshot = json.load(f)
    for key, entry in snapshot["models"].items():
        if entry.get("input_cost_per_token") is None or entry.get("output_cost_per_token") is None:
            continue  # unpriced: Switchboard shows it as unpriced, LiteLLM as $0
        provider = entry["litellm_provider"]
        times = [PEAK] + (OFF_PEAK if entry.get("off_peak_pricing") else [])
        for name, c in cases(entry):
            for at in times:
                with pinned_billing_time(at):
                    prompt_cost, completion_cost = litellm.cost_per_token(
                        model=key,
                        custom_llm_provider=provider,
                        prompt_tokens=c.get("input", 0),
                        completion_tokens=c.get("output", 0),
                        usage_object=litellm_usage(c),
                    )
                row = {"key": key, "provider": provider, "case": name, "at": at.isoformat()}
                for field in ("input", "cached_input", "cache_write", "cache_write_1h", "output", "reasoning"):
                    row[field] = c.get(field, 0)
                row["prompt_cost"] = prompt_cost
                row["completion_cost"] = completion_cost
                print(json.dumps(row))


if __name__ == "__main__":
    main()
