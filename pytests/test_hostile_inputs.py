"""Hostile input: what happens to bad extracts, table by table.

Every case plants one defect in a tiny generated data set (seed 7, defect
rate 0, so the planted rows are the only defects) and ends in one of the
outcomes of README.md, "Hostile input: what happens to bad extracts":

A  stops before any model: the on-run-start hook register_raw_extracts
   raises "Input contract violated", naming the table, column or rule.
   Each case gets its own copy of the extracts and runs the hook's macro
   alone (`dbt run-operation register_raw_extracts`, the same code path as
   the hook; test_stop_in_a_build_is_the_run_operation_message checks that
   a `dbt build` stops with the same message). The copy is reached through
   one symlink, so that every run has the same vars and dbt parses the
   project once.
B  quarantined, flagged or deduplicated: the row is in
   quality.data_quality_exceptions with its rule and a detail naming the
   column and value, a quarantined row is not in its stg_ model, and every
   raw row is accounted for.
C  stops the build at test assert_finance_extracts_fully_staged: a general
   ledger or budget row that does not stage; explain_failures prints it.
D  builds: the value arrives in staging as the extract meant it.

Every B, C and D case is planted at once in one data set (keys starting
with HX) and built once: staging, the quality marts, their data tests and
the two tests on the raw rows (the cheapest build that covers them).
test_readme_table_lists_every_case keeps the README table and CASES equal.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dbt_project_runner import REPO, Project, copy_project

from scw.generator import generate

pytestmark = pytest.mark.e2e

# ---- the cases -----------------------------------------------------------

#: outcome code -> the words of the README table
OUTCOMES = {
    "A": "A: stops before any model",
    "B-quarantined": "B: quarantined",
    "B-flagged": "B: flagged, row kept",
    "B-deduplicated": "B: deduplicated, one copy kept",
    "C": "C: build fails at assert_finance_extracts_fully_staged",
    "D": "D: builds",
}


@dataclass(frozen=True)
class Case:
    id: str
    table: str
    outcome: str
    planted: str
    #: A: a fragment of the hook's message; B and C: the rule; D: what is checked
    expected: str
    #: B and C: record_key of the planted row in data_quality_exceptions
    key: str | None = None
    #: B and C: a fragment of the exception's detail (names column and value)
    detail: str | None = None
    #: B: (column, value) the staged row holds
    staged: tuple | None = None
    #: A: a fragment the message must not hold (a wrong diagnosis)
    absent: str | None = None
    #: a known bug: the case expects the documented behaviour and is xfail
    bug: str | None = None

    @property
    def action(self) -> str | None:
        """What data_quality_exceptions says happened to the planted row (B, C)."""
        if self.outcome.startswith("B-"):
            return self.outcome[2:]
        if self.outcome == "C":
            return "deduplicated" if self.expected == "duplicate_key" else "quarantined"
        return None


CASES = [
    # ---- A: stops before any model ----
    Case("missing_file", "tms_carriers", "A", "no tms_carriers file at all", "raw extract tms_carriers not found"),
    Case(
        "no_extract_at_all",
        "erp_customers",
        "A",
        "raw_path is an empty folder (every extract missing)",
        "raw extract erp_customers not found",
        absent="no transaction is active",
    ),
    Case(
        "empty_file", "erp_products", "A", "erp_products.csv of 0 bytes (no Parquet file)", "is an empty file (0 bytes)"
    ),
    Case(
        "header_only_required",
        "erp_sales_orders",
        "A",
        "erp_sales_orders.csv with a header and no rows",
        "is header only: no rows",
    ),
    Case(
        "missing_column",
        "tms_shipments",
        "A",
        "tms_shipments.parquet without column freight_cost",
        "is missing required column freight_cost",
    ),
    Case(
        "missing_column_finance",
        "cost_to_serve_budget",
        "A",
        "finance/cost_to_serve_budget.csv without column budget_amount",
        "is missing required column budget_amount",
    ),
    Case(
        "non_utf8_bytes",
        "tms_carriers",
        "A",
        "tms_carriers.csv with a latin-1 byte on line 4, var extract_encoding utf-8",
        "is not UTF-8 (line 4)",
    ),
    Case("gl_missing", "general_ledger", "A", "no finance/general_ledger file", "raw extract general_ledger not found"),
    Case(
        "gl_of_another_data_set",
        "general_ledger",
        "A",
        "the ledger of a data set generated with --end-month 2023-06",
        "so the ledger belongs to another data set",
    ),
    Case(
        "gl_unmapped_account",
        "general_ledger",
        "A",
        "a ledger row on GL account 7777",
        "GL account(s) not mapped in seed cost_pool_mapping: 7777",
    ),
    Case(
        "gl_cost_center_not_a_dc",
        "general_ledger",
        "A",
        "a ledger row on cost centre DC99",
        "cost centre(s) DC99 are neither a dc_id",
    ),
    Case(
        "gl_month_without_orders",
        "general_ledger",
        "A",
        "a ledger row for 2026-12, a month without orders",
        "month(s) 2026-12 have no order in erp_sales_orders",
    ),
    Case(
        "budget_unknown_cost_pool",
        "cost_to_serve_budget",
        "A",
        "a budget row for cost pool marketing",
        "cost pool(s) not in seed cost_pool_mapping: marketing",
    ),
    Case(
        "corrupt_parquet",
        "tms_carriers",
        "A",
        "tms_carriers.parquet holding text, not Parquet",
        "is not a Parquet file",
    ),
    Case(
        "ragged_csv_row",
        "tms_carriers",
        "A",
        "tms_carriers.csv with a fifth field on line 5",
        "is not a well-formed CSV file: line 5 has 5 fields where the header has 4",
        absent="is missing required column",
    ),
    Case(
        "ragged_csv_row_beyond_the_sample",
        "tms_shipments",
        "A",
        "tms_shipments.csv of 26,817 rows with a sixteenth field on line 25,002, past the"
        " 20,480 rows DuckDB's sniffer reads",
        "is not a well-formed CSV file: line 25002 has 16 fields where the header has 15",
    ),
    # ---- B: quarantined, flagged or deduplicated ----
    Case(
        "null_key_parquet",
        "erp_customers",
        "B-quarantined",
        "a customer whose customer_id is NULL",
        "missing_key",
        key="",
        detail="key column missing: customer_id",
    ),
    Case(
        "ancient_date",
        "erp_customers",
        "B-quarantined",
        "created_at 1965-03-01",
        "date_before_minimum",
        key="HXC01",
        detail="created_at=1965-03-01",
    ),
    Case(
        "unknown_enum",
        "erp_customers",
        "B-flagged",
        "channel 'Telepathy' (staged as unknown)",
        "unknown_channel",
        key="HXC02",
        detail="channel=Telepathy",
        staged=("channel", "unknown"),
    ),
    Case(
        "parquet_number_as_text_bad",
        "erp_products",
        "B-quarantined",
        "unit_cost stored as strings, 'n/a' in one row",
        "invalid_number",
        key="HXP01",
        detail="unit_cost='n/a'",
    ),
    Case(
        "absurd_weight",
        "erp_products",
        "B-quarantined",
        "unit_weight_kg 5e6, above var dq_max_weight_kg",
        "absurd_weight_kg",
        key="HXP02",
        detail="unit_weight_kg=5000000",
    ),
    Case(
        "future_date",
        "erp_sales_orders",
        "B-quarantined",
        "order_ts 2099-01-01",
        "future_date",
        key="HXO01",
        detail="order_ts=2099-01-01",
    ),
    Case(
        "order_of_unknown_customer",
        "erp_sales_orders",
        "B-quarantined",
        "an order of customer CX404, which does not exist",
        "unknown_customer",
        key="HXO02",
        detail="customer_id=CX404",
    ),
    Case(
        "conflicting_duplicate",
        "erp_sales_orders",
        "B-flagged",
        "two copies of order HXO03 with equal updated_at and another priority;"
        " the kept copy is the same when the file's rows are shuffled",
        "conflicting_duplicate",
        key="HXO03",
        detail="copies with equal updated_at differ",
    ),
    Case(
        "text_in_number_csv",
        "erp_sales_order_lines",
        "B-quarantined",
        "quantity_ordered 'twelve' in the CSV extract",
        "invalid_number",
        key="HXO10|1",
        detail="quantity_ordered='twelve'",
    ),
    Case(
        "absurd_quantity",
        "erp_sales_order_lines",
        "B-quarantined",
        "quantity_ordered 1e12, above var dq_max_quantity",
        "absurd_quantity",
        key="HXO10|2",
        detail="quantity_ordered=1",
    ),
    Case(
        "negative_quantity",
        "erp_sales_order_lines",
        "B-quarantined",
        "quantity_ordered and quantity_shipped -5",
        "negative_quantity",
        key="HXO10|3",
        detail="quantity_ordered=-5",
    ),
    Case(
        "exact_duplicate_line",
        "erp_sales_order_lines",
        "B-deduplicated",
        "the same line twice, every value equal",
        "duplicate_key",
        key="HXO10|4",
    ),
    Case(
        "impossible_timestamp",
        "erp_sales_order_lines",
        "B-quarantined",
        "updated_at '2026-02-30 25:61:00' in the CSV extract",
        "invalid_date",
        key="HXO10|5",
        detail="updated_at='2026-02-30 25:61:00'",
    ),
    Case(
        "fraction_in_whole_number",
        "erp_sales_order_lines",
        "B-quarantined",
        "line_number '7.5' in the CSV extract (bigint: a whole number)",
        "invalid_number",
        key="HXO10|",
        detail="line_number='7.5'",
    ),
    Case(
        "line_of_unknown_order",
        "erp_sales_order_lines",
        "B-quarantined",
        "a line of order HXO404, which does not exist",
        "unknown_order",
        key="HXO404|1",
        detail="order_id=HXO404",
    ),
    Case(
        "line_of_quarantined_order",
        "erp_sales_order_lines",
        "B-quarantined",
        "a line of order HXO01 (quarantined: future date)",
        "order_quarantined",
        key="HXO01|1",
        detail="order_id=HXO01 failed validation",
    ),
    Case(
        "negative_receipt",
        "erp_purchase_receipts",
        "B-quarantined",
        "quantity_received -10",
        "negative_quantity",
        key="HXR01",
        detail="quantity_received=-10",
    ),
    Case(
        "absurd_invoice_amount",
        "erp_invoices",
        "B-quarantined",
        "invoice_amount 5e8, above var dq_max_amount",
        "absurd_amount",
        key="HXI01",
        detail="invoice_amount=500000000",
    ),
    Case(
        "invalid_boolean",
        "wms_distribution_centers",
        "B-quarantined",
        "is_temperature_controlled 'perhaps' in the CSV extract",
        "invalid_boolean",
        key="HXD01",
        detail="is_temperature_controlled='perhaps'",
    ),
    Case(
        "null_key_part",
        "wms_inventory_snapshots",
        "B-quarantined",
        "a snapshot whose sku_id (part of the key) is NULL",
        "missing_key",
        key="2026-06-01|DC01|",
        detail="key column missing",
    ),
    Case(
        "activity_at_unknown_dc",
        "wms_activities",
        "B-quarantined",
        "an activity at DC99, which does not exist",
        "unknown_dc",
        key="HXA01",
        detail="dc_id=DC99",
    ),
    Case(
        "parquet_timestamp_as_text_bad",
        "wms_activities",
        "B-quarantined",
        "activity_ts stored as strings, 'last tuesday' in one row",
        "invalid_date",
        key="HXA02",
        detail="activity_ts='last tuesday'",
    ),
    Case(
        "exact_duplicate_activity",
        "wms_activities",
        "B-deduplicated",
        "the same activity twice, every value equal",
        "duplicate_key",
        key="HXA03",
    ),
    Case(
        "unknown_mode",
        "tms_carriers",
        "B-flagged",
        "mode 'Teleport' (staged as unknown)",
        "unknown_mode",
        key="HXK03",
        detail="mode=Teleport",
        staged=("mode", "unknown"),
    ),
    Case(
        "shipment_of_unknown_order",
        "tms_shipments",
        "B-quarantined",
        "a shipment of order HXO404, which does not exist",
        "unknown_order",
        key="HXS01",
        detail="order_id=HXO404",
    ),
    Case(
        "negative_freight",
        "tms_shipments",
        "B-quarantined",
        "freight_cost -12.5",
        "negative_freight_cost",
        key="HXS02",
        detail="freight_cost=-12.5",
    ),
    Case(
        "account_of_unknown_customer",
        "crm_accounts",
        "B-quarantined",
        "a CRM account of customer HXC404, which does not exist",
        "unknown_customer",
        key="HXC404",
        detail="customer_id=HXC404",
    ),
    Case(
        "forecast_of_unknown_sku",
        "crm_demand_forecasts",
        "B-quarantined",
        "a forecast for SKU404, which does not exist",
        "unknown_sku",
        key="2026-06-01|SKU404|DC01",
        detail="sku_id=SKU404",
    ),
    # ---- C: stops at assert_finance_extracts_fully_staged ----
    Case(
        "gl_unparseable_amount",
        "general_ledger",
        "C",
        "a ledger row with amount 'twelve'",
        "invalid_number",
        key="2026-05-01|6400|DC01",
        detail="amount='twelve'",
    ),
    Case(
        "gl_second_row_of_a_key",
        "general_ledger",
        "C",
        "a second ledger row of 2026-06, 6100, DC01 with another amount",
        "duplicate_key",
        key="2026-06-01|6100|DC01",
    ),
    Case(
        "gl_amount_beyond_decimal",
        "general_ledger",
        "C",
        "a ledger row with amount 1e20, above var dq_max_gl_amount (its own build)",
        "absurd_amount",
        key="2026-05-01|6400|DC01",
        detail="amount=1e+20",
    ),
    Case(
        "budget_unparseable_amount",
        "cost_to_serve_budget",
        "C",
        "a budget row with budget_amount 'tbd'",
        "invalid_number",
        key="2026-05-01|order_administration|DC01",
        detail="budget_amount='tbd'",
    ),
    # ---- D: builds ----
    Case(
        "extra_column",
        "erp_products",
        "D",
        "an extra column legacy_note",
        "ignored: raw.erp_products has the declared columns only",
    ),
    Case(
        "parquet_number_as_text_good",
        "erp_products",
        "D",
        "unit_cost stored as strings ('4.97')",
        "converted: staged unit_cost equals the number",
    ),
    Case(
        "all_null_parquet_column",
        "erp_customers",
        "D",
        "parent_customer_id NULL in every row (Parquet type null)",
        "every customer staged, parent_customer_id null, no exception",
    ),
    Case(
        "parquet_integer_as_text", "erp_purchase_receipts", "D", "po_id stored as integers (12)", "staged as text '12'"
    ),
    Case(
        "parquet_timestamp_as_text_good",
        "wms_activities",
        "D",
        "activity_ts stored as strings ('2026-05-01 09:32:20')",
        "converted: every other activity staged with its timestamp",
    ),
    Case(
        "latin1_with_extract_encoding",
        "tms_carriers",
        "D",
        "a latin-1 CSV extract (carrier 'Transports Müller Frères'), var extract_encoding: latin-1",
        "staged carrier_name equals the text",
    ),
    Case(
        "quoted_delimiter_and_newline",
        "tms_carriers",
        "D",
        "carrier_name 'Fast, \"Friendly\"' + newline + 'Freight' in a quoted CSV field",
        "staged carrier_name equals the text",
    ),
    Case(
        "header_only_may_be_empty",
        "erp_returns",
        "D",
        "erp_returns.csv with a header and no rows (in var extracts_that_may_be_empty)",
        "a warning line names it, the build goes on, 0 returns staged",
    ),
]
CASE_BY_ID = {case.id: case for case in CASES}
#: C cases that would stop the planted build: built alone on the stop cases' project
SEPARATE_BUILDS = {"gl_amount_beyond_decimal"}
assert len(CASE_BY_ID) == len(CASES), "case ids must be unique"

STAGING = {
    "erp_customers": ("stg_erp__customers", ["customer_id"]),
    "erp_products": ("stg_erp__products", ["sku_id"]),
    "erp_sales_orders": ("stg_erp__sales_orders", ["order_id"]),
    "erp_sales_order_lines": ("stg_erp__sales_order_lines", ["order_id", "line_number"]),
    "erp_purchase_receipts": ("stg_erp__purchase_receipts", ["receipt_id"]),
    "erp_invoices": ("stg_erp__invoices", ["invoice_id"]),
    "erp_returns": ("stg_erp__returns", ["return_id"]),
    "wms_distribution_centers": ("stg_wms__distribution_centers", ["dc_id"]),
    "wms_inventory_snapshots": ("stg_wms__inventory_snapshots", ["snapshot_date", "dc_id", "sku_id"]),
    "wms_activities": ("stg_wms__activities", ["activity_id"]),
    "tms_carriers": ("stg_tms__carriers", ["carrier_id"]),
    "tms_shipments": ("stg_tms__shipments", ["shipment_id"]),
    "crm_accounts": ("stg_crm__accounts", ["customer_id"]),
    "crm_demand_forecasts": ("stg_crm__demand_forecasts", ["forecast_month", "sku_id", "dc_id"]),
    "general_ledger": ("stg_finance__general_ledger", ["posting_month", "gl_account", "cost_center"]),
    "cost_to_serve_budget": ("stg_finance__cost_to_serve_budget", ["budget_month", "cost_pool", "cost_center"]),
}

LATIN1_NAME = "Transports Müller Frères"
QUOTED_NAME = 'Fast, "Friendly"\nFreight'
# vars of the planted build: the latin-1 CSV case, and room for every
# failing finance row in explain_failures' output
PLANTED_VARS = {"extract_encoding": "latin-1", "explain_failure_rows": 20}

# ---- writing extracts ------------------------------------------------------


def _read(raw: Path, table: str) -> pa.Table:
    return pq.read_table(raw / f"{table}.parquet")


def _write(raw: Path, table: str, data: pa.Table) -> None:
    pq.write_table(data, raw / f"{table}.parquet")


def _with_rows(data: pa.Table, template: int, changes: list[dict]) -> pa.Table:
    """The table plus one copy of row ``template`` per dict of changed values."""
    base = data.slice(template, 1).to_pylist()[0]
    rows = [base | change for change in changes]
    return pa.concat_tables([data, pa.Table.from_pylist(rows, schema=data.schema)])


def _as_text(data: pa.Table, column: str, formatter=str) -> pa.Table:
    """The column written as strings, as some tools export numbers and times."""
    index = data.schema.get_field_index(column)
    values = [None if value is None else formatter(value) for value in data.column(column).to_pylist()]
    return data.set_column(index, column, pa.array(values, pa.string()))


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _write_csv(path: Path, columns: list[str], rows: list[dict], encoding: str = "utf-8") -> None:
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_value(row.get(column)) for column in columns])


def _to_csv(raw: Path, table: str, data: pa.Table | None = None, encoding: str = "utf-8") -> None:
    """Replace <table>.parquet by <table>.csv holding the same rows (or ``data``)."""
    data = _read(raw, table) if data is None else data
    _write_csv(raw / f"{table}.csv", data.column_names, data.to_pylist(), encoding)
    (raw / f"{table}.parquet").unlink()


def _read_csv(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


def _append_csv(path: Path, changes: list[dict], template: int = 0) -> None:
    columns, rows = _read_csv(path)
    _write_csv(path, columns, rows + [rows[template] | change for change in changes])


def _drop_column(raw: Path, table: str, column: str) -> None:
    path = raw / f"{table}.parquet"
    if path.exists():
        data = _read(raw, table)
        _write(raw, table, data.drop_columns([column]))
        return
    path = path.with_suffix(".csv")
    columns, rows = _read_csv(path)
    _write_csv(path, [name for name in columns if name != column], rows)


# ---- A: one defect per copy --------------------------------------------------


def _stop_plants(other_ledger: Path) -> dict:
    """Case id -> function planting the case's defect in a copy of the extracts."""
    finance = "finance"

    def missing_file(raw):
        (raw / "tms_carriers.parquet").unlink()

    def no_extract_at_all(raw):
        shutil.rmtree(raw)
        raw.mkdir()

    def empty_file(raw):
        (raw / "erp_products.parquet").unlink()
        (raw / "erp_products.csv").write_bytes(b"")

    def header_only_required(raw):
        columns = _read(raw, "erp_sales_orders").column_names
        (raw / "erp_sales_orders.parquet").unlink()
        _write_csv(raw / "erp_sales_orders.csv", columns, [])

    def missing_column(raw):
        _drop_column(raw, "tms_shipments", "freight_cost")

    def missing_column_finance(raw):
        _drop_column(raw / finance, "cost_to_serve_budget", "budget_amount")

    def non_utf8_bytes(raw):
        # header on line 1, CAR01 on line 2: the third carrier is on line 4
        data = _read(raw, "tms_carriers")
        names = data.column("carrier_name").to_pylist()
        names[2] = LATIN1_NAME
        data = data.set_column(data.schema.get_field_index("carrier_name"), "carrier_name", pa.array(names))
        _to_csv(raw, "tms_carriers", data, encoding="latin-1")

    def gl_missing(raw):
        (raw / finance / "general_ledger.csv").unlink()

    def gl_of_another_data_set(raw):
        shutil.copy2(other_ledger, raw / finance / "general_ledger.csv")

    def gl_unmapped_account(raw):
        _append_csv(raw / finance / "general_ledger.csv", [{"gl_account": "7777"}])

    def gl_cost_center_not_a_dc(raw):
        _append_csv(raw / finance / "general_ledger.csv", [{"gl_account": "6150", "cost_center": "DC99"}])

    def gl_month_without_orders(raw):
        _append_csv(raw / finance / "general_ledger.csv", [{"posting_month": "2026-12-01"}])

    def budget_unknown_cost_pool(raw):
        _append_csv(raw / finance / "cost_to_serve_budget.csv", [{"cost_pool": "marketing"}])

    def corrupt_parquet(raw):
        (raw / "tms_carriers.parquet").write_text("carrier_id,carrier_name\nCAR01,SwiftParcel\n")

    def ragged_csv_row(raw):
        _to_csv(raw, "tms_carriers")
        lines = (raw / "tms_carriers.csv").read_text().splitlines()
        lines.insert(4, "HXK09,Ragged Carrier,ltl,false,surplus")
        (raw / "tms_carriers.csv").write_text("\n".join(lines) + "\n")

    def ragged_csv_row_beyond_the_sample(raw):
        data = _read(raw, "tms_shipments")
        rows = data.to_pylist() * 21
        columns = data.column_names
        rows.insert(25000, {column: "x" for column in columns} | {"extra": "x"})
        with open(raw / "tms_shipments.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow([_csv_value(row[column]) for column in columns] + (["x"] if "extra" in row else []))
        (raw / "tms_shipments.parquet").unlink()

    def gl_amount_beyond_decimal(raw):
        _append_csv(
            raw / finance / "general_ledger.csv",
            [{"posting_month": "2026-05-01", "gl_account": "6400", "cost_center": "DC01", "amount": "1e20"}],
        )

    return {name: function for name, function in locals().items() if callable(function)}


# ---- B, C and D: every planted row in one data set ---------------------------


def plant_all(raw: Path) -> None:
    """Plant every B, C and D case (comments name them) in the extracts."""
    # erp_customers (Parquet): all_null_parquet_column, null_key_parquet,
    # ancient_date, unknown_enum
    customers = _read(raw, "erp_customers")
    customers = customers.set_column(
        customers.schema.get_field_index("parent_customer_id"), "parent_customer_id", pa.nulls(customers.num_rows)
    )
    customers = _with_rows(
        customers,
        0,
        [
            {"customer_id": None, "customer_name": "HX customer without id"},
            {"customer_id": "HXC01", "created_at": dt.datetime(1965, 3, 1)},
            {"customer_id": "HXC02", "channel": "Telepathy"},
        ],
    )
    _write(raw, "erp_customers", customers)

    # erp_products (Parquet): extra_column, parquet_number_as_text_good and
    # _bad, absurd_weight
    products = _with_rows(
        _read(raw, "erp_products"),
        0,
        [
            {"sku_id": "HXP01"},
            {"sku_id": "HXP02", "unit_weight_kg": 5e6},
        ],
    )
    products = _as_text(products, "unit_cost", repr)
    costs = products.column("unit_cost").to_pylist()
    costs[-2] = "n/a"
    products = products.set_column(
        products.schema.get_field_index("unit_cost"), "unit_cost", pa.array(costs, pa.string())
    )
    products = products.append_column("legacy_note", pa.array(["HX"] * products.num_rows))
    _write(raw, "erp_products", products)

    # erp_sales_orders (Parquet): future_date, order_of_unknown_customer,
    # conflicting_duplicate; HXO10 is a clean order for the planted lines
    orders = _read(raw, "erp_sales_orders")
    orders = _with_rows(
        orders,
        0,
        [
            {"order_id": "HXO01", "order_ts": dt.datetime(2099, 1, 1, 8)},
            {"order_id": "HXO02", "customer_id": "CX404"},
            {"order_id": "HXO03", "priority": "standard"},
            {"order_id": "HXO03", "priority": "expedited"},
            {"order_id": "HXO10"},
        ],
    )
    _write(raw, "erp_sales_orders", orders)

    # erp_sales_order_lines (CSV): text_in_number_csv, absurd_quantity,
    # negative_quantity, exact_duplicate_line, impossible_timestamp,
    # line_of_unknown_order, line_of_quarantined_order
    lines = _with_rows(
        _read(raw, "erp_sales_order_lines"),
        0,
        [
            {"order_id": "HXO10", "line_number": 1},
            {"order_id": "HXO10", "line_number": 2, "quantity_ordered": 10**12, "quantity_shipped": 0},
            {"order_id": "HXO10", "line_number": 3, "quantity_ordered": -5, "quantity_shipped": -5},
            {"order_id": "HXO10", "line_number": 4},
            {"order_id": "HXO10", "line_number": 4},
            {"order_id": "HXO10", "line_number": 5},
            {"order_id": "HXO10", "line_number": 6},
            {"order_id": "HXO10", "line_number": 7},
            {"order_id": "HXO404", "line_number": 1},
            {"order_id": "HXO01", "line_number": 1},
        ],
    )
    rows = lines.to_pylist()
    for row in rows:
        if (row["order_id"], row["line_number"]) == ("HXO10", 1):
            row["quantity_ordered"] = "twelve"
        if (row["order_id"], row["line_number"]) == ("HXO10", 5):
            row["updated_at"] = "2026-02-30 25:61:00"
        if (row["order_id"], row["line_number"]) == ("HXO10", 7):
            row["line_number"] = "7.5"
    _write_csv(raw / "erp_sales_order_lines.csv", lines.column_names, rows)
    (raw / "erp_sales_order_lines.parquet").unlink()

    # erp_purchase_receipts (Parquet): parquet_integer_as_text, negative_receipt
    receipts = _with_rows(
        _read(raw, "erp_purchase_receipts"),
        0,
        [
            {"receipt_id": "HXR01", "quantity_received": -10},
        ],
    )
    po_ids = [None if value is None else int(value[2:]) for value in receipts.column("po_id").to_pylist()]
    receipts = receipts.set_column(receipts.schema.get_field_index("po_id"), "po_id", pa.array(po_ids, pa.int64()))
    _write(raw, "erp_purchase_receipts", receipts)

    # erp_invoices (Parquet): absurd_invoice_amount, on the clean order HXO10
    order_customer = orders.slice(0, 1).to_pylist()[0]["customer_id"]
    _write(
        raw,
        "erp_invoices",
        _with_rows(
            _read(raw, "erp_invoices"),
            0,
            [
                {"invoice_id": "HXI01", "order_id": "HXO10", "customer_id": order_customer, "invoice_amount": 5e8},
            ],
        ),
    )

    # erp_returns: header_only_may_be_empty
    columns = _read(raw, "erp_returns").column_names
    (raw / "erp_returns.parquet").unlink()
    _write_csv(raw / "erp_returns.csv", columns, [])

    # wms_distribution_centers (CSV): invalid_boolean
    centers = _read(raw, "wms_distribution_centers")
    rows = centers.to_pylist() + [
        centers.slice(0, 1).to_pylist()[0] | {"dc_id": "HXD01", "is_temperature_controlled": "perhaps"}
    ]
    _write_csv(raw / "wms_distribution_centers.csv", centers.column_names, rows)
    (raw / "wms_distribution_centers.parquet").unlink()

    # wms_inventory_snapshots (Parquet): null_key_part
    _write(
        raw,
        "wms_inventory_snapshots",
        _with_rows(
            _read(raw, "wms_inventory_snapshots"),
            0,
            [
                {"snapshot_date": dt.date(2026, 6, 1), "dc_id": "DC01", "sku_id": None},
            ],
        ),
    )

    # wms_activities (Parquet): parquet_timestamp_as_text_good and _bad,
    # activity_at_unknown_dc, exact_duplicate_activity
    activities = _with_rows(
        _read(raw, "wms_activities"),
        0,
        [
            {
                "activity_id": "HXA01",
                "dc_id": "DC99",
                "order_id": None,
                "line_number": None,
                "activity_type": "cycle_count",
            },
            {"activity_id": "HXA02"},
            {"activity_id": "HXA03"},
            {"activity_id": "HXA03"},
        ],
    )
    activities = _as_text(activities, "activity_ts", lambda value: value.strftime("%Y-%m-%d %H:%M:%S"))
    stamps = activities.column("activity_ts").to_pylist()
    stamps[-3] = "last tuesday"
    activities = activities.set_column(
        activities.schema.get_field_index("activity_ts"), "activity_ts", pa.array(stamps, pa.string())
    )
    _write(raw, "wms_activities", activities)

    # tms_carriers (CSV in latin-1): latin1_with_extract_encoding,
    # quoted_delimiter_and_newline, unknown_mode
    carriers = _with_rows(
        _read(raw, "tms_carriers"),
        0,
        [
            {"carrier_id": "HXK01", "carrier_name": LATIN1_NAME},
            {"carrier_id": "HXK02", "carrier_name": QUOTED_NAME},
            {"carrier_id": "HXK03", "mode": "Teleport"},
        ],
    )
    _to_csv(raw, "tms_carriers", carriers, encoding="latin-1")

    # tms_shipments (Parquet): shipment_of_unknown_order, negative_freight
    _write(
        raw,
        "tms_shipments",
        _with_rows(
            _read(raw, "tms_shipments"),
            0,
            [
                {"shipment_id": "HXS01", "order_id": "HXO404"},
                {"shipment_id": "HXS02", "order_id": "HXO10", "freight_cost": -12.5},
            ],
        ),
    )

    # crm_accounts (Parquet): account_of_unknown_customer
    _write(
        raw,
        "crm_accounts",
        _with_rows(
            _read(raw, "crm_accounts"),
            0,
            [
                {"customer_id": "HXC404"},
            ],
        ),
    )

    # crm_demand_forecasts (Parquet): forecast_of_unknown_sku
    _write(
        raw,
        "crm_demand_forecasts",
        _with_rows(
            _read(raw, "crm_demand_forecasts"),
            0,
            [
                {"forecast_month": dt.date(2026, 6, 1), "sku_id": "SKU404", "dc_id": "DC01"},
            ],
        ),
    )

    # finance (CSV): gl_unparseable_amount, gl_second_row_of_a_key,
    # budget_unparseable_amount
    ledger = raw / "finance" / "general_ledger.csv"
    _, rows = _read_csv(ledger)
    twin = next(
        index
        for index, row in enumerate(rows)
        if (row["posting_month"], row["gl_account"], row["cost_center"]) == ("2026-06-01", "6100", "DC01")
    )
    _append_csv(
        ledger,
        [
            {"posting_month": "2026-05-01", "gl_account": "6400", "cost_center": "DC01", "amount": "twelve"},
        ],
    )
    _append_csv(ledger, [{"amount": str(float(rows[twin]["amount"]) + 100)}], template=twin)
    _append_csv(
        raw / "finance" / "cost_to_serve_budget.csv",
        [
            {
                "budget_month": "2026-05-01",
                "cost_pool": "order_administration",
                "cost_center": "DC01",
                "budget_amount": "tbd",
            },
        ],
    )


def shuffle_orders(raw: Path) -> None:
    """The same orders in another order: the copies of HXO03 swapped, the rest shuffled."""
    orders = _read(raw, "erp_sales_orders")
    rows = orders.to_pylist()
    copies = [index for index, row in enumerate(rows) if row["order_id"] == "HXO03"]
    first, second = copies
    rows[first], rows[second] = rows[second], rows[first]
    others = [row for row in rows if row["order_id"] != "HXO03"]
    random.Random(11).shuffle(others)
    swapped = [rows[first], rows[second]]
    reordered = others[:100] + swapped[:1] + others[100:600] + swapped[1:] + others[600:]
    _write(raw, "erp_sales_orders", pa.Table.from_pylist(reordered, schema=orders.schema))


# ---- fixtures ----------------------------------------------------------------


def _output(result) -> str:
    return (result.stdout or "") + (result.stderr or "")


def _fail_message(result) -> str:
    return (result.stdout or "")[-6000:] + (result.stderr or "")[-2000:]


def _repoint(link: Path, target: Path) -> None:
    """Point the symlink raw_path at ``target`` (vars unchanged: no re-parse)."""
    temporary = link.with_name(link.name + ".new")
    if temporary.is_symlink():
        temporary.unlink()
    temporary.symlink_to(target, target_is_directory=True)
    os.replace(temporary, link)


@pytest.fixture(scope="module")
def extracts(tmp_path_factory):
    """The clean tiny extracts (defect rate 0), and the ledger of another data set."""
    base = tmp_path_factory.mktemp("hostile_extracts")
    generate(scale="tiny", seed=7, out=base / "clean", fmt="parquet", defect_rate=0.0, truth_out=base / "truth")
    generate(
        scale="tiny",
        seed=7,
        out=base / "other",
        fmt="parquet",
        defect_rate=0.0,
        truth_out=base / "other_truth",
        end_month="2023-06",
    )
    return base / "clean", base / "other" / "finance" / "general_ledger.csv"


@dataclass
class StopRunner:
    """Runs each stop case on its own copy of the clean extracts."""

    project: Project
    clean: Path
    link: Path
    cases: Path
    plants: dict

    def prepare(self, case_id: str) -> None:
        folder = self.cases / case_id
        if not folder.exists():
            shutil.copytree(self.clean, folder)
            self.plants[case_id](folder)
        _repoint(self.link, folder)

    def run(self, case_id: str, *args: str):
        self.prepare(case_id)
        return self.project.dbt(*(args or ("run-operation", "register_raw_extracts")), raw=self.link)


@pytest.fixture(scope="module")
def stop_runner(tmp_path_factory, extracts):
    clean, other_ledger = extracts
    base = tmp_path_factory.mktemp("hostile_stop")
    project = Project(root=copy_project(base / "project"), raw=clean, truth=base, warehouse=base / "warehouse.duckdb")
    return StopRunner(project, clean, base / "raw", base / "cases", _stop_plants(other_ledger))


@dataclass
class PlantedBuild:
    """The planted build and the runs after it; query() reads its warehouse."""

    result: object
    run_results: dict
    finance_result: object
    finance_results: dict
    warehouse: Path
    raw: Path
    winner_before_shuffle: tuple
    winner_after_shuffle: tuple
    shuffle_result: object

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def exceptions(self, table: str, key: str) -> list[tuple]:
        return self.query(
            "select rule, action, detail from quality.data_quality_exceptions"
            " where source_table = ? and record_key = ? order by rule, action",
            [table, key],
        )

    def staged_count(self, table: str, key: str) -> int:
        model, columns = STAGING[table]
        text_key = " || '|' || ".join(f"coalesce(cast({column} as varchar), '')" for column in columns)
        return self.query(f"select count(*) from staging.{model} where {text_key} = ?", [key])[0][0]


def _run_results(project: Project) -> dict:
    """Node name -> status of the last dbt run in the project."""
    results = json.loads((project.root / "target" / "run_results.json").read_text())["results"]
    return {result["unique_id"].split(".")[2]: result["status"] for result in results}


def _conflict_winner(warehouse: Path) -> tuple:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "select priority, dq_key_version, dq_warn__conflicting_duplicate is not null"
            " from staging.base_erp__sales_orders where order_id = 'HXO03'"
            " order by dq_key_version"
        ).fetchall()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def planted(tmp_path_factory, extracts):
    """One build of every B, C and D case; then the orders shuffled and rebuilt."""
    clean, _ = extracts
    base = tmp_path_factory.mktemp("hostile_planted")
    planted_raw = base / "planted"
    shutil.copytree(clean, planted_raw)
    plant_all(planted_raw)
    shuffled_raw = base / "shuffled"
    shutil.copytree(planted_raw, shuffled_raw)
    shuffle_orders(shuffled_raw)
    link = base / "raw"
    _repoint(link, planted_raw)
    project = Project(root=copy_project(base / "project"), raw=link, truth=base, warehouse=base / "warehouse.duckdb")
    # a failed test skips what is built on the model it tests, so the test of
    # the C cases runs on its own, after the build
    result = project.dbt(
        "build",
        "--select",
        "+data_quality_row_counts",
        "+assert_every_raw_row_is_accounted_for",
        "--exclude",
        "assert_finance_extracts_fully_staged",
        "--indirect-selection",
        "cautious",
        "--exclude-resource-type",
        "unit_test",
        extra_vars=PLANTED_VARS,
    )
    run_results = _run_results(project)
    finance = project.dbt("test", "--select", "assert_finance_extracts_fully_staged", extra_vars=PLANTED_VARS)
    finance_results = _run_results(project)
    before = _conflict_winner(project.warehouse)
    # the same orders in another row order, same vars: base_erp__sales_orders again
    _repoint(link, shuffled_raw)
    shuffle = project.dbt("run", "--select", "base_erp__sales_orders", "--full-refresh", extra_vars=PLANTED_VARS)
    after = _conflict_winner(project.warehouse)
    return PlantedBuild(
        result, run_results, finance, finance_results, project.warehouse, planted_raw, before, after, shuffle
    )


