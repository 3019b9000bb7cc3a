# Two commands do everything: `make run` (build the warehouse) and `make test`.
# Both create the virtual environment from the lock file when it is missing or stale.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
LOCK := requirements.lock
STAMP := $(VENV)/.installed-$(shell sha256sum $(LOCK) pyproject.toml | sha256sum | cut -c1-16)
export DAGSTER_HOME := $(CURDIR)/.dagster

.PHONY: run test reliability bench dev lint format lock instance clean

$(STAMP): $(LOCK) pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r $(LOCK)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@rm -f $(VENV)/.installed-* && touch $@

# The instance file: dagster.yaml, plus PostgreSQL storage when DAGSTER_PG_URL is set.
instance:
	@mkdir -p $(DAGSTER_HOME)
	@rm -f $(DAGSTER_HOME)/dagster.yaml
	@cat dagster.yaml $(if $(DAGSTER_PG_URL),dagster.postgres.yaml) > $(DAGSTER_HOME)/dagster.yaml

run: $(STAMP) instance
	$(BIN)/python -m pipeline.cli refresh

test: $(STAMP) instance
	$(BIN)/python -m pytest tests --ignore=tests/reliability -p no:logging

# Crash (SIGKILL at random points) and concurrency tests against the real CLI and daemon.
reliability: $(STAMP) instance
	$(BIN)/python -m pytest tests/reliability -p no:logging -s

# Scale, refresh and no-op measurements (not part of `make test`); writes
# benchmarks/results/latest.json and docs/performance.md.
bench: $(STAMP) instance
	$(BIN)/python -m benchmarks.run

dev: $(STAMP) instance
	$(BIN)/dagster dev --host 127.0.0.1 --port 3000 -m pipeline.definitions

lint: $(STAMP)
	$(BIN)/ruff check pipeline tests
	$(BIN)/ruff format --check pipeline tests

format: $(STAMP)
	$(BIN)/ruff format pipeline tests
	$(BIN)/ruff check --fix pipeline tests

# Regenerate the lock file from pyproject.toml (run after changing dependencies).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet -e '.[dev]'
	.lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^-e ' > $(LOCK)
	rm -rf .lock-venv

clean:
	rm -rf warehouse .dagster .pytest_cache
