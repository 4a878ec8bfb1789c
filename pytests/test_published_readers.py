"""Readers of the published folder see one whole build, whatever publish does.

`scw publish` writes a build into its own folder (the DuckDB file, a Parquet
file per mart, manifest.json) and swaps it in with one rename of
``current`` (src/scw/serving/published.py). Checked here on hand-made
warehouses, so that each test takes seconds:

- killed with SIGKILL at every fault-injection point before the swap, publish
  leaves every published file byte-identical (sha256 of every file reached
  through the stable names); killed right after it, the new build is
  published whole and the next publish removes what the killed one left;
- readers in a loop in other processes, while two builds with different
  figures are published in turn, never read a mixed build: within every
  read the orders' total equals the order lines' total, in the Parquet
  files and in the DuckDB file alike, and the row counts are the manifest's;
- a reader holding the published DuckDB file open does not stop a writer on
  the build file, nor the next publish.

The real dbt runs (a build killed half-way, a failed build) are in
test_publish.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from scw.serving import published as layout
from scw.warehouse import publish

SCW = str(Path(sys.executable).with_name("scw"))


def make_build(path: Path, orders: int, invocation: str) -> Path:
    """A successful build of ``orders`` orders of two lines each, its totals
    depending on ``orders``: two builds of different sizes never tie when mixed."""
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists core")
    con.execute(
        "create or replace table core.fct_orders as select 'O' || i as order_id,"
        " round(i * 1.25 + ?, 2)::decimal(18, 2) as net_revenue from range(?) as t(i)",
        [orders, orders],
    )
    con.execute(
        "create or replace table core.fct_order_lines as select order_id, line_number,"
        " case when line_number = 1 then net_revenue - 1 else 1 end::decimal(18, 2) as net_revenue"
        " from core.fct_orders, (values (1), (2)) as l(line_number)"
    )
    con.execute("create schema if not exists segmentation")
    con.execute("create or replace view segmentation.order_count as select count(*) as orders from core.fct_orders")
    con.execute("create schema if not exists ops")
    con.execute("create or replace table ops.build_run_starts as select ? as invocation_id,"
                " now()::timestamp as run_started_at, 'build' as command", [invocation])  # fmt: skip
    con.execute(
        "create or replace table ops.build_runs as select ? as invocation_id, now()::timestamp as run_started_at,"
        " true as is_full_refresh, 3 as models_built, 0 as periodic_models_built, 0 as failed_nodes",
        [invocation],
    )
    con.close()
    return path


@pytest.fixture
def two_builds(tmp_path):
    return make_build(tmp_path / "a.duckdb", 3000, "aaaaaaaa-build"), make_build(
        tmp_path / "b.duckdb", 5000, "bbbbbbbb-build"
    )


def _publish_killed_at(point: str, source: Path, target: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, **{layout.KILL_AT_VARIABLE: point})
    return subprocess.run(
        [SCW, "publish", "--warehouse", str(source), "--to", str(target), "--keep-build-file"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("point", [p for p in layout.CHECKPOINTS if p != "after_swap"])
def test_a_publish_killed_before_the_swap_leaves_every_published_file_as_it_was(two_builds, tmp_path, point):
    first, second = two_builds
    target = tmp_path / "published" / "supply_chain.duckdb"
    publish(first, target, compact_source=False)
    before = layout.published_checksums(target.parent)
    assert {"supply_chain.duckdb", "parquet/core/fct_orders.parquet"} <= set(before)
    killed = _publish_killed_at(point, second, target)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert layout.published_checksums(target.parent) == before
    assert layout.open_published(target.parent).manifest["invocation_id"] == "aaaaaaaa-build"
    # the next publish goes through and clears the killed one's folder
    publish(second, target, compact_source=False)
    assert layout.open_published(target.parent).manifest["invocation_id"] == "bbbbbbbb-build"
    assert len(list((target.parent / "builds").iterdir())) == 2


def test_a_publish_killed_after_the_swap_has_published_the_whole_build(two_builds, tmp_path):
    first, second = two_builds
    target = tmp_path / "published" / "supply_chain.duckdb"
    publish(first, target, compact_source=False)
    killed = _publish_killed_at("after_swap", second, target)
    assert killed.returncode == -signal.SIGKILL
    build = layout.open_published(target.parent)
    assert build.manifest["invocation_id"] == "bbbbbbbb-build"
    # every file of the build is the one the manifest describes
    for name, digest in build.manifest["sha256"].items():
        assert layout.file_sha256(build.root / name) == digest, name
    with duckdb.connect(str(target), read_only=True) as con:
        assert con.execute("select count(*) from core.fct_orders").fetchone()[0] == 5000


def test_the_manifest_counts_every_mart_of_the_build(two_builds, tmp_path):
    first, _ = two_builds
    target = tmp_path / "published" / "supply_chain.duckdb"
    publish(first, target, compact_source=False)
    build = layout.open_published(target.parent)
    marts = build.manifest["marts"]
    # tables and views of the mart schemas; ops (the run log) is not a mart
    assert set(marts) == {"core.fct_orders", "core.fct_order_lines", "segmentation.order_count"}
    for mart, entry in marts.items():
        rows = duckdb.execute("select count(*) from read_parquet(?)", [str(build.parquet(mart))]).fetchone()[0]
        assert rows == entry["rows"], mart
    assert marts["core.fct_order_lines"]["rows"] == 6000
    # the stable name leads to the same file
    assert (target.parent / "parquet" / "core" / "fct_orders.parquet").resolve() == build.parquet("core.fct_orders")


READER = r"""
import json, sys, time
from pathlib import Path
import duckdb
from scw.serving.published import open_published

