# Tremplin: `make run` starts the demo, `make test` runs every check CI runs.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# Written once the dependencies are installed; pyproject.toml changing makes it stale.
INSTALLED := $(VENV)/.installed
# Celery's filesystem broker (used when REDIS_URL is unset) needs its folders to exist.
BROKER_DIRS := .run/broker/out .run/broker/processed .run/broker/control
PYTEST_ARGS ?= -n 2

# Only for `check --deploy`: a production-like configuration that is not a real secret.
DEPLOY_CHECK_ENV := DJANGO_SETTINGS_MODULE=innovation.settings_production \
	DJANGO_SECRET_KEY=check-deploy-only-3f9a7c1e5b8d2406ae4c7f1b9d3e5a8c6b2f0d4e7a1c9b3f \
	DJANGO_ALLOWED_HOSTS=tremplin.example

.PHONY: run test lint check-deploy install bench soak

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "Tremplin demande Python 3.11 ou plus récent (essayez PYTHON=python3.11)."; exit 1; }
	$(PYTHON) -m venv $(VENV)

# uv installs in seconds; pip is the fallback. The build constraint keeps setuptools below 81,
# whose removal of pkg_resources breaks the build of xstatic-bootstrap's sdist.
$(INSTALLED): pyproject.toml build-constraints.txt | $(BIN)/python
	{ $(BIN)/python -m pip install -q --disable-pip-version-check uv \
	  && $(BIN)/uv pip install -q --python $(BIN)/python \
	     --build-constraint build-constraints.txt -e '.[dev]'; } \
	|| PIP_CONSTRAINT=$(CURDIR)/build-constraints.txt \
	   $(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	touch $@

install: $(INSTALLED)

# `make run PORT=8080` serves on another port. Web, worker and beat (and seed_demo, which
# prints addresses) all get the SITE_URL of that port, which links in mails and calendars use;
# a SITE_URL set by hand is kept. honcho gives its first process (web, in the Procfile) the
# port of `-p` as $PORT. It gets `-e /dev/null`: it would otherwise read .env, which is meant
# for docker compose.
PORT ?= 8000
ifneq ($(filter run,$(or $(MAKECMDGOALS),run)),)
ifneq ($(shell [[ "$(PORT)" =~ ^[0-9]{1,5}$$ ]] && echo ok),ok)
$(error PORT doit être un numéro de port (par exemple 8080), pas « $(PORT) »)
endif
endif
SITE_URL ?= http://127.0.0.1:$(PORT)
RUN_ENV := SITE_URL="$(SITE_URL)"

run: $(INSTALLED)
	mkdir -p $(BROKER_DIRS)
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(RUN_ENV) $(MANAGE) seed_demo
	@echo "Tremplin : http://127.0.0.1:$(PORT)/ (Ctrl-C pour arrêter)"
	@[[ "$(SITE_URL)" == "http://127.0.0.1:$(PORT)" ]] || echo "Liens des courriels et des agendas : $(SITE_URL)"
	$(RUN_ENV) PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile -e /dev/null -p $(PORT)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(MANAGE) makemigrations --check --dry-run

check-deploy: $(INSTALLED)
	$(DEPLOY_CHECK_ENV) $(MANAGE) check --deploy --fail-level WARNING

test: lint check-deploy
	$(BIN)/pytest $(PYTEST_ARGS)

# Scale benchmark (docs/performance.md): seeds a dedicated PostgreSQL database once (about a
# minute), then loads every page under gunicorn with wrk and times the heavy operations.
BENCH_ARGS ?=
bench: $(INSTALLED)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

# Soak: every demo role at once against gunicorn on PostgreSQL (database tremplin_soak, seeded
# with seed_demo) for SOAK_SECONDS (60 by default); fails on any 5xx or connection error.
soak: $(INSTALLED)
	$(BIN)/python benchmarks/soak.py
