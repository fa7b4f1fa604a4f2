"""Calls `switchboard serve` the way a user's code would: with the official `openai`
Python SDK, pointed at the router's base URL with the router's token.

Reads one JSON object on stdin:
  {"base_url", "api_key", "calls": [{"name", "model", "stream", "include_usage",
   "api_key" (optional, overrides the top one)}]}
and prints one JSON line per call, in order (tests/interop/router-npm/client.mjs
prints the same for the npm SDK):
  {"name", "ok": true, "text", "chunks", "usage", "finish_reason", "model", "headers"}
  {"name", "ok": false, "error": CLASS_NAME, "status", "message", "code",
   "text", "chunks", "headers"}
On failure, "text" and "chunks" are what had been streamed before the SDK raised.
"""

import json
import sys

import openai


def main() -> int:
    spec = json.load(sys.stdin)
    clients = {}
    for c in spec["calls"]:
        key = c.get("api_key", spec["api_key"])
        if key not in clients:
            # Retries and fallbacks are the router's job: the SDK must not retry.
            clients[key] = openai.OpenAI(
                base_url=spec["base_url"], api_key=key, max_retries=0, timeout=60
            )
        print(json.dumps(call(clients[key], c)), flush=True)
    return 0


def call(client: "openai.OpenAI", c: dict) -> dict:
    out = {"name": c["name"], "text": "", "chunks": 0, "headers": {}}
    args = {
        "model": c["model"],
        "messages": [{"role": "user", "content": "Say hello."}],
    }
    try:
        if c.get("stream"):
            if c.get("include_usage"):
                args["stream_options"] = {"include_usage": True}
            raw = client.chat.completions.with_raw_response.create(stream=True, **args)
            out["headers"] = dict(raw.headers)
            text, usage, finish, model = [], None, None, None
            try:
                for chunk in raw.parse():
                    out["chunks"] += 1
                    model = chunk.model or model
                    if chunk.usage is not None:
                        usage = chunk.usage.model_dump()
                    for choice in chunk.choices:
                        if choice.delta and choice.delta.content:
                            text.append(choice.delta.content)
                        if choice.finish_reason:
                            finish = choice.finish_reason
            finally:
                out["text"] = "".join(text)
            out.update(ok=True, usage=usage, finish_reason=finish, model=model)
        else:
            raw = client.chat.completions.with_raw_response.create(**args)
            out["headers"] = dict(raw.headers)
            r = raw.parse()
            out.update(
                ok=True,
                text=r.choices[0].message.content if r.choices else None,
                usage=r.usage.model_dump() if r.usage else None,
                finish_reason=r.choices[0].finish_reason if r.choices else None,
                model=r.model,
            )
    except openai.APIError as e:
        body = e.body if isinstance(e.body, dict) else {}
        out.update(
            ok=False,
            error=type(e).__name__,
            status=getattr(e, "status_code", None),
            message=e.message,
            code=body.get("code"),
        )
        response = getattr(e, "response", None)
        if response is not None:
            out["headers"] = dict(response.headers)
    return out


if __name__ == "__main__":
    sys.exit(main())
