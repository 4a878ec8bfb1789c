"""The file checks the on-run-start hook calls through the dbt-duckdb plugin."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from scw.extract_files import csv_field_count_problem, csv_read_problem, parquet_file_problem


def test_a_parquet_file_is_fine(tmp_path):
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"a": [1, 2]}), path)
    assert parquet_file_problem(str(path)) is None


def test_text_in_a_parquet_file_is_named(tmp_path):
    path = tmp_path / "t.parquet"
    path.write_text("carrier_id,carrier_name\nCAR01,Swift\n")
    assert parquet_file_problem(str(path)).startswith("not a Parquet file")


def test_a_truncated_parquet_file_is_named(tmp_path):
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"a": list(range(1000))}), path)
    data = path.read_bytes()
    # the first half and the end marker: a copy cut short, PAR1 glued on
    path.write_bytes(data[: len(data) // 2] + data[-8:])
    problem = parquet_file_problem(str(path))
    assert problem is not None and "Parquet file" in problem


def test_tiny_and_missing_files_are_not_parquet(tmp_path):
    (tmp_path / "tiny.parquet").write_bytes(b"PAR1PAR1")
    assert parquet_file_problem(str(tmp_path / "tiny.parquet")).startswith("not a Parquet file")
    assert parquet_file_problem(str(tmp_path / "absent.parquet")).startswith("not readable")
    assert parquet_file_problem(None) is None


def test_a_regular_csv_is_fine_even_with_quoted_commas_and_newlines(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('id,name\n1,"a, b"\n2,"two\nlines"\n3,c\n')
    assert csv_field_count_problem(str(path)) is None


def test_a_ragged_csv_row_is_named_by_the_line_it_starts_on(tmp_path):
    path = tmp_path / "t.csv"
    # the record of id 2 spans lines 3 and 4, so id 3 starts on line 5
    path.write_text('id,name\n1,a\n2,"two\nlines"\n3,c,extra\n4,d\n')
    assert csv_field_count_problem(str(path)).startswith("line 5 has 3 fields where the header has 2")


def test_a_short_row_and_an_unknown_encoding(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("id,name\n1,M\xfcller\n2\n".encode("latin-1"))
    assert csv_field_count_problem(str(path), "latin-1").startswith("line 3 has 1 fields")
    assert csv_field_count_problem(str(path), "no-such-encoding").startswith("line 3 has 1 fields")
    assert csv_field_count_problem(None, None) is None


def test_a_ragged_row_past_the_sniffer_sample_is_named(tmp_path):
    path = tmp_path / "t.csv"
    lines = ["id,name"] + [f"{i},n{i}" for i in range(30_000)]
    lines.insert(25_001, "x,y,z")  # line 25,002 of the file
    path.write_text("\n".join(lines) + "\n")
    assert csv_read_problem(str(path)).startswith("line 25002 has 3 fields where the header has 2")
    good = tmp_path / "good.csv"
    good.write_text('id,name\n1,"a, b"\n2,"two\nlines"\n')
    assert csv_read_problem(str(good)) is None
    assert csv_read_problem(None) is None
