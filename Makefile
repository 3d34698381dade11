# cipslib: make test | make check | make report | make lab
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.cipslib-installed
# pytest-xdist workers: one per CPU core (make test PYTEST_WORKERS=4 to choose)
PYTEST_WORKERS ?= auto

.PHONY: install test check report benchmark lab lint demo-data clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	$(BIN)/python -m compileall -q cipslib  # bytecode, as an installed wheel has it
	touch $(STAMP)

# every test, in parallel; the 15 slowest are listed at the end
test: lint
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --durations=15

# the quick tier: every test not marked slow (end-to-end renders and other tests of several seconds)
check: lint
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) -m "not slow"

report: install
	$(BIN)/cips render params/2024.yaml params/2025.yaml --lang en,uk,fr --comparison

# the demo benchmark: 42 exchange packages of 25 administrations (seeded), pooled and reported
benchmark: install
	rm -rf build/benchmark-packages
	$(BIN)/python -m cipslib.benchmark.demo --out build/benchmark-packages
	$(BIN)/cips benchmark build/benchmark-packages/* --out reports/benchmark --own A07

lab: install
	$(BIN)/jupyter lab notebooks/

lint: install
	$(BIN)/python -m ruff check cipslib tests benchmarks
	$(BIN)/python -m ruff format --check cipslib tests benchmarks

demo-data: install
	$(BIN)/cips demo-data --out cipslib/data/demo

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache dist
