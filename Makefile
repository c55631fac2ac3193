# marsad — two entry points: `make demo` and `make test`. Both set up .venv first
# (only when pyproject.toml changed), so they are idempotent and fast the second time.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    := out

.PHONY: setup demo test lint bench gold models clean

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

# The report's and the review desk's browser tests and the PostgreSQL tests use Debian's chromium
# and PostgreSQL server, installed when missing (as root with apt-get; otherwise those tests
# skip cleanly).
.PHONY: desk-deps
desk-deps:
	@missing=""; command -v chromium >/dev/null 2>&1 || missing="chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing$$missing for the review desk's tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null || true; \
	fi

test: setup desk-deps
	$(BIN)/ruff check src tests build bench
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check src tests build bench

bench: setup
	@mkdir -p $(OUT)
	$(BIN)/python bench/bench.py ../shared/corpus/ant-me-2018.jsonl.gz --limit 3000 --workers 2 --json $(OUT)/bench.json

gold: setup
	$(BIN)/marsad eval

# The learned decisions retrained from annotations/ (its held-out split refused, copies of held-out
# articles left out), in the order they read each other: the place and toll models (trained over
# the rules' pipeline), the frame opener and the actor roles (inside the learned pipeline), the
# event-place ranker and the merge veto (each chosen by its grid of whole-pipeline runs), the
# sentence gate and the event decision, whose thresholds are chosen with all the others in place,
# and last the type model, whose threshold the new event model judges. The options are the shipped
# models' (each model's .json records them). About an hour on two cores (docs/learning.md,
# "Retraining"). Each script writes src/marsad/data/models/NAME.npz + .json.
models: setup
	$(BIN)/python build/train_places.py
	$(BIN)/python build/train_tolls.py
	$(BIN)/python build/train_opener.py --threshold 0.35
	$(BIN)/python build/train_actor_roles.py
	$(BIN)/python build/train_event_places.py --no-context --c 0.25 0.5 1.0 2.0
	$(BIN)/python build/train_merge.py --learned
	$(BIN)/python build/train_dates.py --c 0.3 1.0 3.0
	$(BIN)/python build/train_splits.py --c 1.0 --thresholds 0.5 0.6
	$(BIN)/python build/train_models.py
	$(BIN)/python build/train_types.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache
