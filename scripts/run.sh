#!/usr/bin/env bash
# Runs guest-chat locally: the simulator (scripted agent and agent console) on :8787 and
# the widget with live reload on :8080. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh run
export PATH="$PWD/tools/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

SIM_PORT=8787      # index.html is configured for this port
WIDGET_PORT=${WIDGET_PORT:-8080}

echo "[run] building the simulator"
cargo build -q -p guest-chat-simulator

pids=()
stop() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "[run] stopped"
}
trap stop EXIT INT TERM

./target/debug/guest-chat-simulator --port "$SIM_PORT" --agent scripted &
pids+=($!)
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$SIM_PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "${pids[0]}" 2>/dev/null || { echo "[run] the simulator did not start (see above)" >&2; exit 1; }
  sleep 0.1
done

echo "[run] building and serving the widget (the first build takes a few minutes)"
trunk serve --port "$WIDGET_PORT" &
pids+=($!)
until curl -fs "http://127.0.0.1:$WIDGET_PORT/" >/dev/null 2>&1; do
  kill -0 "${pids[1]}" 2>/dev/null || { echo "[run] trunk serve stopped (see above)" >&2; exit 1; }
  sleep 1
done

cat <<MSG

  guest-chat is running
    chat (the tutorial's Guest API):  http://127.0.0.1:$WIDGET_PORT/
    chat (Genesys Cloud mode):        http://127.0.0.1:$WIDGET_PORT/host/genesys.html
    agent console (both):             http://127.0.0.1:$SIM_PORT/agent
  Press Ctrl-C to stop.

MSG
wait -n "${pids[@]}"
