# Two commands for a new user: `make run` and `make test`. Both set up .venv first (once).
PYTHON ?= python3
# torch==2.13.0 is the CPU build pip finds offline on these machines; elsewhere, e.g. make test TORCH=torch
TORCH ?= torch==2.13.0
ARGS ?=
VENV := .venv
BIN := $(VENV)/bin
# What is installed, as stamps: torch and nnref with its own dependencies (all `make run` needs),
# and the dev extra on top (the tests, the site, the notebooks, the playground).
CORE := $(VENV)/.core
DEV := $(VENV)/.dev

.PHONY: setup run test lint messages notebooks notebooks-build sweep figures bench docs docs-serve browser playground clean

# Each installs only when its stamp is missing or pyproject.toml changed since; the dev install
# covers the core too, so a `make run` after `make test` installs nothing.
# pip compiles every file it installs, one at a time: most of an install's time (torch alone has
# thousands). compileall does it on every core, leaving out the packages' own test suites. Its exit
# status is not checked: like pip, it cannot compile the few files written for newer Pythons.
COMPILE := $(BIN)/python -m compileall -qq -j 0 -x '/tests?/' $(VENV)/lib || true

$(CORE): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --no-compile "$(TORCH)" -e .
	@$(COMPILE)
	@touch $@

$(DEV): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --no-compile "$(TORCH)" -e ".[dev]"
	@$(COMPILE)
	@touch $(CORE) $@

setup: $(DEV)

run: $(CORE)
	$(BIN)/python train.py task=multiclass optim=nag $(ARGS)

# The browser tests drive Chromium through Playwright. Playwright cannot download its own browser on
# these machines, so Debian's chromium is used (tests find it on PATH); elsewhere install either.
browser:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	  (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || \
	  $(BIN)/python -m playwright install chromium

# On every core (pytest-xdist); tests/test_package.py also fails on a ruff finding. The browser
# and the Python packages install side by side (apt and pip each wait on the disk much of the time).
test:
	@$(MAKE) --no-print-directory -j2 $(DEV) browser
	$(BIN)/python -m pytest -n auto --dist loadgroup $(ARGS)

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The message catalogs: every message the source marks (_ and _n), extracted by Babel and merged into
# each language's .po; a new message comes in untranslated, and tests/test_messages.py names it.
messages: $(DEV)
	@mkdir -p build
	$(BIN)/pybabel -q extract -k _ -k _n:1,2 --no-default-keywords --add-location=file \
	  --sort-by-file --project nnref -o build/nnref.pot src/nnref
	$(BIN)/pybabel -q update -i build/nnref.pot -d src/nnref/locale -D nnref -l ko \
	  --no-fuzzy-matching --ignore-obsolete

# The playground at http://127.0.0.1:7860 (make playground ARGS="--port 8000" or "--host 0.0.0.0").
playground: $(DEV)
	$(BIN)/nnref-playground $(ARGS)

# The notebooks' teacher and student editions, from notebooks/*.py, into build/notebooks/.
notebooks-build: $(DEV)
	$(BIN)/python scripts/notebooks.py build

# JupyterLab on this machine only, with the student edition.
notebooks: notebooks-build
	$(BIN)/jupyter lab --ip 127.0.0.1 --notebook-dir build/notebooks/student

# Two jobs at a time (one per core; each job uses one torch thread).
sweep: $(DEV)
	$(BIN)/python train.py -m +sweep=lecture hydra/launcher=joblib hydra.launcher.n_jobs=2 $(ARGS)

figures: $(CORE)
	@for s in saturation collapse ordinal_vs_onehot optimizer_paths batching learning_rates overshoot gradient_noise label_noise momentum_memory weight_changes; do \
	  echo "scripts/$$s.py"; $(BIN)/python scripts/$$s.py --out docs/figures || exit 1; done

# The course site: every command the pages show is run and its output written in (scripts/docs_outputs.py),
# then MkDocs builds site/. Regenerates outputs/docs and multirun/docs.
docs: $(DEV)
	rm -rf outputs/docs multirun/docs
	$(BIN)/python scripts/docs_outputs.py
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict

docs-serve: $(DEV)
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs serve -a 127.0.0.1:8000

bench: $(DEV)
	$(BIN)/python scripts/bench_optim.py
	$(BIN)/python scripts/bench_train.py
	$(BIN)/python scripts/bench_startup.py
	$(BIN)/python scripts/bench_grading.py
	$(BIN)/python scripts/bench_check.py

clean:
	rm -rf outputs multirun lightning_logs figures site .pytest_cache
	find . -name __pycache__ -prune -exec rm -rf {} +
