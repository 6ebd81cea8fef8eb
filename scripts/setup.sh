#!/usr/bin/env bash
# Installs what guest-chat needs on a fresh machine and skips whatever is already there.
#   scripts/setup.sh run    tools to build and serve the widget
#   scripts/setup.sh test   the above, plus Chromium, ChromeDriver and the e2e packages
# Versions and reasons: docs/toolchain.md.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
# Stated once each: the compiler in rust-toolchain.toml, wasm-bindgen in Cargo.toml.
TOOLCHAIN=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen *= *"=\(.*\)"/\1/p' Cargo.toml)
purpose=${1:-test}
export PATH="$PWD/tools/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=0
apt_install() {
  if [ $apt_updated -eq 0 ]; then
    say "apt-get update"
    as_root apt-get update -qq
    apt_updated=1
  fi
  say "installing $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

command -v cargo >/dev/null || { echo "cargo is missing: install Rust with rustup first" >&2; exit 1; }

# Inside the repository rustup follows rust-toolchain.toml; outside it, the default.
outside() { (cd / && "$@"); }
if ! outside rustup toolchain list | grep -q "^$TOOLCHAIN-"; then
  if outside rustc --version | grep -q "^rustc $TOOLCHAIN "; then
    # The default toolchain is this very version under another name (stable).
    say "naming the installed Rust $TOOLCHAIN toolchain"
    outside rustup toolchain link "$TOOLCHAIN" "$(outside rustc --print sysroot)"
  else
    say "installing Rust $TOOLCHAIN"
    outside rustup toolchain install "$TOOLCHAIN" --profile minimal --component clippy,rustfmt
  fi
fi
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  outside rustup target add wasm32-unknown-unknown
  outside rustup target add --toolchain "$TOOLCHAIN" wasm32-unknown-unknown 2>/dev/null || true
fi

if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION"; then
  say "installing trunk $TRUNK_VERSION (about 10 minutes on 2 cores)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

# The CLI must match the wasm-bindgen crate exactly (pinned in Cargo.toml). `--locked`
# fails for this version, so it is resolved fresh.
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

missing=()
command -v node >/dev/null || missing+=(nodejs npm)
command -v curl >/dev/null || missing+=(curl)
if [ "$purpose" = test ]; then
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
fi
if [ ${#missing[@]} -gt 0 ]; then
  # shellcheck disable=SC2046
  apt_install $(printf '%s\n' "${missing[@]}" | sort -u)
fi

# Installs a folder's npm packages unless every one its package.json names is present.
npm_packages() {
  local dir=$1 why=$2
  if ! (cd "$dir" && node -e '
      const deps = Object.keys(require("./package.json").dependencies || {});
      for (const d of deps) require.resolve(d + "/package.json", { paths: [process.cwd()] });
    ' 2>/dev/null); then
    say "installing $why (npm ci in $dir)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# wasm-opt comes from binaryen's npm package: Debian's wasm-opt 108 breaks the
# reference-type tables that wasm-bindgen emits for rustc 1.95 output.
npm_packages tools "wasm-opt (binaryen)"
if [ "$purpose" = test ]; then
  npm_packages tests/e2e "the end-to-end test packages"
fi

say "tools ready: $(trunk --version), $(wasm-bindgen --version), $(wasm-opt --version | head -1)"