folder, stop = Path(sys.argv[1]), Path(sys.argv[2])
reads = mixed = 0
builds = set()
while not stop.exists():
    build = open_published(folder)
    con = duckdb.connect()
    orders, order_total = con.execute(
        "select count(*), sum(net_revenue) from read_parquet(?)", [str(build.parquet("core.fct_orders"))]
    ).fetchone()
    lines, line_total = con.execute(
        "select count(*), sum(net_revenue) from read_parquet(?)", [str(build.parquet("core.fct_order_lines"))]
    ).fetchone()
    con.close()
    with build.connect() as db:
        db_total = db.execute("select sum(net_revenue) from core.fct_order_lines").fetchone()[0]
        view = db.execute("select orders from segmentation.order_count").fetchone()[0]
    marts = build.manifest["marts"]
    whole = (
        order_total == line_total == db_total
        and orders == marts["core.fct_orders"]["rows"] == view
        and lines == marts["core.fct_order_lines"]["rows"]
    )
    reads += 1
    mixed += not whole
    builds.add(build.manifest["invocation_id"])
print(json.dumps({"reads": reads, "mixed": mixed, "builds": sorted(builds)}))
"""


def test_readers_in_a_loop_never_see_a_mixed_build(two_builds, tmp_path):
    first, second = two_builds
    target = tmp_path / "published" / "supply_chain.duckdb"
    publish(first, target, compact_source=False)
    stop = tmp_path / "stop"
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(target.parent), str(stop)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    try:
        publishes = 0
        # a reader starts by opening the published build, and every publish
        # must happen while readers read: 12 publishes, alternating builds
        time.sleep(1.0)
        for turn in range(12):
            publish(second if turn % 2 == 0 else first, target, compact_source=False)
            publishes += 1
            time.sleep(0.05)
    finally:
        stop.touch()
        outputs = [json.loads(reader.communicate(timeout=60)[0]) for reader in readers]
    assert publishes == 12
    for output in outputs:
        assert output["mixed"] == 0, outputs
        assert output["reads"] >= 10, outputs
        # the readers saw both builds: the swaps happened under them
        assert output["builds"] == ["aaaaaaaa-build", "bbbbbbbb-build"], outputs
    print(f"readers: {[o['reads'] for o in outputs]} reads, 0 mixed, over {publishes} publishes")


def test_a_reader_holding_the_published_file_stops_neither_a_build_nor_a_publish(two_builds, tmp_path):
    first, second = two_builds
    target = tmp_path / "published" / "supply_chain.duckdb"
    publish(first, target, compact_source=False)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True);"
            " print(con.execute('select count(*) from core.fct_orders').fetchone()[0], flush=True);"
            " sys.stdin.read();"
            " print(con.execute('select count(*) from core.fct_orders').fetchone()[0], flush=True)",
            str(target),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "3000"
        # a build writes the build file (here: rebuilt with more orders), then publishes
        make_build(first, 4000, "cccccccc-build")
        publish(first, target, compact_source=False)
        with duckdb.connect(str(target), read_only=True) as con:
            assert con.execute("select count(*) from core.fct_orders").fetchone()[0] == 4000
    finally:
        holder.stdin.close()
        rest = holder.stdout.read()
        holder.wait()
    # the holder still reads the build it opened, whole
    assert rest.strip() == "3000"
    assert holder.returncode == 0
