# The two commands: `make demo` and `make test`. Everything else is what they need, done only when missing.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
PYTHON ?= python3
PORT ?= 8000

# Production-like values for `manage.py check --deploy` (nothing here is a real secret).
DEPLOY_ENV := DJANGO_DEBUG=false DJANGO_SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | base64 | tr -dc A-Za-z0-9) \
	DJANGO_ALLOWED_HOSTS=wijkwerk.example DJANGO_SECURE_SSL_REDIRECT=true DJANGO_SECURE_COOKIES=true

.PHONY: help demo test bench setup system services migrate messages lint serve

help:
	@echo "make demo   install what is missing, load the demo data and serve web + worker + beat"
	@echo "make test   install what is missing, then lint, checks and the whole test suite"
	@echo "make bench  the benchmarks in benchmarks/ (figures in docs/performance.md)"

setup: system $(VENV)/.installed node_modules/.installed messages services

system:
	@scripts/ensure_system.sh

$(VENV)/.installed: pyproject.toml $(wildcard wijken/lookup/*.c wijken/lookup/*.h)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

messages: $(VENV)/.installed
	@$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v0

services: $(VENV)/.installed
	@scripts/ensure_services.sh

migrate: setup
	$(MANAGE) migrate --noinput -v0

demo: migrate
	$(MANAGE) load_demo
	@echo ""
	@echo "Wijkwerk runs at http://127.0.0.1:$(PORT)/  (public: http://127.0.0.1:$(PORT)/mijn-buurt/)  — Ctrl-C stops it."
	PORT=$(PORT) $(VENV)/bin/honcho -f Procfile start

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

test: setup lint
	$(MANAGE) check --fail-level WARNING
	$(MANAGE) makemigrations --check --dry-run
	env $(DEPLOY_ENV) $(MANAGE) check --deploy --fail-level WARNING
	$(VENV)/bin/pytest -q $(if $(CI),,--reuse-db)

# The benchmarks create and migrate their own database (<name>_bench) and generate their own data.
# BENCH_SCALE=small for a quick run; see docs/performance.md for the other knobs.
bench: setup
	$(PY) -m benchmarks
