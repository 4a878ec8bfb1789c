"""``scw export-erp-parameters`` on a small hand-made warehouse: the layout
(column order, header, formats), rounding up, sorting, the fallbacks of
min/max and valid-from, the errors, and the atomic replacement of the file."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import duckdb
import pytest

from scw import erp_export
from scw.cli import main
from scw.erp_export import HEADER, ExportError, export_erp_parameters, format_rate, round_up_units

EXPECTED_HEADER = [
    "plant",
    "material",
    "policy_type",
    "reorder_point",
    "safety_stock",
    "lot_size",
    "min_stock",
    "max_stock",
    "service_level",
    "valid_from",
]


def _make_warehouse(path: Path, rows: str, extra_columns: bool = True) -> Path:
    """A DuckDB file with inventory.inventory_policies built from a VALUES list."""
    con = duckdb.connect(str(path))
    con.execute("create schema inventory")
    columns = (
        "sku_id, dc_id, segment, policy_type, service_level_target, reorder_point_units,"
        " safety_stock_units, order_quantity_units, min_units, max_units, as_of_date"
    )
    if not extra_columns:
        columns = (
            "sku_id, dc_id, segment, policy_type, service_level_target, reorder_point_units,"
            " safety_stock_units, order_quantity_units"
        )
    con.execute(f"create table inventory.inventory_policies as select * from (values {rows}) as t({columns})")
    con.close()
    return path


ROWS = """
    ('SKU2', 'DC02', 'AX', 'forward_stocking', 0.98, 120.2, 40.0000000001, 300.0, 121.0, 421.0, date '2026-10-31'),
    ('SKU1', 'DC02', 'BY', 'central_stocking', 0.95, 10.5, 3.01, 48.0, 11.0, 59.0, date '2026-10-31'),
    ('SKU3', 'DC01', 'CZ', 'make_to_order', null, 0.0, 0.0, 0.0, 0.0, 0.0, date '2026-10-31'),
    ('SKU1', 'DC01', 'AY', 'forward_stocking', 0.97654, 99.999999, 12.3, 250.4, 100.0, 351.0, date '2026-10-31')
