"""Checks of extract files that SQL cannot make without failing.

The on-run-start hook (macros/sources/register_raw_extracts.sql) asks DuckDB
to describe each extract. A file that is not Parquet at all, or a CSV whose
rows do not have the header's number of fields, would stop the hook with
DuckDB's own error (or, worse, be sniffed as one column and reported as
missing every column). These two functions say what is wrong in the words
of the input contract. The project's dbt-duckdb plugin registers them as
the scalar functions ``scw_parquet_file_problem(path)``,
``scw_csv_read_problem(path, encoding)`` and
``scw_csv_field_count_problem(path, encoding)``; each returns NULL when the
file is fine.
"""

from __future__ import annotations

import codecs
import csv
import os
import re

MAGIC = b"PAR1"


def parquet_file_problem(path: str | None) -> str | None:
    """None if ``path`` is a readable Parquet file, else what is wrong with it."""
    if path is None or "://" in path:
        return None  # a remote file: the reader's own error stands
    path = os.path.expanduser(path)
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as handle:
            head = handle.read(4)
            if size >= 12:
                handle.seek(size - 8)
                tail = handle.read(8)
            else:
                tail = b""
    except OSError as error:
        return f"not readable: {error.strerror or error}"
    if size < 12 or head != MAGIC or tail[4:] != MAGIC:
        return (
            "not a Parquet file (it does not begin and end with the Parquet"
            " marker PAR1): write it as Parquet, or as <table>.csv"
        )
    footer = int.from_bytes(tail[:4], "little")
    if footer + 12 > size:
        return "a truncated Parquet file (its footer claims more bytes than the file holds): copy it again"
    try:
        import pyarrow.parquet as pq

        pq.read_metadata(path)
    except Exception as error:  # noqa: BLE001 - any reader error is the answer
        return f"an unreadable Parquet file ({type(error).__name__}: {error})"
    return None


def csv_field_count_problem(path: str | None, encoding: str | None = "utf-8") -> str | None:
    """None if every record of the CSV has the header's number of fields.

    Otherwise names the first record that does not, by the line it starts
    on (a quoted field may span lines) and its count of fields.
    """
    if path is None or "://" in path:
        return None
    path = os.path.expanduser(path)
    try:
        codecs.lookup(encoding or "utf-8")
    except LookupError:
        encoding = "utf-8"
    try:
        with open(path, newline="", encoding=encoding or "utf-8", errors="replace") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                return None
            line = reader.line_num + 1
            for record in reader:
                if record and len(record) != len(header):
                    return (
                        f"line {line} has {len(record)} fields where the header"
                        f" has {len(header)}: quote a field that holds a comma,"
                        " or remove the extra fields"
                    )
                line = reader.line_num + 1
    except (OSError, csv.Error) as error:
        return f"not readable as CSV: {error}"
    return None


_CSV_ERROR = re.compile(r"CSV Error on Line: (?P<line>\d+)")
_COLUMNS = re.compile(r"Expected Number of Columns: (?P<expected>\d+) Found: (?P<found>\d+)")


def csv_read_problem(path: str | None, encoding: str | None = "utf-8") -> str | None:
    """None if DuckDB reads every row of the CSV as the raw view will, else the row it stops at.

    The file is read whole, with the raw view's options (header row, every
    column as text, the encoding), by a DuckDB of its own, so that a row
    with too many or too few fields anywhere in the file (DuckDB's sniffer
    looks at a sample only) is named here and not by a failing model.
    """
    if path is None:
        return None
    import duckdb

    escaped = path.replace("'", "''")
    chosen = (encoding or "utf-8").replace("'", "''")
    try:
        with duckdb.connect() as con:
            con.execute(
                f"select count(*) from read_csv('{escaped}', header = true, all_varchar = true, encoding = '{chosen}')"
            ).fetchall()
    except duckdb.Error as error:
        text = str(error)
        line = _CSV_ERROR.search(text)
        columns = _COLUMNS.search(text)
        if line and columns:
            return (
                f"line {line['line']} has {columns['found']} fields where the header has"
                f" {columns['expected']}: quote a field that holds a comma, or remove the extra fields"
            )
        first = next((part.strip() for part in text.splitlines() if part.strip()), type(error).__name__)
        return f"not readable as CSV ({first})"
    return None
