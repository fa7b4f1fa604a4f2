#!/usr/bin/env bash
# Installs what building, running and testing Switchboard needs, and nothing it
# already has. On Debian/Ubuntu it installs the missing packages itself (with sudo
# when not root); elsewhere it says what to install and stops.
set -euo pipefail

# Build: WebKitGTK and friends for the Tauri shell. Test: Xvfb, a D-Bus session, the
# WebKit WebDriver, gnome-keyring for the Secret Service, ImageMagick for screenshots,
# Python's venv for the pinned LiteLLM proxy the interop tests talk to.
DEBIAN_PACKAGES=(
  libwebkit2gtk-4.1-dev build-essential pkg-config curl file libssl-dev
  libayatana-appindicator3-dev librsvg2-dev libdbus-1-dev
  xvfb xauth imagemagick webkit2gtk-driver dbus-x11 gnome-keyring libsecret-tools
  python3 python3-venv
)
NODE_MIN_MAJOR=20
NODE_MIN_MINOR=19

say() { printf 'install-deps: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else say "need root to run: $*  (no sudo found)"; exit 1
  fi
}

is_debian_like() {
  [ -r /etc/os-release ] && grep -qiE '^(ID|ID_LIKE)=.*(debian|ubuntu)' /etc/os-release
}

node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  local v major minor
  v=$(node --version | sed 's/^v//')
  major=${v%%.*}; minor=$(echo "$v" | cut -d. -f2)
  [ "$major" -gt "$NODE_MIN_MAJOR" ] || { [ "$major" -eq "$NODE_MIN_MAJOR" ] && [ "$minor" -ge "$NODE_MIN_MINOR" ]; }
}

other_system_help() {
  cat >&2 <<'HELP'
install-deps: this is not Debian or Ubuntu, so nothing was installed. Please install:
  - Rust (stable, 1.90 or newer) with rustfmt and clippy: https://rustup.rs
  - Node.js 20.19+ (or 22.12+) with npm
  - Tauri 2's system libraries (https://v2.tauri.app/start/prerequisites/):
      Fedora: webkit2gtk4.1-devel openssl-devel libappindicator-gtk3-devel librsvg2-devel
              gcc-c++ file dbus-devel xorg-x11-server-Xvfb dbus-x11 gnome-keyring libsecret ImageMagick
              webkit2gtk4.1 (its WebKitWebDriver is needed for `make test`)
      Arch:   webkit2gtk-4.1 base-devel openssl libappindicator-gtk3 librsvg file
              xorg-server-xvfb gnome-keyring libsecret imagemagick
      macOS:  Xcode command line tools (`xcode-select --install`); `make run` works,
              the end-to-end tests need Linux (WebKitWebDriver)
      Windows: Microsoft C++ Build Tools and WebView2
Then run make again.
HELP
}

if ! is_debian_like; then
  if command -v cargo >/dev/null 2>&1 && node_ok && pkg-config --exists webkit2gtk-4.1 2>/dev/null; then
    exit 0  # looks ready; let the build speak if something is still missing
  fi
  other_system_help
  exit 1
fi

missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ! node_ok; then
  missing+=(nodejs npm)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! node_ok; then
  say "Node.js ${NODE_MIN_MAJOR}.${NODE_MIN_MINOR}+ is needed (Vite 8); found $(node --version 2>/dev/null || echo none)."
  say "Install a newer Node.js (e.g. from your distribution's backports or nvm) and run make again."
  exit 1
fi
if ! command -v cargo >/dev/null 2>&1; then
  say "Rust is needed: install it with rustup (https://rustup.rs), then run make again."
  exit 1
fi
