"""Shared fixtures: generated data sets and one full dbt build of the small data set (session scoped)."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from scw.generator import generate
from scw.generator.contract import TABLES


@dataclass
class DataSet:
    """A generated data set: its directories, arguments, row counts and loaded tables."""

    root: Path
    fmt: str
    kwargs: dict
    counts: dict

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def seeds(self) -> Path:
        return self.root / "seeds"

    @property
    def truth(self) -> Path:
        return self.root / "truth"

    def table(self, name: str) -> pd.DataFrame:
        """Load a contract table (Parquet with dates as datetime64; CSV with nulls as NA)."""
        path = self.raw / f"{name}.{self.fmt}"
        if self.fmt == "parquet":
            return pq.read_table(path).to_pandas(date_as_object=False)
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: self.table(name) for name in TABLES}

    def manifest(self) -> pd.DataFrame:
        return pd.read_csv(self.truth / "injected_defects.csv", dtype=str, keep_default_na=False)


def make_dataset(root: Path, **kwargs) -> DataSet:
    """Generate into ``root`` (raw/, seeds/, truth/) with generator keyword arguments."""
    args = {"scale": "tiny", "seed": 7, "fmt": "parquet", "defect_rate": 0.0, "end_month": "2026-10"} | kwargs
    counts = generate(out=root / "raw", finance_out=root / "seeds", truth_out=root / "truth", **args)
    return DataSet(root, args["fmt"], args, counts)


@pytest.fixture(scope="session")
def tiny_clean(tmp_path_factory) -> DataSet:
    """Tiny, Parquet, no defects."""
    return make_dataset(tmp_path_factory.mktemp("tiny_clean"))


@pytest.fixture(scope="session")
def tiny_clean_tables(tiny_clean) -> dict[str, pd.DataFrame]:
    return tiny_clean.tables()


@pytest.fixture(scope="session")
def tiny_defects(tmp_path_factory) -> DataSet:
    """Tiny, Parquet, defect rate 1 % (same seed as ``tiny_clean``)."""
    return make_dataset(tmp_path_factory.mktemp("tiny_defects"), defect_rate=0.01)


@pytest.fixture(scope="session")
def small_default(tmp_path_factory) -> DataSet:
    """Small, Parquet, default defect rate: for realism checks."""
    return make_dataset(tmp_path_factory.mktemp("small"), scale="small", defect_rate=0.003)


@pytest.fixture(scope="session")
def small_build(tmp_path_factory):
    """One full ``dbt build`` of the small Parquet extracts (seed 7, default defects).

    Shared by every end-to-end module that reads a built warehouse, and
    under pytest-xdist by every worker: the first worker to ask builds it in
    the run's shared temporary folder while the others wait on a lock, then
    all read it (read-only). A test that rebuilds with other vars works on
    ``small_build.fork(...)``. Yields the project and the completed dbt
    process.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None:
        return _build_small(tmp_path_factory.mktemp("small_build"))
    # the run's folder, above each worker's own (popen-gw0, popen-gw1, ...)
    shared = tmp_path_factory.getbasetemp().parent / "small_build"
    shared.mkdir(exist_ok=True)
    with (shared / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return _build_small(shared)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _build_small(base: Path):
    """The small build in ``base``: made there once, read back after that."""
    from dbt_project_runner import Project, make_project

    done = base / "build.json"
    if done.exists():
        saved = json.loads(done.read_text())
        project = Project(
            root=base / "project", raw=base / "raw", truth=base / "truth", warehouse=base / "warehouse.duckdb"
        )
        result = subprocess.CompletedProcess(saved["args"], saved["returncode"], saved["stdout"], saved["stderr"])
    else:
        project = make_project(base, "small", "parquet")
        result = project.dbt("build")
        done.write_text(
            json.dumps(
                {"args": result.args, "returncode": result.returncode, "stdout": result.stdout, "stderr": result.stderr}
            )
        )
    assert result.returncode == 0, (result.stdout or "")[-6000:] + (result.stderr or "")[-2000:]
    return project, result


#: The modules that take longest (their dbt builds), longest first: with
#: `make pytest` (`--dist loadfile --no-loadscope-reorder`) each worker takes
#: the next module in this order, so the long ones start at once instead of
#: last (pytest-xdist's own order is by number of tests, which puts these
#: few-test, long-setup modules at the end and leaves one worker idle).
SLOWEST_MODULES = (
    "test_refresh.py",
    "test_spark.py",
    "test_hostile_inputs.py",
    "test_reference_seeds.py",
    "test_customer_segmentation.py",
    "test_dbt_end_to_end.py",
    "test_segment_recovery.py",
    "test_other_era.py",
    "test_publish.py",
)


def pytest_collection_modifyitems(config, items):
    """Run the slowest modules first (a stable sort: the rest keep their order)."""
    rank = {name: position for position, name in enumerate(SLOWEST_MODULES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
