# kpiboard: `make demo` sets everything up and runs the demo; `make test` sets up and runs every check.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := python3
# Compiled bytecode for every installed package: start-up is seconds faster where the
# environment sets PYTHONDONTWRITEBYTECODE.
export UV_COMPILE_BYTECODE := 1
UV := $(shell command -v uv 2>/dev/null || echo "$(HOME)/.local/bin/uv")
RUN := $(UV) run --frozen --no-sync
DEMO_DATA := examples/demo-council
DEMO_PERIOD := 2024/25 Q2

.PHONY: setup test-setup demo test lint typecheck contracts pytest bench clean audit sbom

# uv from PyPI if the machine has none; then the locked environment in .venv.
$(UV):
	python3 -m pip install --quiet --user uv || python3 -m pip install --quiet --break-system-packages --user uv

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	$(UV) run --frozen python -m compileall -q src
	@touch $@

# axe-core, for the accessibility tests (from the npm registry, pinned by package-lock.json).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

setup: .venv/.synced
	@scripts/system-packages

test-setup: setup node_modules/.installed
	@scripts/system-packages --test

# The demo web server: SQLite in the working folder, DEBUG on (never in production).
# Report packs asked for in the browser are made by the background worker (kpiboard db_worker),
# started beside the server and stopped with it, so the page shows each pack's progress.
# KPIBOARD_TODAY: the demo's quarter being collected is 2024/25 Q3, so the demo takes today to be a
# day in January 2025, when its returns were due (docs/admin-guide.md).
DEMO_ENV := DEBUG=true DATABASE_URL=sqlite:///$(CURDIR)/kpiboard.sqlite3 KPIBOARD_TODAY=2025-01-10
# Served on 127.0.0.1 and opened as localhost: a security key answers only for a site's name.
DEMO_ADDRESS := 127.0.0.1:8000
# PostgreSQL for the second run of the database tests (.ci/run makes sure it is up).
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/kpiboard

demo: setup
	$(RUN) kpiboard evaluate $(DEMO_DATA) --period "$(DEMO_PERIOD)" --committee srp --format table
	$(RUN) kpiboard report $(DEMO_DATA) --period "$(DEMO_PERIOD)" --committee srp --out out/srp
	@echo
	@echo "The Strategy, Resources and Performance Committee's $(DEMO_PERIOD) pack is in $(CURDIR)/out/srp:"
	@ls -1 out/srp | sed 's/^/  /'
	@echo
	$(DEMO_ENV) $(RUN) kpiboard migrate --verbosity 0
	$(DEMO_ENV) $(RUN) kpiboard seed_demo $(DEMO_DATA)
	$(DEMO_ENV) $(RUN) kpiboard publish --committee srp --period "$(DEMO_PERIOD)" --user performance --if-unpublished
	@echo
	@echo "Serving the demo council at http://localhost:8000/ (sign in with an account above; Ctrl-C stops it)"
	$(DEMO_ENV) $(RUN) kpiboard db_worker --no-reload --interval 0.5 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEMO_ENV) $(RUN) kpiboard runserver --noreload $(DEMO_ADDRESS)

lint: setup
	$(RUN) ruff check src tests benchmarks examples
	$(RUN) ruff format --check src tests benchmarks examples

typecheck: setup
	$(RUN) mypy

contracts: setup
	$(RUN) lint-imports

# Everything on SQLite and, side by side with it, again on PostgreSQL every test that reaches
# the database, except those driving Chromium (tests/conftest.py, --database-pass). Many tests
# wait on processes they start, servers and browsers: the two runs side by side keep both cores
# busy (one after the other, they left a third of the processor idle). PostgreSQL's run writes
# to out/pytest-postgresql.log, printed when both are done; its temporary files are its own, and
# its connections do not wait for each commit to reach the disk (PGOPTIONS: the tests' databases
# are thrown away; what a commit makes visible, and when, is the same).
# --dist loadgroup keeps a module marked xdist_group on one worker, so the database its module
# fixture makes is made once.
pytest: test-setup
	@mkdir -p out
	@postgres_tmp=$$(mktemp -d); \
	DATABASE_URL=$(TEST_POSTGRES_URL) TMPDIR=$$postgres_tmp PGOPTIONS="-c synchronous_commit=off" \
		$(RUN) pytest -n 2 --dist loadgroup \
		--database-pass tests/web >out/pytest-postgresql.log 2>&1 & postgres=$$!; \
	echo "pytest on SQLite; on PostgreSQL at the same time (out/pytest-postgresql.log)"; \
	$(RUN) pytest -n 2 --dist loadgroup; sqlite=$$?; \
	wait $$postgres; on_postgres=$$?; rm -rf $$postgres_tmp; \
	echo; echo "== The database tests on PostgreSQL (out/pytest-postgresql.log)"; \
	cat out/pytest-postgresql.log; \
	test $$sqlite -eq 0 && test $$on_postgres -eq 0

test: lint typecheck contracts pytest

# Known vulnerabilities in the locked dependencies (docs/admin-guide.md, "Deploying securely"):
# pip-audit on every package of uv.lock, and npm audit on package-lock.json (whose packages are
# all devDependencies, yet GOV.UK Frontend, htmx and Vega ship in the package, so none is left
# out). It asks PyPI's JSON API and npm's advisory service, so it is not part of `make test`;
# --strict fails on a package it could not look up rather than passing it.
audit: setup node_modules/.installed
	@mkdir -p out
	$(UV) export --frozen --no-emit-project --format requirements-txt --quiet >out/requirements-locked.txt
	$(RUN) pip-audit --strict --disable-pip --requirement out/requirements-locked.txt
	npm audit --audit-level=moderate

# The CycloneDX SBOM of what a deployment runs, from uv.lock and package-lock.json (offline).
sbom: setup
	UV=$(UV) $(RUN) python scripts/sbom.py out/sbom.json

bench: setup
	$(RUN) python benchmarks/bench_evaluate.py
	$(RUN) python benchmarks/bench_report.py
	$(RUN) python benchmarks/bench_spc.py
	$(RUN) python benchmarks/bench_national.py
	$(RUN) python benchmarks/bench_import.py
	$(RUN) python benchmarks/bench_returns_load.py

clean:
	rm -rf .venv node_modules out .mypy_cache .ruff_cache .pytest_cache kpiboard.sqlite3*
