# Installs what a fresh machine of this kind lacks, and nothing that is already there.
# Sourced by scripts/dev and scripts/test; quiet when everything is present.
#
#   ensure_build_tools   wasm32 target, trunk, wasm-bindgen-cli, node packages (binaryen, playwright-core)
#   ensure_browser       Debian's chromium + chromium-driver (browser and e2e tests)
#   ensure_redis         Debian's redis-server (the gateway's shared-session tests start one)
#
# Versions are pinned: trunk 0.21.14 is the newest that builds on rustc 1.95; wasm-bindgen-cli
# must equal the wasm-bindgen in Cargo.lock; wasm-opt comes from npm's binaryen 132 (Debian's
# binaryen 108 builds modules that crash in the browser: never install it).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TRUNK_VERSION=0.21.14
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"
# Trunk must never download anything (see Trunk.toml); this also skips its update check.
export TRUNK_SKIP_VERSION_CHECK=true

# Bold on a terminal; plain text in a log.
say() {
  if [ -t 2 ] && [ -z "${NO_COLOR:-}" ]; then
    printf '\033[1m==> %s\033[0m\n' "$*" >&2
  else
    printf '==> %s\n' "$*" >&2
  fi
}

wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_build_tools() {
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "Adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
    say "Installing trunk $TRUNK_VERSION (about 7 minutes, once)"
    cargo install trunk --locked --version "$TRUNK_VERSION"
  fi
  local wbg
  wbg=$(wasm_bindgen_version)
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wbg" ] \
     || ! command -v wasm-bindgen-test-runner >/dev/null; then
    say "Installing wasm-bindgen-cli $wbg (about 2 minutes, once)"
    # Without --locked: its lockfile pins a crate version the registry no longer has.
    cargo install wasm-bindgen-cli --version "$wbg"
  fi
  # node_modules/.installed-lock is a copy of the lockfile it was installed from.
  if ! cmp -s "$ROOT/package-lock.json" "$ROOT/node_modules/.installed-lock"; then
    say "Installing node packages (binaryen, playwright-core, axe-core, …)"
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error \
      && cp package-lock.json node_modules/.installed-lock)
  fi
}

ensure_browser() {
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "Installing Debian's chromium and chromium-driver"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
  export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}"
}

ensure_redis() {
  if ! command -v redis-server >/dev/null; then
    say "Installing Debian's redis-server"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq redis-server >/dev/null
  fi
}
