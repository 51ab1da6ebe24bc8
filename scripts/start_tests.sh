#!/usr/bin/env bash
# Builds, verifies, loads and plots every backend: the suite's one command.
# Bash orchestrates only; waiting, seeding, sampling, statistics and plotting live in the Rust
# tools (benchctl, verify, loadgen, plot). Run with --help for the knobs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly ROOT

# Knobs: the original suite's names and defaults first (SPEC section 2).
LOCUST_USERS="${LOCUST_USERS:-}"
LOCUST_SPAWN_RATE="${LOCUST_SPAWN_RATE:-}"
LOCUST_RUNTIME="${LOCUST_RUNTIME:-}"
INCLUDE="${INCLUDE:-}"
TEST_TYPES="${TEST_TYPES:-db_test,no_db_test}"
RUNTIME="${RUNTIME:-auto}"
BACKEND_CPUS="${BACKEND_CPUS:-}"
PROFILE="${PROFILE:-default}"
RESULTS_DIR="${RESULTS_DIR:-$ROOT/results}"
README_FILE="${README_FILE:-$ROOT/README.md}"
READY_TIMEOUT_S="${READY_TIMEOUT_S:-120}"

readonly BIN="$ROOT/target/release"

usage() {
  cat <<'EOF'
Usage: scripts/start_tests.sh [--help]

Runs the workload against every backend under backends/ (found by its backend.toml) for each
test type, then writes results/<backend>/<test_type>/ (CSV, summary.json, graph.png),
results/comparison_<test_type>.png and the README's results table.

For each backend and test type: fresh database state, start the backend, wait for /health,
run the conformance checks (a failing backend is reported, not measured), run loadgen while
sampling CPU and memory, stop the backend with SIGTERM, keep the results only on success.

Environment (defaults in brackets):
  LOCUST_USERS       simulated users [5000; quick: 100]
  LOCUST_SPAWN_RATE  users started per second [10; quick: 50]
  LOCUST_RUNTIME     run time, ramp included: 500, 500s, 8m20s [500s; quick: 15s]
  INCLUDE            comma-separated backend names [all]
  TEST_TYPES         comma-separated test types [db_test,no_db_test]
  RUNTIME            auto, docker or native [auto: docker when a Docker engine answers]
  BACKEND_CPUS       CPUs for the backend: native pins it to CPUs 0..N-1 with taskset and
                     loadgen to the others; docker sets the container's CPU limit [no limit]
  PROFILE            default or quick (a short smoke run) [default]
  RESULTS_DIR        where results go [results/]
  README_FILE        the README whose results table is rewritten [README.md]
  READY_TIMEOUT_S    how long a backend may take to answer GET /health [120]

Ctrl-C or SIGTERM stops everything this script started and keeps earlier results.
EOF
}

err() { printf 'start_tests: %s\n' "$*" >&2; }
say() { printf '\n==> %s\n' "$*"; }

# --- processes and cleanup --------------------------------------------------------------------

tmp_dir=""
pg_dir=""
runtime=""
backend_pid=""
declare -a child_pids=()

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_backend quiet
  local pid
  for pid in "${child_pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${child_pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [[ "$runtime" == docker ]]; then
    docker compose -f "$ROOT/docker-compose.yml" down -v --remove-orphans >/dev/null 2>&1 || true
  fi
  if [[ -n "$pg_dir" && -d "$pg_dir" ]]; then
    "$BIN/pgtemp" stop --dir "$pg_dir" || err "could not remove the database cluster in $pg_dir"
  fi
  if [[ -n "$tmp_dir" ]]; then
    rm -rf "$tmp_dir"
  fi
  exit "$status"
}

on_signal() {
  err "interrupted: stopping everything this run started; earlier results are kept"
  exit "$1"
}

# Runs a command in the background and waits for it, so a signal to this script is handled at
# once (bash runs traps only after a foreground child returns).
run() {
  "$@" &
  local pid=$!
  child_pids+=("$pid")
  local status=0
  wait "$pid" || status=$?
  forget_child "$pid"
  return "$status"
}

