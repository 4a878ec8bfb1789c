"""End to end: generate a small data set, run `dbt build`, check the counts.

One build on Parquet extracts (module fixture) carries most checks: every
dbt test passes, every raw row is staged, quarantined or removed as a
duplicate (counted here from the files, independently of the models), every
injected defect is in data_quality_exceptions, and the marts hold exactly the
staged rows. Further tests build from CSV extracts and check that a missing
file or column stops the build with a message naming it.
"""

from __future__ import annotations

import csv
import shutil

import duckdb
import pytest
from dbt_project_runner import make_project

pytestmark = pytest.mark.e2e

TABLE_KEYS = {
    "erp_customers": ["customer_id"],
    "erp_products": ["sku_id"],
    "erp_sales_orders": ["order_id"],
    "erp_sales_order_lines": ["order_id", "line_number"],
    "erp_purchase_receipts": ["receipt_id"],
    "erp_invoices": ["invoice_id"],
    "erp_returns": ["return_id"],
    "wms_distribution_centers": ["dc_id"],
    "wms_inventory_snapshots": ["snapshot_date", "dc_id", "sku_id"],
    "wms_activities": ["activity_id"],
    "tms_carriers": ["carrier_id"],
    "tms_shipments": ["shipment_id"],
    "crm_accounts": ["customer_id"],
    "crm_demand_forecasts": ["forecast_month", "sku_id", "dc_id"],
}
STAGING = {table: "staging.stg_{}__{}".format(*table.split("_", 1)) for table in TABLE_KEYS}
CORE_MARTS = [
    "dim_customers",
    "dim_products",
    "dim_distribution_centers",
    "dim_dates",
    "fct_orders",
    "fct_order_lines",
    "fct_shipments",
    "fct_inventory_snapshots",
    "fct_warehouse_activities",
]


def _fail_message(result) -> str:
    return (result.stdout or "")[-6000:] + (result.stderr or "")[-2000:]


@pytest.fixture(scope="module")
def built(small_build):
    """The shared full build of the small Parquet extracts."""
    project, result = small_build
    con = duckdb.connect(str(project.warehouse), read_only=True)
    yield project, con, result
    con.close()


def _raw_count(project, table: str) -> int:
    path = next(project.raw.glob(f"{table}.*"))
    reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
    return _scalar(f"select count(*) from {reader}('{path}')")


def _scalar(query: str):
    """One value from a query over raw files, outside the warehouse."""
    con = duckdb.connect()
    try:
        return con.execute(query).fetchone()[0]
    finally:
        con.close()


def test_build_passes_every_dbt_test(built):
    _, _, result = built
    assert "ERROR=0" in result.stdout.replace(" ", "")
    assert "PASS=" in result.stdout


def test_core_marts_are_not_empty(built):
    _, con, _ = built
    for mart in CORE_MARTS:
        assert con.execute(f"select count(*) from core.{mart}").fetchone()[0] > 0, mart


@pytest.mark.parametrize("table", sorted(TABLE_KEYS))
def test_every_raw_row_is_staged_quarantined_or_deduplicated(built, table):
    project, con, _ = built
    raw_rows = _raw_count(project, table)
    staged = con.execute(f"select count(*) from {STAGING[table]}").fetchone()[0]
    quarantined, deduplicated = con.execute(
        "select"
        " count(distinct case when action = 'quarantined' then source_row_id end),"
        " count(distinct case when action = 'deduplicated' then source_row_id end)"
        " from quality.data_quality_exceptions where source_table = ?",
        [table],
    ).fetchone()
    assert raw_rows == staged + quarantined + deduplicated
    assert raw_rows > 0


