# Everything runs from a virtual environment this Makefile creates beside it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

# Meltano keeps its caches (and uv's) inside the work tree, unless the environment says
# otherwise, and does not look for a newer version of itself.
MELTANO_ENV := MELTANO_CLI_DISABLE_VERSION_CHECK=1 \
	XDG_CACHE_HOME="$${XDG_CACHE_HOME:-$(CURDIR)/.cache}" \
	XDG_STATE_HOME="$${XDG_STATE_HOME:-$(CURDIR)/.cache/state}" \
	UV_CACHE_DIR="$${UV_CACHE_DIR:-$(CURDIR)/.cache/uv}"
PLUGINS := .meltano/.plugins-installed

.PHONY: test lint venv plugins demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

venv: $(VENV)/.installed

# The plugins of meltano.yml, each in its own virtual environment under .meltano/.
$(PLUGINS): $(VENV)/.installed meltano.yml $(wildcard plugins/*/pyproject.toml plugins/*/*/*.py)
	$(MELTANO_ENV) $(BIN)/meltano install
	touch $@

plugins: $(PLUGINS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Three workers on two cores: most tests wait on the connectors' pace (10 requests/s), not the CPU.
# A file's tests stay on one worker, so a costly module fixture (a whole copy) is made once.
test: lint
	$(BIN)/python -m pytest -n 3 --dist loadfile

demo: $(PLUGINS)
	$(MELTANO_ENV) $(BIN)/python scripts/demo.py

clean:
	rm -rf $(VENV) dist build .cache
