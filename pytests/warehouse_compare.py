"""Compare the marts of two built warehouses row for row.

Used by the refresh test (a warehouse refreshed in place must hold exactly
the marts a full build on the same extracts holds) and the Spark test (the
tables Spark builds must be the ones DuckDB builds). Rows are matched on the
mart's grain (its unique or unique_combination test); every column is then
compared exactly except doubles, which may differ by ``RELATIVE_TOLERANCE``
(a sum of doubles depends on the order the engine adds them in). Columns that
record when the build ran (``RUN_TIME_COLUMNS``) are left out.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

RELATIVE_TOLERANCE = 1e-9
RUN_TIME_COLUMNS = {"detected_at"}


def mart_relations(manifest_path: Path, folders: tuple[str, ...] = ("marts",)) -> dict[tuple[str, str], list[str]]:
    """(schema, table) -> grain columns of every model under models/<folder>/
    (by default the marts: the output contract); the grain is empty when no
    key test declares it.

    Left out: the logs of the builds themselves (models never rebuilt,
    full_refresh false: segment_decision_log, segment_feature_bins) and the
    models that read them (segment_feature_drift compares a build with the
    one before), which differ between two warehouses by their build
    histories, not by their data."""
    manifest = json.loads(manifest_path.read_text())
    build_logs = {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node.get("config", {}).get("full_refresh") is False
    }
    history_readers = build_logs | {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and set(node["depends_on"]["nodes"]) & build_logs
    }
    relations: dict[tuple[str, str], list[str]] = {}
    grains: dict[str, list[str]] = {}
    for node in manifest["nodes"].values():
        metadata = node.get("test_metadata") or {}
        if node["resource_type"] != "test" or metadata.get("name") not in ("unique", "unique_combination"):
            continue
        if node.get("config", {}).get("where"):
            continue
        kwargs = metadata["kwargs"]
        columns = [kwargs["column_name"]] if metadata["name"] == "unique" else list(kwargs["columns"])
        for parent in node["depends_on"]["nodes"]:
            if parent not in grains or len(columns) < len(grains[parent]):
                grains[parent] = columns
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] != "model" or unique_id in history_readers:
            continue
        path = node["original_file_path"].replace("\\", "/")
        if any(f"/{folder}/" in f"/{path}" for folder in folders):
            relations[(node["schema"], node["alias"])] = grains.get(unique_id, [])
    return dict(sorted(relations.items()))


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str) -> list[tuple[str, str]]:
    return [
        (name, data_type)
        for name, data_type in con.execute(
            "select column_name, data_type from information_schema.columns"
            " where table_catalog = ? and table_schema = ? and table_name = ? order by ordinal_position",
            [catalog, schema, table],
        ).fetchall()
        if name not in RUN_TIME_COLUMNS
    ]


def _differing_rows(con, schema: str, table: str, grain: list[str]) -> tuple[int, int, int]:
    """(rows, rows only or different in lhs, rows only or different in rhs)."""
    columns = _columns(con, "lhs", schema, table)
    if _columns(con, "rhs", schema, table) != columns:
        raise AssertionError(f"{schema}.{table}: the two warehouses have different columns")
    names = ", ".join(f'"{name}"' for name, _ in columns)
    lhs = f'lhs."{schema}"."{table}"'
    rhs = f'rhs."{schema}"."{table}"'
    rows = con.execute(f"select count(*) from {lhs}").fetchone()[0]
    if not grain:
        only_left = con.execute(
            f"select count(*) from (select {names} from {lhs} except all select {names} from {rhs})"
        ).fetchone()[0]
        only_right = con.execute(
            f"select count(*) from (select {names} from {rhs} except all select {names} from {lhs})"
        ).fetchone()[0]
        return rows, only_left, only_right
    if con.execute(f"select count(*) from {rhs}").fetchone()[0] != rows:
        # a duplicate on one side that equals its match would pass the join
        raise AssertionError(f"{schema}.{table}: the two warehouses have different row counts")
    join = " and ".join(f'l."{c}" is not distinct from r."{c}"' for c in grain)
    checks = []
    for name, data_type in columns:
        left, right = f'l."{name}"', f'r."{name}"'
        if data_type in ("DOUBLE", "FLOAT", "REAL"):
            checks.append(
                f"not ({left} is not distinct from {right} or abs({left} - {right})"
                f" <= {RELATIVE_TOLERANCE} * greatest(abs({left}), abs({right}), 1))"
            )
        else:
            checks.append(f"{left} is distinct from {right}")
    different = con.execute(
        f"select count(*) from {lhs} as l inner join {rhs} as r on {join} where {' or '.join(checks)}"
    ).fetchone()[0]
    only_left = con.execute(f"select count(*) from {lhs} as l anti join {rhs} as r on {join}").fetchone()[0]
    only_right = con.execute(f"select count(*) from {rhs} as r anti join {lhs} as l on {join}").fetchone()[0]
    return rows, only_left + different, only_right + different


def _compare(con: duckdb.DuckDBPyConnection, relations: dict[tuple[str, str], list[str]]) -> dict[str, dict]:
    differences: dict[str, dict] = {}
    for (schema, table), grain in relations.items():
        rows, only_left, only_right = _differing_rows(con, schema, table, grain)
        if only_left or only_right:
            differences[f"{schema}.{table}"] = {
                "rows": rows,
                "grain": grain,
                "only_left": only_left,
                "only_right": only_right,
            }
    return differences


def compare_marts(left: Path, right: Path, relations: dict[tuple[str, str], list[str]]) -> dict[str, dict]:
    """table -> {rows, only_left, only_right} for every relation that differs."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{left}' as lhs (read_only)")
        con.execute(f"attach '{right}' as rhs (read_only)")
        return _compare(con, relations)
    finally:
        con.close()


def compare_with_parquet_tables(
    left: Path, tables_root: Path, relations: dict[tuple[str, str], list[str]]
) -> dict[str, dict]:
    """compare_marts against tables written as Parquet by another engine.

    The right-hand table <schema>.<table> is the folder
    ``tables_root/<schema>.db/<table>`` (Spark's warehouse layout). It must
    have the same columns with the same types as the left-hand table
    (read with the time zone UTC); a table with other columns or
    types is reported under ``columns`` instead of being compared.
    """
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute(f"attach '{left}' as lhs (read_only)")
        con.execute("attach ':memory:' as rhs")
        comparable: dict[tuple[str, str], list[str]] = {}
        mismatched: dict[str, dict] = {}
        for (schema, table), grain in relations.items():
            columns = _columns(con, "lhs", schema, table)
            if not columns:
                raise AssertionError(f"{schema}.{table} is not in {left}")
            files = f"'{tables_root / f'{schema}.db' / table}/*.parquet'"
            right = [
                (name, data_type)
                for name, data_type, *_ in con.execute(f"describe select * from read_parquet({files})").fetchall()
                if name not in RUN_TIME_COLUMNS
            ]
            if right != columns:
                mismatched[f"{schema}.{table}"] = {"columns": {"left": columns, "right": right}}
                continue
            con.execute(f'create schema if not exists rhs."{schema}"')
            con.execute(f'create view rhs."{schema}"."{table}" as select * from read_parquet({files})')
            comparable[(schema, table)] = grain
        return mismatched | _compare(con, comparable)
    finally:
        con.close()
