"""The stressed extracts of ``scw assess --stress`` (scw.stress), on hand-made files.

A demand spike scales exactly the recent order lines of the region's
customers and nothing else; a supplier disruption delays exactly the recent
receipts (of one supplier, or all) by its days; every other extract is
copied as it is, each file keeps its format and its columns' types, and a
value that does not parse is left for staging to quarantine. scw assess --stress,
its dbt runs recorded instead of run, rebuilds its copy on the stressed
extracts as of the build's as-of date.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from scw.stress import Stress, stress_extracts

#: the build's as-of date; the order O5 dated in 2099 (a defect) lies after it
AS_OF = dt.date(2026, 3, 31)


def _write(frame: pd.DataFrame, path) -> None:
    con = duckdb.connect()
    con.register("frame", frame)
    if path.suffix == ".csv":
        con.execute(f"copy frame to '{path}' (header true)")
    else:
        con.execute(f"copy frame to '{path}' (format parquet)")
    con.close()


def _read(path) -> pd.DataFrame:
    con = duckdb.connect()
    reader = f"read_csv('{path}', header = true, all_varchar = true)" if path.suffix == ".csv" else f"'{path}'"
    frame = con.execute(f"select * from {reader}").df()
    con.close()
    return frame


@pytest.fixture(params=["parquet", "csv"])
def raw(tmp_path, request):
    suffix = "." + request.param
    folder = tmp_path / "raw"
    (folder / "finance").mkdir(parents=True)
    text = request.param == "csv"
    _write(
        pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "region": ["north", "south", " North "]}),
        folder / f"erp_customers{suffix}",
    )
    _write(
        pd.DataFrame(
            {
                "order_id": ["O1", "O2", "O3", "O4", "O5"],
                "customer_id": ["C1", "C1", "C2", "C3", "C1"],
                "order_ts": pd.to_datetime(["2026-03-30", "2025-10-01", "2026-03-30", "2026-03-31", "2099-01-01"]),
            }
        ),
        folder / f"erp_sales_orders{suffix}",
    )
    lines = pd.DataFrame(
        {
            "order_id": ["O1", "O1", "O2", "O3", "O4", "O5"],
            "line_number": [1, 2, 1, 1, 1, 1],
            "quantity_ordered": ["10", "3", "10", "10", "abc", "4"] if text else [10.0, 3.0, 10.0, 10.0, 7.0, 4.0],
            "quantity_shipped": ["8", "3", "10", "10", "5", "4"] if text else [8.0, 3.0, 10.0, 10.0, 5.0, 4.0],
        }
    )
    _write(lines, folder / f"erp_sales_order_lines{suffix}")
    _write(
        pd.DataFrame(
            {
                "receipt_id": ["R1", "R2", "R3", "R4", "R5"],
                "supplier_id": ["S1", "S2", "S1", "S1", "S1"],
                "po_date": pd.to_datetime(["2026-03-01", "2026-02-01", "2024-12-01", "2026-01-10", "2099-01-01"]).date,
                "receipt_date": pd.to_datetime(["2026-03-11", "2026-02-15", "2024-12-20", None, "2099-01-05"]).date,
            }
        ),
        folder / f"erp_purchase_receipts{suffix}",
    )
    (folder / "finance" / "general_ledger.csv").write_text("posting_month,amount\n2026-03-01,1\n")
    return folder


def test_a_demand_spike_scales_the_regions_recent_lines(raw, tmp_path):
    out = tmp_path / "stressed"
    changed = stress_extracts(raw, out, Stress.parse("demand_spike:north:50"), AS_OF)
    suffix = next(raw.glob("erp_sales_order_lines.*")).suffix
    before = _read(raw / f"erp_sales_order_lines{suffix}")
    after = _read(out / f"erp_sales_order_lines{suffix}")
    # O1 (C1, north, recent) and O4 (C3, ' North ', recent) rise by half, rounded;
    # O2 (C1, older than 90 days), O3 (south) and O5 (after the as-of date) stay
    assert changed == {"erp_sales_order_lines": 3}
    expected_ordered = [15, 5, 10, 10, None]  # round(4.5) is 5 (half away from zero); 'abc' stays
    expected_shipped = [12, 5, 10, 10, 8]  # round(7.5) is 8
    if suffix == ".csv":
        assert after["quantity_ordered"].tolist() == ["15.0", "5.0", "10", "10", "abc", "4"]
        assert after["quantity_shipped"].tolist() == ["12.0", "5.0", "10", "10", "8.0", "4"]
    else:
        assert after["quantity_ordered"].tolist()[:4] == expected_ordered[:4]
        assert after["quantity_ordered"].tolist()[4:] == [11.0, 4.0]  # 7 x 1.5 = 10.5, rounded
        assert after["quantity_shipped"].tolist() == expected_shipped + [4.0]
        assert after.dtypes.equals(before.dtypes)
    assert after["order_id"].tolist() == before["order_id"].tolist()
    # the other extracts are copied as they are
    for name in ("erp_customers", "erp_sales_orders", "erp_purchase_receipts"):
        assert (out / f"{name}{suffix}").read_bytes() == (raw / f"{name}{suffix}").read_bytes()
    assert (out / "finance" / "general_ledger.csv").read_text() == (raw / "finance" / "general_ledger.csv").read_text()


def test_a_supplier_disruption_delays_the_recent_receipts(raw, tmp_path):
    suffix = next(raw.glob("erp_purchase_receipts.*")).suffix
    before = _read(raw / f"erp_purchase_receipts{suffix}")

    def receipt_dates(frame):
        return [None if pd.isna(value) else pd.Timestamp(value).date() for value in frame["receipt_date"]]

    out = tmp_path / "all"
    assert stress_extracts(raw, out, Stress.parse("supplier_disruption:7"), AS_OF) == {"erp_purchase_receipts": 2}
    after = _read(out / f"erp_purchase_receipts{suffix}")
    # R1 and R2 (PO in the 365 days to the as-of date) a week later; R3 (PO of 2024), R4 (not
    # received) and R5 (a PO after the as-of date) as they were
    assert receipt_dates(after) == [
        dt.date(2026, 3, 18),
        dt.date(2026, 2, 22),
        dt.date(2024, 12, 20),
        None,
        dt.date(2099, 1, 5),
    ]
    if suffix != ".csv":
        assert after.dtypes.equals(before.dtypes)

    out = tmp_path / "one"
    assert stress_extracts(raw, out, Stress.parse("supplier_disruption:7:S2"), AS_OF) == {"erp_purchase_receipts": 1}
    after = _read(out / f"erp_purchase_receipts{suffix}")
    assert receipt_dates(after) == [
        dt.date(2026, 3, 11),
        dt.date(2026, 2, 22),
        dt.date(2024, 12, 20),
        None,
        dt.date(2099, 1, 5),
    ]


@pytest.mark.parametrize(
    "text",
    ["demand_spike:north", "demand_spike:north:-100", "demand_spike:north:x", "supplier_disruption:0", "flood:3"],
)
def test_a_malformed_stress_says_what_it_expects(text):
    with pytest.raises(ValueError, match="expected demand_spike"):
        Stress.parse(text)


def test_assess_with_a_stress_rebuilds_the_copy_on_the_stressed_extracts(raw, tmp_path, monkeypatch):
    """scw assess --stress, its dbt runs recorded instead of run: the extracts are stressed as of the
    copy's as-of date, every model is rebuilt on them (--full-refresh), and the two sides are kept."""
    from scw import assess as assess_module

    warehouse = tmp_path / "current.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create schema intermediate")
    con.execute(f"create table intermediate.int_calendar__as_of_date as select date '{AS_OF}' as as_of_date")
    for table in assess_module.COMPARED.values():
        schema = table.split(".")[0]
        con.execute(f"create schema if not exists {schema}")
        con.execute(f"create table {table} as select 1 as side")
    con.close()
    calls = []

    def fake_dbt(project_dir, out, *args, dbt_vars):
        calls.append((args, dbt_vars))
        return 0

    monkeypatch.setattr(assess_module, "publish_problem", lambda path: None)
    monkeypatch.setattr(assess_module, "dbt", fake_dbt)
    monkeypatch.setattr(assess_module, "summary", lambda out: "")
    out = tmp_path / "assess" / "assessment.duckdb"
    code = assess_module.assess(
        tmp_path, warehouse, out, {}, raw_path=str(raw), stress=Stress.parse("supplier_disruption:7")
    )
    assert code == 0
    stressed = out.parent / "stressed_raw"
    suffix = next(raw.glob("erp_purchase_receipts.*")).suffix
    assert (stressed / f"erp_purchase_receipts{suffix}").read_bytes() != (
        raw / f"erp_purchase_receipts{suffix}"
    ).read_bytes()
    (rebuild_args, rebuild_vars), (impact_args, impact_vars) = calls
    assert "--full-refresh" in rebuild_args and "tag:periodic" not in rebuild_args
    assert rebuild_vars == {"raw_path": str(stressed.resolve())}
    assert impact_vars == {"raw_path": str(stressed.resolve()), "impact_assessment": True}
    assert "impact_assessment_service_changes" in impact_args
    con = duckdb.connect(str(out), read_only=True)
    kept = {row[0] for row in con.execute("select schema_name from duckdb_schemas()").fetchall()}
    con.close()
    assert {"assess_baseline", "assess_proposal"} <= kept
