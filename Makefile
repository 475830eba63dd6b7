PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
DEMO_STORE := kg-store
DEMO_OUT := out

FUZZ_SECONDS ?= 60

.PHONY: demo test fuzz bench clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	@touch $@

$(TEST_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e '.[test]'
	@touch $@ $(STAMP)

demo: $(STAMP)
	$(BIN)/kg build data/articles data/wire.jsonl --store $(DEMO_STORE)
	$(BIN)/kg query relations --store $(DEMO_STORE)
	@mkdir -p $(DEMO_OUT)
	$(BIN)/kg export gexf --store $(DEMO_STORE) -o $(DEMO_OUT)/kg.gexf
	@echo "GEXF written to $(DEMO_OUT)/kg.gexf (open it in Gephi); store in $(DEMO_STORE)/"

# The type check first (mypy, settings in pyproject.toml), then the tests and the doctests of kg/ and README.md.
test: $(TEST_STAMP)
	$(BIN)/mypy
	$(BIN)/python -m pytest

# Fuzz the ingest parsers for FUZZ_SECONDS (docs/reliability.md): atheris when it installs, else hypothesis.
fuzz: $(TEST_STAMP)
	$(BIN)/pip install -q atheris || echo "atheris is not available here; fuzzing with hypothesis"
	$(BIN)/python fuzz/fuzz_ingest.py --seconds $(FUZZ_SECONDS)

# Benchmarks (docs/performance.md), about 20 minutes on 2 cores; BENCH_ARTICLES=100 etc. for a quick run.
bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(DEMO_STORE) $(DEMO_OUT) .pytest_cache .mypy_cache
