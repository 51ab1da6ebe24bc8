#!/usr/bin/env bash
# Efficiency benchmark of loadgen against wrk and Locust (issue 3).
#
# One minimal static server (loadgen's `static_server` example) pinned to SERVER_CORE; each load
# generator in turn pinned to CLIENT_CORE, measured with /usr/bin/time. Two shapes:
#   closed: CLOSED_USERS connections, no waits, GET /no_db_endpoint/ for CLOSED_TIME
#   profile: PROFILE_USERS users waiting 1-2 s, spawned at PROFILE_RATE/s, for PROFILE_TIME
# Prints one table: requests/s, CPU-seconds per 100k requests, CPU % of one core over the whole
# run, peak RSS, p99 (loadgen: exact; wrk: its --latency figure; Locust: its bucketed 99%), and
# for loadgen its busiest second (the ramp makes the whole-run CPU an underestimate).
# Locust is installed from PyPI into a throwaway venv (VENV, under target/ by default).
#
# Usage: scripts/bench_loadgen.sh            (knobs below can be set in the environment)
set -euo pipefail

SERVER_CORE="${SERVER_CORE:-0}"
CLIENT_CORE="${CLIENT_CORE:-1}"
CLOSED_USERS="${CLOSED_USERS:-50}"
CLOSED_TIME="${CLOSED_TIME:-20}"
PROFILE_USERS="${PROFILE_USERS:-5000}"
PROFILE_RATE="${PROFILE_RATE:-100}"
PROFILE_TIME="${PROFILE_TIME:-120}"
LOCUST_VERSION="${LOCUST_VERSION:-2.47.0}"
SKIP_LOCUST="${SKIP_LOCUST:-0}"
LOCUST_HTTPUSER="${LOCUST_HTTPUSER:-0}"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-${repo_root}/target/bench-venv}"
work_dir=""
server_pid=""

err() {
  echo "bench_loadgen: $*" >&2
}

cleanup() {
  if [[ -n "${server_pid}" ]] && kill -0 "${server_pid}" 2>/dev/null; then
    kill "${server_pid}"
    wait "${server_pid}" 2>/dev/null || true
  fi
  if [[ -n "${work_dir}" ]]; then
    rm -rf "${work_dir}"
  fi
}

build() {
  (cd "${repo_root}" && cargo build --release --quiet -p loadgen --bin loadgen --example static_server)
}

ensure_locust() {
  if [[ -x "${VENV}/bin/locust" ]]; then
    return
  fi
  err "installing locust ${LOCUST_VERSION} into ${VENV}"
  python3 -m venv "${VENV}"
  "${VENV}/bin/pip" install --quiet "locust==${LOCUST_VERSION}"
}

start_server() {
  local log="${work_dir}/server.log"
  taskset -c "${SERVER_CORE}" "${repo_root}/target/release/examples/static_server" 127.0.0.1:0 >"${log}" 2>&1 &
  server_pid=$!
  local tries=0
  until grep -q '^listening on ' "${log}"; do
    tries=$((tries + 1))
    if ((tries > 100)); then
      err "static server did not start: $(cat "${log}")"
      exit 1
    fi
    sleep 0.1
  done
  server_url="http://$(sed -n 's/^listening on //p' "${log}")"
}

# measure NAME COUNTER -- COMMAND...: runs COMMAND pinned and timed, then appends
# "name wall user sys maxrss_kb requests p99_ms busiest_second_cpu" to the raw results;
# COUNTER prints the last three.
measure() {
  local name="$1" counter="$2"
  shift 3
  local times="${work_dir}/${name}.time"
  taskset -c "${CLIENT_CORE}" /usr/bin/time -f '%e %U %S %M' -o "${times}" "$@" >"${work_dir}/${name}.log" 2>&1
  local counts
  counts="$("${counter}" "${name}")"
  echo "${name} $(cat "${times}") ${counts}" >>"${work_dir}/raw"
}

count_wrk() {
  local requests
  requests="$(awk '/requests in/ {print $1}' "${work_dir}/$1.log")"
  local p99
  p99="$(awk '$1 == "99%" {v = $2; if (v ~ /us$/) {sub(/us$/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms$/, "", v)} else if (v ~ /s$/) {sub(/s$/, "", v); v *= 1000} print v}' "${work_dir}/$1.log")"
  echo "${requests} ${p99:--} -"
}

count_loadgen() {
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); t=s["totals"]
print(t["requests"], t["p99_ms"], s["saturation"]["loadgen_cpu_percent_max"])' "${work_dir}/$1/summary.json"
}