# ---- the checks ----------------------------------------------------------------


def _check_stop(stop_runner, case: Case) -> None:
    result = stop_runner.run(case.id)
    output = _output(result)
    assert result.returncode != 0, _fail_message(result)
    assert "Input contract violated" in output, _fail_message(result)
    problems = [line.strip() for line in output.splitlines() if line.strip().startswith("- ")]
    assert any(case.expected in line for line in problems), _fail_message(result)
    assert any(case.table in line for line in problems if case.expected in line), _fail_message(result)
    if case.absent:
        assert case.absent not in output, _fail_message(result)


def _check_finance_alone(stop_runner, case: Case) -> None:
    """A C case that cannot share the planted build: the ledger's own build fails at the finance test."""
    result = stop_runner.run(
        case.id,
        "build",
        "--select",
        "+data_quality_exceptions",
        "assert_finance_extracts_fully_staged",
        "--indirect-selection",
        "empty",
    )
    statuses = _run_results(stop_runner.project)
    assert result.returncode != 0
    failed = {name: status for name, status in statuses.items() if status not in ("success", "pass")}
    assert failed == {"assert_finance_extracts_fully_staged": "fail"}, (failed, _fail_message(result))
    printed = [
        line
        for line in _output(result).splitlines()
        if f"record_key={case.key}," in line and f"rule={case.expected}," in line
    ]
    assert printed and case.detail in printed[0], _fail_message(result)