forget_child() {
  local kept=() pid
  for pid in "${child_pids[@]}"; do
    [[ "$pid" == "$1" ]] || kept+=("$pid")
  done
  child_pids=("${kept[@]+"${kept[@]}"}")
}

# --- backends ---------------------------------------------------------------------------------

# The value of `key` in a backend.toml (flat `key = "value"` lines, SPEC section 4).
toml_value() {
  sed -n "s/^$2[[:space:]]*=[[:space:]]*\"\(.*\)\"[[:space:]]*\$/\1/p" "$1" | head -n 1
}

discover_backends() {
  local file name wanted requested
  for requested in ${INCLUDE//,/ }; do
    if [[ ! -f "$ROOT/backends/$requested/backend.toml" ]]; then
      err "INCLUDE names $requested, but backends/$requested/backend.toml does not exist"
      return 2
    fi
  done
  for file in "$ROOT"/backends/*/backend.toml; do
    [[ -f "$file" ]] || continue
    name="$(toml_value "$file" name)"
    if [[ -z "$name" ]]; then
      err "$file has no name: skipped"
      continue
    fi
    if [[ -n "$INCLUDE" ]]; then
      wanted=",${INCLUDE// /},"
      [[ "$wanted" == *",$name,"* ]] || continue
    fi
    printf '%s\n' "$name"
  done
}

backend_dir() { printf '%s/backends/%s' "$ROOT" "$1"; }

# --- runtime: native --------------------------------------------------------------------------

cpu_sets() {
  local cpus total
  total="$(nproc)"
  cpus="$BACKEND_CPUS"
  if [[ -z "$cpus" ]]; then
    backend_cpu_list="" loadgen_cpu_list=""
    return
  fi
  if ! [[ "$cpus" =~ ^[0-9]+$ ]] || ((cpus < 1 || cpus >= total)); then
    err "BACKEND_CPUS=$cpus: expected a whole number from 1 to $((total - 1)) on this $total-CPU machine (native runtime)"
    exit 2
  fi
  backend_cpu_list="0-$((cpus - 1))"
  loadgen_cpu_list="$cpus-$((total - 1))"
}

# The tools only: each backend builds itself with its own `build` command, so its binary has the
# same dependency features as in its Docker image (a workspace-wide build would unify features).
build_tools() {
  say "building the tools (cargo build --release -p loadgen -p plot -p benchctl -p conformance -p pgtemp)"
  run cargo build --release --manifest-path "$ROOT/Cargo.toml" \
    -p loadgen -p plot -p benchctl -p conformance -p pgtemp
}

native_prepare() {
  build_tools
  local name
  for name in "${backends[@]}"; do
    say "building $name: $(toml_value "$(backend_dir "$name")/backend.toml" build)"
    if ! (cd "$(backend_dir "$name")" && run sh -c "$(toml_value backend.toml build)"); then
      record "$name" "all" "FAILED" "build failed"
      failed_builds+=("$name")
    fi
  done
  pg_dir="$tmp_dir/pg"
  database_url="$("$BIN/pgtemp" start --ignore-database-url --dir "$pg_dir")"
  db_data_dir="$pg_dir/data"
}

native_start_backend() {
  local name="$1" dir log="$2" command
  dir="$(backend_dir "$name")"
  command="$(toml_value "$dir/backend.toml" run)"
  backend_port="$("$BIN/benchctl" free-port)"
  local pin=()
  [[ -n "$backend_cpu_list" ]] && pin=(taskset -c "$backend_cpu_list")
  # setsid: the backend and anything it forks (worker processes) form one group we can stop.
  (cd "$dir" && DATABASE_URL="$database_url" HOST=127.0.0.1 PORT="$backend_port" \
    exec setsid "${pin[@]}" sh -c "exec $command") >"$log" 2>&1 &
  backend_pid=$!
  backend_url="http://127.0.0.1:$backend_port"
  loadgen_url="$backend_url"
}

# Stops the backend with SIGTERM (SPEC: exit 0 within 10 s); kills its group after 15 s.
stop_backend() {
  [[ -n "$backend_pid" ]] || return 0
  local pid="$backend_pid" quiet="${1:-}" status=0 waited=0
  backend_pid=""
  if [[ "$runtime" == docker ]]; then
    docker compose -f "$ROOT/docker-compose.yml" stop -t 15 backend >/dev/null 2>&1 || true
    wait "$pid" 2>/dev/null || true
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && ((waited < 150)); do
    sleep 0.1
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    [[ -n "$quiet" ]] || err "the backend did not exit within 15 s of SIGTERM: killed"
  fi
  wait "$pid" 2>/dev/null || status=$?
  # Worker processes the backend left behind, if any.
  kill -KILL -- "-$pid" 2>/dev/null || true
  if [[ -z "$quiet" && "$status" -ne 0 ]]; then
    err "the backend exited with status $status after SIGTERM (expected 0)"
  fi
  return 0
}

# --- runtime: docker --------------------------------------------------------------------------

compose() { docker compose -f "$ROOT/docker-compose.yml" "$@"; }

docker_prepare() {
  export DB_HOST_PORT="${DB_HOST_PORT:-55432}" BACKEND_HOST_PORT="${BACKEND_HOST_PORT:-18000}"
  export BACKEND_CPUS="${BACKEND_CPUS:-0}"
  build_tools
  say "starting PostgreSQL (docker compose up db)"
  run compose up -d --wait db
  database_url="postgres://postgres:postgres@127.0.0.1:$DB_HOST_PORT/notes"
  db_data_dir=""
  backend_cpu_list="" loadgen_cpu_list=""
}

docker_start_backend() {
  local name="$1" log="$2"
  export BACKEND="$name"
  if ! run compose build backend >"$log" 2>&1; then
    return 1
  fi
  compose up --no-deps --force-recreate backend >>"$log" 2>&1 &
  backend_pid=$!
  backend_url="http://127.0.0.1:$BACKEND_HOST_PORT"
  loadgen_url="http://backend:8000"
}

# The cgroup v2 directory of a compose service's container (systemd or cgroupfs driver).
docker_cgroup() {
  local id dir
  id="$(compose ps -q "$1" 2>/dev/null | head -n 1)"
  [[ -n "$id" ]] || return 0
  for dir in "/sys/fs/cgroup/system.slice/docker-$id.scope" "/sys/fs/cgroup/docker/$id"; do
    if [[ -f "$dir/cpu.stat" ]]; then
      printf '%s' "$dir"
      return 0
    fi
  done
}

# --- one pair ---------------------------------------------------------------------------------

declare -a report_lines=()
declare -a failed_builds=()
failures=0

record() {
  report_lines+=("$(printf '%-16s %-11s %-7s %s' "$1" "$2" "$3" "$4")")
  [[ "$3" == ok ]] || failures=$((failures + 1))
}

run_pair() {
  local name="$1" test_type="$2" work log
  work="$tmp_dir/$name-$test_type"
  mkdir -p "$work/run"
  log="$work/backend.log"

  run "$BIN/benchctl" seed --database-url "$database_url"
  if [[ "$runtime" == docker ]]; then
    docker_start_backend "$name" "$log" || {
      pair_failed "$name" "$test_type" "docker build failed" "$log"
      return
    }
  else
    native_start_backend "$name" "$log"
  fi
  if ! run "$BIN/benchctl" wait "$backend_url/health" --pid "$backend_pid" --timeout-s "$READY_TIMEOUT_S"; then
    pair_failed "$name" "$test_type" "not ready: GET /health" "$log"
    return
  fi

  local db_control
  if [[ "$runtime" == docker ]]; then
    local compose_cmd="docker compose -f '$ROOT/docker-compose.yml'"
    db_control=(--db-stop-cmd "$compose_cmd stop db" --db-start-cmd "$compose_cmd up -d --wait db")
  else
    db_control=(--db-stop-cmd "'$BIN/pgtemp' stop-server --dir '$pg_dir'"
      --db-start-cmd "'$BIN/pgtemp' start-server --dir '$pg_dir'")
  fi
  say "conformance: $name"
  if ! run "$BIN/verify" --host "$backend_url" --database-url "$database_url" "${db_control[@]}" \
    >"$work/verify.txt" 2>&1; then
    grep -E '^(FAIL|verify:)' "$work/verify.txt" >&2 || tail -n 5 "$work/verify.txt" >&2
    pair_failed "$name" "$test_type" "conformance failed" "$log"
    return
  fi
  tail -n 1 "$work/verify.txt"
  run "$BIN/benchctl" seed --database-url "$database_url"

  say "loadgen: $name / $test_type ($users users, spawn rate $spawn_rate/s, $run_time)"
  if ! load "$name" "$test_type" "$work/run"; then
    pair_failed "$name" "$test_type" "loadgen failed" "$log"
    return
  fi
  stop_backend
  if ! run "$BIN/benchctl" finish --run-dir "$work/run" --database-url "$database_url"; then
    pair_failed "$name" "$test_type" "summary.json incomplete" "$log"
    return
  fi
  if ! run "$BIN/plot" run "$work/run"; then
    pair_failed "$name" "$test_type" "plot failed" "$log"
    return
  fi
  keep_results "$work/run" "$RESULTS_DIR/$name/$test_type"
  record "$name" "$test_type" ok "$RESULTS_DIR/$name/$test_type/graph.png"
}

# Runs loadgen into $3 while benchctl samples resources every second.
load() {
  local name="$1" test_type="$2" out="$3" loadgen_pid sampler_pid status=0
  local args=(--host "$loadgen_url" --test-type "$test_type" --users "$users"
    --spawn-rate "$spawn_rate" --run-time "$run_time"
    --backend "$name" --runtime "$runtime" --wait-ready 10)
  local pin=()
  [[ -n "$loadgen_cpu_list" ]] && pin=(taskset -c "$loadgen_cpu_list")
  if [[ "$runtime" == docker ]]; then
    compose run --rm --no-deps -v "$out:/out" loadgen "${args[@]}" --csv /out/benchmark &
  else
    "${pin[@]}" "$BIN/loadgen" "${args[@]}" --csv "$out/benchmark" &
  fi
  loadgen_pid=$!
  child_pids+=("$loadgen_pid")
  local sources=()
  if [[ "$runtime" == docker ]]; then
    local cgroup
    cgroup="$(docker_cgroup backend)" && [[ -n "$cgroup" ]] && sources+=(--backend-cgroup "$cgroup")
    cgroup="$(docker_cgroup db)" && [[ -n "$cgroup" ]] && sources+=(--db-cgroup "$cgroup")
  else
    sources=(--backend-pid "$backend_pid" --db-data-dir "$db_data_dir" --loadgen-pid "$loadgen_pid")
  fi
  "$BIN/benchctl" sample --until-exit "$loadgen_pid" --out "$out/resources.csv" "${sources[@]}" &
  sampler_pid=$!
  child_pids+=("$sampler_pid")
  wait "$loadgen_pid" || status=$?
  forget_child "$loadgen_pid"
  wait "$sampler_pid" || true
  forget_child "$sampler_pid"
  return "$status"
}

pair_failed() {
  local name="$1" test_type="$2" why="$3" log="$4"
  err "$name / $test_type: $why; the backend's last log lines:"
  tail -n 15 "$log" >&2 || true
  stop_backend quiet
  record "$name" "$test_type" FAILED "$why (previous results kept)"
}

# Replaces the pair's results folder in one step at the end, so a failed run never leaves a
# half-written folder and earlier results survive until the new ones are complete.
keep_results() {
  local from="$1" to="$2"
  mkdir -p "$(dirname "$to")"
  rm -rf "$to.old"
  [[ -d "$to" ]] && mv "$to" "$to.old"
  mv "$from" "$to"
  rm -rf "$to.old"
}

# --- main -------------------------------------------------------------------------------------

choose_runtime() {
  case "$RUNTIME" in
    docker | native) runtime="$RUNTIME" ;;
    auto)
      if docker info >/dev/null 2>&1; then runtime=docker; else runtime=native; fi
      ;;
    *)
      err "RUNTIME=$RUNTIME: expected auto, docker or native"
      exit 2
      ;;
  esac
}

choose_workload() {
  case "$PROFILE" in
    default) users=5000 spawn_rate=10 run_time=500s ;;
    quick) users=100 spawn_rate=50 run_time=15s ;;
    *)
      err "PROFILE=$PROFILE: expected default or quick"
      exit 2
      ;;
  esac
  users="${LOCUST_USERS:-$users}"
  spawn_rate="${LOCUST_SPAWN_RATE:-$spawn_rate}"
  run_time="${LOCUST_RUNTIME:-$run_time}"
}

main() {
  if [[ "${1:-}" == -h || "${1:-}" == --help ]]; then
    usage
    return 0
  fi
  if (($#)); then
    err "unexpected argument $1 (see --help)"
    exit 2
  fi
  trap cleanup EXIT
  trap 'on_signal 130' INT
  trap 'on_signal 143' TERM
  # Each user holds a connection open (5000 by default): every process started from here may
  # open as many files as the hard limit allows.
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  choose_runtime
  choose_workload
  cpu_sets
  IFS=',' read -r -a test_types <<<"${TEST_TYPES// /}"
  local listed
  listed="$(discover_backends)" || exit 2
  mapfile -t backends <<<"$listed"
  [[ -n "$listed" ]] || backends=()
  if ((${#backends[@]} == 0)); then
    err "no backend found under backends/ (INCLUDE=${INCLUDE:-all})"
    exit 2
  fi
  tmp_dir="$(mktemp -d "${TMPDIR:-/tmp}/start_tests.XXXXXX")"
  chmod 755 "$tmp_dir"
  say "runtime: $runtime; backends: ${backends[*]}; test types: ${test_types[*]}"
  if [[ "$runtime" == docker ]]; then docker_prepare; else native_prepare; fi

  local total=$((${#backends[@]} * ${#test_types[@]})) index=0 name test_type started
  started="$(date +%s)"
  for name in "${backends[@]}"; do
    for test_type in "${test_types[@]}"; do
      index=$((index + 1))
      if [[ " ${failed_builds[*]-} " == *" $name "* ]]; then
        continue
      fi
      say "pair $index of $total: $name / $test_type$(eta "$started" "$index" "$total")"
      run_pair "$name" "$test_type"
    done
  done

  if compgen -G "$RESULTS_DIR/*/*/summary.json" >/dev/null || compgen -G "$RESULTS_DIR/*/*/*_stats.csv" >/dev/null; then
    say "plotting the comparison and the README table"
    run "$BIN/plot" compare "$RESULTS_DIR" || record all all FAILED "plot compare failed"
    run "$BIN/plot" readme "$README_FILE" "$RESULTS_DIR" || record all all FAILED "plot readme failed"
  fi

  say "summary"
  printf '%-16s %-11s %-7s %s\n' backend test_type status "graph / reason"
  printf '%s\n' "${report_lines[@]}"
  ((failures == 0))
}

# ", about N min left" once a pair has finished, from the mean time per pair so far.
eta() {
  local started="$1" index="$2" total="$3" done_pairs per_pair
  done_pairs=$((index - 1))
  ((done_pairs > 0)) || return 0
  per_pair=$((($(date +%s) - started) / done_pairs))
  printf ', about %d min left' $(((per_pair * (total - done_pairs) + 59) / 60))
}

main "$@"
