# Two commands do everything: `make run` (build the warehouse) and `make test`.
# Both create the virtual environment from the lock files when it is missing or stale: `run`
# installs the pipeline's runtime (requirements.lock), `test` adds the test tools
# (requirements-dev.lock) and Debian's Chromium for the browser tests.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check
RUNTIME := $(VENV)/.runtime-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)
DEV := $(VENV)/.dev-$(shell cat requirements-dev.lock pyproject.toml | sha256sum | cut -c1-16)
export DAGSTER_HOME := $(CURDIR)/.dagster

.PHONY: run test reliability bench dev lint format lock instance browser clean tools

$(RUNTIME): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements.lock
	$(PIP) --no-deps -e .
	@rm -f $(VENV)/.runtime-* && touch $@

$(DEV): $(RUNTIME) requirements-dev.lock
	$(PIP) -r requirements-dev.lock
	@rm -f $(VENV)/.dev-* && touch $@

# Tools that cannot share .venv: cffconvert (validates CITATION.cff in the tests) needs
# jsonschema<4, the dev tools need >=4.20. Its own venv, from its own lock.
TOOLS_VENV := .venv-tools
TOOLS := $(TOOLS_VENV)/.tools-$(shell cat requirements-tools.lock | sha256sum | cut -c1-16)

# Created without a pip of its own (about a second less); .venv's pip installs into it.
$(TOOLS): requirements-tools.lock $(RUNTIME)
	@test -x $(TOOLS_VENV)/bin/python || $(PYTHON) -m venv --without-pip $(TOOLS_VENV)
	$(BIN)/python -m pip --python $(TOOLS_VENV)/bin/python install --quiet \
	    --disable-pip-version-check -r requirements-tools.lock
	@rm -f $(TOOLS_VENV)/.tools-* && touch $@

tools: $(TOOLS)

# The instance file: dagster.yaml, plus PostgreSQL storage when DAGSTER_PG_URL is set.
instance:
	@mkdir -p $(DAGSTER_HOME)
	@rm -f $(DAGSTER_HOME)/dagster.yaml
	@cat dagster.yaml $(if $(DAGSTER_PG_URL),dagster.postgres.yaml) > $(DAGSTER_HOME)/dagster.yaml

run: $(RUNTIME) instance
	$(BIN)/python -m pipeline.cli refresh $(ARGS)

# The report's browser tests need Debian's Chromium: installed here when missing and running
# as root; otherwise `make test` stops at once with the one command to run.
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the report's browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "make test needs Chromium for the report's browser tests. Run: sudo apt-get install -y chromium"; \
	    exit 1; \
	  fi; }

# Two workers (one per core). Tests are grouped (tests/xdist_groups.py): those reading a session
# build run where it was built, the others by module, so each fixture is built once.
# The two venvs' installs run side by side (about 3 s sooner on a fresh clone).
test: instance browser
	@$(MAKE) --no-print-directory -j2 $(DEV) $(TOOLS)
	$(BIN)/python -m pytest tests --ignore=tests/reliability -p no:logging -p no:cacheprovider \
	    -n 2 --dist loadgroup

# Crash (SIGKILL at random points) and concurrency tests against the real CLI and daemon.
reliability: $(DEV) instance
	$(BIN)/python -m pytest tests/reliability -p no:logging -p no:cacheprovider -s

# Scale, refresh and no-op measurements (not part of `make test`); writes
# benchmarks/results/latest.json and docs/performance.md. BENCH_SIZES, BENCH_FORMATS,
# BENCH_PARTS, BENCH_REPEATS and BENCH_SCALE_REPEATS narrow a run (benchmarks/run.py); a size
# outside the defaults (BENCH_SIZES=50000000 BENCH_PARTS=scale) is recorded once beside them.
bench: $(DEV) instance
	$(BIN)/python -m benchmarks.run

# The UI and the daemon on 127.0.0.1:$(DEV_PORT). Started from DAGSTER_HOME, the folder whose
# dagster.yaml the instance reads (from the top level, `dagster dev` would warn that the top-level
# copy is not used); -d puts the repository on the code location's path. `dagster dev` is
# superseded by `dg dev`, which needs dagster-dg-cli (not in the locks; see the README,
# "make dev"), so that one notice is filtered out, by its exact text.
# Ctrl-C (or SIGTERM to make) reaches `dagster dev` alone, which stops the webserver, the daemon
# and its code server in order: `set -m` gives it a process group of its own (`set +m` then: no
# job notice when it ends) and the trap forwards the signal. Sent to all of them at once, the
# code server's child could exit first and be restarted, and that copy lingered 45 s waiting for
# a heartbeat.
DEV_PORT ?= 3000
dev: $(RUNTIME) instance
	cd $(DAGSTER_HOME) && set -m && status=0 && \
	  { PYTHONWARNINGS="ignore:Function \`dev_command\` is superseded:FutureWarning" \
	    $(abspath $(BIN))/dagster dev --host 127.0.0.1 --port $(DEV_PORT) -m pipeline.definitions \
	    -d $(CURDIR) & } && pid=$$! && set +m && trap 'kill -INT $$pid 2>/dev/null' INT TERM HUP && \
	  while kill -0 $$pid 2>/dev/null; do wait $$pid; status=$$?; done; exit $$status

lint: $(DEV)
	$(BIN)/ruff check pipeline tests benchmarks
	$(BIN)/ruff format --check pipeline tests benchmarks

format: $(DEV)
	$(BIN)/ruff format pipeline tests benchmarks
	$(BIN)/ruff check --fix pipeline tests benchmarks

# Regenerate the lock files from pyproject.toml (run after changing dependencies): the runtime
# closure, then the runtime plus the dev tools.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet -e .
	.lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^-e ' > requirements.lock
	.lock-venv/bin/python -m pip install --quiet -e '.[dev]'
	.lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^-e ' > requirements-dev.lock
	rm -rf .lock-venv

clean:
	rm -rf warehouse .dagster .pytest_cache
