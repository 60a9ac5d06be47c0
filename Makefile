# Async Python Patterns: every command a learner, an instructor or a maintainer needs.
# `make help` lists them. PYTHON picks the interpreter used to create the venv.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
# Which module: MODULE=01 for every target (make reset also takes EX=01).
MODULE ?=
EX ?=
# STRICT=1: make check fails (exit 1) unless every task passes, for CI and instructors.
STRICT ?=
PYTEST_ARGS ?=
# Options for `make bench`, e.g. BENCH_ARGS=--quick.
BENCH_ARGS ?=
# Test processes for `make test`. Most of the suite waits (on kernels, the lab service's
# latency, time limits) rather than computes, so 4 workers keep 2 cores usefully busy; the
# checks are built to give the same verdicts on a crowded machine.
TEST_WORKERS ?= 4
# Extra JupyterLab options, added to the course's own, e.g. LAB_ARGS=--no-browser.
LAB_ARGS ?=
# The folder JupyterLab serves (the browser test serves a copy).
LAB_DIR ?= notebooks
# Where JupyterLab keeps the course's layout (open tabs, panel sizes), apart from the
# learner's other projects; the first one has a file browser wide enough for the names.
LAB_WORKSPACES ?= $(or $(JUPYTERLAB_WORKSPACES_DIR),$(abspath $(VENV))/share/jupyter/lab/workspaces)

# JupyterLab on 127.0.0.1 only, serving the notebooks, landing on the welcome notebook;
# root (containers, Binder, WSL) needs --allow-root.
LAB_OPTIONS = --ServerApp.ip=127.0.0.1 --ServerApp.root_dir="$(abspath $(LAB_DIR))" \
  --LabApp.default_url=/lab/tree/00_welcome.ipynb --LabApp.workspaces_dir="$(LAB_WORKSPACES)" \
  --ServerApp.terminado_settings=shell_command="$$($(PY) -m asynclab.paths terminal-shell $(VENV))" \
  $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)
# JupyterLab's terminals inherit its environment: give them the course's Python first on
# PATH, as an activated venv would (their shell puts it back first after the learner's own
# start-up files: asynclab/paths.py), and none of this make's own settings (MAKELEVEL and
# MAKEFLAGS would turn every make typed there into a sub-make, with this make's variables).
LAB_ENV = env -u MAKELEVEL -u MAKEFLAGS -u MFLAGS -u MAKEOVERRIDES -u MAKE_TERMOUT -u MAKE_TERMERR \
  $(strip $(foreach v,$(sort $(.VARIABLES)),$(if $(filter command line,$(origin $(v))),-u $(v)))) \
  PATH="$(abspath $(BIN)):$$PATH" VIRTUAL_ENV="$(abspath $(VENV))"
# git sees notebooks without their outputs (see .gitattributes and asynclab/paths.py), so
# running a lesson leaves no tracked file modified. Only in a git checkout of the course.
GIT_FILTER = if [ "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$(CURDIR)" ]; then \
  git config filter.notebook-outputs.clean \
    'if test -x $(PY); then exec $(PY) -m asynclab.paths clean-notebook; else exec cat; fi'; fi
# JupyterLab's defaults for the course: no news or update checks; no "last modified" column,
# so that the file browser has room to show lesson and exercise names in full.
LAB_SETTINGS = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}, \
  "@jupyterlab/filebrowser-extension:browser": {"showLastModifiedColumn": false}}
# The make command to suggest again in messages.
AGAIN = make $(or $(MAKECMDGOALS),install)

.DEFAULT_GOAL := help
.PHONY: help install lab update test check exercises reset watch lint e2e soak bench clean

help: ## List the make targets
	@echo "Async Python Patterns. Usage: make <target> [MODULE=01] [STRICT=1] [PYTHON=python3.12]"
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@if [ -e $(PY) ]; then \
	  version=$$($(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2]); sys.exit(sys.version_info < (3, 11))' 2>/dev/null); \
	  status=$$?; \
	  if [ -z "$$version" ]; then \
	    echo "$(VENV) exists but its Python cannot be run (was the interpreter it was made from removed?)."; \
	    echo "Remove it and start again: rm -rf $(VENV) && $(AGAIN)"; exit 1; \
	  elif [ $$status -ne 0 ]; then \
	    echo "$(VENV) was made with Python $$version; this course needs Python 3.11 or newer."; \
	    echo "Remove it and start again with a newer Python: rm -rf $(VENV) && $(AGAIN) PYTHON=python3.12"; exit 1; \
	  fi; \
	else \
	  version=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2]); sys.exit(sys.version_info < (3, 11))' 2>/dev/null); \
	  status=$$?; \
	  if [ -z "$$version" ]; then \
	    echo "There is no Python called '$(PYTHON)' here (or it cannot be run). This course needs Python 3.11 or newer: install one, then e.g. $(AGAIN) PYTHON=python3.12"; exit 1; \
	  elif [ $$status -ne 0 ]; then \
	    echo "This course needs Python 3.11 or newer; '$(PYTHON)' is Python $$version. Pick another interpreter, e.g.: $(AGAIN) PYTHON=python3.12"; exit 1; \
	  fi; \
	  echo "Creating $(VENV) with Python $$version ($(PYTHON))..."; \
	  $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	    echo "Could not create $(VENV). On Debian or Ubuntu: apt install python3-venv (or python$$version-venv), then $(AGAIN)"; exit 1; }; \
	fi
	@echo "Installing the course and its dependencies into $(VENV): the first time takes about 2 minutes and 630 MB of disk (pip shows its progress below); later runs skip this."
	$(PY) -m pip install --disable-pip-version-check -e '.[dev]'
	@$(GIT_FILTER)
	@touch $(STAMP)
	@echo "Installed."

