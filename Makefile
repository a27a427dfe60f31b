# Olist customer segmentation: every target creates .venv and installs what it needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_BIN ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
DBT := $(VENV)/bin/dbt
STAMP := $(VENV)/.installed

export DBT_PROFILES_DIR := $(CURDIR)
export OLIST_DUCKDB_PATH ?= $(CURDIR)/warehouse/olist.duckdb
# Unset OLIST_DATA_DIR = build on the embedded demo data (generated into demo_data/).
DEMO_DIR := $(CURDIR)/demo_data
DEMO_CUSTOMERS ?= 96096
DEMO_SEED ?= 42
DATA_DIR := $(if $(OLIST_DATA_DIR),$(OLIST_DATA_DIR),$(DEMO_DIR))

.PHONY: help venv demo-data build dbt-build report test lint format docs bench clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-12s %s\n", $$1, $$2}'
	@echo "  Env: OLIST_DATA_DIR=<folder of Kaggle CSVs> builds on real data; OLIST_DUCKDB_PATH moves the warehouse."

$(STAMP): pyproject.toml
	@command -v $(PYTHON_BIN) >/dev/null || { echo "error: $(PYTHON_BIN) not found; set PYTHON_BIN=/path/to/python3.11" >&2; exit 1; }
	@test -d $(VENV) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP) ## Create .venv and install the project with its dev tools

$(DEMO_DIR)/.complete: $(STAMP) src/olist_segmentation/demo_data.py
	$(PY) -m olist_segmentation.demo_data --out $(DEMO_DIR) --customers $(DEMO_CUSTOMERS) --seed $(DEMO_SEED)
	@touch $@

demo-data: $(DEMO_DIR)/.complete ## Generate the embedded demo data (DEMO_CUSTOMERS=96096)

dbt-build: $(STAMP) $(if $(OLIST_DATA_DIR),,$(DEMO_DIR)/.complete)
	@mkdir -p $(dir $(OLIST_DUCKDB_PATH))
	@echo "Building on $(DATA_DIR) into $(OLIST_DUCKDB_PATH)"
	OLIST_DATA_DIR=$(DATA_DIR) $(DBT) build

build: dbt-build ## Build everything end to end (demo data unless OLIST_DATA_DIR is set)

docs: $(STAMP) ## Generate the dbt docs site into target/
	OLIST_DATA_DIR=$(DATA_DIR) $(DBT) docs generate

test: $(STAMP) ## Run the whole test suite: lint, pytest, dbt builds on demo (and real) data
	$(MAKE) --no-print-directory lint
	$(PY) -m pytest

lint: $(STAMP) ## ruff (lint + format check) and sqlfluff
	$(VENV)/bin/ruff check src tests python_models
	$(VENV)/bin/ruff format --check src tests python_models
	$(VENV)/bin/sqlfluff lint models tests analyses snapshots

format: $(STAMP) ## Format Python with ruff
	$(VENV)/bin/ruff format src tests python_models
	$(VENV)/bin/ruff check --fix src tests python_models

clean: ## Remove generated files (warehouse, target, demo data, venv stays)
	rm -rf target logs warehouse demo_data reports/*.html exports
