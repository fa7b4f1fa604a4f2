#!/usr/bin/env bash
# Runs a command beside a real LiteLLM proxy (pinned, installed from PyPI into
# target/interop-venv on first use) listening on a free loopback port and answering
# from mock_response. The command sees SWITCHBOARD_LIVE_* describing the server.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv=$("$here/venv.sh")

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
# A fresh random master key per run (LiteLLM refuses weak ones).
key="sk-switchboard-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
log=$(mktemp)
LITELLM_MASTER_KEY=$key LITELLM_LOCAL_MODEL_COST_MAP=True LITELLM_LOG=ERROR \
  "$venv/bin/litellm" --config "$here/litellm-mock.yaml" --host 127.0.0.1 --port "$port" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT

for _ in $(seq 1 240); do
  if curl -sf -o /dev/null "http://127.0.0.1:$port/health/liveliness"; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "interop: the LiteLLM proxy died:" >&2; cat "$log" >&2; exit 1; fi
  sleep 0.25
done
curl -sf -o /dev/null "http://127.0.0.1:$port/health/liveliness" || { echo "interop: LiteLLM proxy not ready" >&2; cat "$log" >&2; exit 1; }

export SWITCHBOARD_LIVE_BASE_URL="http://127.0.0.1:$port/v1"
export SWITCHBOARD_LIVE_KEY="$key"
export SWITCHBOARD_LIVE_MODEL=mock-gpt
export SWITCHBOARD_LIVE_TEXT="Hello from a real OpenAI-compatible server."
# The pinned litellm package itself, for the cost reference test.
export SWITCHBOARD_LIVE_PYTHON="$venv/bin/python"
"$@"