count_locust() {
  awk -F, '$2 == "Aggregated" {print $3, $19, "-"}' "${work_dir}/$1_stats.csv"
}

write_inputs() {
  cat >"${work_dir}/static.toml" <<'EOF'
name = "static"
[[task]]
path = "/no_db_endpoint/"
EOF
  local user_class
  for user_class in FastHttpUser HttpUser; do
    cat >"${work_dir}/closed_${user_class}.py" <<EOF
from locust import ${user_class}, task, constant
class U(${user_class}):
    wait_time = constant(0)
    @task
    def t(self):
        self.client.get("/no_db_endpoint/")
EOF
    cat >"${work_dir}/profile_${user_class}.py" <<EOF
from locust import ${user_class}, task, between
class U(${user_class}):
    wait_time = between(1, 2)
    @task
    def t(self):
        self.client.get("/no_db_endpoint/")
EOF
  done
}

run_closed() {
  measure closed_wrk count_wrk -- wrk -t1 -c"${CLOSED_USERS}" -d"${CLOSED_TIME}s" --latency "${server_url}/no_db_endpoint/"
  measure closed_loadgen count_loadgen -- "${repo_root}/target/release/loadgen" --host "${server_url}" \
    --scenario "${work_dir}/static.toml" -u "${CLOSED_USERS}" -r "${CLOSED_USERS}" -t "${CLOSED_TIME}s" \
    --wait-min 0 --wait-max 0 --quiet --csv "${work_dir}/closed_loadgen/benchmark"
  if [[ "${SKIP_LOCUST}" != 1 ]]; then
    measure closed_locust_fast count_locust -- "${VENV}/bin/locust" -f "${work_dir}/closed_FastHttpUser.py" \
      --host "${server_url}" --headless -u "${CLOSED_USERS}" -r "${CLOSED_USERS}" -t "${CLOSED_TIME}s" \
      --csv "${work_dir}/closed_locust_fast"
  fi
}

run_profile() {
  measure profile_loadgen count_loadgen -- "${repo_root}/target/release/loadgen" --host "${server_url}" \
    --scenario "${work_dir}/static.toml" -u "${PROFILE_USERS}" -r "${PROFILE_RATE}" -t "${PROFILE_TIME}s" \
    --quiet --csv "${work_dir}/profile_loadgen/benchmark"
  if [[ "${SKIP_LOCUST}" != 1 ]]; then
    measure profile_locust_fast count_locust -- "${VENV}/bin/locust" -f "${work_dir}/profile_FastHttpUser.py" \
      --host "${server_url}" --headless -u "${PROFILE_USERS}" -r "${PROFILE_RATE}" -t "${PROFILE_TIME}s" \
      --csv "${work_dir}/profile_locust_fast"
    if [[ "${LOCUST_HTTPUSER}" == 1 ]]; then
      measure profile_locust_http count_locust -- "${VENV}/bin/locust" -f "${work_dir}/profile_HttpUser.py" \
        --host "${server_url}" --headless -u "${PROFILE_USERS}" -r "${PROFILE_RATE}" -t "${PROFILE_TIME}s" \
        --csv "${work_dir}/profile_locust_http"
    fi
  fi
}

print_table() {
  awk '
    BEGIN {
      printf "%-20s %9s %10s %14s %7s %14s %11s %8s\n", "run", "requests", "req/s", "CPU-s/100k req", "CPU %", "busiest 1s CPU%", "peak RSS MB", "p99 ms"
    }
    {
      name = $1; wall = $2; cpu = $3 + $4; rss = $5 / 1024; requests = $6; p99 = $7; busiest = $8
      per100k = requests > 0 ? cpu / requests * 100000 : 0
      printf "%-20s %9d %10.0f %14.3f %7.1f %14s %11.1f %8s\n", name, requests, requests / wall, per100k, cpu / wall * 100, busiest, rss, p99
      if (name == "closed_wrk") { wrk = per100k }
      if (name == "closed_loadgen" && wrk > 0) { ratio = per100k / wrk }
    }
    END {
      if (ratio > 0) { printf "closed loop: loadgen CPU per request = %.2fx wrk (target <= 1.5x)\n", ratio }
    }' "${work_dir}/raw"
}

main() {
  trap cleanup EXIT INT TERM
  work_dir="$(mktemp -d)"
  build
  if [[ "${SKIP_LOCUST}" != 1 ]]; then
    ensure_locust
  fi
  write_inputs
  start_server
  err "server ${server_url} on core ${SERVER_CORE}, load generators on core ${CLIENT_CORE}"
  # Other work on the machine skews every figure: say how busy it was.
  err "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  run_closed
  run_profile
  err "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  print_table
}

main "$@"
