# Two commands for a new user: `make run` and `make test`. Both set up .venv first (once).
PYTHON ?= python3
# torch==2.13.0 is the CPU build pip finds offline on these machines; elsewhere, e.g. make test TORCH=torch
TORCH ?= torch==2.13.0
ARGS ?=
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test sweep figures bench clean

# Installs only when .venv is missing or pyproject.toml changed since the last install.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q "$(TORCH)"
	$(BIN)/pip install -q -e ".[dev]"
	@touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/python train.py task=multiclass optim=nag $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(ARGS)

sweep: $(STAMP)
	$(BIN)/python train.py -m +sweep=lecture $(ARGS)

figures: $(STAMP)
	@for s in saturation collapse ordinal_vs_onehot optimizer_paths batching learning_rates; do \
	  echo "scripts/$$s.py"; $(BIN)/python scripts/$$s.py --out docs/figures || exit 1; done

bench: $(STAMP)
	$(BIN)/python scripts/bench_optim.py
	$(BIN)/python scripts/bench_train.py
	$(BIN)/python scripts/bench_startup.py

clean:
	rm -rf outputs multirun lightning_logs figures .pytest_cache
	find . -name __pycache__ -prune -exec rm -rf {} +
