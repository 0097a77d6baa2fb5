#!/usr/bin/env bash
# API check latency at 50 concurrent clients on loopback (BENCHMARKS.md): builds the
# release binary, starts `serve` on a fresh temporary data directory (no bot), creates a
# curator token, and runs `oha` (`cargo install oha`) against POST /api/v1/check.
# Usage: scripts/bench-api.sh [SECONDS] [CLIENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
clients="${2:-50}"
command -v oha >/dev/null || { echo "bench-api: needs oha (cargo install oha)" >&2; exit 1; }
cargo build --release --locked --bin sellerguard
bin="$PWD/target/release/sellerguard"
data="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"' EXIT
token="$("$bin" --data-dir "$data" token create --name bench 2>/dev/null)"
port=18931
SELLERGUARD_HTTP_ADDR="127.0.0.1:$port" "$bin" --data-dir "$data" serve 2>/dev/null &
server=$!
for _ in $(seq 1 100); do
    [ -f "$data/service.json" ] && break
    sleep 0.1
done
body='{"text":"Dear seller, your Amazon account is suspended. Verify now at http://amaz0n-verify.top or pay the 2000 USDT deposit, add WeChat amz_vip888"}'
oha --no-tui -z "${seconds}s" -c "$clients" -m POST \
    -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
    -d "$body" "http://127.0.0.1:$port/api/v1/check"
