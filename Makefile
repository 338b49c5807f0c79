# qtrust — the two commands a fresh machine needs: `make audit` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= qtrust-out
# One BLAS thread per process: tests run in 2 workers, and the shared 2-core machine swings under load.
THREADS := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

.PHONY: audit test lint bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "qtrust needs Python >= 3.11 (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

# `make audit` signs its run into the evidence log in .qtrust/. On first use it creates the signing keys,
# encrypted with QTRUST_KEY_PASSPHRASE: the default below is for a first look only; export your own.
# Exported, never written into a recipe, so `make -n audit` and the build log do not show it.
QTRUST_KEY_PASSPHRASE ?= qtrust-demo-only-change-me
audit: export QTRUST_KEY_PASSPHRASE := $(QTRUST_KEY_PASSPHRASE)

## audit: install qtrust, audit the built-in German Credit data into $(OUT)/ and record it in .qtrust/
audit: $(VENV)/.installed
	$(BIN)/qtrust audit --out $(OUT)

## test: install qtrust with its test extras, lint, and run every test
test: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench examples docs
	$(BIN)/ruff format --check src tests bench examples docs
	$(BIN)/lint-imports
	$(THREADS) $(BIN)/python -m pytest -n 2

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench examples docs
	$(BIN)/ruff format --check src tests bench examples docs
	$(BIN)/lint-imports

## bench: time qtrust against its peers (installs PennyLane, Qiskit, Aer, qiskit-machine-learning)
bench: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/bench_noisy_inference.py
	$(BIN)/python bench/bench_kernel.py
	$(BIN)/python bench/bench_fairness.py
	$(BIN)/python bench/bench_audit.py
	$(BIN)/python bench/bench_evidence.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache
	@echo 'kept .qtrust/ (signing keys and evidence log): remove it yourself if you mean to'
