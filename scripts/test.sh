#!/usr/bin/env bash
# Every check guest-chat has, in the order a failure is cheapest to find. Installs what
# is missing first; starts and stops its own servers; ends with a summary line.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test || { echo "summary: 0 passed, 1 failed (setup)"; exit 1; }
export PATH="$PWD/tools/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

passed=0
failed=0
failures=()
step() {
  local name=$1
  shift
  printf '\n\033[1;34m==> %s\033[0m\n' "$name"
  local started=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    printf '\033[1;32m--> %s: ok (%ss)\033[0m\n' "$name" $((SECONDS - started))
  else
    failed=$((failed + 1))
    failures+=("$name")
    printf '\033[1;31m--> %s: FAILED (%ss)\033[0m\n' "$name" $((SECONDS - started))
  fi
}

sim_pid=""
workdir=$(mktemp -d)
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
  rm -rf "$workdir"
}
trap cleanup EXIT INT TERM

start_simulator() {
  cargo build -q -p guest-chat-simulator || return 1
  ./target/debug/guest-chat-simulator --port 0 --port-file "$workdir/port" --control --agent none \
    >"$workdir/simulator.log" 2>&1 &
  sim_pid=$!
  for _ in $(seq 100); do
    [ -s "$workdir/port" ] && break
    sleep 0.1
  done
  [ -s "$workdir/port" ] || { cat "$workdir/simulator.log"; return 1; }
  SIM_URL="http://127.0.0.1:$(cat "$workdir/port")"
  echo "simulator for the browser tests at $SIM_URL"
}

browser_tests() {
  GUEST_CHAT_SIM="$SIM_URL" \
    CHROMEDRIVER=/usr/bin/chromedriver \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    WASM_BINDGEN_TEST_TIMEOUT=120 \
    cargo test -p guest-chat --target wasm32-unknown-unknown
}

stop_simulator() {
  kill "$sim_pid" 2>/dev/null
  wait "$sim_pid" 2>/dev/null
  sim_pid=""
  return 0
}

step "format" cargo fmt --all --check
step "clippy (native)" cargo clippy -q --workspace --all-targets -- -D warnings
step "clippy (wasm32)" cargo clippy -q -p guest-chat --target wasm32-unknown-unknown --all-targets -- -D warnings
step "no import circle between modules" node scripts/import-circles.mjs src simulator/src
step "native tests (core, protocol, simulator)" cargo test --workspace
step "simulator for browser tests" start_simulator
step "browser tests (wasm-bindgen-test, headless Chromium)" browser_tests
stop_simulator
step "release build (trunk build --release)" trunk build --release
step "bundle-size budget" node scripts/size-budget.mjs
step "end-to-end tests of the release build (headless Chromium)" bash -c 'cd tests/e2e && node --test --test-concurrency=1'

echo
if [ $failed -gt 0 ]; then
  printf 'failed steps:\n'
  printf '  - %s\n' "${failures[@]}"
fi
echo "summary: $passed passed, $failed failed"
[ $failed -eq 0 ]
