"""Writing contract tables (Parquet or CSV), dbt seeds and truth files deterministically.

Files are written to a temporary name and renamed, so a reader never sees a
half-written file. Nothing time-dependent goes into any output.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from .contract import TABLES, Column

FORMATS = ("parquet", "csv")


def _arrow_column(series: pd.Series, col: Column, for_csv: bool) -> pa.Array:
    """Convert one contract column to Arrow; CSV doubles become fixed-point decimals."""
    if col.kind == "string":
        return pa.array(series, type=pa.string(), from_pandas=True)
    if col.kind == "date":
        return pa.array(series.to_numpy().astype("datetime64[D]"), type=pa.date32(), from_pandas=True)
    if col.kind == "timestamp":
        return pa.array(series.to_numpy().astype("datetime64[s]"), type=pa.timestamp("s"), from_pandas=True)
    if col.kind == "double":
        values = pa.array(series.to_numpy(dtype=float), type=pa.float64(), from_pandas=True)
        if for_csv:
            return values.cast(pa.decimal128(18, col.decimals), safe=False)
        return values
    if col.kind == "int64":
        return pa.array(series, type=pa.int64(), from_pandas=True)
    if col.kind == "bool":
        return pa.array(series, type=pa.bool_(), from_pandas=True)
    raise ValueError(f"unknown column kind {col.kind!r}")


def to_arrow(table: str, frame: pd.DataFrame, for_csv: bool = False) -> pa.Table:
    """Build the Arrow table of ``table`` with exactly the contract columns and types."""
    columns = TABLES[table]
    arrays = [_arrow_column(frame[c.name], c, for_csv) for c in columns]
    return pa.Table.from_arrays(arrays, names=[c.name for c in columns])


def write_csv(arrow: pa.Table, path: Path) -> None:
    """CSV: unquoted header, comma separated, NULL as an empty field, true/false booleans."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write((",".join(arrow.column_names) + "\n").encode("utf-8"))
        pa_csv.write_csv(arrow, handle, pa_csv.WriteOptions(include_header=False, quoting_style="none"))
    os.replace(tmp, path)


def write_table(table: str, frame: pd.DataFrame, out_dir: Path, fmt: str) -> Path:
    """Write one contract table as ``<out_dir>/<table>.<fmt>`` and return the path."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    path = out_dir / f"{table}.{fmt}"
    if fmt == "csv":
        write_csv(to_arrow(table, frame, for_csv=True), path)
    else:
        tmp = path.with_name(path.name + ".tmp")
        pq.write_table(to_arrow(table, frame), tmp, compression="zstd")
        os.replace(tmp, path)
    return path


def write_plain_csv(frame: pd.DataFrame, path: Path, money_columns: tuple[str, ...] = ()) -> Path:
    """Write a small frame (seed or truth file) as CSV; dates ISO, money with 2 decimals."""
    out = frame.copy()
    for name in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[name].dtype):
            out[name] = out[name].dt.strftime("%Y-%m-%d")
    for name in money_columns:
        out[name] = out[name].map(lambda v: f"{v:.2f}")
    tmp = path.with_name(path.name + ".tmp")
    out.to_csv(tmp, index=False, lineterminator="\n")
    os.replace(tmp, path)
    return path


def write_json(data: dict, path: Path) -> Path:
    """Write ``data`` as stable, pretty JSON."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path