"""


@pytest.fixture()
def warehouse(tmp_path) -> Path:
    return _make_warehouse(tmp_path / "wh.duckdb", ROWS)


def _read(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.reader(stream))


def test_layout_rounding_and_sorting(warehouse, tmp_path):
    out = tmp_path / "exports" / "erp_planning_parameters.csv"
    assert export_erp_parameters(warehouse, out) == 4
    rows = _read(out)
    assert rows[0] == EXPECTED_HEADER == HEADER
    assert rows[1:] == [
        # sorted by plant, then material
        ["DC01", "SKU1", "forward_stocking", "100", "13", "251", "100", "351", "0.9765", "2026-10-31"],
        ["DC01", "SKU3", "make_to_order", "0", "0", "0", "0", "0", "", "2026-10-31"],
        ["DC02", "SKU1", "central_stocking", "11", "4", "48", "11", "59", "0.9500", "2026-10-31"],
        ["DC02", "SKU2", "forward_stocking", "121", "40", "300", "121", "421", "0.9800", "2026-10-31"],
    ]
    raw = out.read_bytes()
    assert raw.startswith(b"plant,material,")  # no byte-order mark
    assert b"\r" not in raw and raw.endswith(b"\n")


def test_rounding_helpers():
    assert round_up_units(12.2) == "13"
    assert round_up_units(12.0) == "12"
    assert round_up_units(12.0000000001) == "12"  # float noise is not a unit
    assert round_up_units(99.999999) == "100"
    assert round_up_units(None) == "" and round_up_units(float("nan")) == ""
    assert format_rate(0.95) == "0.9500"
    assert format_rate(None) == ""


def test_min_max_and_valid_from_fallbacks(tmp_path):
    warehouse = _make_warehouse(
        tmp_path / "wh.duckdb",
        "('SKU1', 'DC01', 'AX', 'forward_stocking', 0.98, 10.2, 3.0, 20.0)",
        extra_columns=False,
    )
    out = tmp_path / "out.csv"
    with pytest.raises(ExportError, match="--valid-from"):
        export_erp_parameters(warehouse, out)
    assert not out.exists()
    export_erp_parameters(warehouse, out, valid_from="2026-11-01")
    # min = reorder point rounded up; max = min + lot size
    assert _read(out)[1] == ["DC01", "SKU1", "forward_stocking", "11", "3", "20", "11", "31", "0.9800", "2026-11-01"]


def test_file_is_replaced_atomically(warehouse, tmp_path, monkeypatch):
    out = tmp_path / "exports" / "erp_planning_parameters.csv"
    out.parent.mkdir()
    out.write_text("old content\n")
    os.chmod(out, 0o640)
    export_erp_parameters(warehouse, out)
    assert len(_read(out)) == 5
    assert oct(out.stat().st_mode & 0o777) == oct(0o640)  # the old file's mode is kept
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary file left

    # A failure while writing leaves the previous file untouched and no temporary file.
    previous = out.read_bytes()

    def failing_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(erp_export.os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="disk full"):
        export_erp_parameters(warehouse, out)
    assert out.read_bytes() == previous
    assert [p.name for p in out.parent.iterdir()] == [out.name]


def test_errors_are_clear(tmp_path):
    with pytest.raises(FileNotFoundError, match="make build"):
        export_erp_parameters(tmp_path / "absent.duckdb", tmp_path / "out.csv")
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(ExportError, match="no table inventory.inventory_policies"):
        export_erp_parameters(empty, tmp_path / "out.csv")
    duplicated = _make_warehouse(
        tmp_path / "dup.duckdb",
        "('SKU1', 'DC01', 'AX', 'forward_stocking', 0.98, 1.0, 1.0, 1.0, 1.0, 2.0, date '2026-10-31'),"
        "('SKU1', 'DC01', 'AX', 'forward_stocking', 0.98, 1.0, 1.0, 1.0, 1.0, 2.0, date '2026-10-31')",
    )
    with pytest.raises(ExportError, match="duplicate inventory policy for plant DC01, material SKU1"):
        export_erp_parameters(duplicated, tmp_path / "out.csv")


def test_reads_the_warehouse_read_only(warehouse, tmp_path):
    # Another process may hold a read-only connection (a BI tool): the export still runs.
    reader = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert export_erp_parameters(warehouse, tmp_path / "out.csv") == 4
    finally:
        reader.close()


def test_command_line(warehouse, tmp_path, capsys):
    out = tmp_path / "exports" / "erp_planning_parameters.csv"
    code = main(["export-erp-parameters", "--warehouse", str(warehouse), "--out", str(out)])
    assert code == 0
    assert "wrote 4 SKU x DC rows" in capsys.readouterr().out
    assert _read(out)[0] == EXPECTED_HEADER
    code = main(["export-erp-parameters", "--warehouse", str(tmp_path / "absent.duckdb"), "--out", str(out)])
    assert code == 1


# ---- the SAP and Oracle profiles ------------------------------------------


def test_sap_profile_maps_each_policy_type_to_its_mrp_fields(warehouse, tmp_path):
    out = tmp_path / "sap.csv"
    assert export_erp_parameters(warehouse, out, profile="sap") == 4
    rows = _read(out)
    assert rows[0] == ["WERKS", "MATNR", "DISMM", "MINBE", "EISBE", "DISLS", "BSTFE", "MABST", "LGRAD"]
    assert rows[1:] == [
        # reorder point planning with a fixed lot and the maximum of the (s, S) policy
        ["DC01", "SKU1", "VB", "100", "13", "FX", "251", "351", "97.7"],
        # make to order: MRP, lot for lot, no maximum or service level
        ["DC01", "SKU3", "PD", "0", "0", "EX", "", "", ""],
        ["DC02", "SKU1", "R1", "11", "4", "FX", "48", "59", "95.0"],
        ["DC02", "SKU2", "VB", "121", "40", "FX", "300", "421", "98.0"],
    ]


def test_oracle_profile_maps_each_policy_type_to_its_planning_attributes(warehouse, tmp_path):
    out = tmp_path / "oracle.csv"
    assert export_erp_parameters(warehouse, out, profile="oracle") == 4
    rows = _read(out)
    assert rows[0] == [
        "ORGANIZATION_CODE", "ITEM_NUMBER", "INVENTORY_PLANNING_CODE", "MIN_MINMAX_QUANTITY",
        "MAX_MINMAX_QUANTITY", "FIXED_ORDER_QUANTITY", "SAFETY_STOCK_QUANTITY", "EFFECTIVITY_DATE",
    ]  # fmt: skip
    assert rows[1:] == [
        ["DC01", "SKU1", "1", "", "", "251", "13", "2026-10-31"],
        ["DC01", "SKU3", "6", "", "", "", "0", "2026-10-31"],
        # min-max planning carries its minimum and maximum
        ["DC02", "SKU1", "2", "11", "59", "48", "4", "2026-10-31"],
        ["DC02", "SKU2", "1", "", "", "300", "40", "2026-10-31"],
    ]


@pytest.mark.parametrize("profile", ["sap", "oracle"])
def test_a_profile_refuses_a_policy_type_it_cannot_map_and_keeps_the_old_file(tmp_path, profile):
    good = _make_warehouse(tmp_path / "good.duckdb", ROWS)
    out = tmp_path / f"{profile}.csv"
    export_erp_parameters(good, out, profile=profile)
    before = out.read_bytes()
    odd = _make_warehouse(
        tmp_path / "odd.duckdb",
        "('SKU9', 'DC01', 'AX', 'vendor_managed', 0.9, 1.0, 1.0, 1.0, 1.0, 2.0, date '2026-10-31')",
    )
    with pytest.raises(ExportError, match=f"'vendor_managed'.*no {profile} mapping"):
        export_erp_parameters(odd, out, profile=profile)
    assert out.read_bytes() == before


def test_the_command_writes_a_profile_to_its_own_file(warehouse, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["export-erp-parameters", "--warehouse", str(warehouse), "--profile", "sap"]) == 0
    assert "(sap profile)" in capsys.readouterr().out
    assert _read(tmp_path / "exports" / "erp_planning_parameters_sap.csv")[0][0] == "WERKS"
