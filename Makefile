# Olist customer segmentation: every target creates .venv and installs what it needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_BIN ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
DBT := $(VENV)/bin/dbt
STAMP := $(VENV)/.installed
LOCK := requirements/lock.txt
SPARK_LOCK := requirements/lock-spark.txt
LOCK_TOOLS := .venv-lock
PIP_TOOLS_VERSION := 7.6.2
# pip itself is pinned too (in .venv and in the lock tools): a new pip changes no install.
PIP_VERSION := 26.3
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_TOOLS)/bin/pip-compile --quiet \
	--strip-extras --no-emit-index-url --no-emit-find-links --no-emit-trusted-host \
	$(if $(LOCK_UPGRADE),--upgrade)

export DBT_PROFILES_DIR := $(CURDIR)
export OLIST_DUCKDB_PATH ?= $(CURDIR)/warehouse/olist.duckdb
# dbt threads from the machine: its cores, at most 4 (each Python model holds its own frames).
ifndef OLIST_DBT_THREADS
OLIST_DBT_THREADS := $(shell n=$$(nproc 2>/dev/null || echo 2); echo $$(( n < 4 ? n : 4 )))
endif
export OLIST_DBT_THREADS
# Unset OLIST_DATA_DIR = build on the embedded demo data (generated into demo_data/).
DEMO_DIR := $(CURDIR)/demo_data
DEMO_CUSTOMERS ?= 96096
DEMO_SEED ?= 42
DATA_DIR := $(if $(OLIST_DATA_DIR),$(OLIST_DATA_DIR),$(DEMO_DIR))

.PHONY: help venv lock sql demo-data build dbt-build report export-model import-model retrain browser-deps java-deps test test-spark lint format docs metrics bench clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-12s %s\n", $$1, $$2}'
	@echo "  Env: OLIST_DATA_DIR=<folder of Kaggle CSVs> builds on real data; OLIST_DUCKDB_PATH moves the warehouse."

