#!/usr/bin/env bash
# Test: SIGTERM to start_tests.sh in the middle of a load run stops every process it started,
# removes its database cluster and temporary folder, keeps earlier results, exits non-zero.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly ROOT

fail() {
  printf 'interrupt: FAIL: %s\n' "$*" >&2
  exit 1
}

# The PID and every live descendant of it.
descendants() {
  local pid child
  printf '%s\n' "$1"
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    descendants "$child"
  done
}

alive() { [[ -e "/proc/$1" ]] && [[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]]; }

work=""
cleanup() { [[ -z "$work" ]] || rm -rf "$work"; }

main() {
  local script_pid status=0
  work="$(mktemp -d)"
  trap cleanup EXIT
  mkdir -p "$work/tmp" "$work/results/axum/no_db_test"
  # The database server runs as the postgres user and must reach its cluster below TMPDIR.
  chmod 755 "$work" "$work/tmp"
  printf 'earlier run\n' >"$work/results/axum/no_db_test/marker"

  INCLUDE=axum TEST_TYPES=no_db_test PROFILE=quick LOCUST_RUNTIME=120s RUNTIME=native \
    RESULTS_DIR="$work/results" README_FILE="$work/README.md" TMPDIR="$work/tmp" \
    "$ROOT/scripts/start_tests.sh" >"$work/run.log" 2>&1 &
  script_pid=$!

  local waited=0
  until grep -q '^==> loadgen:' "$work/run.log" 2>/dev/null; do
    alive "$script_pid" || { cat "$work/run.log" >&2; fail "start_tests.sh ended before loadgen started"; }
    ((waited < 1800)) || fail "loadgen did not start within 900 s"
    sleep 0.5
    waited=$((waited + 1))
  done
  sleep 3
  local pids postmaster
  mapfile -t pids < <(descendants "$script_pid")
  postmaster="$(head -n 1 "$work"/tmp/start_tests.*/pg/data/postmaster.pid)"
  pids+=("$postmaster")
  ((${#pids[@]} >= 5)) || fail "expected the script, backend, loadgen, sampler and postgres: ${pids[*]}"

  kill -TERM "$script_pid"
  wait "$script_pid" || status=$?
  ((status != 0)) || fail "start_tests.sh exited 0 after SIGTERM"

  local pid left=()
  for pid in "${pids[@]}"; do
    alive "$pid" && left+=("$pid $(tr '\0' ' ' <"/proc/$pid/cmdline")")
  done
  ((${#left[@]} == 0)) || fail "processes left behind: ${left[*]}"
  [[ -z "$(ls -A "$work/tmp")" ]] || fail "temporary files left behind: $(ls -A "$work/tmp")"
  [[ -f "$work/results/axum/no_db_test/marker" ]] || fail "earlier results were touched"
  printf 'interrupt: ok: exit %s, %s processes stopped, cluster and temp folder removed\n' \
    "$status" "${#pids[@]}"
}

main "$@"
