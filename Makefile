# Everything runs from a virtual environment this Makefile creates beside it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: test lint venv clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

venv: $(VENV)/.installed

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Three workers on two cores: most tests wait on the connectors' pace (10 requests/s), not the CPU.
# A file's tests stay on one worker, so a costly module fixture (a whole copy) is made once.
test: lint
	$(BIN)/python -m pytest -n 3 --dist loadfile

clean:
	rm -rf $(VENV) dist build
