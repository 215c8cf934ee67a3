# The README's two commands: `make run` (the product on embedded defaults) and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: install run demo test test-fast lint format migrate translations load attack clean

$(BIN)/willkommen: pyproject.toml
	scripts/ensure-system-packages
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $@

install: $(BIN)/willkommen ## Create .venv and install the project with its dev tools

run: install ## Database, demo data, private Redis, worker, beat, Flower, mail catcher
	$(BIN)/willkommen dev

test: install ## Lint and type-check, then every test (SQLite and PostgreSQL, Redis, SMTP, workers)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	scripts/ensure-chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: install ## Only the tests not marked slow
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate: install ## Create or upgrade the database
	$(BIN)/willkommen db upgrade

translations: install ## Extract the household emails' texts, update every language, check them
	$(BIN)/pybabel extract -F babel.cfg -o locales/messages.pot --no-location --sort-output \
		--project "lokal willkommen" --copyright-holder "Stadt Dortmund" workflows/messaging/email_templates
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages -w 100 \
		--no-fuzzy-matching --ignore-obsolete
	$(BIN)/willkommen messages check

load: install ## Load tests at full size: 2,000 staff at once on PostgreSQL (CI runs 300)
	WILLKOMMEN_LOAD_REQUESTS=2000 $(BIN)/python -m pytest tests/reliability/test_load.py \
		--timeout 900 -s $(PYTEST_ARGS)

attack: install ## Fuzz every form and the API (schemathesis) with many more examples than CI
	WILLKOMMEN_FUZZ_EXAMPLES=500 WILLKOMMEN_SCHEMA_EXAMPLES=500 WILLKOMMEN_SCHEMA_RANDOM=1 \
		$(BIN)/python -m pytest \
		tests/reliability/test_form_fuzz.py tests/reliability/test_openapi.py --timeout 1800 $(PYTEST_ARGS)

bench: install ## Benchmarks side by side with their baselines (quick; FULL=1 for the full run)
	$(BIN)/python -m bench $(if $(FULL),--full,--quick)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
