# Two commands do everything: `make run` (build the warehouse) and `make test`.
# Both create the virtual environment from the lock files when it is missing or stale: `run`
# installs the pipeline's runtime (requirements.lock), `test` adds the test tools
# (requirements-dev.lock) and Debian's Chromium for the browser tests.
SHELL := /bin/bash
# The clone may be at a path with spaces ($(CURDIR), so DAGSTER_HOME): every path in a recipe is
# quoted. Targets and prerequisites (the venv stamps) stay relative to the clone, without spaces.
# The one Python the locks are for (pyproject.toml: requires-python). A venv made by another one
# (or whose Python no longer runs) is removed and made again, saying so.
PYTHON_VERSION := 3.11
PYTHON ?= $(shell command -v python$(PYTHON_VERSION) || command -v python3)
PRINT_VERSION := import sys; print("%d.%d" % sys.version_info[:2])
VENV := .venv
BIN := $(VENV)/bin
PIP := "$(BIN)/python" -m pip install --quiet --disable-pip-version-check
RUNTIME := $(VENV)/.runtime-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)
DEV := $(VENV)/.dev-$(shell cat requirements-dev.lock pyproject.toml | sha256sum | cut -c1-16)
export DAGSTER_HOME := $(CURDIR)/.dagster

# One line and stop when $(PYTHON) is not Python $(PYTHON_VERSION) (or does not run).
CHECK_PYTHON = found=$$("$(PYTHON)" -S -c '$(PRINT_VERSION)' 2>/dev/null); \
  [ "$$found" = $(PYTHON_VERSION) ] || { echo "make needs Python $(PYTHON_VERSION) to make its \
  venv: $(if $(shell command -v python$(PYTHON_VERSION)),,python$(PYTHON_VERSION) is not on PATH, \
  and )$(if $(PYTHON),$(PYTHON) $${found:+is Python }$${found:-does not run},no python3 \
  either); install Python $(PYTHON_VERSION), or name it: make PYTHON=/path/to/python$(PYTHON_VERSION)"; \
  exit 1; }
# The Python version of the venv $(1): empty without one, "broken" when its Python does not run.
venv_python = $(shell test -e "$(1)/bin/python" && { "$(1)/bin/python" -S -c '$(PRINT_VERSION)' \
  2>/dev/null || echo broken; })
# $(call make_venv,DIR): make the venv DIR with $(PYTHON), unless it is one of Python
# $(PYTHON_VERSION) already; one made by another Python is removed first, with a message.
make_venv = venv="$(call venv_python,$(1))"; [ "$$venv" = $(PYTHON_VERSION) ] || { \
  $(CHECK_PYTHON); if [ -n "$$venv" ]; then [ "$$venv" = broken ] && venv="a Python that no \
  longer runs" || venv="Python $$venv"; echo "$(1) was made by $$venv, not Python \
  $(PYTHON_VERSION) (the one the locks are for): removing it and making it again"; \
  rm -rf "$(1)"; fi; "$(PYTHON)" -m venv "$(1)"; }
# A stamp is out of date, whatever its age, while its venv has another Python.
ifneq ($(filter-out $(PYTHON_VERSION),$(call venv_python,$(VENV))),)
$(RUNTIME): other-python
endif
other-python: ;

.PHONY: run test reliability bench dev lint format lock instance browser services clean distclean lake-duckdb \
  other-python

$(RUNTIME): requirements.lock pyproject.toml
	@$(call make_venv,$(VENV))
	$(PIP) -r requirements.lock
	$(PIP) --no-deps -e .
	@rm -f "$(VENV)"/.runtime-* && touch "$@"

$(DEV): $(RUNTIME) requirements-dev.lock
	$(PIP) -r requirements-dev.lock
	@rm -f "$(VENV)"/.dev-* && touch "$@"

# The lake's DuckDB and its extensions (requirements-lake.lock pins them together: the packaged
# extensions are built for an older DuckDB than the pipeline's), in a folder of the venv that
# only the lake's own process puts on its path (pipeline/lake_process.py). `make run` and
# `make dev` install it when PIPELINE_LAKE_CATALOG is set, `make test` always.
LAKE := $(VENV)/lake/.installed-$(shell cat requirements-lake.lock | sha256sum | cut -c1-16)
$(LAKE): $(RUNTIME) requirements-lake.lock
	rm -rf "$(VENV)/lake"
	$(PIP) --no-warn-conflicts --target "$(VENV)/lake" -r requirements-lake.lock
	@touch "$@"
lake-duckdb: $(LAKE)

