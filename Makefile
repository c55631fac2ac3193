# marsad — two entry points: `make demo` and `make test`. Both set up .venv first
# (only when pyproject.toml changed), so they are idempotent and fast the second time.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    := out

.PHONY: setup demo test lint bench gold clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip
	@$(BIN)/python -m pip install -q -e ".[dask,web,dev,train,report]"
	@touch $(STAMP)

setup: $(STAMP)

demo: setup
	@mkdir -p $(OUT)
	@rm -f $(OUT)/demo-events.jsonl $(OUT)/demo-events.jsonl.done
	$(BIN)/marsad extract samples/demo.jsonl -o $(OUT)/demo-events.jsonl --db $(OUT)/demo.db
	$(BIN)/marsad export --db $(OUT)/demo.db -o $(OUT)/demo-events.csv
	$(BIN)/marsad export --db $(OUT)/demo.db -o $(OUT)/demo-events.geojson
	@echo "events written to $(OUT)/demo-events.{jsonl,csv,geojson} and $(OUT)/demo.db"

test: setup
	@# the report's browser test needs Debian's chromium (it skips without one, e.g. when not root)
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) \
		|| echo "chromium could not be installed: tests/test_report_browser.py will skip"
	$(BIN)/ruff check src tests build bench
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check src tests build bench

bench: setup
	@mkdir -p $(OUT)
	$(BIN)/python bench/bench.py ../shared/corpus/ant-me-2018.jsonl.gz --limit 3000 --workers 2 --json $(OUT)/bench.json

gold: setup
	$(BIN)/marsad eval

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache
