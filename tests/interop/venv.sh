#!/usr/bin/env bash
# Makes sure target/interop-venv holds the pinned LiteLLM proxy (and with it the
# official openai SDK) and prints the venv's path. Installs only when the pins change.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv=${INTEROP_VENV:-$here/../../target/interop-venv}
stamp=$venv/.installed
if [ ! -f "$stamp" ] || [ "$here/requirements.txt" -nt "$stamp" ] || [ "$here/constraints.txt" -nt "$stamp" ]; then
  echo "interop: installing the pinned LiteLLM proxy into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check \
    -r "$here/requirements.txt" -c "$here/constraints.txt" >&2
  touch "$stamp"
fi
echo "$venv"
