# Operator interface (see DESIGN.md): `make run` serves, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= $(or $(BRIDGE_HOST),127.0.0.1)
PORT ?= $(or $(BRIDGE_PORT),8000)

.PHONY: run test lint bench migrate clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,postgres]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/flask --app wsgi bridge db upgrade
	$(BIN)/gunicorn --config bridge/gunicorn_conf.py wsgi:app

# Browser tests drive Debian's Chromium (Playwright cannot download a browser here).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: $(STAMP) browser
	HF_HUB_OFFLINE=1 BRIDGE_CLIP_MODEL=bridge-tiny $(BIN)/ruff check .
	$(BIN)/lint-imports
	HF_HUB_OFFLINE=1 BRIDGE_CLIP_MODEL=bridge-tiny $(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

migrate: $(STAMP)
	$(BIN)/flask --app wsgi bridge db upgrade

clean:
	rm -rf $(VENV) var .pytest_cache
