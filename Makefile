# One task runner for developers and CI (.ci/run calls the same targets).
# `make` alone lists them. Uses the project's virtual environment (.venv) when present.
PY ?= $(if $(wildcard .venv/bin/python),.venv/bin/python,python3)

.PHONY: help install lint format typecheck test test-fast bench eval check

help:
	@echo "make install    create .venv and install the project with its test and developer tools"
	@echo "make lint       ruff check and ruff format --check"
	@echo "make format     ruff format and ruff check --fix"
	@echo "make typecheck  mypy on kg/"
	@echo "make test       the whole test suite (what CI runs)"
	@echo "make test-fast  the suite without tests marked slow"
	@echo "make bench      every benchmark script; results go to benchmarks/RESULTS.md"
	@echo "make eval       extraction quality on every hand-annotated set"
	@echo "make check      lint + typecheck + test"

install:
	python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]'

lint:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format:
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

typecheck:
	$(PY) -m mypy

test:
	$(PY) -m pytest -q

test-fast:
	$(PY) -m pytest -q -m "not slow"

bench:
	$(PY) benchmarks/bench_build.py
	$(PY) benchmarks/bench_views.py
	$(PY) benchmarks/bench_endpoint.py
	$(PY) benchmarks/bench_scale.py
	$(PY) benchmarks/load_test.py

eval:
	$(PY) benchmarks/evaluate.py -v

check: lint typecheck test