def _check_exception(build: PlantedBuild, case: Case) -> None:
    """The planted row's exception, and where the row went."""
    found = build.exceptions(case.table, case.key)
    matching = [row for row in found if row[0] == case.expected and row[1] == case.action]
    assert matching, (case.id, found)
    if case.detail:
        assert any(case.detail in (row[2] or "") for row in matching), (case.id, found)
    if case.expected == "missing_key":
        return
    staged = build.staged_count(case.table, case.key)
    if case.action == "quarantined":
        assert staged == 0, (case.id, "a quarantined row reached staging")
    else:
        assert staged == 1, (case.id, staged)
    if case.staged:
        column, value = case.staged
        model, columns = STAGING[case.table]
        assert build.query(f"select {column} from staging.{model} where {columns[0]} = ?", [case.key]) == [(value,)]


def _check_balanced(build: PlantedBuild, table: str) -> None:
    """Every raw row of the table is staged, quarantined or deduplicated."""
    assert build.run_results.get("assert_every_raw_row_is_accounted_for") == "pass", build.run_results
    balanced = build.query("select is_balanced from quality.data_quality_row_counts where source_table = ?", [table])
    assert balanced == [(True,)], (table, balanced)


def _check_build_passed(build: PlantedBuild) -> None:
    """Every node of the planted build ran and passed."""
    assert build.result.returncode == 0, _fail_message(build.result)
    failed = {name: status for name, status in build.run_results.items() if status not in ("success", "pass")}
    assert not failed, failed


