# The README's two commands: `make run` (the product on embedded defaults) and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: install run demo test test-fast lint format migrate translations load attack lock clean

# Installs come from the lock files (requirements/*.txt, every file pinned by its hash): pip refuses
# anything unlocked. The project itself is installed on top without its dependencies.
$(BIN)/willkommen: pyproject.toml requirements/dev.txt
	scripts/ensure-system-packages
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $@

install: $(BIN)/willkommen ## Create .venv and install the project with its dev tools

run: install ## Database, demo data, private Redis, worker, beat, Flower, mail catcher
	$(BIN)/willkommen dev

test: install ## Lint and type-check, then every test (SQLite and PostgreSQL, Redis, SMTP, workers)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	scripts/ensure-chromium
	$(BIN)/python -m pytest --durations=20 $(PYTEST_ARGS)  # the slowest 20: where CI's time goes

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

UV_COMPILE = $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes
lock: ## Re-resolve requirements/*.txt from pyproject.toml (UPGRADE=1: newest allowed versions)
	test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet uv
	$(UV_COMPILE) $(if $(UPGRADE),--upgrade) pyproject.toml requirements/build.in \
		-o requirements/runtime.txt
	$(UV_COMPILE) $(if $(UPGRADE),--upgrade) --extra dev --extra bench -c requirements/runtime.txt \
		pyproject.toml requirements/build.in -o requirements/dev.txt

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
