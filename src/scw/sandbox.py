"""``scw sandbox``: a proposed change of logic or seeds, built beside production.

Edit the models, macros or reference seeds in your working copy (or pass
``--vars``), then::

    make sandbox                     # or: scw sandbox [--vars '{...}'] [--full]

1. the published build (production) is copied to
   ``warehouse/sandbox/`` (a file named like production's build file, so
   that dbt names its relations alike); dbt writes to ``target/sandbox``:
   neither the build file, nor the published folder, nor ``target/`` is
   touched, so nothing of the sandbox can be published by mistake;
2. dbt builds, in the copy, the nodes the working copy changes against the
   production manifest (``state:modified+``: the changed models and seeds and
   everything downstream, with their tests), from the manifest published
   with the build (``dbt_manifest.json``); with ``--full``, ``--vars``, or no
   production manifest, everything (``--full-refresh``);
3. the sandbox is compared with production and the differences are printed
   and written to ``warehouse/sandbox/differences.json``: the customers and
   products that change segment, and the policy rows
   (``segment_policy_matrix``, ``transport_policies``, ``inventory_policies``)
   that are added, removed or changed, with the columns that change.

The build stamps (logic version, fingerprints, as-of date) are left out of
the comparison: they change with any change of logic, which is what they are
for. Exit code: dbt's when the build fails (the differences are not
computed), else 0.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import yaml

from .serving.published import NothingPublished, open_published

DEFAULT_OUT = "warehouse/sandbox/supply_chain.duckdb"
#: entity segments: (label, table, key)
SEGMENTS = [
    ("customer", "segmentation.customer_segments", ["customer_id"]),
    ("product", "segmentation.product_segments", ["sku_id"]),
]
#: policy tables: (table, key)
POLICIES = [
    ("segmentation.segment_policy_matrix", ["customer_segment", "product_segment", "requires_temperature_control"]),
    ("transport.transport_policies", ["customer_segment", "product_segment", "requires_temperature_control"]),
    ("inventory.inventory_policies", ["sku_id", "dc_id"]),
]
#: columns that change with any change of logic, by design
STAMPS = (
    "segmentation_logic_version",
    "segmentation_logic_fingerprint",
    "segmentation_input_fingerprint",
    "as_of_date",
)
EXAMPLES = 10


def _columns(con, catalog: str, table: str) -> list[str]:
    schema, name = table.split(".")
    return [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_catalog = ? and table_schema = ?"
            " and table_name = ? order by ordinal_position",
            [catalog, schema, name],
        ).fetchall()
    ]


def differences(production: Path, sandbox: Path) -> dict:
    """What the sandbox changes against production: segment moves and policy rows."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{production}' as prod (read_only)")
        con.execute(f"attach '{sandbox}' as sand (read_only)")
        found: dict = {"segment_changes": {}, "policy_changes": {}}
        for label, table, key in SEGMENTS:
            on = " and ".join(f"p.{k} = s.{k}" for k in key)
            rows = con.execute(
                f"select coalesce(p.{key[0]}, s.{key[0]}), p.segment, s.segment from prod.{table} as p"
                f" full join sand.{table} as s on {on}"
                f" where p.segment is distinct from s.segment order by 1"
            ).fetchall()
            found["segment_changes"][label] = {
                "count": len(rows),
                "examples": [{"id": i, "production": a, "sandbox": b} for i, a, b in rows[:EXAMPLES]],
            }
        for table, key in POLICIES:
            columns = [c for c in _columns(con, "sand", table) if c not in STAMPS and c in _columns(con, "prod", table)]
            compared = [c for c in columns if c not in key]
            on = " and ".join(f"p.{k} is not distinct from s.{k}" for k in key)
            keys = ", ".join(f"coalesce(p.{k}, s.{k})" for k in key)
            changed_columns = " || ".join(
                f"case when p.{c} is distinct from s.{c} then '{c} ' else '' end" for c in compared
            )
            rows = con.execute(
                f"""
                select {keys}, case when p.{key[0]} is null then 'added' when s.{key[0]} is null then 'removed'
                    else 'changed' end as change, trim({changed_columns}) as columns
                from prod.{table} as p full join sand.{table} as s on {on}
                where p.{key[0]} is null or s.{key[0]} is null or ({changed_columns}) <> ''
                order by 1, 2
                """
            ).fetchall()
            found["policy_changes"][table] = {
                "count": len(rows),
                "by_change": {
                    kind: sum(1 for r in rows if r[len(key)] == kind) for kind in ("added", "removed", "changed")
                },
                "examples": [
                    {"key": dict(zip(key, map(str, r[: len(key)]))), "change": r[len(key)], "columns": r[-1].split()}
                    for r in rows[:EXAMPLES]
                ],
            }
        return found
    finally:
        con.close()


