"""``scw refresh``: the daily incremental refresh of a built warehouse.

1. Copies the warehouse to ``<warehouse>.refreshing``.
2. Runs ``dbt build`` on the copy without ``--full-refresh``: the incremental
   models reprocess only what the new extracts changed (docs/refresh.md).
   Models tagged ``periodic`` (segmentation, inventory policy) are left out
   unless they are due: the last successful run that built them
   (``ops.build_runs``) is at least var ``periodic_refresh_days`` old, or
   ``--periodic`` is given. A run with the periodic models runs every test;
   a daily one the singular tests only (the tie-outs and the raw-row
   accounting), unless ``--all-tests``; the tie-outs of order costs check
   the orders it recosted (var ``refresh_test_scope``).
3. Only when dbt succeeds, replaces the warehouse with the copy and
   publishes it (``scw publish``: compacted when needed, and only a whole,
   successful build). A failed refresh leaves the warehouse and the published
   copy as they were, so the next refresh starts again from the last good
   state.

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
    publish,
    publish_problem,
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


#: what a daily refresh leaves out besides the periodic models
DAILY_EXCLUDES = ["tag:periodic", "test_type:generic", "test_type:unit"]
#: vars of a daily refresh: the tie-out tests of order costs check the
#: orders the refresh recosted (macro refresh_test_scope)
DAILY_VARS = {"refresh_test_scope": "recosted"}


def dbt_command(project_dir: Path, dbt_vars: dict, include_periodic: bool, extra: list[str]) -> list[str]:
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
        command += ["--exclude", *DAILY_EXCLUDES]
    return command + extra


def daily_vars(include_periodic: bool, all_tests: bool) -> dict:
    """The vars a refresh adds: DAILY_VARS on a daily run with its scoped tests."""
    return {} if include_periodic or all_tests else dict(DAILY_VARS)


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
    """Refresh ``warehouse`` in a copy and swap it in on success; dbt's exit code."""
    if not warehouse.exists():
        print(f"no warehouse at {warehouse}: run a full build first (make build)", file=sys.stderr)
        return 2
    problem = starting_problem(warehouse)
    if problem is not None:
        print(f"refresh not started: {problem}", file=sys.stderr)
        return 2
    include_periodic = force_periodic or periodic_due(warehouse, periodic_refresh_days(project_dir), dt.date.today())
    working = warehouse.with_name(warehouse.name + ".refreshing")
    started = time.monotonic()
    shutil.copyfile(warehouse, working)
    env = dict(os.environ, DBT_DUCKDB_PATH=str(working))
    command = dbt_command(
        project_dir,
        {"raw_path": str(raw_path), **daily_vars(include_periodic, all_tests), **(dbt_vars or {})},
        include_periodic,
        extra or [],
    )
    if all_tests and not include_periodic:
        command = [part for part in command if part not in ("test_type:generic", "test_type:unit")]
    print(("periodic models due: included" if include_periodic else "periodic models not due: left out"), flush=True)
    result = subprocess.run(command, cwd=project_dir, env=env, check=False)
    if result.returncode != 0:
        working.unlink(missing_ok=True)
        print("refresh failed: the warehouse and its published copy are unchanged", file=sys.stderr)
        return result.returncode
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
            "Run the incremental dbt build on a copy of the warehouse and swap it in"
            " (and publish it) only when it succeeds. Segmentation and inventory"
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