def _check_c(build: PlantedBuild, case: Case) -> None:
    """The finance test fails on the row, and its output names it."""
    assert build.finance_result.returncode != 0
    assert build.finance_results.get("assert_finance_extracts_fully_staged") == "fail", build.finance_results
    output = _output(build.finance_result)
    assert "FAIL assert_finance_extracts_fully_staged" in output, _fail_message(build.finance_result)
    printed = [
        line for line in output.splitlines() if f"record_key={case.key}," in line and f"rule={case.expected}," in line
    ]
    assert printed, _fail_message(build.finance_result)
    if case.detail:
        assert any(case.detail in line for line in printed), printed
    stored = build.query(
        "select count(*) from dbt_test__audit.assert_finance_extracts_fully_staged"
        " where source_table = ? and record_key = ? and rule = ?",
        [case.table, case.key, case.expected],
    )
    assert stored == [(1,)], stored


def _check_builds(build: PlantedBuild, case: Case) -> None:
    q = build.query
    if case.id == "extra_column":
        columns = [row[0] for row in q("describe raw.erp_products")]
        assert "legacy_note" not in columns and "handling_class" in columns, columns
        assert q("select count(*) from staging.stg_erp__products where sku_id = 'SKU00001'") == [(1,)]
    elif case.id == "parquet_number_as_text_good":
        expected = pq.read_table(build.raw / "erp_products.parquet").to_pylist()[0]
        assert q("select unit_cost from staging.stg_erp__products where sku_id = ?", [expected["sku_id"]]) == [
            (float(expected["unit_cost"]),)
        ]
        assert q(
            "select count(*) from quality.data_quality_exceptions"
            " where source_table = 'erp_products' and rule = 'invalid_number'"
        ) == [(1,)]
    elif case.id == "all_null_parquet_column":
        assert q(
            "select count(*), count(parent_customer_id) from staging.stg_erp__customers where customer_id like 'C%'"
        ) == [(60, 0)]
        assert q(
            "select count(*) from quality.data_quality_exceptions"
            " where source_table = 'erp_customers' and record_key like 'C0%'"
        ) == [(0,)]
    elif case.id == "parquet_integer_as_text":
        assert q("select po_id from staging.stg_erp__purchase_receipts where receipt_id = 'RCV000001'") == [("12",)]
    elif case.id == "parquet_timestamp_as_text_good":
        raw_rows = pq.read_table(build.raw / "wms_activities.parquet").num_rows
        assert q("select count(*) from staging.stg_wms__activities") == [(raw_rows - 3,)]
        assert q("select activity_ts from staging.stg_wms__activities where activity_id = 'ACT00000001'") == [
            (dt.datetime(2026, 5, 1, 9, 32, 20),)
        ]
        assert q(
            "select count(*) from quality.data_quality_exceptions"
            " where source_table = 'wms_activities' and rule = 'invalid_date'"
        ) == [(1,)]
    elif case.id == "latin1_with_extract_encoding":
        assert q("select carrier_name from staging.stg_tms__carriers where carrier_id = 'HXK01'") == [(LATIN1_NAME,)]
    elif case.id == "quoted_delimiter_and_newline":
        assert q("select carrier_name from staging.stg_tms__carriers where carrier_id = 'HXK02'") == [(QUOTED_NAME,)]
        assert q("select count(*) from staging.stg_tms__carriers") == [(11,)]
    elif case.id == "header_only_may_be_empty":
        output = _output(build.result)
        assert re.search(r"Warning: raw extract erp_returns \(\S+erp_returns\.csv\) is header only", output), (
            _fail_message(build.result)
        )
        assert q("select count(*) from staging.stg_erp__returns") == [(0,)]
        assert q(
            "select raw_rows, is_balanced from quality.data_quality_row_counts where source_table = 'erp_returns'"
        ) == [(0, True)]
    else:
        raise AssertionError(f"no check for D case {case.id}")


