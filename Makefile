# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint clean venv wheel-check docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(VENV)/.installed $@

venv: $(VENV)/.installed

## demo: make the venv, install newsclf, train topic + stance on the bundled demo corpus
demo: $(VENV)/.installed
	$(BIN)/newsclf train

## test: make the venv, install with the dev extra, run the test suite
test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

## wheel-check: build the sdist + wheel, install the wheel in a fresh venv outside the source tree
## and train, predict, evaluate, sweep and compare from an empty directory
wheel-check: $(VENV)/.installed-dev
	.ci/wheel_check.sh $(BIN)/python $(PYTHON)

## docs: build the docs site into site/ (mkdocs --strict: any warning fails)
docs: $(VENV)/.installed-dev
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict --site-dir site

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests experiments conf

clean:
	rm -rf $(VENV) outputs multirun site .pytest_cache .ruff_cache