# The instance file: dagster.yaml, then SQLite storage (dagster.sqlite.yaml), or PostgreSQL's
# when DAGSTER_PG_URL is set (pipeline/instance.py).
instance: $(RUNTIME)
	@"$(BIN)/python" -m pipeline.instance

run: $(RUNTIME) instance $(if $(PIPELINE_LAKE_CATALOG),$(LAKE))
	"$(BIN)/python" -m pipeline.cli refresh $(ARGS)

# Debian's packages the tests run for real: Chromium (the report's browser tests) and R (the R
# examples of docs/queries.md; r-base-core alone, 53 MB). Installed here when missing and running
# as root (one apt-get update); otherwise `make test` stops at once with the one command to run.
browser:
	@need_chromium=$$(test -x /usr/bin/chromium || echo chromium); \
	need_r=$$(test -x /usr/bin/Rscript || echo r-base-core); \
	if [ -n "$$need_chromium$$need_r" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's $$need_chromium $$need_r for the tests..." | tr -s ' '; \
	    apt-get update -qq || exit 1; \
	    if [ -n "$$need_chromium" ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || exit 1; fi; \
	    if [ -n "$$need_r" ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends r-base-core >/dev/null 2>&1 || exit 1; fi; \
	  else \
	    echo "make test needs Debian's $$need_chromium $$need_r (the browser and R tests). Run: sudo apt-get install -y $$need_chromium $$need_r" | tr -s ' '; \
	    exit 1; \
	  fi; \
	fi

# The tests of releases in object storage and of the lake run a real PostgreSQL (Debian's
# package; moto's S3 server comes with requirements-dev.lock): installed here when missing and
# running as root, like Chromium; otherwise `make test` stops at once with the one command.
services:
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's postgresql for the tests of the shared lake..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	  else \
	    echo "make test needs PostgreSQL for the tests of the shared lake. Run: sudo apt-get install -y postgresql"; \
	    exit 1; \
	  fi; }

# Three workers on two cores (a third of the tests' time is spent waiting on servers and
# processes), stock pytest-xdist loadgroup; tests/conftest.py gives each test its group (those
# reading a session build run where it was built, the others by module, so each fixture is built
# once) and puts the groups in the order they are handed out, which --no-loadscope-reorder keeps.
# The dev tools and the lake's DuckDB install side by side.
# The tests' folders (tmp_path: their warehouses, DuckDB files and Dagster event logs, each
# commit fsynced as the pipeline does it) go to /dev/shm when it has 4 GB free and TMPDIR is not
# set: this target's pytest command took 5 min 17 s and 5 min 38 s there, against 5 min 57 s and
# 6 min 7 s on this machine's disk (the same commit's code, /usr/bin/time, 2026-12-07). A machine
# without it, or with a small one (a container's 64 MB), keeps the system's temporary folder.
TEST_TMPDIR := $(shell df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 && $$4 > 4194304 {print "/dev/shm"}')
test: instance browser services
	@$(MAKE) --no-print-directory -j2 $(DEV) $(LAKE)
	$(if $(TEST_TMPDIR),TMPDIR="$${TMPDIR:-$(TEST_TMPDIR)}") "$(BIN)/python" -m pytest tests \
	    --ignore=tests/reliability -p no:logging -p no:cacheprovider \
	    -n 3 --dist loadgroup --no-loadscope-reorder

# Crash (SIGKILL at random points) and concurrency tests against the real CLI and daemon.
reliability: $(DEV) instance
	"$(BIN)/python" -m pytest tests/reliability -p no:logging -p no:cacheprovider -s

# Scale, refresh and no-op measurements (not part of `make test`); writes
# benchmarks/results/latest.json and docs/performance.md. BENCH_SHAPES, BENCH_SIZES,
# BENCH_FORMATS, BENCH_PARTS, BENCH_REPEATS and BENCH_SCALE_REPEATS narrow a run
# (benchmarks/run.py); a size outside the defaults (BENCH_SIZES=100000000 BENCH_SHAPES=wide
# BENCH_FORMATS=parquet BENCH_PARTS=scale) is recorded once beside them.
bench: $(DEV) instance
	"$(BIN)/python" -m benchmarks.run

# The UI and the daemon on 127.0.0.1:$(DEV_PORT), through pipeline/dev_ui.py: the settings and
# the port checked first (one line each, then stop: the webserver would otherwise say "Serving on"
# before failing, and keep the daemon running), then `dagster dev` from DAGSTER_HOME. Ctrl-C,
# SIGTERM or SIGHUP to make stop it in order, even when the caller ignores SIGINT (`make dev &`
# from a script); the module's docstring says how.
DEV_PORT ?= 3000
dev: $(RUNTIME) instance $(if $(PIPELINE_LAKE_CATALOG),$(LAKE))
	"$(BIN)/python" -m pipeline.dev_ui --port '$(DEV_PORT)'

lint: $(DEV)
	"$(BIN)/ruff" check pipeline tests benchmarks
	"$(BIN)/ruff" format --check pipeline tests benchmarks

format: $(DEV)
	"$(BIN)/ruff" format pipeline tests benchmarks
	"$(BIN)/ruff" check --fix pipeline tests benchmarks

# Regenerate the lock files from pyproject.toml (run after changing dependencies): the runtime
# closure, then the runtime plus the dev tools.
lock:
	@$(CHECK_PYTHON)
	rm -rf .lock-venv && "$(PYTHON)" -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet -e .
	.lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^-e ' > requirements.lock
	.lock-venv/bin/python -m pip install --quiet -e '.[dev]'
	.lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^-e ' > requirements-dev.lock
	rm -rf .lock-venv

# `make clean` removes what a run or the tests make again, never published data: failed builds,
# the runs' logs, the tools' caches, the browser tests' screenshots and __pycache__. It keeps the
# releases, `current` and its links, the download cache (offline, the pinned downloads come only
# from there) and .dagster (run history, the schedule's and the sensor's state).
# `make distclean` removes everything made: the warehouse (every release and the download cache),
# .dagster, the venv and the egg-info. Both act on this clone's folders only (a warehouse moved
# by PIPELINE_WAREHOUSE_DIR is not touched), print what they remove, and remove nothing while a
# refresh holds warehouse/.refresh.lock (pipeline/locks.py), which they hold while removing.
comma := ,
CLEANED := warehouse/builds warehouse/logs .pytest_cache .ruff_cache test-artifacts
DISTCLEANED := warehouse .dagster .venv .lock-venv *.egg-info \
  $(filter-out warehouse/%,$(CLEANED))
PYCACHES := find . \( -path ./.git -o -path './.venv*' -o -path ./.lock-venv -o -path ./warehouse \
  \) -prune -o -type d -name __pycache__ -print -prune
REFRESH_LOCK := warehouse/.refresh.lock
REFRESH_RUNNING = { holder=$$(cat $(REFRESH_LOCK) 2>/dev/null); echo "make $@: \
  $${holder:-a refresh} is building into warehouse/; nothing removed: run make $@ once it ends" \
  >&2; exit 1; }
# $(call remove,PATHS,WHAT): says WHAT, then removes each of PATHS that exists, listed with its
# size, and the __pycache__ folders.
remove = paths=(); for path in $(1); do [ -e "$$path" ] || [ -L "$$path" ] && paths+=("$$path"); \
  done; mapfile -t caches < <($(PYCACHES)); \
  if [ -e $(REFRESH_LOCK) ]; then flock -n $(REFRESH_LOCK) true || $(REFRESH_RUNNING); fi; \
  [ $${\#paths[@]} != 0 ] || [ $${\#caches[@]} != 0 ] || { echo "Nothing to remove."; exit 0; }; \
  echo "$(2):"; [ $${\#paths[@]} = 0 ] || du -sh "$${paths[@]}" | sed 's/^/  /'; \
  [ $${\#caches[@]} = 0 ] || echo "  $${\#caches[@]} __pycache__ folders"; \
  if [ -e $(REFRESH_LOCK) ]; then flock -n -E 75 $(REFRESH_LOCK) rm -rf "$${paths[@]}" \
  "$${caches[@]}" || { [ $$? = 75 ] && $(REFRESH_RUNNING); exit 1; }; \
  else rm -rf "$${paths[@]}" "$${caches[@]}"; fi

clean:
	@$(call remove,$(CLEANED),Removing what is made again (kept: warehouse/releases$(comma) \
	  warehouse/current and its links$(comma) the download cache warehouse/cache$(comma) .dagster))

distclean:
	@$(call remove,$(DISTCLEANED),Removing everything made$(comma) the published warehouse \
	  included)

# Screenshots of the published report (or ARGS="REPORT FOLDER") at 320, 390, 1280 and 1920 px,
# light and dark, for review: warehouse/report-shots/report-<width>-<scheme>.png.
.PHONY: report-shots
report-shots: $(DEV) browser
	"$(BIN)/python" -m tests.report_shots $(ARGS)