def _params():
    for case in CASES:
        marks = [pytest.mark.xfail(reason=case.bug, strict=True)] if case.bug else []
        yield pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", list(_params()))
def test_hostile_input(case: Case, request):
    if case.outcome == "A":
        _check_stop(request.getfixturevalue("stop_runner"), case)
        return
    if case.id in SEPARATE_BUILDS:
        _check_finance_alone(request.getfixturevalue("stop_runner"), case)
        return
    build = request.getfixturevalue("planted")
    _check_build_passed(build)
    if case.outcome == "C":
        _check_c(build, case)
        _check_exception(build, case)
    elif case.outcome == "D":
        _check_builds(build, case)
    else:
        _check_exception(build, case)
    _check_balanced(build, case.table)
    if case.id == "conflicting_duplicate":
        assert build.shuffle_result.returncode == 0, _fail_message(build.shuffle_result)
        priority, version, flagged = build.winner_before_shuffle
        assert (version, flagged) == (1, True)
        assert build.winner_after_shuffle == build.winner_before_shuffle
        assert build.query("select priority from staging.stg_erp__sales_orders where order_id = 'HXO03'") == [
            (priority,)
        ]


def test_stop_in_a_build_is_the_run_operation_message(stop_runner):
    """`dbt build` stops in the on-run-start hook, with the message of the run-operation, before any model."""
    operation = stop_runner.run("missing_column")
    build = stop_runner.run("missing_column", "build")
    assert build.returncode != 0
    problem = [
        line.strip() for line in _output(operation).splitlines() if "is missing required column freight_cost" in line
    ]
    assert problem, _fail_message(operation)
    assert problem[0] in [line.strip() for line in _output(build).splitlines()], _fail_message(build)
    assert "on-run-start" in _output(build)
    assert not re.search(r"START sql \w+ model", build.stdout), _fail_message(build)


