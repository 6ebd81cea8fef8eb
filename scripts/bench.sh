#!/usr/bin/env bash
# Benchmarks (not part of the test command's pass/fail):
#   scripts/bench.sh load    2,000 concurrent guests against the simulator (GUESTS, MESSAGES)
#   scripts/bench.sh chaos   300 + 300 messages through random drops and a reload (CHAOS_MESSAGES)
#   scripts/bench.sh perf    the widget beside a plain-JavaScript page: size, time to
#                            Connected, bursts of 1,000 and 10,000, append cost, keypress
#                            to wire, in both protocols (RUNS, BURSTS, BURST_RUNS, PROTOCOLS)
#   scripts/bench.sh profile the perf benchmark's largest burst under the CPU profiler, on
#                            a release build that keeps its function names
#                            (target/profile-dist/, profiles in target/burst-profile.json)
#   scripts/bench.sh bytes   where the widget's bytes are, by crate (twiggy)
#   scripts/bench.sh host    what the tag costs a host page: Lighthouse with and without
#                            it, and a press on the launcher to a usable composer (RUNS)
#   scripts/bench.sh         all five
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
export PATH="$PWD/tools/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

what=${1:-all}

load() {
  cargo bench -q -p guest-chat-simulator --bench load
}

chaos() {
  cargo build -q -p guest-chat-simulator
  trunk build --release
  (cd tests/e2e && CHAOS_MESSAGES=${CHAOS_MESSAGES:-300} node --test chaos.test.mjs)
}

perf() {
  cargo build -q -p guest-chat-simulator
  trunk build --release
  (cd tests/e2e && node bench.mjs)
}

# The release wasm, optimised alike but with its name section kept, so that a profile
# names Rust functions; the page loses its integrity hashes, which name the other files.
profile() {
  cargo build -q -p guest-chat-simulator
  trunk build --release
  local out=target/profile-dist
  rm -rf "$out" target/profile-bindgen
  cp -r dist "$out"
  wasm-bindgen --target web --no-typescript --out-dir target/profile-bindgen --out-name guest-chat-app \
    target/wasm32-unknown-unknown/release/guest-chat-app.wasm
  wasm-opt -Oz -g --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types \
    target/profile-bindgen/guest-chat-app_bg.wasm -o "$out/guest-chat-app_bg.wasm"
  cp target/profile-bindgen/guest-chat-app.js "$out/guest-chat-app.js"
  rm -f "$out"/*.gz "$out"/*.br
  sed -i -E -e 's/ integrity=("[^"]*"|[^ >]*)//g' -e "s/, \{ integrity: '[^']*' \}//" "$out/index.html"
  (cd tests/e2e && DIST="$PWD/../../$out" PROFILE="$PWD/../../target/burst-profile.json" \
    RUNS=${RUNS:-1} BURSTS=${BURSTS:-10000} BURST_RUNS=${BURST_RUNS:-1} node bench.mjs)
}

host() {
  [ -d tools/bench/node_modules/lighthouse ] || (cd tools/bench && npm ci --no-audit --no-fund --loglevel=error)
  cargo build -q -p guest-chat-simulator
  trunk build --release
  (cd tests/e2e && node host-bench.mjs)
}

bytes() {
  command -v twiggy >/dev/null || cargo install twiggy --version 0.8.0 --locked
  trunk build --release
  node scripts/bytes.mjs
}

case "$what" in
  bytes) bytes ;;
  load) load ;;
  chaos) chaos ;;
  perf) perf ;;
  profile) profile ;;
  host) host ;;
  all) load; chaos; perf; bytes; host ;;
  *) echo "usage: scripts/bench.sh [load|chaos|perf|profile|bytes|host]" >&2; exit 2 ;;
esac
