"""Calls a gateway (LiteLLM proxy, Portkey gateway) the way a user's code would: with the
official `openai` Python SDK, pointed at the gateway's base URL.

Prints one JSON object per call on stdout:
  {"text", "model", "chunks", "usage", "headers"} — or {"error", "status", "body"} and
  exits 1 at the first failed call.

`--serve` keeps one process for many calls (importing the SDK takes seconds): each line
on stdin is a JSON list of the arguments above; each is answered by its JSON lines and
then `{"end": EXIT_CODE}`.

--portkey-config FILE reads a Portkey config, fills `${VAR}` placeholders from the
environment (as the snippet Switchboard exports does) and sends it, on one line, in
`x-portkey-config`.
"""

import argparse
import json
import os
import sys

import openai


def main() -> int:
    if sys.argv[1:] == ["--serve"]:
        for line in sys.stdin:
            try:
                rc = run(json.loads(line))
            except SystemExit as e:  # argparse's verdict on bad arguments
                rc = e.code if isinstance(e.code, int) else 2
            print(json.dumps({"end": rc}), flush=True)
        return 0
    return run(sys.argv[1:])


def run(argv: list) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--base-url", required=True)
    p.add_argument("--api-key", default="unused")
    p.add_argument("--model", required=True)
    p.add_argument("--stream", action="store_true")
    p.add_argument("--header", action="append", default=[], help="NAME: VALUE")
    p.add_argument("--portkey-config", help="a Portkey config file with ${VAR} placeholders")
    p.add_argument("--repeat", type=int, default=1, help="make this many calls")
    p.add_argument("--prompt", default="Say hello.")
    a = p.parse_args(argv)

    headers = {}
    for h in a.header:
        name, _, value = h.partition(":")
        headers[name.strip()] = value.strip()
    if a.portkey_config:
        with open(a.portkey_config, encoding="utf-8") as f:
            # One line: a header value cannot hold the file's newlines.
            headers["x-portkey-config"] = json.dumps(json.loads(os.path.expandvars(f.read())))

    # Retries and fallbacks are the gateway's job: the SDK must not retry on its own.
    client = openai.OpenAI(
        base_url=a.base_url,
        api_key=a.api_key,
        default_headers=headers,
        max_retries=0,
        timeout=60,
    )
    for _ in range(a.repeat):
        try:
            out = call(client, a)
        except openai.APIStatusError as e:
            print(json.dumps({"error": str(e), "status": e.status_code, "body": e.response.text}), flush=True)
            return 1
        except openai.APIError as e:
            print(json.dumps({"error": f"{type(e).__name__}: {e}", "status": None, "body": None}), flush=True)
            return 1
        print(json.dumps(out), flush=True)
    return 0


def call(client: "openai.OpenAI", a: argparse.Namespace) -> dict:
    messages = [{"role": "user", "content": a.prompt}]
    if a.stream:
        raw = client.chat.completions.with_raw_response.create(
            model=a.model,
            messages=messages,
            stream=True,
            stream_options={"include_usage": True},
        )
        text, model, chunks, usage = [], None, 0, None
        for chunk in raw.parse():
            chunks += 1
            model = chunk.model or model
            if chunk.usage is not None:
                usage = chunk.usage.model_dump()
            for choice in chunk.choices:
                if choice.delta and choice.delta.content:
                    text.append(choice.delta.content)
        return {
            "text": "".join(text),
            "model": model,
            "chunks": chunks,
            "usage": usage,
            "headers": dict(raw.headers),
        }
    raw = client.chat.completions.with_raw_response.create(model=a.model, messages=messages)
    r = raw.parse()
    return {
        "text": r.choices[0].message.content if r.choices else None,
        "model": r.model,
        "chunks": 0,
        "usage": r.usage.model_dump() if r.usage else None,
        "headers": dict(raw.headers),
    }


if __name__ == "__main__":
    sys.exit(main())
