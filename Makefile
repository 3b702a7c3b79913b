# OpenIDV: the two commands a fresh machine needs are `make run` and `make test` (see README.md).
VENV ?= .venv
PY := $(VENV)/bin/python
export OMP_NUM_THREADS ?= 1

.PHONY: run test setup setup-dev lint typecheck bench clean

# Start the verification service on the embedded SQLite store, seeded with a synthetic demo cohort.
run: setup
	$(VENV)/bin/openidv demo --sessions 12

# Everything CI runs: system packages, a fresh venv, ruff, mypy, the test suite (SQLite and PostgreSQL).
test: setup-dev
	scripts/test.sh

setup:
	scripts/bootstrap.sh runtime

setup-dev:
	scripts/bootstrap.sh dev

lint:
	$(VENV)/bin/ruff check src tests benchmarks scripts

typecheck:
	$(VENV)/bin/mypy

bench:
	$(PY) benchmarks/service_submit.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
