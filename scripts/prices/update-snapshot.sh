#!/usr/bin/env bash
# Rebuilds the bundled price snapshot from the `litellm` wheel on PyPI, at the version
# pinned in tests/interop/requirements.txt (one pin for the snapshot and the reference
# cost test). Usage: scripts/prices/update-snapshot.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
version=$(sed -n 's/^litellm\(\[[a-z,]*\]\)\?==\([0-9.]*\).*/\2/p' "$root/tests/interop/requirements.txt")
[ -n "$version" ] || { echo "no litellm pin in tests/interop/requirements.txt" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
  "litellm==$version" -d "$tmp"
wheel=$(ls "$tmp"/litellm-"$version"-*.whl)
member=litellm/model_prices_and_context_window_backup.json
# The map's own date inside the wheel: when this LiteLLM release was built.
source_date=$(python3 - "$wheel" "$member" <<'PY'
import sys, zipfile
y, m, d, *_ = zipfile.ZipFile(sys.argv[1]).getinfo(sys.argv[2]).date_time
print(f"{y:04d}-{m:02d}-{d:02d}")
PY
)
(cd "$tmp" && python3 -m zipfile -e "$wheel" "$tmp/x" >/dev/null)
out=$root/src-tauri/crates/core/data/litellm-prices.json
python3 "$root/scripts/prices/snapshot.py" "$tmp/x/$member" "$version" "$source_date" > "$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out: $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["models"]))' "$out") chat models from litellm $version ($source_date)"
