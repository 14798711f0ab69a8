# Cortile: `make run` serves the portal; `make test` runs every test. Both set everything up first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# The PostgreSQL run of the suite; tests create and drop this database themselves.
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/cortile_test
FLASK := $(BIN)/flask --app portal
SOURCES := portal forums proposals events templates

.PHONY: setup run demo test test-sqlite test-postgresql messages static translations clean

setup: $(VENV)/.installed static translations

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

# htmx (and axe-core for the accessibility tests) come from npm through the lock file. Without npm
# the portal still works: every page and form is plain HTML first. Then portal/static is built into
# static-build/: content-hashed names, gzip and brotli copies, and the manifest pages read.
static: $(VENV)/.installed
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && \
		mkdir -p portal/static/vendor && \
		cp node_modules/htmx.org/dist/htmx.min.js portal/static/vendor/htmx.min.js; \
	else \
		echo "npm not found: serving without htmx (pages work without JavaScript)."; \
		echo "To add it, install Node.js and npm, then run 'make setup'."; \
	fi
	$(BIN)/cortile-build-static

translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d translations

run: setup
	$(FLASK) migrate
	$(FLASK) seed
	@# A newcomer at a terminal is offered a living portal; scripts and CI never wait on a question.
	@if [ -t 0 ] && ! $(FLASK) demo-data --check >/dev/null 2>&1; then \
		printf "Load a year of demo activity (a minute or two)? [y/N] "; read answer; \
		case "$$answer" in [yY]*) $(FLASK) demo-data ;; esac; \
	fi
	@echo "Cortile is at http://$(HOST):$(PORT)"
	@# Links in development mail open where this serves, unless CORTILE_PUBLIC_URL says otherwise.
	CORTILE_PUBLIC_URL=$${CORTILE_PUBLIC_URL:-http://$(HOST):$(PORT)} $(FLASK) run --host $(HOST) --port $(PORT)

# A year of believable activity across the 22 networks, for trying the dashboards.
demo: setup
	$(FLASK) migrate
	$(FLASK) seed
	$(FLASK) demo-data

test: setup test-sqlite test-postgresql

test-sqlite:
	CORTILE_TEST_DATABASE=sqlite $(BIN)/python -m pytest

test-postgresql:
	CORTILE_TEST_DATABASE=$(TEST_POSTGRES_URL) $(BIN)/python -m pytest

# For developers after changing user-visible strings: extract, then update every catalogue.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot \
		--no-location --sort-output --project=Cortile $(SOURCES)
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) node_modules portal/static/vendor static-build test-artifacts
