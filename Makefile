# The two commands of the README. Each sets itself up on a fresh machine:
# a virtual environment with the pinned dependencies (if absent) and, for
# `build`, the demo extracts (if data/raw is absent).
#
#   make build   demo data -> dbt build -> warehouse/supply_chain.duckdb -> summary
#   make test    same set-up, then lint (sqlfluff on the SQL, ruff on the
#                Python) and pytest (generator, model logic, dbt build end to
#                end on a small generated data set)
#   make refresh  daily incremental refresh of the built warehouse from the
#                extracts in RAW_PATH (docs/refresh.md)
#   make publish  copy the warehouse to warehouse/published/ for BI readers;
#                refuses unless the last dbt build on it succeeded
#   make bench SCALE=medium   benchmark a full build and a refresh at a scale
#                (REFRESH_THREADS=2: the refresh with other DBT_THREADS)
#   make spark   build the Spark selection (selectors.yml) on local Spark
#   make report  the governance report and segment playbooks (reports/)
#   make api     the segment API over the published build (docs/serving.md)
#   make dashboard  the dashboard over the published build (DASHBOARD_PORT)
#   make sandbox  build the working copy's change of logic or seeds beside
#                production and list what it changes (VARS='{...}' too)
#   make serve-postgres  the published marts in a local PostgreSQL with the
#                role map's roles (PG_PORT, default 5433)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPARK_STAMP := $(VENV)/.spark-installed
SPARK_HOME_DIR ?= warehouse/spark
SCALE ?= demo
SEED ?= 7
FORMAT ?= parquet
RAW_PATH ?= data/raw
DBT := $(BIN)/dbt
DBT_FLAGS := --profiles-dir . --project-dir .
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: build test setup spark-setup spark data lint pytest docs publish clean bench refresh assess report api dashboard serve-postgres sandbox system-packages

setup: $(STAMP)

# EXTRAS: the optional dependencies to install with the project (`make test`
# takes the spark extra too, in the same pip run)
EXTRAS ?= dev
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[$(EXTRAS)]'
	touch $(STAMP)

# Local Spark for the `spark` target: Java 17 from Debian's packages when no
# Java 17 or newer is on the PATH (needs root), then dbt-spark and pyspark
# (the spark extra).
spark-setup: $(SPARK_STAMP)

$(SPARK_STAMP): $(STAMP)
	@$(MAKE) --no-print-directory system-packages NEED=java
	@$(BIN)/python -c "import pyspark, dbt.adapters.spark" 2>/dev/null \
		|| $(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev,spark]'
	touch $(SPARK_STAMP)

# Demo extracts with their general ledger and budget (RAW_PATH/finance/),
# generated deterministically from SEED when RAW_PATH does not exist. An
# existing folder is never overwritten: it holds your extracts.
data: $(STAMP)
	@if [ ! -d $(RAW_PATH) ]; then \
		$(BIN)/scw generate --scale $(SCALE) --seed $(SEED) \
			--format $(FORMAT) --out $(RAW_PATH); \
	else \
		echo "using existing extracts in $(RAW_PATH)"; \
	fi

# check-lock: one line naming the process that holds the warehouse file,
# instead of dbt's traceback after parsing the project.
build: data
	@mkdir -p warehouse
	@$(BIN)/scw check-lock
	@start=$$(date +%s); \
	$(DBT) build --full-refresh $(DBT_FLAGS) --vars '{raw_path: $(RAW_PATH)}' || exit $$?; \
	echo "dbt build took $$(( $$(date +%s) - start )) s"
	$(BIN)/scw publish
	$(BIN)/scw summary
	$(BIN)/scw report

# The governance report and the segment playbooks of the built warehouse
# (Markdown under reports/governance/ and reports/playbooks/)
report: $(STAMP)
	$(BIN)/scw report

# The built warehouse to warehouse/published/ (atomically, compacted when
# earlier builds left freed space in it); fails
# and leaves the published copy as it was unless the last dbt build on the
# warehouse finished without a failure (ops.build_runs).
publish: $(STAMP)
	$(BIN)/scw publish

# Incremental refresh, in place with the published copy as its restore point
# (else in a copy swapped in on success), published only when it succeeds;
# periodic models only when due.
refresh: $(STAMP)
	$(BIN)/scw refresh --raw-path $(RAW_PATH)
	$(BIN)/scw summary

# ruff: lint and format check of every Python file (pyproject.toml).
# sqlfluff: the dbt templater compiles the project (the finance seeds must
# exist) and opens a connection: give it a scratch DuckDB file.
lint: data
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@mkdir -p target
	DBT_DUCKDB_PATH=target/sqlfluff.duckdb \
		$(BIN)/sqlfluff lint --processes 2 $(wildcard models tests analyses snapshots)