def summary(found: dict) -> str:
    lines = ["Segment changes against production:"]
    for label, entry in found["segment_changes"].items():
        lines.append(f"  {label}s changing segment: {entry['count']:,}")
        lines += [f"    {e['id']}: {e['production']} -> {e['sandbox']}" for e in entry["examples"]]
    lines.append("Policy rows changing against production:")
    for table, entry in found["policy_changes"].items():
        kinds = ", ".join(f"{n:,} {kind}" for kind, n in entry["by_change"].items() if n)
        lines.append(f"  {table}: {entry['count']:,}" + (f" ({kinds})" if kinds else ""))
        for e in entry["examples"]:
            key = ", ".join(f"{k}={v}" for k, v in e["key"].items())
            lines.append(f"    {key}: {e['change']}" + (f" ({', '.join(e['columns'])})" if e["columns"] else ""))
    return "\n".join(lines)


def _database_of(manifest: Path) -> str | None:
    """The database (DuckDB file stem) production's build ran against, from its manifest."""
    if not manifest.exists():
        return None
    nodes = json.loads(manifest.read_text()).get("nodes", {})
    return next((node["database"] for node in nodes.values() if node.get("database")), None)


def sandbox(
    project_dir: Path,
    published: Path,
    out: Path,
    proposed: dict | None = None,
    full: bool = False,
    raw_path: str | None = None,
) -> int:
    """Build the working copy's change beside the production build; dbt's exit code."""
    production = open_published(published)
    manifest = production.root / "dbt_manifest.json"
    database = _database_of(manifest)
    if database is not None and out.stem != database:
        # dbt names relations after the file: the same name as production's
        # build file, else every source would look changed
        out = out.with_name(f"{database}.duckdb")
    out.parent.mkdir(parents=True, exist_ok=True)
    for stale in (out, out.with_name(out.name + ".wal")):
        if stale.exists():
            stale.unlink()
    shutil.copyfile(production.database, out)
    dbt_vars = ({"raw_path": raw_path} if raw_path else {}) | (proposed or {})
    with tempfile.TemporaryDirectory(prefix="scw-sandbox-state-") as state:
        if full or proposed or not manifest.exists():
            selection = ["--full-refresh"]
            why = "--full" if full else ("--vars" if proposed else "no production manifest was published")
            print(f"building everything in the sandbox ({why})")
        else:
            shutil.copyfile(manifest, Path(state) / "manifest.json")
            selection = ["--select", "state:modified+", "--state", state]
            print(f"building what changed against production build {production.manifest['build']}")
        command = [
            str(Path(sys.executable).with_name("dbt")), "build", *selection,
            "--project-dir", str(project_dir), "--profiles-dir", str(project_dir),
            "--target-path", str(project_dir / "target" / "sandbox"),
            "--vars", json.dumps(dbt_vars),
        ]  # fmt: skip
        env = dict(os.environ, DBT_DUCKDB_PATH=str(out.resolve()))
        code = subprocess.run(command, cwd=project_dir, env=env, check=False).returncode
    if code != 0:
        print(f"the sandbox build failed: {out} holds what it built; production is unchanged", file=sys.stderr)
        return code
    found = differences(production.database, out)
    found["production_build"] = production.manifest["build"]
    (out.parent / "differences.json").write_text(json.dumps(found, indent=1, default=str))
    print(summary(found))
    print(f"the sandbox is {out}; nothing was published (differences in {out.parent / 'differences.json'})")
    return 0


def _run(args: argparse.Namespace) -> int:
    proposed = yaml.safe_load(args.vars) if args.vars else None
    if proposed is not None and not isinstance(proposed, dict):
        print("--vars must be a YAML or JSON mapping", file=sys.stderr)
        return 2
    try:
        return sandbox(Path(args.project_dir).resolve(), Path(args.published), Path(args.out), proposed, args.full,
                       args.raw_path)  # fmt: skip
    except NothingPublished as problem:
        print(f"sandbox not started: {problem}", file=sys.stderr)
        return 2


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sandbox", help="build a proposed change of logic or seeds beside production and list what it changes"
    )
    parser.add_argument("--project-dir", default=".", help="the dbt project with the proposed change")
    parser.add_argument("--published", default="warehouse/published", help="the production (published) folder")
    parser.add_argument("--out", default=DEFAULT_OUT, help="the sandbox's DuckDB file")
    parser.add_argument("--vars", help="proposed vars, a YAML or JSON mapping (rebuilds everything)")
    parser.add_argument("--full", action="store_true", help="rebuild everything, not only what changed")
    parser.add_argument("--raw-path", help="the extracts (default: the project's var raw_path)")
    parser.set_defaults(func=_run)
