"""Run the dbt project end to end in a throw-away copy.

The project is copied (models, macros, tests, seeds/reference, ...) into a
temporary folder with its own generated extracts (the general ledger and
budget in raw/finance/), and built into a throw-away DuckDB file, so tests
never touch the user's warehouse or data/raw.

Parsing the project costs about 8 s of every dbt command, so the copies
share dbt's partial-parse state: the warehouse and extract paths are passed
relative to the copy (the same text in every copy laid out as
``<base>/project`` beside ``<base>/raw`` and ``<base>/warehouse.duckdb``), and
the ``partial_parse.msgpack`` of a first command is handed to later commands
whose project files, vars, target and extra environment are identical (dbt
checks the files' checksums, vars and profile itself and parses again on any
difference).
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROJECT_ITEMS = [
    "dbt_project.yml",
    "profiles.yml",
    "selectors.yml",
    "models",
    "macros",
    "tests",
    "snapshots",
    "analyses",
    "seeds/reference",
]
DBT = str(Path(sys.executable).with_name("dbt"))
#: partial-parse states by key (see ``_parse_key``), shared by every copy
PARSE_CACHE = Path(tempfile.mkdtemp(prefix="scw-parse-cache-"))
atexit.register(shutil.rmtree, PARSE_CACHE, True)


def _project_fingerprint(root: Path) -> str:
    """A digest of every project file of a copy (names and contents)."""
    digest = hashlib.sha256()
    for item in PROJECT_ITEMS:
        source = root / item
        files = sorted(source.rglob("*")) if source.is_dir() else [source]
        for path in files:
            if path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _parse_key(root: Path, command: list[str], env: dict) -> str:
    """What a saved parse state must match to be handed to a command."""
    fingerprint = _project_fingerprint(root)
    profile_env = sorted((k, v) for k, v in env.items() if k.startswith(("DBT_", "SCW_")) and "PATH" not in k)
    options = [part for part in command if part.startswith("--target") or part in ("spark", "duckdb")]
    text = json.dumps([fingerprint, command[command.index("--vars") + 1], options, profile_env])
    return hashlib.sha256(text.encode()).hexdigest()


def _relative(path: Path, root: Path) -> str:
    """An absolute ``path`` relative to the copy's root (dbt runs there); a
    relative one as given."""
    return os.path.relpath(path, root) if Path(path).is_absolute() else str(path)


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
        # relative: the same profile text (and parse state) in every copy
        env["DBT_DUCKDB_PATH"] = _relative(self.warehouse, self.root)
        env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
        output = self.output or self.root
        env["DBT_LOG_PATH"] = str(output / "logs")
        env["DBT_TARGET_PATH"] = str(output / "target")
        on_spark = "--target" in args
        # Spark wants an absolute raw_path; DuckDB reads it from the copy's root
        raw_path = str(raw or self.raw) if on_spark else _relative(raw or self.raw, self.root)
        command = [
            DBT,
            *args,
            "--project-dir",
            str(self.root),
            "--profiles-dir",
            str(self.root),
            "--vars",
            json.dumps({"raw_path": raw_path, **(extra_vars or {})}),
        ]
        state = output / "target" / "partial_parse.msgpack"
        cached = PARSE_CACHE / _parse_key(self.root, command, env)
        if cached.exists():
            state.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(cached, state)
        result = subprocess.run(command, cwd=self.root, env=env, capture_output=True, text=True)
        if state.exists() and not cached.exists():
            shutil.copy2(state, cached)
        return result

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
