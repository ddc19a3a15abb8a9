# Two commands are all a new user needs: `make review` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SRS := $(BIN)/srs

.PHONY: review test lint format bench demo readme clean

# The virtualenv, rebuilt when pyproject.toml changes. Editable, so edits to the code show at once.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# pip's output goes to a log, shown only if the install fails.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "Installing srs into $(VENV) (log: $(VENV)/pip.log)"
	@$(BIN)/python -m pip install -e . > $(VENV)/pip.log 2>&1 || (cat $(VENV)/pip.log; exit 1)
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	@echo "Installing srs with its test extras into $(VENV) (log: $(VENV)/pip.log)"
	@$(BIN)/python -m pip install -e '.[test]' > $(VENV)/pip.log 2>&1 || (cat $(VENV)/pip.log; exit 1)
	@touch $@ $(VENV)/.installed

## review: set up, import the bundled decks into an empty database, and study.
review: $(VENV)/.installed
	$(SRS) import --if-empty decks/
	$(SRS) review

## test: the whole suite.
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q

lint: $(VENV)/.installed-test
	$(BIN)/ruff check srs exporters tests bench scripts
	$(BIN)/ruff format --check srs exporters tests bench scripts

format: $(VENV)/.installed-test
	$(BIN)/ruff format srs exporters tests bench scripts
	$(BIN)/ruff check --fix srs exporters tests bench scripts

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench

## demo: demo.db, the bundled decks after two scripted weeks (the README's `srs stats`).
demo: $(VENV)/.installed
	rm -f demo.db demo.db-wal demo.db-shm
	$(BIN)/python -m scripts.demo demo.db

## readme: run the README's console blocks and write their real output in.
readme: $(VENV)/.installed
	$(BIN)/python -m scripts.readme --update

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
