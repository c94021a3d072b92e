# django-talonone developer commands. `make test` works on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck docs venv clean bench dist

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test,oscar]"
	touch $(STAMP)

venv: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# The documentation site (mkdocs.yml): --strict fails on a broken link, anchor or reference.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir test-output/site

# The main suite, the django-oscar shop's suite (tests/oscar, its own settings), then the
# real-infrastructure suite (PostgreSQL, Redis, Celery workers: start them with
# .ci/services.sh; without them those tests skip, except under CI=true).
test: $(STAMP) lint typecheck docs
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	$(BIN)/python -m pytest tests/oscar --ds=tests.oscar_shop.settings $(PYTEST_ARGS)
	$(BIN)/python -m pytest tests/integration --ds=tests.settings_postgres $(PYTEST_ARGS)

# A wheel and an sdist in dist/, for installing where the repository is not checked out.
dist: $(STAMP)
	$(BIN)/python -m build --outdir dist .

bench: $(STAMP)
	$(BIN)/python benchmarks/client_overhead.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache test-output dist

# The example shop with the emulator, a Celery worker and beat, on http://127.0.0.1:8000.
# Ctrl-C stops everything. SHOP_PORT, EMULATOR_PORT and REDIS_URL are honoured.
.PHONY: demo
demo: $(STAMP)
	$(BIN)/python example_project/demo.py
