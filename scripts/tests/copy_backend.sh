#!/usr/bin/env bash
# Test: a copy of a backend folder under a new name is picked up by the next run with no other
# edit (SPEC section 4). Copies backends/axum to backends/axum-copy, renames it in its
# backend.toml and Cargo.toml, runs a short start_tests.sh for it and checks its results.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly ROOT
readonly COPY="$ROOT/backends/axum-copy"

fail() {
  printf 'copy_backend: FAIL: %s\n' "$*" >&2
  exit 1
}

work=""
cleanup() {
  rm -rf "$COPY"
  if [[ -n "$work" ]]; then
    cp "$work/Cargo.lock" "$ROOT/Cargo.lock"
    rm -rf "$work"
  fi
}

main() {
  [[ ! -e "$COPY" ]] || fail "$COPY exists already"
  work="$(mktemp -d)"
  trap cleanup EXIT
  cp "$ROOT/Cargo.lock" "$work/Cargo.lock"
  printf '# Results\n<!-- results:start -->\n<!-- results:end -->\n' >"$work/README.md"

  cp -r "$ROOT/backends/axum" "$COPY"
  sed -i 's/backend-axum/backend-axum-copy/g; s/^name = "axum"$/name = "axum-copy"/' "$COPY/backend.toml"
  sed -i 's/^name = "backend-axum"$/name = "backend-axum-copy"/' "$COPY/Cargo.toml"
  grep -q '^name = "axum-copy"$' "$COPY/backend.toml" || fail "could not rename in backend.toml"

  if ! INCLUDE=axum-copy TEST_TYPES=no_db_test PROFILE=quick LOCUST_RUNTIME=5s RUNTIME=native \
    RESULTS_DIR="$work/results" README_FILE="$work/README.md" \
    "$ROOT/scripts/start_tests.sh" >"$work/run.log" 2>&1; then
    tail -n 30 "$work/run.log" >&2
    fail "start_tests.sh failed for axum-copy"
  fi
  [[ -f "$work/results/axum-copy/no_db_test/graph.png" ]] || fail "no graph for axum-copy"
  grep -q '"backend": *"axum-copy"' "$work/results/axum-copy/no_db_test/summary.json" ||
    fail "summary.json does not name axum-copy"
  [[ -f "$work/results/comparison_no_db_test.png" ]] || fail "no comparison plot"
  printf 'copy_backend: ok: backends/axum-copy was built, verified, measured and plotted\n'
}

main "$@"
