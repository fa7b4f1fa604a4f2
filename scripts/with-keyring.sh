#!/usr/bin/env bash
# Runs a command inside its own D-Bus session with a fresh, unlocked gnome-keyring
# serving the Secret Service — the real OS keychain, as on a desktop — so the keychain
# tests run headless. The keyring lives in a temporary folder: the user's own keyrings
# are never opened, and nothing outlives the command.
#
#   scripts/with-keyring.sh cargo test --workspace
set -euo pipefail

if [ -z "${SWITCHBOARD_KEYRING_SESSION:-}" ]; then
  exec dbus-run-session -- env SWITCHBOARD_KEYRING_SESSION=1 "$0" "$@"
fi

keyring_home=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-keyring.XXXXXX")
cleanup() {
  [ -n "${keyring_pid:-}" ] && kill "$keyring_pid" 2>/dev/null || true
  rm -rf "$keyring_home"
}
trap cleanup EXIT

# --unlock reads the new keyring's password from stdin and creates it unlocked; with
# --components=secrets only the Secret Service starts (no SSH or GPG agents). It prints
# its control variables, which the command does not need.
out=$(printf %s switchboard-tests | XDG_DATA_HOME="$keyring_home" \
  gnome-keyring-daemon --unlock --components=secrets)
keyring_pid=$(printf '%s\n' "$out" | sed -n 's/^GNOME_KEYRING_PID=//p')

# Wait until the Secret Service answers (the daemon registers on the bus shortly after).
for _ in $(seq 1 50); do
  if secret-tool search --all service switchboard-probe probe 1 >/dev/null 2>&1; then break; fi
  sleep 0.1
done

"$@"
