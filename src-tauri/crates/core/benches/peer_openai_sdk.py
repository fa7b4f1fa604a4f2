"""The peer's number for `make bench`: the official openai Python SDK's SSE decoder
(what LiteLLM and most Python gateways and clients stream through) on the same bytes
the Rust benchmark parsed, in the same 16 KiB reads. Framing alone, and framing plus
json.loads of every event, as the SDK's Stream does. Best of 5.

usage: python peer_openai_sdk.py DIR   (DIR holds openai.sse, anthropic.sse, gemini.sse)
"""
import json
import sys
import time
from pathlib import Path

import openai
from openai._streaming import SSEDecoder

READ = 16 * 1024


def best(n, fn):
    return min(fn() for _ in range(n))


def run(body: bytes, parse: bool) -> float:
    chunks = [body[i : i + READ] for i in range(0, len(body), READ)]
    start = time.perf_counter()
    for sse in SSEDecoder().iter_bytes(iter(chunks)):
        if parse and sse.data and sse.data != "[DONE]":
            json.loads(sse.data)
    return time.perf_counter() - start


def main() -> None:
    folder = Path(sys.argv[1])
    print(f"\npeer: openai Python SDK {openai.__version__} SSEDecoder, Python {sys.version.split()[0]}, same input")
    print(f"{'format':<12} {'framing MB/s':>14} {'framing+parse MB/s':>20}")
    for name in ("openai", "anthropic", "gemini"):
        body = (folder / f"{name}.sse").read_bytes()
        mb = len(body) / 1e6
        framing = mb / best(5, lambda: run(body, False))
        full = mb / best(5, lambda: run(body, True))
        print(f"{name:<12} {framing:>14.1f} {full:>20.1f}")


if __name__ == "__main__":
    main()