def test_staged_keys_are_unique_and_distinct_raw_keys_survive(built):
    """Dedupe keeps exactly one row per key that is present in the raw file."""
    project, con, _ = built
    for table, keys in TABLE_KEYS.items():
        key_list = ", ".join(keys)
        staged = con.execute(f"select count(*), count(distinct ({key_list})) from {STAGING[table]}").fetchone()
        assert staged[0] == staged[1], table
        quarantined_keys = con.execute(
            "select count(distinct record_key) from quality.data_quality_exceptions"
            " where source_table = ? and action = 'quarantined'"
            " and rule <> 'missing_key'",
            [table],
        ).fetchone()[0]
        path = next(project.raw.glob(f"{table}.*"))
        distinct_raw = _scalar(
            f"select count(distinct ({key_list})) from '{path}' where {' and '.join(k + ' is not null' for k in keys)}"
        )
        assert staged[0] + quarantined_keys == distinct_raw, table


def test_every_injected_defect_is_reported(built):
    project, con, _ = built
    with open(project.truth / "injected_defects.csv", newline="") as handle:
        defects = list(csv.DictReader(handle))
    assert {d["rule"] for d in defects} >= {
        "duplicate_key",
        "negative_quantity",
        "unknown_sku",
        "unknown_customer",
        "missing_key",
        "future_date",
        "unknown_channel",
        "unknown_mode",
        "zero_velocity_high_forecast",
    }
    reported = set(con.execute("select source_table, record_key, rule from quality.data_quality_exceptions").fetchall())
    reported_counts = dict(
        (tuple(row[:2]), row[2])
        for row in con.execute(
            "select source_table, rule, count(*) from quality.data_quality_exceptions group by all"
        ).fetchall()
    )
    injected_counts: dict[tuple[str, str], int] = {}
    for defect in defects:
        key = (defect["source_table"], defect["rule"])
        injected_counts[key] = injected_counts.get(key, 0) + 1
        if defect["record_key"]:
            assert (defect["source_table"], defect["record_key"], defect["rule"]) in (reported), defect
    for key, count in injected_counts.items():
        assert reported_counts.get(key, 0) >= count, key


def test_quarantined_order_takes_its_children_with_it(built):
    _, con, _ = built
    orphans = con.execute(
        "select count(*) from quality.data_quality_exceptions where rule in ('unknown_order', 'order_quarantined')"
    ).fetchone()[0]
    quarantined_orders = con.execute(
        "select count(*) from quality.data_quality_exceptions"
        " where source_table = 'erp_sales_orders' and action = 'quarantined'"
    ).fetchone()[0]
    assert quarantined_orders > 0
    assert orphans > 0
    leaked = con.execute(
        "select count(*) from core.fct_order_lines as lines"
        " left join core.fct_orders as orders using (order_id)"
        " where orders.order_id is null"
    ).fetchone()[0]
    assert leaked == 0


def test_marts_hold_exactly_the_staged_rows(built):
    _, con, _ = built
    pairs = [
        ("core.dim_customers", "staging.stg_erp__customers"),
        ("core.dim_products", "staging.stg_erp__products"),
        ("core.fct_orders", "staging.stg_erp__sales_orders"),
        ("core.fct_order_lines", "staging.stg_erp__sales_order_lines"),
        ("core.fct_shipments", "staging.stg_tms__shipments"),
        ("core.fct_inventory_snapshots", "staging.stg_wms__inventory_snapshots"),
        ("core.fct_warehouse_activities", "staging.stg_wms__activities"),
    ]
    for mart, staging in pairs:
        mart_rows = con.execute(f"select count(*) from {mart}").fetchone()[0]
        staged_rows = con.execute(f"select count(*) from {staging}").fetchone()[0]
        assert mart_rows == staged_rows, mart


def test_net_revenue_ties_to_invoices(built):
    """Revenue computed from lines equals what the ERP invoiced, per order."""
    _, con, _ = built
    mismatched = con.execute(
        "select count(*) from core.fct_orders as orders"
        " inner join staging.stg_erp__invoices as invoices using (order_id)"
        " where abs(orders.net_revenue - invoices.invoice_amount) > 0.01"
    ).fetchone()[0]
    assert mismatched == 0