def test_a_quote_in_the_raw_path(stop_runner, tmp_path):
    """An extract folder named O'Brien reads as a path, in the hook and in the raw views."""
    folder = tmp_path / "o'brien" / "raw"
    shutil.copytree(stop_runner.clean, folder)
    hook = stop_runner.project.dbt("run-operation", "register_raw_extracts", raw=folder)
    assert hook.returncode == 0, _fail_message(hook)
    model = stop_runner.project.dbt("run", "--select", "base_tms__carriers", raw=folder)
    assert model.returncode == 0, _fail_message(model)
    con = duckdb.connect(str(stop_runner.project.warehouse), read_only=True)
    try:
        rows = con.execute("select count(*) from staging.base_tms__carriers").fetchone()[0]
    finally:
        con.close()
    assert rows == pq.read_table(folder / "tms_carriers.parquet").num_rows


def test_readme_table_lists_every_case():
    """The README table of hostile inputs and CASES name the same cases, tables and outcomes."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Hostile input: what happens to bad extracts", 1)
    assert len(section) == 2, "README has no section 'Hostile input: what happens to bad extracts'"
    body = section[1].split("\n## ", 1)[0]
    rows = []
    for line in body.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 3 and cells[0].startswith("`"):
            rows.append((cells[0].strip("`"), cells[1].strip("`"), cells[2]))
    expected = [(case.id, case.table, OUTCOMES[case.outcome]) for case in CASES]
    assert rows == expected
