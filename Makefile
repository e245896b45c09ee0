# The two commands of the README, plus bench and lint. Each sets up .venv itself when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/screener demo demo --reviewer demo

# Test files run in parallel, one file per worker (--dist loadfile keeps a file's module
# fixtures in one process); `pytest -p no:xdist` or `-n 0` runs them in one process.
test: $(STAMP)
	$(BIN)/python -m pytest -q -n auto --dist loadfile

# Prints every figure the issues ask for, with the peers (bib-dedupe, Bio.Entrez.read) beside them.
bench: $(BENCH_STAMP)
	$(BIN)/python bench/run_all.py

lint: $(STAMP)
	$(BIN)/ruff check screener tests bench
	$(BIN)/ruff format --check screener tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

clean:
	rm -rf $(VENV) demo .pytest_cache
