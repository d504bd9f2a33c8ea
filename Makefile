# The README's commands. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
# Processes `make test` runs the suite in (pytest-xdist; 0 for one process).
TEST_PROCESSES ?= auto

.PHONY: help run site-url test lint format install system-deps

# Every command of `make run` learns where the server listens (config/settings.py builds
# SITE_URL from it unless SITE_URL is set in the environment or .env).
run site-url: export RUN_HOST := $(HOST)
run site-url: export RUN_PORT := $(PORT)

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the pinned dependencies

system-deps: ## Install Debian's Chromium (browser tests), gettext (catalogues), Redis (cache tests), clamd (antivirus), SpamAssassin, linkchecker, Node and Java (checkers), if missing
	@missing=""; command -v chromium >/dev/null || missing="$$missing chromium"; \
	  command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	  command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	  command -v clamd >/dev/null || test -x /usr/sbin/clamd || missing="$$missing clamav-daemon"; \
	  command -v spamassassin >/dev/null || missing="$$missing spamassassin"; \
	  command -v linkchecker >/dev/null || missing="$$missing linkchecker"; \
	  command -v npm >/dev/null || missing="$$missing npm"; \
	  command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	    else echo "Missing:$$missing. Run: sudo apt-get install -y$$missing"; exit 1; fi; fi

run: install ## Migrate, load demo data and serve on HOST:PORT (default http://127.0.0.1:8000) with the task worker
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py demo_data
	$(PY) manage.py review_reminders --schedule
	$(PY) manage.py retention_purge --schedule
	$(PY) manage.py outbox_digest --schedule
	@echo "Serving on http://$(HOST):$(PORT)/  (staff: http://$(HOST):$(PORT)/staff/letters/tasks/)"
	@DJANGO_DEBUG=true $(PY) manage.py worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  DJANGO_DEBUG=true STAFF_REQUIRE_2FA=false $(PY) manage.py runserver $(HOST):$(PORT)

site-url: ## Print the base of the links that `make run` (same HOST, PORT) puts in emails
	@$(PY) manage.py shell --no-imports -c 'from django.conf import settings; print(settings.SITE_URL)'

# The checkers of package.json (axe-core, the Nu HTML Checker), as package-lock.json
# pins them. Their install scripts are not run: vnu-jar's would download a Java.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

test: install system-deps node_modules/.package-lock.json ## Run the whole test suite (SQLite, or DATABASE_URL if set)
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -n $(TEST_PROCESSES) --dist loadscope --no-loadscope-reorder $(PYTEST_ARGS)

lint: install ## Check style with ruff, and which way imports point with lint-imports
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install ## Rewrite files with ruff's formatter and fixes
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
