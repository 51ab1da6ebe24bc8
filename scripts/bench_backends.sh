#!/usr/bin/env bash
# Raw throughput of each backend under wrk, measured the same way for all: the backend pinned to
# CPU 0 with WORKERS=1, wrk pinned to CPU 1 (-t1 -c64), 100 seeded notes, one throwaway
# PostgreSQL. A quick cross-check of the framework overhead; the benchmark proper is
# scripts/start_tests.sh. Needs wrk (apt-get install wrk) and 2+ CPUs.
#   scripts/bench_backends.sh [backend...]     default: every backend folder
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly ROOT
readonly BIN="$ROOT/target/release"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-64}"

err() { printf 'bench_backends: %s\n' "$*" >&2; }

tmp=""
pid=""
cleanup() {
  if [[ -n "$pid" ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  [[ -z "$tmp" ]] || "$BIN/pgtemp" stop --dir "$tmp/pg" 2>/dev/null || true
  [[ -z "$tmp" ]] || rm -rf "$tmp"
}

# Prints "<req/s>" of one wrk run against $1 lasting $2 (default DURATION).
wrk_rps() {
  taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${2:-$DURATION}" "$1" | awk '/^Requests\/sec/ {print $2}'
}

main() {
  command -v wrk >/dev/null || { err "wrk is not installed (apt-get install wrk)"; exit 2; }
  (($(nproc) >= 2)) || { err "needs at least 2 CPUs"; exit 2; }
  local names=("$@")
  if ((${#names[@]} == 0)); then
    local file
    for file in "$ROOT"/backends/*/backend.toml; do
      names+=("$(basename "$(dirname "$file")")")
    done
  fi
  trap cleanup EXIT
  tmp="$(mktemp -d)"
  chmod 755 "$tmp"
  cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" -p benchctl -p pgtemp
  local url
  url="$("$BIN/pgtemp" start --ignore-database-url --dir "$tmp/pg")"
  printf '%-14s %16s %16s\n' backend "no_db req/s" "notes req/s"
  local name dir port
  for name in "${names[@]}"; do
    dir="$ROOT/backends/$name"
    (cd "$dir" && sh -c "$(sed -n 's/^build = "\(.*\)"$/\1/p' backend.toml)") >"$tmp/build.log" 2>&1 ||
      { err "$name: build failed (see its backend.toml)"; continue; }
    port="$("$BIN/benchctl" free-port)"
    (cd "$dir" && DATABASE_URL="$url" HOST=127.0.0.1 PORT="$port" WORKERS=1 DB_POOL_SIZE=20 \
      exec taskset -c 0 sh -c "exec $(sed -n 's/^run = "\(.*\)"$/\1/p' backend.toml)") \
      >"$tmp/$name.log" 2>&1 &
    pid=$!
    "$BIN/benchctl" wait "http://127.0.0.1:$port/health" --pid "$pid" --timeout-s 60
    "$BIN/benchctl" seed --database-url "$url"
    wrk_rps "http://127.0.0.1:$port/no_db_endpoint/" 3s >/dev/null # warm-up
    printf '%-14s %16s %16s\n' "$name" \
      "$(wrk_rps "http://127.0.0.1:$port/no_db_endpoint/")" \
      "$(wrk_rps "http://127.0.0.1:$port/notes/")"
    kill -TERM "$pid"
    wait "$pid" || err "$name exited with status $? after SIGTERM"
    pid=""
  done
}

main "$@"
