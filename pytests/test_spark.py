"""The SQL models run unchanged on Apache Spark and give DuckDB's tables.

One tiny generated data set (Parquet) is built twice from the same project
copy: on DuckDB, and on Spark in local mode through dbt-spark's session
method (target ``spark`` of profiles.yml). The selector ``spark_sql``
(selectors.yml) is what runs on Spark: the staging layer and the core and
cost-to-serve marts with every model they read, with their data tests.
This module builds ``spark_sql_check``: the same without dbt's built-in
not_null, unique, accepted_values and relationships tests (half a second
each on Spark), whose answers the row-for-row comparison below fixes.

Every table of the selection that Spark writes is then read back from its
Parquet files and compared with DuckDB's: the same columns and types, the
same row count, and the same rows (matched on the grain of the model's
unique test, doubles to a relative 1e-9 and the rest exactly; as a multiset
where the model has no unique test). The totals finance reconciles
(order lines, revenue, the GL allocated to orders) are checked on both
engines against the extracts and their general ledger.

Needs Java 17 and the ``spark`` extra (pip install -e '.[spark]'); `make
test` installs both.
"""

from __future__ import annotations

import importlib.util
import json
import shutil

import duckdb
import pytest
from dbt_project_runner import make_project
from warehouse_compare import compare_with_parquet_tables, mart_relations

pytestmark = pytest.mark.spark

# the dq rules that compare with today use a fixed day on both engines
VARS = {"dq_reference_date": "2026-11-01"}
SELECTED_FOLDERS = ("staging", "intermediate", "marts/core", "marts/cost_to_serve")


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """(project, spark folder, DuckDB dbt process, Spark dbt process, Spark run results, Spark manifest)."""
    if shutil.which("java") is None:
        pytest.fail("Java is not installed: `make test` installs openjdk-17-jre-headless")
    if importlib.util.find_spec("pyspark") is None:
        pytest.fail("pyspark is not installed: `make test` installs the spark extra (pip install -e '.[spark]')")
    base = tmp_path_factory.mktemp("spark")
    project = make_project(base, "tiny", "parquet")
    # the data tests run on Spark; DuckDB runs them in the main build
    duck = project.dbt("build", "--selector", "spark_sql", "--exclude-resource-type", "test", extra_vars=VARS)
    assert duck.returncode == 0, duck.stdout[-4000:]
    spark_home = base / "spark"
    spark = project.dbt(
        "build",
        "--target",
        "spark",
        "--selector",
        "spark_sql_check",
        extra_vars=VARS,
        extra_env={"DBT_SPARK_HOME": str(spark_home), "DBT_SPARK_SHUFFLE_PARTITIONS": "2"},
    )
    assert spark.returncode == 0, spark.stdout[-6000:]
    target = project.root / "target"
    results = json.loads((target / "run_results.json").read_text())["results"]
    manifest = json.loads((target / "manifest.json").read_text())
    return project, spark_home, duck, spark, results, manifest


def _built_tables(project) -> dict[tuple[str, str], list[str]]:
    """The tables (not views) of the Spark selection, with their grains."""
    relations = mart_relations(project.root / "target" / "manifest.json", SELECTED_FOLDERS)
    con = duckdb.connect(str(project.warehouse), read_only=True)
    try:
        tables = set(
            con.execute(
                "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE'"
            ).fetchall()
        )
    finally:
        con.close()
    return {relation: grain for relation, grain in relations.items() if relation in tables}


def _spark_tables(results: list[dict], manifest: dict) -> set[tuple[str, str]]:
    """(schema, table) of every model the Spark run built as a table."""
    tables = set()
    for result in results:
        node = manifest["nodes"].get(result["unique_id"], {})
        if node.get("resource_type") == "model" and node["config"]["materialized"] == "table":
            tables.add((node["schema"], node["alias"]))
    return tables


def test_spark_runs_every_selected_model_and_data_test(builds):
    _, _, _, _, results, manifest = builds
    by_type: dict[str, list[str]] = {}
    for result in results:
        resource_type = manifest["nodes"].get(result["unique_id"], {}).get("resource_type", "other")
        by_type.setdefault(resource_type, []).append(result["status"])
    # the whole SQL path from the extracts to the cost-to-serve marts, with its tests
    assert len(by_type["model"]) >= 45 and set(by_type["model"]) == {"success"}
    # cost_pool_mapping and the reference seeds; the ledger and budget are extracts
    assert len(by_type["seed"]) >= 1 and set(by_type["seed"]) == {"success"}
    # the project's own generic tests and the singular tie-outs (selector
    # spark_sql_check: dbt's built-in not_null, unique, accepted_values and
    # relationships are left to DuckDB and the row-for-row comparison below)
    assert len(by_type["test"]) >= 60 and set(by_type["test"]) == {"pass"}
    ran = {result["unique_id"] for result in results}
    singular = {
        key
        for key, node in manifest["nodes"].items()
        if node["resource_type"] == "test" and "test_metadata" not in node and key in ran
    }
    assert "test.supply_chain_warehouse.assert_customer_cost_to_serve_ties_to_gl_by_month" in singular, sorted(singular)
    names = {result["unique_id"].split(".")[-1] for result in results}
    for model in (
        "base_erp__sales_order_lines",
        "check_erp__sales_order_lines",
        "fct_orders",
        "int_cost_allocations__orders",
        "customer_profitability",
    ):
        assert model in names, model


