# HTX Số: one command each. `make run` serves the demo province; `make test` checks everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test test-fast lint typecheck messages clean bench

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/htxso init
	$(BIN)/htxso demo
	@echo "Serving on http://$(HOST):$(PORT)  (sign in with the accounts printed above)"
	$(BIN)/htxso serve --host $(HOST) --port $(PORT)

lint: setup
	$(BIN)/ruff check app tests bench migrations
	$(BIN)/ruff format --check app tests bench migrations

typecheck: setup
	$(BIN)/mypy app

# The suite runs on one worker per core (at most four); every browser test goes to the same
# worker, which builds the one live server they share (tests/browser/conftest.py).
PARALLEL ?= -n auto --maxprocesses=4 --dist loadgroup
test: lint typecheck
	$(BIN)/pytest $(PARALLEL)

# The inner loop: SQLite, no browser, stop at the first failure. `make test` runs everything.
test-fast: setup
	TEST_DATABASE_URL= $(BIN)/pytest -q -x --ff --ignore=tests/browser

# Benchmarks against floors measured in the same run (bench/README.md). `make bench` runs the
# reduced scale on SQLite and PostgreSQL in a few minutes; `make bench SCALE=national` the full one.
# `make bench SCALE=smoke DB=sqlite` is the half-minute check .ci/run makes that the bench runs.
# The load generator (wrk) and the database clients come from apt: bench/install-tools.
SCALE ?= reduced
DB ?= both
BENCH_ONLY ?=
bench: setup
	bench/install-tools $(DB)
	$(BIN)/python -m bench --scale $(SCALE) --db $(DB) $(if $(BENCH_ONLY),--only $(BENCH_ONLY))

# Refresh the Vietnamese catalog after adding interface text: every `_()`/`gettext` in the
# templates and every `N_()`-marked message id in app/ (docs/architecture.md, "Messages").
messages: setup
	mkdir -p var
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output -o var/messages.pot .
	$(BIN)/pybabel update -i var/messages.pot -d app/locale -D messages -l vi -w 100 \
		--ignore-obsolete --no-fuzzy-matching --ignore-pot-creation-date

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
