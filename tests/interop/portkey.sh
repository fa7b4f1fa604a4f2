#!/usr/bin/env bash
# Makes sure tests/interop/portkey/node_modules holds the pinned open-source Portkey
# gateway (installed from the lockfile, only when it changed). Without arguments, prints
# the gateway's start script (`node <it> --port=N --headless` starts it); with a command,
# runs it with SWITCHBOARD_LIVE_PORTKEY set to that script.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$here/portkey
stamp=$dir/node_modules/.installed
if [ ! -f "$stamp" ] || [ "$dir/package-lock.json" -nt "$stamp" ] || [ "$dir/package.json" -nt "$stamp" ]; then
  echo "interop: installing the pinned Portkey gateway into $dir/node_modules" >&2
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
  touch "$stamp"
fi
server=$dir/node_modules/@portkey-ai/gateway/build/start-server.js
[ -f "$server" ] || { echo "interop: $server is missing after npm ci" >&2; exit 1; }
if [ $# -eq 0 ]; then
  echo "$server"
  exit 0
fi
export SWITCHBOARD_LIVE_PORTKEY="$server"
exec "$@"