def test_spark_tables_equal_duckdb_tables_row_for_row(builds):
    project, spark_home, _, _, results, manifest = builds
    relations = _built_tables(project)
    # every table Spark built is compared: staging base tables, the allocation, the marts
    assert set(relations) == _spark_tables(results, manifest)
    assert len(relations) >= 30, sorted(relations)
    # the marts cost_to_serve_orders and customer_profitability are views of
    # these two tables, built on Spark as views too (test above)
    for table in (
        ("core", "fct_orders"),
        ("intermediate", "int_orders__cost_to_serve"),
        ("intermediate", "int_customers__monthly_profitability"),
    ):
        assert relations.get(table), f"{table} has no grain to compare on"
    differences = compare_with_parquet_tables(project.warehouse, spark_home / "tables", relations)
    assert differences == {}


def test_totals_tie_to_extracts_and_ledger_on_both_engines(builds):
    """Totals each engine reports, against sums taken straight from the files."""
    project, spark_home, *_ = builds
    raw = project.raw
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    con.execute(f"attach '{project.warehouse}' as duck (read_only)")

    #: the marts that are views, read on Spark's side from the table they select
    stored_as = {
        ("cost_to_serve", "cost_to_serve_orders"): ("intermediate", "int_orders__cost_to_serve"),
        ("cost_to_serve", "customer_profitability"): ("intermediate", "int_customers__monthly_profitability"),
    }

    def spark_table(schema: str, table: str) -> str:
        schema, table = stored_as.get((schema, table), (schema, table))
        return f"read_parquet('{spark_home / 'tables' / f'{schema}.db' / table}/*.parquet')"

    ledger_csv = project.raw / "finance" / "general_ledger.csv"
    ledger = con.execute(
        f"select cast(sum(cast(amount as decimal(18, 2))) as decimal(18, 2)) from read_csv('{ledger_csv}')"
    ).fetchone()[0]
    lines_parquet = raw / "erp_sales_order_lines.parquet"
    raw_lines = con.execute(f"select count(*) from read_parquet('{lines_parquet}')").fetchone()[0]
    for name, source in (
        ("duckdb", lambda schema, table: f'duck."{schema}"."{table}"'),
        ("spark", spark_table),
    ):
        allocated = con.execute(
            "select cast(sum(allocated_amount) as decimal(18, 2))"
            f" from {source('intermediate', 'int_cost_allocations__orders')}"
        ).fetchone()[0]
        cost_to_serve = con.execute(
            "select cast(sum(total_cost_to_serve) as decimal(18, 2))"
            f" from {source('cost_to_serve', 'cost_to_serve_orders')}"
        ).fetchone()[0]
        by_customer = con.execute(
            "select cast(sum(cost_to_serve) as decimal(18, 2))"
            f" from {source('cost_to_serve', 'customer_profitability')}"
        ).fetchone()[0]
        fact_lines = con.execute(f"select count(*) from {source('core', 'fct_order_lines')}").fetchone()[0]
        # set aside by the base model (duplicates, its own rules) or by the
        # check model (the line's order and SKU)
        set_aside = con.execute(
            f"select count(*) from {source('staging', 'base_erp__sales_order_lines')} as lines"
            " where lines.dq_is_quarantined or lines.dq_is_duplicate or exists ("
            f" select 1 from {source('staging', 'check_erp__sales_order_lines')} as checks"
            " where checks.dq_is_quarantined and checks.order_id = lines.order_id"
            " and checks.line_number = lines.line_number"
            " and checks.dq_key_version = lines.dq_key_version)"
        ).fetchone()[0]
        # every GL cent lands on an order; the marts add up to the allocation
        assert allocated == ledger, name
        assert cost_to_serve == allocated and by_customer == allocated, name
        # every raw line is a fact line, quarantined or a duplicate
        assert 0 < set_aside < raw_lines and fact_lines + set_aside == raw_lines, name
