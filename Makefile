# Servicedesk: the one entry point. `make run` starts the app, `make test` runs everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
PY := .venv/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/servicedesk
PYTEST_ARGS ?=

.PHONY: help run dev setup test lint typecheck migrations-check test-sqlite test-postgres messages messages-compile check clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

.venv/.synced: uv.lock pyproject.toml | $(UV)
	UV_PYTHON_DOWNLOADS=never $(UV) sync --frozen --quiet --python $(PYTHON)
	@touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.debian-run: deps/debian-run.txt
	bin/debian-deps deps/debian-run.txt
	@touch $@

.debian-test: deps/debian-run.txt deps/debian-test.txt
	bin/debian-deps deps/debian-run.txt deps/debian-test.txt
	@touch $@

setup: .debian-run .venv/.synced node_modules/.installed messages-compile ## install everything the app needs

messages-compile: .venv/.synced
	@$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

run: setup ## set up, migrate, load demo data, start web server + worker
	@DEBUG=true $(PY) manage.py migrate --noinput -v0
	@DEBUG=true $(PY) manage.py demo_data
	@DEBUG=true bin/serve

dev: setup ## like run, but Django's auto-reloading development server
	@DEBUG=true $(PY) manage.py migrate --noinput -v0
	@DEBUG=true $(PY) manage.py run_huey --quiet & DEBUG=true $(PY) manage.py runserver

lint: .venv/.synced ## ruff lint and format check, and the layers' import contracts
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports

typecheck: .venv/.synced ## mypy (strict for servicedesk.*)
	.venv/bin/mypy servicedesk config

migrations-check: .venv/.synced ## models and migrations agree
	$(PY) manage.py makemigrations --check --dry-run

test-sqlite: setup .debian-test ## pytest on SQLite (browser tests included)
	.venv/bin/pytest -n 2 -q $(PYTEST_ARGS)

test-postgres: setup .debian-test ## pytest on PostgreSQL (a fresh test database)
	DATABASE_URL=$(PG_URL) .venv/bin/pytest -n 2 -q --create-db $(PYTEST_ARGS)

test: setup .debian-test lint typecheck migrations-check test-sqlite test-postgres ## everything CI runs

messages: .venv/.synced ## extract translatable strings into locale/*/django.po
	$(PY) manage.py makemessages -l ru -l en --no-obsolete --ignore=.venv --ignore=node_modules --ignore=var --ignore=tests

clean: ## remove installed environments and local data (var/)
	rm -rf .venv $(TOOLS) node_modules var .debian-run .debian-test .debian-bench

.debian-bench: deps/debian-bench.txt
	bin/debian-deps deps/debian-bench.txt
	@touch $@

.PHONY: bench
bench: .venv/.synced .debian-bench ## load-test a bench_data database (DATABASE_URL; bench/README.md)
	@test -n "$$DATABASE_URL" || { echo "Set DATABASE_URL to a database filled by bench_data (bench/README.md)" >&2; exit 1; }
	DJANGO_SETTINGS_MODULE=bench.settings $(PY) bench/run.py $(BENCH_ARGS)
