"""The published layout: one whole build per folder, swapped in at one point.

``scw publish`` writes each build it publishes into a folder of its own and
then points ``current`` at it with one atomic rename::

    warehouse/published/
      current -> builds/20261208T031500123456Z-1a2b3c4d
      supply_chain.duckdb -> current/supply_chain.duckdb
      parquet -> current/parquet
      builds/20261208T031500123456Z-1a2b3c4d/
        supply_chain.duckdb            the whole warehouse, read-only for readers
        parquet/<schema>/<mart>.parquet one file per mart (MART_SCHEMAS)
        manifest.json                  build id, row count and sha256 of every file

Until the rename, readers see the previous build, whole; after it, the new
one, whole: a publish killed at any point before the rename leaves every
published file byte-identical, and one killed after it has published.

A reader that opens several files must resolve ``current`` once and read
them all from that folder (``open_published``), or it may read one mart of
one build and the next of another. The previous build's folder is kept
(``KEEP_BUILDS``) so that a reader that resolved ``current`` just before a
publish can still open its files; older ones are removed. Files a reader
already holds open stay readable after removal (POSIX).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import signal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

#: schemas whose tables and views are published as Parquet, one file each
MART_SCHEMAS = (
    "core",
    "cost_to_serve",
    "finance",
    "governance",
    "inventory",
    "profitability",
    "quality",
    "segmentation",
    "serving",
    "snapshots",
    "transport",
)
#: build folders kept: the current one and the one before it
KEEP_BUILDS = 2
#: the fault-injection variable of the kill tests: the process kills itself
#: (SIGKILL) when it reaches the named point (``CHECKPOINTS``)
KILL_AT_VARIABLE = "SCW_PUBLISH_KILL_AT"
CHECKPOINTS = ("database_copied", "first_mart_written", "manifest_written", "before_swap", "after_swap")


def checkpoint(name: str) -> None:
    """Kill this process with SIGKILL at ``name`` when $SCW_PUBLISH_KILL_AT says so."""
    assert name in CHECKPOINTS, name
    if os.environ.get(KILL_AT_VARIABLE) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def export_marts(database: Path, folder: Path, after_first: Callable[[], None] = lambda: None) -> dict:
    """Every table and view of ``MART_SCHEMAS`` in ``database`` as
    ``folder/<schema>/<name>.parquet``; returns {schema.name: row count}."""
    rows = {}
    con = duckdb.connect(str(database), read_only=True)
    try:
        relations = con.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name in ?"
            " union all select schema_name, view_name from duckdb_views()"
            " where not internal and schema_name in ? order by 1, 2",
            [list(MART_SCHEMAS), list(MART_SCHEMAS)],
        ).fetchall()
        for schema, name in relations:
            path = folder / schema / f"{name}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            con.execute(f'copy (select * from "{schema}"."{name}") to {_quoted(path)} (format parquet)')
            rows[f"{schema}.{name}"] = con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
            if len(rows) == 1:
                after_first()
    finally:
        con.close()
    return rows


def new_build_folder(folder: Path, invocation: str | None) -> Path:
    """A new, empty folder under ``folder/builds`` named by time and build."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    build = folder / "builds" / f"{stamp}-{(invocation or 'unknown')[:8]}"
    build.mkdir(parents=True)
    return build


def write_manifest(build: Path, database_name: str, invocation: str | None, rows: dict) -> dict:
    """manifest.json of a written build folder: its build, marts and file checksums."""
    files = sorted(p for p in build.rglob("*") if p.is_file() and p.name != "manifest.json")
    manifest = {
        "build": build.name,
        "invocation_id": invocation,
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": database_name,
        "marts": {
            name: {"rows": count, "file": f"parquet/{name.replace('.', '/')}.parquet"} for name, count in rows.items()
        },
        "sha256": {str(p.relative_to(build)): file_sha256(p) for p in files},
    }
    (build / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return manifest


def _replace_link(link: Path, points_to: str) -> None:
    """Make ``link`` a symbolic link to ``points_to``, atomically (rename over it)."""
    tmp = link.with_name(f".{link.name}.{os.getpid()}.link")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(points_to, tmp)
    os.replace(tmp, link)


def swap_in(folder: Path, build: Path, database_name: str) -> None:
    """Point ``folder/current`` at ``build`` (the one atomic step), then make
    sure the stable names lead through ``current``; remove old builds."""
    checkpoint("before_swap")
    _replace_link(folder / "current", os.path.relpath(build, folder))
    checkpoint("after_swap")
    for name in (database_name, "parquet"):
        link = folder / name
        wanted = f"current/{name}"
        if not (link.is_symlink() and os.readlink(link) == wanted):
            _replace_link(link, wanted)
    remove_old_builds(folder)


def remove_old_builds(folder: Path) -> None:
    """Remove build folders but the current one and the ``KEEP_BUILDS - 1`` before it
    (unfinished folders of killed publishes included)."""
    builds = folder / "builds"
    current = (folder / "current").resolve()
    older = sorted((p for p in builds.iterdir() if p.is_dir() and p.resolve() != current), reverse=True)
    finished = [p for p in older if (p / "manifest.json").exists() and p.name < current.name]
    keep = set(finished[: KEEP_BUILDS - 1])
    for path in older:
        if path not in keep:
            shutil.rmtree(path, ignore_errors=True)


class PublishLock:
    """One publish at a time per published folder (an exclusive lock file)."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / ".publish.lock"

    def __enter__(self) -> PublishLock:
        self.handle = self.path.open("w")
        fcntl.flock(self.handle, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc) -> None:
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


@dataclass(frozen=True)
class PublishedBuild:
    """One published build, its folder resolved once: every read through it
    sees the same build."""

    root: Path
    manifest: dict

    @property
    def database(self) -> Path:
        return self.root / self.manifest["database"]

    def parquet(self, mart: str) -> Path:
        """The Parquet file of ``schema.name``."""
        return self.root / self.manifest["marts"][mart]["file"]

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection to this build's DuckDB file."""
        return duckdb.connect(str(self.database), read_only=True)


class NothingPublished(FileNotFoundError):
    """No build has been published to the folder yet."""


def open_published(folder: Path | str) -> PublishedBuild:
    """The build ``folder/current`` points at now (``folder`` is the published folder)."""
    link = Path(folder) / "current"
    try:
        root = Path(os.path.realpath(link, strict=True))
    except OSError:
        raise NothingPublished(f"nothing published in {folder}: run `make build` (or `scw publish`)") from None
    return PublishedBuild(root, json.loads((root / "manifest.json").read_text()))


def published_checksums(folder: Path) -> dict[str, str]:
    """sha256 of every file a reader reaches through ``folder``'s stable names
    (the links followed), by path relative to ``folder``."""
    found = {}
    for name in sorted(os.listdir(folder)):
        path = folder / name
        if name in ("builds", "current") or name.startswith("."):
            continue
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.exists():
                found[str(file.relative_to(folder))] = file_sha256(file)
    return found