def test_unknown_enum_is_kept_and_flagged(built):
    _, con, _ = built
    flagged = con.execute(
        "select record_key from quality.data_quality_exceptions where rule = 'unknown_channel' and action = 'flagged'"
    ).fetchall()
    assert flagged
    for (customer_id,) in flagged:
        channel = con.execute(
            "select channel from core.dim_customers where customer_id = ?",
            [customer_id],
        ).fetchone()
        assert channel == ("unknown",)


# CSV extracts building with every test passing: pytests/test_refresh.py
# (its full build reads CSV).


def test_missing_extracts_and_columns_are_named_together(tmp_path):
    """One run names every problem: a missing file and a missing column."""
    tiny = make_project(tmp_path / "broken", "tiny", "csv")
    broken = tmp_path / "raw"
    shutil.copytree(tiny.raw, broken)
    path = broken / "erp_products.csv"
    con = duckdb.connect()
    con.execute(
        f"create table products as select * exclude (handling_class) from read_csv('{path}', all_varchar = true)"
    )
    con.execute(f"copy products to '{path}' (header)")
    con.close()
    (broken / "tms_carriers.csv").unlink()
    result = tiny.dbt("build", raw=broken)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "erp_products" in output
    assert "missing required column handling_class" in output
    assert "raw extract tms_carriers not found" in output


# ---- cost-to-serve: allocation ties to the general ledger -------------------


def _general_ledger(project):
    con = duckdb.connect()
    try:
        return con.execute(
            "select posting_month::date, gl_account::varchar, cost_center,"
            " amount::decimal(18, 2)"
            f" from read_csv('{project.raw / 'finance/general_ledger.csv'}')"
        ).fetchall()
    finally:
        con.close()


def test_every_gl_row_is_allocated_to_the_cent(built):
    project, con, _ = built
    allocated = {
        (month, account, center): amount
        for month, account, center, amount in con.execute(
            "select posting_month, gl_account, cost_center, sum(allocated_amount)"
            " from intermediate.int_cost_allocations__orders group by all"
        ).fetchall()
    }
    ledger = _general_ledger(project)
    assert ledger
    for month, account, center, amount in ledger:
        assert allocated[(month, account, center)] == amount, (month, account, center)


def test_customer_cost_to_serve_equals_gl_per_month(built):
    project, con, _ = built
    by_month: dict = {}
    for month, _, _, amount in _general_ledger(project):
        by_month[month] = by_month.get(month, 0) + amount
    customers = dict(
        con.execute("select month, sum(cost_to_serve) from cost_to_serve.customer_profitability group by 1").fetchall()
    )
    assert by_month == customers


def test_labour_follows_labour_minutes(built):
    """Each order's labour cost = GL 6100 of its DC-month x its share of the DC-month's order minutes.

    Order minutes: line work on a line of the order plus order work (no
    line), for orders with lines, recomputed from the activity fact.
    """
    _, con, _ = built
    worst = con.execute(
        """
        with lines as (
            select distinct order_id, line_number from core.fct_order_lines
        ),
        order_minutes as (
            select
                date_trunc('month', a.activity_date) as month,
                a.dc_id,
                a.order_id,
                sum(a.labor_minutes) as m
            from core.fct_warehouse_activities as a
            where a.order_id in (select order_id from lines)
                and (a.line_number is null
                    or (a.order_id, a.line_number) in (select (order_id, line_number) from lines))
            group by all
        ),
        expected as (
            select
                order_minutes.*,
                gl.amount * order_minutes.m
                    / sum(order_minutes.m) over (partition by month, dc_id)
                    as expected_cost
            from order_minutes
            join staging.stg_finance__general_ledger as gl
                on gl.posting_month = order_minutes.month
                and gl.cost_center = order_minutes.dc_id
                and gl.gl_account::varchar = '6100'
        )
        select max(abs(expected.expected_cost - alloc.allocated_amount))
        from expected
        join intermediate.int_cost_allocations__orders as alloc
            on alloc.gl_account = '6100'
            and alloc.posting_month = expected.month
            and alloc.cost_center = expected.dc_id
            and alloc.order_id = expected.order_id
        """
    ).fetchone()[0]
    assert worst is not None
    assert worst <= 0.01
