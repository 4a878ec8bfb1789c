"""Run the dbt project end to end in a throw-away copy.

The project is copied (models, macros, tests, seeds/reference, ...) into a
temporary folder with its own generated extracts (the general ledger and
budget in raw/finance/), and built into a throw-away DuckDB file, so tests
never touch the user's warehouse or data/raw.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROJECT_ITEMS = [
    "dbt_project.yml",
    "profiles.yml",
    "selectors.yml",
    "models",
    "python_models",
    "macros",
    "tests",
    "snapshots",
    "analyses",
    "seeds/reference",
]
DBT = str(Path(sys.executable).with_name("dbt"))


@dataclass
class Project:
    """A copy of the dbt project with its own data and warehouse file."""

    root: Path
    raw: Path
    truth: Path
    warehouse: Path
    #: where dbt writes target/ and logs/ (default: the project root)
    output: Path | None = None

    def dbt(
        self,
        *args: str,
        raw: Path | None = None,
        extra_vars: dict | None = None,
        extra_env: dict | None = None,
    ) -> subprocess.CompletedProcess:
        """Run a dbt command in the copy; returns the completed process.

        raw_path is the copy's extracts unless ``raw`` is given; ``extra_vars``
        adds more project vars and ``extra_env`` environment variables.
        """
        env = dict(os.environ) | (extra_env or {})
        env["DBT_DUCKDB_PATH"] = str(self.warehouse)
        env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
        output = self.output or self.root
        env["DBT_LOG_PATH"] = str(output / "logs")
        env["DBT_TARGET_PATH"] = str(output / "target")
        command = [
            DBT,
            *args,
            "--project-dir",
            str(self.root),
            "--profiles-dir",
            str(self.root),
            "--vars",
            json.dumps({"raw_path": str(raw or self.raw), **(extra_vars or {})}),
        ]
        return subprocess.run(command, cwd=self.root, env=env, capture_output=True, text=True)

    def fork(self, folder: Path) -> Project:
        """The same project and extracts with a copy of the warehouse file.

        For a test that rebuilds part of a shared build with other vars: it
        changes its own copy (and writes its own target/ and logs/), and the
        tests that read the shared build keep seeing the original.
        """
        folder.mkdir(parents=True, exist_ok=True)
        warehouse = folder / self.warehouse.name
        shutil.copy2(self.warehouse, warehouse)
        return Project(root=self.root, raw=self.raw, truth=self.truth, warehouse=warehouse, output=folder)


def copy_project(target: Path) -> Path:
    """Copy the project files (not data, warehouse or build output) to target."""
    for item in PROJECT_ITEMS:
        source = REPO / item
        if not source.exists():
            continue
        destination = target / item
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination)
        else:
            shutil.copy2(source, destination)
    return target


def make_project(base: Path, scale: str, fmt: str, seed: int = 7) -> Project:
    """A project copy under ``base`` with freshly generated extracts."""
    from scw.generator import generate

    root = copy_project(base / "project")
    raw = base / "raw"
    truth = base / "truth"
    generate(
        scale=scale,
        seed=seed,
        out=raw,
        fmt=fmt,
        truth_out=truth,
    )
    return Project(root=root, raw=raw, truth=truth, warehouse=base / "warehouse.duckdb")
