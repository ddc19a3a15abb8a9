# Two commands are all a new user needs: `make review` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SRS := $(BIN)/srs

.PHONY: review test lint format bench clean

# The virtualenv, rebuilt when pyproject.toml changes. Editable, so edits to the code show at once.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

## review: set up, import the bundled decks into an empty database, and study.
review: $(VENV)/.installed
	$(SRS) import --if-empty decks/
	$(SRS) review

## test: the whole suite.
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q

lint: $(VENV)/.installed-test
	$(BIN)/ruff check srs exporters tests bench
	$(BIN)/ruff format --check srs exporters tests bench

format: $(VENV)/.installed-test
	$(BIN)/ruff format srs exporters tests bench
	$(BIN)/ruff check --fix srs exporters tests bench

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
