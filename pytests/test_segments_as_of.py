"""``scw segments-as-of`` on a hand-made warehouse: dates, timestamps, builds, and nothing."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from scw.cli import main

T1 = dt.datetime(2026, 12, 1, 9, 0, 5)  # first build's snapshot
T2 = dt.datetime(2026, 12, 2, 9, 0, 7)  # second build's snapshot


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema snapshots")
    con.execute("create schema ops")
    con.execute(
        "create table snapshots.customer_segments_snapshot (customer_id varchar, segment varchar,"
        " reason_code varchar, dbt_scd_id varchar, dbt_updated_at timestamp,"
        " dbt_valid_from timestamp, dbt_valid_to timestamp)"
    )
    con.execute(
        "insert into snapshots.customer_segments_snapshot values"
        " ('C1', 'key account', 'cluster', 'a', ?, ?, ?),"  # replaced by the second build
        " ('C1', 'growth', 'cluster', 'b', ?, ?, null),"
        " ('C2', 'long tail', 'cluster', 'c', ?, ?, null),"
        " ('C3', 'dormant', 'inactive', 'd', ?, ?, ?)",  # gone at the second build
        [T1, T1, T2, T2, T2, T2, T2, T1, T1, T2],
    )
    con.execute(
        "create table snapshots.product_segments_snapshot (sku_id varchar, segment varchar,"
        " dbt_scd_id varchar, dbt_updated_at timestamp, dbt_valid_from timestamp, dbt_valid_to timestamp)"
    )
    con.execute("insert into snapshots.product_segments_snapshot values ('S1', 'AX', 'e', ?, ?, null)", [T1, T1])
    con.execute(
        "create table ops.build_runs (invocation_id varchar, run_started_at timestamp,"
        " is_full_refresh boolean, models_built integer, periodic_models_built integer, failed_nodes integer)"
    )
    con.execute(
        "insert into ops.build_runs values ('build-1', ?, true, 99, 9, 0), ('build-2', ?, false, 99, 9, 0)",
        [T1 - dt.timedelta(seconds=60), T2 - dt.timedelta(seconds=60)],
    )
    con.close()
    return path


def _run(capsys, warehouse, *args):
    code = main(["segments-as-of", "--warehouse", str(warehouse), *args])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def test_a_date_before_the_history_says_when_it_starts(capsys, warehouse):
    code, out, err = _run(capsys, warehouse, "2026-11-01")
    assert code == 1 and out == []
    assert "no customer segment assignment was current at the end of 2026-11-01" in err
    assert "the history starts at 2026-12-01 09:00:05" in err
    assert "build-1" in err and "build-2" in err


def test_a_date_means_its_end_and_returns_the_versions_then(capsys, warehouse):
    code, out, err = _run(capsys, warehouse, "2026-12-01")
    assert code == 0, err
    assert out[0].split(",")[:3] == ["customer_id", "segment", "reason_code"]
    assert [line.split(",")[:2] for line in out[1:]] == [["C1", "key account"], ["C3", "dormant"]]
    assert "2 customers as of the end of 2026-12-01" in err


def test_a_build_id_gives_the_state_right_after_that_build(capsys, warehouse):
    _, first, _ = _run(capsys, warehouse, "build-1")
    _, second, _ = _run(capsys, warehouse, "build-2")
    assert [line.split(",")[:2] for line in first[1:]] == [["C1", "key account"], ["C3", "dormant"]]
    assert [line.split(",")[:2] for line in second[1:]] == [["C1", "growth"], ["C2", "long tail"]]


def test_a_timestamp_between_the_builds(capsys, warehouse):
    code, out, _ = _run(capsys, warehouse, "2026-12-02 09:00:06")
    assert code == 0
    assert [line.split(",")[0] for line in out[1:]] == ["C1", "C3"]


def test_products_and_rollback_rows(capsys, warehouse):
    code, out, _ = _run(capsys, warehouse, "--products", "2026-12-02")
    assert code == 0 and out[1].startswith("S1,AX")
    code, out, _ = _run(capsys, warehouse, "--as-overrides", "--approver", "CFO", "--valid-to", "2026-12-31", "build-1")
    assert code == 0
    assert out[0] == "customer_id,segment,reason,approver,valid_from,valid_to"
    assert out[1].startswith("C1,key account,restored from snapshot as of 2026-12-02 08:59:06")
    assert out[1].endswith(",CFO," + dt.date.today().isoformat() + ",2026-12-31")


def test_what_is_not_a_moment_is_refused(capsys, warehouse, tmp_path):
    code, _, err = _run(capsys, warehouse, "last tuesday")
    assert code == 2 and "neither a date" in err and "build-2" in err
    code, _, err = _run(capsys, tmp_path / "absent.duckdb", "2026-12-01")
    assert code == 1 and "no warehouse at" in err
    code, _, err = _run(capsys, warehouse, "--as-overrides", "2026-12-01")
    assert code == 2


def test_a_build_is_compared_in_the_snapshots_local_time(capsys, tmp_path, monkeypatch):
    """ops.build_runs is in UTC, dbt_valid_from in the warehouse's local time (here UTC+9)."""
    import time

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        path = tmp_path / "tokyo.duckdb"
        con = duckdb.connect(str(path))
        con.execute("create schema snapshots")
        con.execute("create schema ops")
        con.execute(
            "create table snapshots.customer_segments_snapshot (customer_id varchar, segment varchar,"
            " dbt_scd_id varchar, dbt_updated_at timestamp, dbt_valid_from timestamp, dbt_valid_to timestamp)"
        )
        # builds an hour apart: snapshots at 18:00:30 and 19:00:30 local
        first, second = dt.datetime(2026, 12, 1, 18, 0, 30), dt.datetime(2026, 12, 1, 19, 0, 30)
        con.execute(
            "insert into snapshots.customer_segments_snapshot values"
            " ('C1', 'key account', 'a', ?, ?, ?), ('C1', 'growth', 'b', ?, ?, null)",
            [first, first, second, second, second],
        )
        con.execute(
            "create table ops.build_runs (invocation_id varchar, run_started_at timestamp,"
            " is_full_refresh boolean, models_built integer, periodic_models_built integer,"
            " failed_nodes integer)"
        )
        con.execute(
            "insert into ops.build_runs values ('b1', '2026-12-01 09:00:00', true, 1, 1, 0),"
            " ('b2', '2026-12-01 10:00:00', false, 1, 1, 0)"
        )  # UTC: 18:00 and 19:00 local
        con.close()
        code, out, err = _run(capsys, path, "b1")
        assert code == 0, err
        assert out[1].startswith("C1,key account")
        code, out, err = _run(capsys, path, "b2")
        assert code == 0 and out[1].startswith("C1,growth"), err
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