# Installs are reproducible: the venv gets exactly the versions in requirements/lock.txt (every
# package of the project and its dev extra, pinned by `make lock`), then the project itself
# without resolving anything. A change of the lock or of pyproject.toml rebuilds the venv from
# nothing, so a package dropped from the lock leaves it too.
$(STAMP): pyproject.toml $(LOCK)
	@command -v $(PYTHON_BIN) >/dev/null || { echo "error: $(PYTHON_BIN) not found; set PYTHON_BIN=/path/to/python3.11" >&2; exit 1; }
	@$(PYTHON_BIN) requirements/check_lock.py $(LOCK) dev
	rm -rf $(VENV)
	$(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet 'pip==$(PIP_VERSION)'
	$(PY) -m pip install --quiet -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m pip check
	@touch $(STAMP)

# The lock: pip-compile (pip-tools, in its own venv $(LOCK_TOOLS), not the project's) resolves
# pyproject.toml into exact versions without installing them. A rerun keeps every pin that still
# fits and only adds or changes what pyproject.toml now asks for (after a merge that adds a
# dependency: `make lock`, commit requirements/); LOCK_UPGRADE=1 moves every pin to the newest
# allowed release. The Spark lock is the dev lock plus the spark extra, constrained by the dev
# lock, so both environments share every common version.
lock: ## Pin the dev (and dev+spark) environment into requirements/lock*.txt (LOCK_UPGRADE=1 bumps all)
	@command -v $(PYTHON_BIN) >/dev/null || { echo "error: $(PYTHON_BIN) not found; set PYTHON_BIN=/path/to/python3.11" >&2; exit 1; }
	@test -x $(LOCK_TOOLS)/bin/pip-compile || { $(PYTHON_BIN) -m venv $(LOCK_TOOLS) && \
		$(LOCK_TOOLS)/bin/python -m pip install --quiet 'pip==$(PIP_VERSION)' 'pip-tools==$(PIP_TOOLS_VERSION)'; }
	$(PIP_COMPILE) --extra dev -o $(LOCK) pyproject.toml
	$(PIP_COMPILE) --extra dev --extra spark --constraint $(LOCK) -o $(SPARK_LOCK) pyproject.toml
	@$(PYTHON_BIN) requirements/check_lock.py $(LOCK) dev
	@$(PYTHON_BIN) requirements/check_lock.py $(SPARK_LOCK) dev spark
	@echo "Locked: $(LOCK), $(SPARK_LOCK) (the next make target rebuilds .venv from them)"

venv: $(STAMP) ## Create .venv from requirements/lock.txt (exact versions) and install the project

$(DEMO_DIR)/.complete: $(STAMP) $(wildcard src/olist_segmentation/demo/*.py)
	$(PY) -m olist_segmentation.demo --out $(DEMO_DIR) --customers $(DEMO_CUSTOMERS) --seed $(DEMO_SEED)
	@touch $@

demo-data: $(DEMO_DIR)/.complete ## Generate the embedded demo data (DEMO_CUSTOMERS=96096)

# Atomic (olist_segmentation.build): dbt builds a copy of the warehouse; only a successful build
# replaces it and publishes the consumer marts as Parquet in exports/ (OLIST_EXPORT_DIR moves it).
# Readers of the old file are never blocked. DBT_ARGS passes extra dbt arguments, e.g.
#   make build DBT_ARGS="--vars '{fail_on_rejects: true}'"
dbt-build: $(STAMP) $(if $(OLIST_DATA_DIR),,$(DEMO_DIR)/.complete)
	@mkdir -p $(dir $(OLIST_DUCKDB_PATH))
	@echo "Building on $(DATA_DIR) into $(OLIST_DUCKDB_PATH)"
	OLIST_DATA_DIR=$(DATA_DIR) OLIST_EXPORT_DIR=$${OLIST_EXPORT_DIR:-$(CURDIR)/exports} $(PY) -m olist_segmentation.build $(DBT_ARGS)

build: dbt-build ## Build everything end to end (atomic, exports/ for BI), then the report (demo data unless OLIST_DATA_DIR is set)
	$(MAKE) --no-print-directory report

# The analysts' way in: the installed DuckDB, read-only (olist_segmentation.sql_console), on
# OLIST_DUCKDB_PATH; the query goes through the environment (Q), so its quotes stay intact.
SQL_ARGS ?=
export Q

sql: $(STAMP) ## Query the warehouse read-only: make sql Q="select ..." (no Q: interactive; SQL_ARGS=--csv)
	@$(VENV)/bin/olist-sql $(SQL_ARGS) $${Q:+"$$Q"}

REPORT ?= reports/segmentation.html

report: $(STAMP) ## Render reports/segmentation.html from the built warehouse
	$(PY) -m olist_segmentation.report --warehouse $(OLIST_DUCKDB_PATH) --out $(REPORT)

MODEL_FILE ?= exports/champion_model.parquet

export-model: $(STAMP) ## Write the registry champion (or MODEL_VERSION=...) to MODEL_FILE (Parquet)
	$(PY) -m olist_segmentation.registry export --warehouse $(OLIST_DUCKDB_PATH) --out $(MODEL_FILE) $(if $(MODEL_VERSION),--model-version $(MODEL_VERSION),)

import-model: ## Promote the model in FILE=... as champion (a build that scores with it, no refit)
	@test -n "$(FILE)" || { echo "error: give the model file: make import-model FILE=path/to/model.parquet" >&2; exit 2; }
	$(MAKE) --no-print-directory dbt-build DBT_ARGS="--vars '{segment_import_model_file: $(abspath $(FILE))}'"

retrain: ## Build now with a retrain of the champion's configuration on today's data
	$(MAKE) --no-print-directory dbt-build DBT_ARGS="--vars '{segment_retrain: true}'"

docs: $(STAMP) ## Generate the dbt docs site into target/
	OLIST_DATA_DIR=$(DATA_DIR) $(DBT) docs generate

# Semantic layer (MetricFlow, models/semantic/): `dbt parse` writes target/semantic_manifest.json,
# which mf reads (always from target/); mf then queries the warehouse read-only, so that other
# readers are never locked out. Q passes any mf query, e.g.
#   make metrics Q="--metrics revenue,orders --group-by metric_time__month,customer__region"
#   make metrics Q="--metrics customers --group-by customer__segment_name --csv customers.csv"
MF := $(VENV)/bin/mf
METRICS_SAMPLE := --metrics customers,revenue,orders,average_order_value,repeat_customer_share,segment_customer_share,segment_revenue_share,average_review_score --group-by customer__segment_id,customer__segment_name --order customer__segment_id --decimals 4

metrics: $(STAMP) ## Semantic layer: mf validate-configs and metrics by segment, or any query: Q="--metrics ... --group-by ..."
	@test -f $(OLIST_DUCKDB_PATH) || { echo "error: no warehouse at $(OLIST_DUCKDB_PATH): run make build first" >&2; exit 2; }
	$(DBT) parse --quiet --target-path target
ifeq ($(strip $(Q)),)
	OLIST_DUCKDB_ACCESS_MODE=read_only $(MF) validate-configs
	OLIST_DUCKDB_ACCESS_MODE=read_only $(MF) query $(METRICS_SAMPLE)
else
	OLIST_DUCKDB_ACCESS_MODE=read_only $(MF) query $(Q)
endif

test: $(STAMP) browser-deps ## Run the whole test suite: lint, pytest, dbt builds on demo (and real) data
	$(MAKE) --no-print-directory lint
	$(PY) -m pytest

# Spark: the SQL layer built by dbt-spark (session method: local PySpark in the dbt
# process) on demo data and compared with the DuckDB build (tests/integration/test_spark_parity.py).
SPARK_STAMP := $(VENV)/.installed-spark

$(SPARK_STAMP): $(STAMP) $(SPARK_LOCK)
	@$(PYTHON_BIN) requirements/check_lock.py $(SPARK_LOCK) dev spark
	$(PY) -m pip install --quiet -e '.[dev,spark]' -c $(SPARK_LOCK)
	$(PY) -m pip check
	@touch $@

java-deps: ## Install Debian's Java 17 for the Spark test, if java is missing
	@command -v java >/dev/null 2>&1 || \
		{ echo "Installing Java 17 for the Spark test..."; \
		  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null) \
		  || echo "WARNING: Java could not be installed; test-spark will fail and say why"; }

test-spark: $(SPARK_STAMP) java-deps ## Build the SQL layer on Spark and check it equals the DuckDB build (~2 min)
	OLIST_REQUIRE_SPARK=1 $(PY) -m pytest -m spark tests/integration/test_spark_parity.py

browser-deps: ## Install Debian's chromium for the report's browser test (skipped, with a reason, if impossible)
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
		{ echo "Installing chromium for the browser test..."; \
		  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		  || echo "WARNING: chromium could not be installed; the browser test will be skipped"; }

lint: $(STAMP) ## ruff (lint + format check), sqlfluff, and dbt-score (docs, tests, structure)
	$(VENV)/bin/ruff check src tests models bench requirements
	$(VENV)/bin/ruff format --check src tests models bench requirements
	@mkdir -p target
	OLIST_DUCKDB_PATH=$(CURDIR)/target/sqlfluff.duckdb $(VENV)/bin/sqlfluff lint models data-tests analyses snapshots
	OLIST_DUCKDB_PATH=$(CURDIR)/target/lint.duckdb $(DBT) parse --quiet --target-path target/lint
	$(VENV)/bin/dbt-score lint --manifest target/lint/manifest.json

format: $(STAMP) ## Format Python with ruff
	$(VENV)/bin/ruff format src tests models bench requirements
	$(VENV)/bin/ruff check --fix src tests models bench requirements

# Benchmark: scales are `real` and multiples of Olist; 100x needs ~6 GB in BENCH_WORK.
BENCH_SCALES ?= real,1,10
BENCH_WORK ?= /tmp/olist-bench
BENCH_ARGS ?=

bench: $(STAMP) ## Floor, first/nightly/retrain builds and a pandas notebook per scale (BENCH_SCALES=real,1,10[,100]) -> bench/RESULTS.md
	$(PY) bench/run_bench.py --scales $(BENCH_SCALES) --work $(BENCH_WORK) --out bench/RESULTS.md $(BENCH_ARGS)

clean: ## Remove generated files (warehouse, target, demo data, venv stays)
	rm -rf target logs warehouse demo_data reports/*.html reports/*.png exports
