"""One as-of date for the whole build (var as_of_date, int_calendar__as_of_date).

- On the shared build (var unset) every mart with an as_of_date column is
  as of the latest staged order.
- A fork rebuilt with the var set to an earlier date: every such mart moves
  to that date, segmentation, working capital, inventory policy and
  monitoring and procurement alike.
- A var of the four dates it replaced stops the parse, naming as_of_date.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from dbt_project_runner import Project

#: schemas of the business marts (snapshots keep their own history)
MART_SCHEMAS = ("segmentation", "finance", "inventory", "profitability", "cost_to_serve")


def latest_as_of_by_mart(warehouse) -> dict[str, dt.date]:
    """max(as_of_date) of every mart table or view that has the column."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        marts = con.execute(
            "select table_schema, table_name from information_schema.columns"
            " where column_name = 'as_of_date' and table_schema in ?",
            [list(MART_SCHEMAS)],
        ).fetchall()
        return {
            f"{schema}.{table}": con.execute(f'select max(as_of_date) from "{schema}"."{table}"').fetchone()[0]
            for schema, table in marts
        }
    finally:
        con.close()


def test_every_mart_is_as_of_the_latest_order(small_build):
    project, _ = small_build
    con = duckdb.connect(str(project.warehouse), read_only=True)
    latest_order = con.execute("select max(order_date) from core.fct_orders").fetchone()[0]
    con.close()
    dates = latest_as_of_by_mart(project.warehouse)
    assert len(dates) >= 8, dates
    assert {mart: day for mart, day in dates.items() if day != latest_order} == {}


@pytest.fixture(scope="module")
def earlier(small_build, tmp_path_factory):
    """A fork with var as_of_date 60 days before the latest order, rebuilt downstream of it."""
    project, _ = small_build
    con = duckdb.connect(str(project.warehouse), read_only=True)
    latest_order = con.execute("select max(order_date) from core.fct_orders").fetchone()[0]
    con.close()
    as_of = latest_order - dt.timedelta(days=60)
    fork = project.fork(tmp_path_factory.mktemp("as_of_earlier"))
    result = fork.dbt(
        "run", "--full-refresh", "--select", "int_calendar__as_of_date+", extra_vars={"as_of_date": as_of.isoformat()}
    )
    assert result.returncode == 0, result.stdout[-6000:]
    return fork, as_of


def test_setting_as_of_date_moves_every_mart(earlier):
    fork, as_of = earlier
    dates = latest_as_of_by_mart(fork.warehouse)
    assert len(dates) >= 8, dates
    assert {mart: day for mart, day in dates.items() if day != as_of} == {}


def test_nothing_after_the_as_of_date_is_counted(earlier):
    """Working capital and monitoring read no row dated after the as-of date."""
    fork, as_of = earlier
    con = duckdb.connect(str(fork.warehouse), read_only=True)
    try:
        invoices = con.execute("select max(invoice_date) from intermediate.int_invoices__payment_days").fetchone()[0]
        snapshots = con.execute(
            "select max(snapshot_date) from intermediate.int_inventory__latest_snapshot"
        ).fetchone()[0]
    finally:
        con.close()
    assert invoices <= as_of
    assert snapshots <= as_of


def test_a_retired_as_of_var_stops_with_its_replacement(small_build, tmp_path):
    project, _ = small_build
    parsing = Project(
        root=project.root, raw=project.raw, truth=project.truth, warehouse=tmp_path / "unused.duckdb", output=tmp_path
    )
    result = parsing.dbt("parse", extra_vars={"working_capital_as_of_date": "2026-01-31"})
    assert result.returncode != 0
    assert "var working_capital_as_of_date was replaced by var as_of_date" in result.stdout
