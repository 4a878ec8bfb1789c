"""``scw refresh``: the daily incremental refresh of a built warehouse.

1. Runs ``dbt build`` without ``--full-refresh``: the incremental models
   reprocess only what the new extracts changed (docs/refresh.md). Models
   tagged ``periodic`` (segmentation, inventory policy) are left out unless
   they are due: the last successful run that built them (``ops.build_runs``)
   is at least var ``periodic_refresh_days`` old, or ``--periodic`` is given.
   A run with the periodic models runs every test; a daily one the singular
   tests only (the tie-outs and the raw-row accounting), unless
   ``--all-tests``; the tie-outs of order costs check the orders it recosted
   (var ``refresh_test_scope``).
2. Where it runs: in place, when the published copy holds exactly the
   warehouse's state (the same latest run, a whole successful build). The
   published copy is then the restore point: a failed refresh copies it back
   over the warehouse, and a refresh that was killed half-way leaves a mark
   (``<warehouse>.refreshing-in-place``) from which the next refresh restores
   it before it starts. Otherwise (no published copy, or an older one) it
   copies the warehouse to ``<warehouse>.refreshing``, runs on the copy and
   swaps it in only when dbt succeeds.
3. Only when dbt succeeds is the result published (``scw publish``:
   compacted when needed, and only a whole, successful build). A failed
   refresh leaves the warehouse and the published copy as they were, so the
   next refresh starts again from the last good state.

It refuses to start, with one line saying why, when another process holds
the warehouse file (``scw check-lock``) or when the warehouse is not a
whole, successful build itself (its last build failed or was killed): an
incremental run on top of a half-built warehouse would publish it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import yaml

from .warehouse import (
    DEFAULT_PUBLISHED,
    NotPublishable,
    WarehouseLocked,
    check_lock,
    latest_invocation,
    publish,
    publish_problem,
    replace_with_copy,
    warehouse_path,
)


def periodic_refresh_days(project_dir: Path) -> int:
    """var periodic_refresh_days of dbt_project.yml."""
    config = yaml.safe_load((project_dir / "dbt_project.yml").read_text())
    return int(config.get("vars", {}).get("periodic_refresh_days", 7))


def last_periodic_build(warehouse: Path) -> dt.datetime | None:
    """Start of the last run without failures that built periodic models."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        exists = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'ops' and table_name = 'build_runs'"
        ).fetchone()[0]
        if not exists:
            return None
        return con.execute(
            "select max(run_started_at) from ops.build_runs where periodic_models_built > 0 and failed_nodes = 0"
        ).fetchone()[0]
    finally:
        con.close()


def periodic_due(warehouse: Path, every_days: int, today: dt.date) -> bool:
    """Whether the periodic models should run in this refresh."""
    last = last_periodic_build(warehouse)
    return last is None or (today - last.date()).days >= every_days


def starting_problem(warehouse: Path) -> str | None:
    """Why a refresh cannot start from ``warehouse`` (held by another process, or
    not a whole, successful build); None when it can."""
    try:
        check_lock(warehouse)
    except WarehouseLocked as locked:
        return str(locked)
    return publish_problem(warehouse)


#: the selector (selectors.yml) of a daily refresh: every node but the
#: periodic models (every Python model among them) and their tests, the
#: generic and unit tests, the views and the seeds (whose definitions only a
#: changed project or seed changes: docs/refresh.md, those need a full
#: build); DAILY_SELECTOR_ALL_TESTS keeps the generic and unit tests
DAILY_SELECTOR = "daily_refresh"
DAILY_SELECTOR_ALL_TESTS = "daily_refresh_all_tests"
#: vars of a daily refresh: the tie-out tests of order costs check the
#: orders the refresh recosted (macro refresh_test_scope)
DAILY_VARS = {"refresh_test_scope": "recosted"}
#: environment of a daily refresh: no Python model runs, so the dbt-duckdb
#: plugin does not import scipy and scikit-learn (scw.dbt_duckdb_plugin)
DAILY_ENV = {"SCW_PRELOAD_MODEL_IMPORTS": "0"}


def dbt_command(
    project_dir: Path, dbt_vars: dict, include_periodic: bool, extra: list[str], all_tests: bool = False
) -> list[str]:
    """The incremental ``dbt build`` of a refresh."""
    dbt = str(Path(sys.executable).with_name("dbt"))
    command = [
        dbt,
        "build",
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
        "--vars",
        json.dumps(dbt_vars),
    ]
    if not include_periodic:
        command += ["--selector", DAILY_SELECTOR_ALL_TESTS if all_tests else DAILY_SELECTOR]
    return command + extra


def daily_vars(include_periodic: bool, all_tests: bool) -> dict:
    """The vars a refresh adds: DAILY_VARS on a daily run with its scoped tests."""
    return {} if include_periodic or all_tests else dict(DAILY_VARS)


def in_place_mark(warehouse: Path) -> Path:
    """The file an in-place refresh keeps beside the warehouse while dbt runs."""
    return warehouse.with_name(warehouse.name + ".refreshing-in-place")


def restore_point(warehouse: Path, published: Path | None) -> str | None:
    """The latest run of ``published`` when it holds the state of ``warehouse``
    (the same latest run, a whole successful build), else None."""
    if published is None or not published.exists() or publish_problem(published) is not None:
        return None
    run = latest_invocation(published)
    return run if run is not None and run == latest_invocation(warehouse) else None


