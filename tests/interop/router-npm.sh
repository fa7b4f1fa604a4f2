#!/usr/bin/env bash
# Makes sure tests/interop/router-npm/node_modules holds the pinned official `openai`
# npm SDK (installed from the lockfile, only when it changed). Without arguments, prints
# the client script (tests/interop/router-npm/client.mjs); with a command, runs it with
# SWITCHBOARD_LIVE_ROUTER_NPM set to that script.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$here/router-npm
stamp=$dir/node_modules/.installed
if [ ! -f "$stamp" ] || [ "$dir/package-lock.json" -nt "$stamp" ] || [ "$dir/package.json" -nt "$stamp" ]; then
  echo "interop: installing the pinned openai npm SDK into $dir/node_modules" >&2
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
  touch "$stamp"
fi
client=$dir/client.mjs
[ -f "$dir/node_modules/openai/package.json" ] || { echo "interop: the openai package is missing after npm ci" >&2; exit 1; }
if [ $# -eq 0 ]; then
  echo "$client"
  exit 0
fi
export SWITCHBOARD_LIVE_ROUTER_NPM="$client"
exec "$@"
