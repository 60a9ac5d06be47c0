# Async Python Patterns: every command a learner, an instructor or a maintainer needs.
# `make help` lists them. PYTHON picks the interpreter used to create the venv.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
MODULE ?=
EX ?=
PYTEST_ARGS ?=
# Extra JupyterLab options, e.g. LAB_ARGS=--no-browser. Root (containers, Binder) needs --allow-root.
LAB_ARGS ?= $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

.DEFAULT_GOAL := help
.PHONY: help install lab test check exercises reset watch lint e2e soak clean

help: ## List the make targets
	@echo "Async Python Patterns. Usage: make <target> [MODULE=01] [EX=01] [PYTHON=python3.12]"
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "This course needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1 || echo 'not found')."; \
	  echo "Pick another interpreter, e.g.: make $(MAKECMDGOALS) PYTHON=python3.12"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@mkdir -p $(VENV)/share/jupyter/lab/settings
	@echo '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' \
	  > $(VENV)/share/jupyter/lab/settings/overrides.json
	@touch $(STAMP)

install: $(STAMP) ## Create .venv (if needed) and install the course and its dependencies

lab: $(STAMP) ## Register the kernel and open JupyterLab on the welcome notebook
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (Async Python Patterns)" >/dev/null
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 $(LAB_ARGS) notebooks/00_welcome.ipynb

check: $(STAMP) ## Grade your exercise notebooks and print the scoreboard (MODULE=01 for one)
	@$(PY) -m asynclab.grade $(if $(MODULE),--module $(MODULE))

exercises: $(STAMP) ## Regenerate notebooks/*_exercises.ipynb from solutions/
	$(PY) -m asynclab.generate

lint: $(STAMP) ## Lint the code and check that generated notebooks are fresh
	$(BIN)/ruff check .
	$(PY) -m asynclab.generate --check

test: $(STAMP) lint ## Run the whole suite: unit tests, grader both ways, lessons and solutions under nbval
	IPYTHONDIR=$(CURDIR)/asynclab/ipython_profile MPLBACKEND=Agg ASYNCLAB_STRICT=1 \
	  $(PY) -m pytest -n 2 --dist loadfile --nbval-lax --nbval-current-env \
	  --nbval-cell-timeout 120 --ignore=tests/e2e tests \
	  $(filter-out %_exercises.ipynb,$(wildcard notebooks/[0-9][0-9]_*.ipynb)) $(wildcard solutions/*.ipynb) $(PYTEST_ARGS)

clean: ## Remove the venv and caches (your notebooks are kept)
	rm -rf $(VENV) .asynclab/tmp build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# ---- grader tools ----
reset: $(STAMP) ## Restore a fresh exercise notebook; yours goes to notebooks/backups/ (EX=01)
	@$(PY) -m asynclab.reset $(EX)

watch: $(STAMP) ## Re-grade each time you save your exercise notebook; Ctrl-C stops (MODULE=01)
	@$(PY) -m asynclab.watch $(if $(MODULE),--module $(MODULE))

soak: $(STAMP) ## Grade the solutions 20 times (RUNS=5 for fewer) with busy CPUs; fails on any flaky result
	$(PY) scripts/soak.py $(if $(MODULE),--module $(MODULE)) $(if $(RUNS),--runs $(RUNS))

# ---- browser tests ----

e2e: $(STAMP) ## Run the browser test: JupyterLab in headless Chromium
	@test -x /usr/bin/chromium || bash scripts/install_chromium.sh
	$(PY) -m pytest tests/e2e -q -p no:cacheprovider $(PYTEST_ARGS)