# Three workers on the machine's two cores (a third of each module's time is
# single-threaded: dbt's parse and start-up, Spark's JVM, the tests' own
# Python), one test module per worker at a time so that module fixtures are
# built once, the slowest modules first (pytests/conftest.py
# SLOWEST_MODULES); PYTEST_WORKERS=0 runs them in one process.
PYTEST_WORKERS ?= 3
pytest: $(SPARK_STAMP)
	@$(MAKE) --no-print-directory system-packages
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder

# The system packages (Java, Chromium, PostgreSQL: one apt-get when any is
# missing) install in the background while the venv, the data and the lint
# run; pytest starts when both are done.
test:
	@mkdir -p target
	@( $(MAKE) --no-print-directory system-packages > target/system-packages.log 2>&1; \
		echo $$? > target/system-packages.status ) & \
	$(MAKE) --no-print-directory data lint EXTRAS=dev,spark; lint=$$?; \
	wait; cat target/system-packages.log; \
	[ "$$(cat target/system-packages.status)" = 0 ] || { echo "installing the system packages failed"; exit 1; }; \
	[ $$lint = 0 ] || exit $$lint; \
	$(MAKE) --no-print-directory pytest

# Debian packages, in one apt-get (needs root) for those of NEED that are
# absent: java (Java 17, for Spark), chromium (chromium and chromium-driver,
# the dashboard's browser test), postgres (postgresql-15, serve-postgres and
# its no-leak tests).
NEED ?= java chromium postgres
system-packages:
	@missing=""; \
	case " $(NEED) " in *" java "*) java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])' \
		|| missing="$$missing openjdk-17-jre-headless";; esac; \
	case " $(NEED) " in *" chromium "*) [ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
		[ -x /usr/bin/chromedriver ] || missing="$$missing chromium-driver";; esac; \
	case " $(NEED) " in *" postgres "*) [ -x /usr/lib/postgresql/15/bin/initdb ] \
		|| missing="$$missing postgresql-15";; esac; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	echo "installing:$$missing"; \
	if [ "$$(id -u)" != 0 ]; then echo "apt-get needs root: install$$missing and rerun"; exit 1; fi; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing

# The Spark selection (staging, core and cost-to-serve marts, with their data
# tests) built on local Spark from the extracts in RAW_PATH (docs/spark.md).
spark: data $(SPARK_STAMP)
	DBT_SPARK_HOME=$(abspath $(SPARK_HOME_DIR)) $(DBT) build --target spark \
		--selector spark_sql $(DBT_FLAGS) \
		--vars '{raw_path: $(abspath $(RAW_PATH)), raw_format: $(FORMAT)}'

# The docs site (lineage with the exposures: dashboard pages, API, ERP
# export) as one self-contained file, target/static_index.html, then served
docs: $(STAMP)
	$(DBT) parse $(DBT_FLAGS) --vars '{raw_path: $(RAW_PATH)}'
	$(DBT) docs generate --static --no-compile $(DBT_FLAGS) --vars '{raw_path: $(RAW_PATH)}'
	@echo "one file: target/static_index.html"
	$(DBT) docs serve $(DBT_FLAGS) --port 8080

# Full build at a scale: wall time, peak RSS, rows and
# seconds per stage; JSON under reports/. Extracts are generated once per
# scale under data/bench/ and reused.
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_build.py --scale $(SCALE) --seed $(SEED) --format $(FORMAT) \
		$(if $(REFRESH_THREADS),--refresh-threads $(REFRESH_THREADS)) \
		$(if $(REFRESH_ONLY),--refresh-only)

# The impact of a proposed segmentation logic on a copy of the current build
# (governance.impact_assessment): make assess VARS='{abc_a_share: 0.7}'
assess: $(STAMP)
	$(BIN)/scw assess --vars "$(VARS)" --raw-path $(RAW_PATH)

# The dashboard (Streamlit) over the published build on localhost:DASHBOARD_PORT
DASHBOARD_PORT ?= 8501
dashboard: $(STAMP)
	$(BIN)/streamlit run src/scw/serving/dashboard.py --server.port $(DASHBOARD_PORT) \
		--server.address 127.0.0.1 --server.headless true --browser.gatherUsageStats false

# The published marts in a local PostgreSQL 15 (warehouse/postgres/, port
# PG_PORT) with a login role per row of seed serving_roles
PG_PORT ?= 5433
serve-postgres: $(STAMP)
	@$(MAKE) --no-print-directory system-packages NEED=postgres
	$(BIN)/scw serve-postgres --port $(PG_PORT)

# A proposed change of logic or seeds (your working copy, or VARS) built in
# warehouse/sandbox/ beside the published build, with the entities and
# policy rows it changes; never published (docs/serving.md, "Sandbox")
sandbox: $(STAMP)
	$(BIN)/scw sandbox --raw-path $(RAW_PATH) $(if $(VARS),--vars "$(VARS)")

# The segment API on localhost:API_PORT; tokens from `scw api-tokens`
API_PORT ?= 8000
api: $(STAMP)
	$(BIN)/scw api --port $(API_PORT)

clean:
	rm -rf target logs warehouse
