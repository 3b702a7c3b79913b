#!/usr/bin/env bash
# The project's test command (called by `make test` and by .ci/run): lint, types, tests on SQLite,
# then the store, service and stroke-store tests again against a real PostgreSQL server started here.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
export OMP_NUM_THREADS=1 PYTHONHASHSEED=0

echo "== ruff"; "$VENV/bin/ruff" check src tests benchmarks scripts
echo "== mypy"; "$VENV/bin/mypy"

echo "== pytest (SQLite)"
"$VENV/bin/pytest" -q -n 2 --durations=15 tests

echo "== pytest (PostgreSQL)"
eval "$(scripts/postgres.sh start)"
trap 'scripts/postgres.sh stop' EXIT
OPENIDV_TEST_POSTGRES_URL="$PG_URL" "$VENV/bin/pytest" -q -n 2 tests/store tests/service tests/behavior/test_replay.py \
  tests/liveness/test_ratelimit.py tests/liveness/test_challenge.py -m "not slow"
