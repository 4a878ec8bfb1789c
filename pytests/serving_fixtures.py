"""A published copy of the shared small build, for the serving tests."""

from __future__ import annotations

from pathlib import Path

from scw.warehouse import publish


def publish_small_build(small_build, folder: Path) -> Path:
    """Publish a copy of the shared small build to ``folder``; returns the published folder."""
    project, _ = small_build
    fork = project.fork(folder / "build")
    target = folder / "published" / "supply_chain.duckdb"
    publish(fork.warehouse, target, compact_source=False)
    return target.parent