install: $(STAMP) ## Create .venv (if needed) and install the course and its dependencies

lab: $(STAMP) ## Open JupyterLab on the welcome notebook (LAB_ARGS=--no-browser to add options)
	@$(GIT_FILTER)
	@mkdir -p $(VENV)/share/jupyter/lab/settings
	@echo '$(LAB_SETTINGS)' > $(VENV)/share/jupyter/lab/settings/overrides.json
	@$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (Async Python Patterns)" >/dev/null
	@$(PY) -m asynclab.paths running-lab "$(abspath $(LAB_DIR))" || { \
	  $(PY) -m asynclab.paths seed-workspace "$(LAB_WORKSPACES)"; \
	  exec $(LAB_ENV) $(BIN)/jupyter lab $(LAB_OPTIONS) $(LAB_ARGS); }

update: $(STAMP) ## Get the course's latest fixes (git pull); notebooks you only ran never block it
	@$(GIT_FILTER)
	@# git decides a file changed when its size did; notebooks whose only changes are outputs
	@# (no difference once filtered) get their size in git's index updated, nothing staged.
	@git ls-files -m -- '*.ipynb' | while read -r nb; do \
	  git diff --quiet -- "$$nb" && git add -- "$$nb"; done; true
	@git pull --ff-only || { echo; \
	  echo "The course was not updated. If git named an exercise notebook you worked on, save yours and restore the handed-out one with: make reset MODULE=NN (your copy goes to notebooks/backups/), then make update again."; exit 1; }

check: $(STAMP) ## Grade your exercise notebooks and print the scoreboard (MODULE=01 for one; STRICT=1 fails unless all pass)
	@$(PY) -m asynclab.grade $(if $(MODULE),--module $(MODULE)); status=$$?; \
	  if [ $$status -eq 1 ] && [ -z "$(filter-out 0,$(STRICT))" ]; then exit 0; fi; exit $$status

exercises: $(STAMP) ## Regenerate notebooks/*_exercises.ipynb from solutions/
	$(PY) -m asynclab.generate

lint: $(STAMP) ## Lint the code and check that generated notebooks are fresh
	$(BIN)/ruff check .
	$(PY) -m asynclab.generate --check

test: $(STAMP) lint ## Run the whole suite: unit tests, grader both ways, lessons and solutions under nbval
	IPYTHONDIR=$(CURDIR)/asynclab/ipython_profile MPLBACKEND=Agg ASYNCLAB_STRICT=1 \
	  $(PY) -m pytest -n $(TEST_WORKERS) --dist loadscope --nbval-lax --nbval-current-env \
	  --nbval-cell-timeout 120 --ignore=tests/e2e -m "not integration" tests \
	  $(filter-out %_exercises.ipynb,$(wildcard notebooks/[0-9][0-9]_*.ipynb)) $(wildcard solutions/*.ipynb) $(PYTEST_ARGS)

clean: ## Remove the venv and caches (your notebooks are kept)
	rm -rf $(VENV) .asynclab/tmp build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# ---- grader tools ----
reset: $(STAMP) ## Start an exercise notebook over (MODULE=01): the whole notebook; yours is saved in notebooks/backups/
	@$(PY) -m asynclab.reset $(or $(MODULE),$(EX))

watch: $(STAMP) ## Re-grade each time you save your exercise notebook; Ctrl-C stops (MODULE=01)
	@$(PY) -m asynclab.watch $(if $(MODULE),--module $(MODULE))

bench: $(STAMP) ## Measure the course's speed (timing demos against their limit, the grader, anchors): bench/REPORT.md
	$(PY) scripts/bench.py $(BENCH_ARGS)

soak: $(STAMP) ## Grade the solutions 20 times (RUNS=5 for fewer) with busy CPUs; fails on any flaky result
	$(PY) scripts/soak.py $(if $(MODULE),--module $(MODULE)) $(if $(RUNS),--runs $(RUNS))

# ---- browser tests ----

e2e: $(STAMP) ## The course end to end: JupyterLab in headless Chromium, a real `make lab`, a normal install, the bench (quick)
	@test -x /usr/bin/chromium || bash scripts/install_chromium.sh
	$(PY) -m pytest tests/e2e -q -p no:cacheprovider $(PYTEST_ARGS)
	$(PY) -m pytest -q -p no:cacheprovider -n 2 -m integration --ignore=tests/e2e tests $(PYTEST_ARGS)
