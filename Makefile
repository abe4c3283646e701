# The two commands a newcomer needs: `make run` and `make test`.
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
PORT    ?= 8501
CONFIG  ?= pacing.toml

.PHONY: run test lint typecheck unit browser-deps bench check-config clean

$(STAMP): requirements.txt pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

## run: install into .venv and serve the dashboard with the embedded node on the simulator
run: $(STAMP)
	PACING_CONFIG=$(CONFIG) $(VENV)/bin/streamlit run app.py \
	  --server.port $(PORT) --server.address 127.0.0.1 --server.headless true \
	  --server.fileWatcherType none --browser.gatherUsageStats false

## browser-deps: Debian's chromium for the browser tests (Playwright cannot download its own here)
browser-deps:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "installing Debian chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: $(STAMP)
	$(VENV)/bin/mypy

## test: everything CI runs: lint, types, unit, integration and browser tests
test: $(STAMP) browser-deps lint typecheck
	$(VENV)/bin/pytest

check-config: $(STAMP)
	$(VENV)/bin/pacing check-config $(CONFIG)

bench: $(STAMP)
	$(PY) benchmarks/node_throughput.py
	$(PY) benchmarks/pacing_decide.py
	$(PY) benchmarks/scale.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
