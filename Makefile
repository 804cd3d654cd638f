# Tongxing: `make demo` runs it, `make test` tests it (and its layers), `make bench` measures it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCALE ?= city
ARGS ?=

.PHONY: demo test test-browser lint messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

# Compile the translations (.po in the repository, .mo built here).
messages: $(STAMP)
	cd tongxing && ../$(BIN)/tongxing compilemessages --verbosity 0

demo: $(STAMP) messages
	$(BIN)/tongxing demo --scale $(SCALE) $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

test: $(STAMP) messages lint
	$(BIN)/pytest -m "not browser" -q $(ARGS)

test-browser: $(STAMP) messages
	$(BIN)/pytest -m browser -q $(ARGS)

bench: $(STAMP) messages
	$(BIN)/python bench/run.py $(ARGS)

clean:
	rm -rf $(VENV) var build *.egg-info
