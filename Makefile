# cipslib: make test | make report | make lab
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.cipslib-installed

.PHONY: install test report lab lint demo-data clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	$(BIN)/python -m compileall -q cipslib  # bytecode, as an installed wheel has it
	touch $(STAMP)

test: install
	$(BIN)/python -m ruff check cipslib tests benchmarks
	$(BIN)/python -m ruff format --check cipslib tests benchmarks
	$(BIN)/python -m pytest -q

report: install
	$(BIN)/cips render params/2024.yaml params/2025.yaml --lang en,uk,fr --comparison

lab: install
	$(BIN)/jupyter lab notebooks/

lint: install
	$(BIN)/python -m ruff check cipslib tests benchmarks
	$(BIN)/python -m ruff format --check cipslib tests benchmarks

demo-data: install
	$(BIN)/cips demo-data --out cipslib/data/demo

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache dist
