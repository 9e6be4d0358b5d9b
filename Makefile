# The two commands of the README. Both do their own set-up: a local virtual environment in .venv,
# the package with its extras and, for the browser tests, a Chromium (python -m harness.chromium).
# `make run RUN_ARGS="--preheat 4 --theme dark"` passes options to softmax-explorer.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint format bench clean

run: $(STAMP)
	$(BIN)/softmax-explorer $(RUN_ARGS)

test: $(STAMP)
	$(BIN)/python -m harness.chromium
	$(BIN)/python -m harness.proxy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	HYPOTHESIS_PROFILE=fast $(BIN)/python -m pytest -n auto -m "not browser" --ignore=tests/e2e $(PYTEST_ARGS)

lint format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_core.py

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis test-artifacts