def restore(warehouse: Path, published: Path) -> None:
    """Put the published copy back as ``warehouse`` (and drop a write-ahead log
    a killed run may have left, which would replay onto the restored file)."""
    warehouse.with_name(warehouse.name + ".wal").unlink(missing_ok=True)
    replace_with_copy(published, warehouse, warehouse)


def undo_interrupted(warehouse: Path, published: Path | None) -> str | None:
    """Restore ``warehouse`` after an in-place refresh that never finished (its
    mark is still there); why it cannot be restored, or None."""
    mark = in_place_mark(warehouse)
    if not mark.exists():
        return None
    expected = mark.read_text().strip()
    if published is None or not published.exists() or latest_invocation(published) != expected:
        return (
            f"an in-place refresh of {warehouse} did not finish ({mark}), and the published copy no"
            " longer holds the state before it: run `make build`"
        )
    restore(warehouse, published)
    mark.unlink()
    print(f"an unfinished refresh was undone: {warehouse} restored from {published}", file=sys.stderr)
    return None


def refresh(
    warehouse: Path,
    project_dir: Path,
    raw_path: str,
    force_periodic: bool = False,
    publish_to: Path | None = None,
    extra: list[str] | None = None,
    dbt_vars: dict | None = None,
    all_tests: bool = False,
) -> int:
    """Refresh ``warehouse``, in place or in a copy, and publish it on success; dbt's exit code."""
    if not warehouse.exists():
        print(f"no warehouse at {warehouse}: run a full build first (make build)", file=sys.stderr)
        return 2
    try:
        check_lock(warehouse)
    except WarehouseLocked as locked:
        print(f"refresh not started: {locked}", file=sys.stderr)
        return 2
    problem = undo_interrupted(warehouse, publish_to) or starting_problem(warehouse)
    if problem is not None:
        print(f"refresh not started: {problem}", file=sys.stderr)
        return 2
    include_periodic = force_periodic or periodic_due(warehouse, periodic_refresh_days(project_dir), dt.date.today())
    started = time.monotonic()
    point = restore_point(warehouse, publish_to)
    if point is not None:
        # the published copy is the restore point: no copy before the run
        in_place_mark(warehouse).write_text(point + "\n")
        working = warehouse
    else:
        working = warehouse.with_name(warehouse.name + ".refreshing")
        shutil.copyfile(warehouse, working)
    env = dict(os.environ, DBT_DUCKDB_PATH=str(working))
    if not include_periodic:
        env.update(DAILY_ENV)
    command = dbt_command(
        project_dir,
        {"raw_path": str(raw_path), **daily_vars(include_periodic, all_tests), **(dbt_vars or {})},
        include_periodic,
        extra or [],
        all_tests=all_tests,
    )
    print(("periodic models due: included" if include_periodic else "periodic models not due: left out"), flush=True)
    result = subprocess.run(command, cwd=project_dir, env=env, check=False)
    if result.returncode != 0:
        if point is not None:
            restore(warehouse, publish_to)
            in_place_mark(warehouse).unlink()
            print(
                f"refresh failed: the warehouse was restored from {publish_to}; both are as before",
                file=sys.stderr,
            )
        else:
            working.unlink(missing_ok=True)
            print("refresh failed: the warehouse and its published copy are unchanged", file=sys.stderr)
        return result.returncode
    if point is not None:
        in_place_mark(warehouse).unlink()
    else:
        os.replace(working, warehouse)
    if publish_to is not None:
        try:
            publish(warehouse, publish_to)
        except (NotPublishable, WarehouseLocked) as problem:
            print(f"refreshed, not published ({publish_to} is unchanged): {problem}", file=sys.stderr)
            return 1
    print(f"refresh took {time.monotonic() - started:.0f} s")
    return 0


def _run(args: argparse.Namespace) -> int:
    return refresh(
        warehouse_path(args.warehouse),
        Path(args.project_dir),
        args.raw_path,
        force_periodic=args.periodic,
        publish_to=None if args.no_publish else Path(args.publish_to),
        all_tests=args.all_tests,
    )


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``scw refresh``."""
    parser = subparsers.add_parser(
        "refresh",
        help="refresh a built warehouse incrementally from new extracts",
        description=(
            "Run the incremental dbt build, in place when the published copy holds the"
            " warehouse's state (restored from it on failure), else on a copy swapped in"
            " only when it succeeds; publish the result. Segmentation and inventory"
            " policy run only when due (var periodic_refresh_days) or with --periodic."
        ),
    )
    parser.add_argument("--warehouse", help="DuckDB file to refresh (default: $DBT_DUCKDB_PATH or the project's)")
    parser.add_argument("--project-dir", default=".", help="dbt project folder (default: .)")
    parser.add_argument("--raw-path", default="data/raw", help="folder of extracts (default: data/raw)")
    parser.add_argument("--periodic", action="store_true", help="rebuild the periodic models whether due or not")
    parser.add_argument(
        "--all-tests", action="store_true", help="run every test, not only the singular tie-outs, on a daily run"
    )
    parser.add_argument("--publish-to", default=DEFAULT_PUBLISHED, help="published copy path")
    parser.add_argument("--no-publish", action="store_true", help="do not publish after the refresh")
    parser.set_defaults(func=_run)
