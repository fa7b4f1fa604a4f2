# Switchboard — the README's two commands are `make run` and `make test`.
# Each installs what it needs (system packages on Debian/Ubuntu, npm packages from the
# lockfile) and skips work that is already done.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
UI := ui
TARGET_DIR := $(shell $(CARGO) metadata --format-version 1 --no-deps 2>/dev/null | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
ifeq ($(TARGET_DIR),)
TARGET_DIR := target
endif
APP_BIN := $(TARGET_DIR)/debug/switchboard-app
UI_SOURCES := $(shell find $(UI)/src $(UI)/public -type f 2>/dev/null) \
	$(wildcard $(UI)/index.html $(UI)/vite.config.ts $(UI)/svelte.config.js $(UI)/tsconfig*.json)
# A headless display, and a private D-Bus session with an unlocked gnome-keyring (the
# real Secret Service, in a temporary folder) for the app, the E2E suite and the keychain tests.
HEADLESS := xvfb-run -a -s "-screen 0 1280x800x24" scripts/with-keyring.sh

.PHONY: help run test deps ui app test-build e2e interop lint rust ui-test core-has-no-tauri bindings bench bench-ui dev clean prices-snapshot

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: app ## Build everything needed and open the app (UI embedded)
	$(APP_BIN)

test: deps ui lint ui-test rust interop ## Every check and test: fmt, clippy, UI, Rust (end to end included), real peers
	@echo "make test: all checks passed"

deps: ## Install missing system packages (Debian/Ubuntu) or say what to install
	@scripts/install-deps.sh

$(UI)/node_modules/.installed: $(UI)/package.json $(UI)/package-lock.json | deps
	cd $(UI) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(UI)/dist/index.html: $(UI)/node_modules/.installed $(UI_SOURCES)
	cd $(UI) && npm run build
	@touch $@

ui: $(UI)/dist/index.html ## Build the UI into ui/dist

app: deps ui ## Build the desktop app with ui/dist embedded
	$(CARGO) build --locked -p switchboard-app

lint: deps ui ## cargo fmt --check and clippy -D warnings
	$(CARGO) fmt --all --check
	$(CARGO) clippy --locked --workspace --all-targets --all-features -- -D warnings

# Every cargo step below selects the whole workspace (never -p), with test targets:
# the same package set resolves the same features, so nothing is built twice.
test-build: deps ui
	$(CARGO) build --locked --workspace --bins --tests

rust: test-build core-has-no-tauri ## The Rust tests of every crate, the end-to-end suite included (under Xvfb)
	@mkdir -p $(TARGET_DIR)/e2e
	$(HEADLESS) $(CARGO) test --locked --workspace
	@echo "end-to-end screenshots: $(TARGET_DIR)/e2e/"

core-has-no-tauri: ## The core must never depend on tauri
	@if $(CARGO) tree --locked -p switchboard-core -e normal,build --prefix none | grep -qE '^tauri'; then \
		echo "switchboard-core depends on tauri; keep the core GUI-free" >&2; exit 1; fi
	@echo "switchboard-core: no tauri in its dependency tree"

ui-test: $(UI)/node_modules/.installed ## The UI's type check and Vitest tests
	cd $(UI) && npm run check && npm test

e2e: test-build ## Only the end-to-end suite: the real app under Xvfb, through tauri-driver + WebKitWebDriver
	@mkdir -p $(TARGET_DIR)/e2e
	$(HEADLESS) $(CARGO) test --locked --workspace --test window --test prices_settings --test providers_settings --test compare_ipc --test compare_ui --test history_ui --test gateway_ui --test router_ui
	@echo "screenshots: $(TARGET_DIR)/e2e/"

interop: deps ## Against real peers: compare and costs via a real LiteLLM proxy; exported configs in real LiteLLM and Portkey gateways; the router under the openai Python and npm SDKs
	tests/interop/litellm.sh tests/interop/portkey.sh tests/interop/router-npm.sh $(CARGO) test --locked --workspace --features switchboard-cli/live-tests \
		--test live_server --test litellm_cost --test gateway_interop --test router_sdk

bench: deps bench-ui ## Benchmarks: the playground's speed in the release app; SSE parsing and runner overhead beside the openai SDK's; the history with 100,000 runs
	@mkdir -p $(TARGET_DIR)/bench
	SWITCHBOARD_BENCH_DUMP=$(abspath $(TARGET_DIR)/bench) $(CARGO) bench --locked -p switchboard-core --bench stream_throughput
	SWITCHBOARD_BENCH_DUMP=$(abspath $(TARGET_DIR)/bench) $(CARGO) bench --locked -p switchboard-core --bench history
	SWITCHBOARD_BENCH_DUMP=$(abspath $(TARGET_DIR)/bench) $(CARGO) bench --locked -p switchboard-router --bench gateways
	"$$(tests/interop/venv.sh)/bin/python" src-tauri/crates/core/benches/peer_openai_sdk.py $(TARGET_DIR)/bench

# The UI bench drives the release build (what users run), with ui/dist embedded; it
# reports each number beside its target and writes $(TARGET_DIR)/bench/ui.json.
bench-ui: deps ui ## Only the playground's speed: streaming, delta→paint, cold start, memory (release app, Xvfb)
	@mkdir -p $(TARGET_DIR)/bench $(TARGET_DIR)/e2e
	$(CARGO) build --release --locked -p switchboard-app
	$(CARGO) bench --locked -p switchboard-e2e --bench ui --no-run
	SWITCHBOARD_BENCH_DUMP=$(abspath $(TARGET_DIR)/bench) SWITCHBOARD_APP_BIN=$(abspath $(TARGET_DIR)/release/switchboard-app) \
		$(HEADLESS) $(CARGO) bench --locked -p switchboard-e2e --bench ui

prices-snapshot: ## Rebuild the bundled price snapshot from the pinned litellm wheel on PyPI
	scripts/prices/update-snapshot.sh

bindings: $(UI)/dist/index.html ## Regenerate the TypeScript bindings from the Rust types
	UPDATE_BINDINGS=1 $(CARGO) test --locked --workspace --lib bindings

dev: deps $(UI)/node_modules/.installed ## Hot reload: the Vite dev server + the app loading it (no embedded UI)
	(cd $(UI) && npm run dev) & trap 'kill $$! 2>/dev/null' EXIT; \
	$(CARGO) run -p switchboard-app --no-default-features

clean: ## Remove build outputs
	$(CARGO) clean
	rm -rf $(UI)/dist $(UI)/node_modules tests/interop/portkey/node_modules tests/interop/router-npm/node_modules
