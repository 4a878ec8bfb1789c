"""Benchmark: a full `dbt build` and a daily refresh at one scale.

    make bench SCALE=medium            # or demo, large, distributor, ...
    DBT_THREADS=1 .venv/bin/python benchmarks/bench_build.py --scale large
    DBT_THREADS=1 make bench SCALE=large REFRESH_THREADS=2

The extracts are generated once per scale and seed under data/bench/ and
reused, with the extracts of the day before (raw-previous/, `scw
cut-extract`). The project is copied into data/bench/<scale>-<seed>-build/
and built into a warehouse file beside it, so the user's warehouse and
data/raw are never touched.

1. full build: `dbt build --full-refresh` on the previous day's extracts;
2. daily refresh: what `scw refresh` does on a day the periodic models are
   not due, on the day's extracts, after `make build` published the full
   build (not timed, as it is not in the full build's time): `dbt build` in
   place, without the periodic models and with the singular tests only (the
   published copy is the restore point, so nothing is copied first; the
   project is parsed first, apart, as a daily scheduler's partial-parse
   cache would have it; with scw refresh's daily excludes, vars and
   environment), with
   --refresh-threads dbt threads when given (a refresh runs many small
   models, which two threads overlap; a full build of a large extract needs
   one, for memory).

Printed, and written as JSON to reports/bench_<scale>.json:
- wall time and peak RSS of the dbt process, and the nodes with the highest
  RSS while they ran (/proc sampled twice a second);
- per stage (staging, core, cost to serve, segmentation, policies, transport,
  governance, tests):
  the summed execution time of its nodes from target/run_results.json, the
  number of nodes and the rows of the tables it built;
- the slowest nodes.
Figures only: nothing here is asserted, and no test times anything.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "pytests"))

from dbt_project_runner import DBT, copy_project  # noqa: E402

from scw.refresh import DAILY_ENV, DAILY_SELECTOR, DAILY_VARS  # noqa: E402
from scw.warehouse import publish  # noqa: E402

#: Stage of a node, by the first matching prefix of its file path.
STAGES = [
    ("tests", ("test.", "unit_test.")),
    ("staging", ("models/staging/", "models/marts/quality/")),
    ("core", ("models/marts/core/", "models/intermediate/orders/", "models/intermediate/logistics/")),
    (
        "cost_to_serve",
        (
            "models/intermediate/cost_to_serve/",
            "models/intermediate/finance/",
            "models/intermediate/profitability/",
            "models/marts/cost_to_serve/",
            "models/marts/finance/",
            "models/marts/profitability/",
        ),
    ),
    (
        "segmentation",
        (
            "models/intermediate/segmentation/",
            "models/marts/segmentation/",
            "snapshots/",
        ),
    ),
    (
        "policies",
        (
            "models/intermediate/inventory",
            "models/marts/inventory/",
        ),
    ),
    ("transport", ("models/intermediate/transport/", "models/marts/transport/")),
    ("governance", ("models/intermediate/governance/", "models/marts/governance/")),
]


def stage_of(node: dict) -> str:
    """The benchmark stage of a manifest node (tests by resource type, models by path)."""
    if node["resource_type"] in ("test", "unit_test"):
        return "tests"
    path = node.get("original_file_path", "")
    for stage, prefixes in STAGES[1:]:
        if path.startswith(prefixes):
            return stage
    return "other"


def last_day(raw: Path) -> dt.date:
    """The last day of the extracts: the latest order updated_at not in the future."""
    files = sorted(raw.glob("erp_sales_orders.*"))
    reader = "read_parquet" if files[0].suffix == ".parquet" else "read_csv"
    con = duckdb.connect()
    try:
        return con.execute(
            f"select max(try_cast(try_cast(updated_at as timestamp) as date)) from {reader}('{files[0]}')"
            " where try_cast(updated_at as timestamp) <= current_date"
        ).fetchone()[0]
    finally:
        con.close()


def dataset(scale: str, seed: int, fmt: str) -> Path:
    """data/bench/<scale>-<seed>: raw/ (with finance/), raw-previous/, truth/ (generated once, then reused)."""
    root = REPO / "data" / "bench" / f"{scale}-{seed}-{fmt}"
    # data sets generated before the ledger moved into the extracts' folder
    if (root / "seeds" / "general_ledger.csv").is_file() and not (root / "raw" / "finance").is_dir():
        for folder in ("raw", "raw-previous"):
            if (root / folder).is_dir():
                shutil.copytree(root / "seeds", root / folder / "finance")
    if not (root / "raw" / "finance" / "general_ledger.csv").is_file():
        from scw.generator import generate

        started = time.perf_counter()
        generate(
            scale=scale,
            seed=seed,
            fmt=fmt,
            out=root / "raw",
            truth_out=root / "truth",
        )
        print(f"generated {scale} (seed {seed}) in {time.perf_counter() - started:.0f} s")
    else:
        print(f"reusing extracts in {root}")
    if not (root / "raw-previous").is_dir():
        from scw.extract_cut import cut_extract

        through = last_day(root / "raw") - dt.timedelta(days=1)
        cut_extract(root / "raw", root / "raw-previous", through)
        print(f"previous day's extracts (through {through}) in {root / 'raw-previous'}")
    return root


def dbt_env(project: Path, warehouse: Path) -> dict:
    """The environment of a benchmark dbt run: its warehouse, logs and target."""
    env = dict(os.environ)
    env.update(
        DBT_DUCKDB_PATH=str(warehouse),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DBT_LOG_PATH=str(project / "logs"),
        DBT_TARGET_PATH=str(project / "target"),
    )
    return env


def parse(project: Path, warehouse: Path, raw: Path) -> float:
    """`dbt parse` with a run's profile and vars (fills the partial-parse cache); seconds."""
    started = time.perf_counter()
    subprocess.run(
        [
            DBT,
            "parse",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--vars",
            json.dumps({"raw_path": str(raw), **DAILY_VARS}),
        ],
        cwd=project,
        env=dbt_env(project, warehouse),
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def sample_rss(pid: int, samples: list[tuple[float, int]], high_water: list[int], stop: threading.Event) -> None:
    """Every half second until stop: append (unix time, RSS in KiB) of process pid
    to samples and its high-water mark (VmHWM, KiB) to high_water."""
    status = Path(f"/proc/{pid}/status")
    while not stop.is_set():
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except (FileNotFoundError, ProcessLookupError):
            return
        if "VmRSS" in fields:
            samples.append((time.time(), int(fields["VmRSS"].split()[0])))
            high_water.append(int(fields["VmHWM"].split()[0]))
        stop.wait(0.5)


def _unix(timestamp: str) -> float:
    return dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()


def memory_by_node(results: list[dict], samples: list[tuple[float, int]], count: int = 8) -> list[dict]:
    """The nodes with the highest sampled RSS of the dbt process while they executed."""
    peaks = []
    for result in results:
        execute = [timing for timing in result.get("timing", []) if timing["name"] == "execute"]
        if not execute or not execute[0].get("started_at"):
            continue
        start, end = _unix(execute[0]["started_at"]), _unix(execute[0]["completed_at"])
        during = [kib for when, kib in samples if start <= when <= end]
        if during:
            peaks.append({"node": result["unique_id"].split(".", 2)[-1], "peak_rss_mib": round(max(during) / 1024)})
    return sorted(peaks, key=lambda peak: -peak["peak_rss_mib"])[:count]


def run_dbt(
    project: Path,
    warehouse: Path,
    raw: Path,
    label: str,
    *args: str,
    dbt_vars: dict | None = None,
    threads: int | None = None,
    extra_env: dict | None = None,
) -> dict:
    """Run one dbt command; wall time, peak RSS (VmHWM of the dbt process) and run results."""
    env = dbt_env(project, warehouse) | (extra_env or {})
    if threads is not None:
        env["DBT_THREADS"] = str(threads)
    command = [
        DBT,
        *args,
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--vars",
        json.dumps({"raw_path": str(raw), **(dbt_vars or {})}),
    ]
    log = (project / "logs" / f"bench_{label}.out").open("w")
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT)
    samples: list[tuple[float, int]] = []
    high_water: list[int] = []
    stop = threading.Event()
    sampler = threading.Thread(target=sample_rss, args=(process.pid, samples, high_water, stop), daemon=True)
    sampler.start()
    _, status, _ = os.wait4(process.pid, 0)
    stop.set()
    sampler.join()
    seconds = time.perf_counter() - started
    log.close()
    returncode = os.waitstatus_to_exitcode(status)
    results = json.loads((project / "target" / "run_results.json").read_text())
    manifest = json.loads((project / "target" / "manifest.json").read_text())
    return {
        "command": " ".join(args),
        "returncode": returncode,
        "wall_seconds": round(seconds, 1),
        # the process's own high-water mark since exec, read last within
        # half a second of its end (wait4's ru_maxrss would also count the
        # image of this process it was forked from)
        "peak_rss_mib": round(max(high_water, default=0) / 1024),
        "dbt_elapsed_seconds": round(results["elapsed_time"], 1),
        "results": results["results"],
        "manifest": manifest,
        "memory_by_node": memory_by_node(results["results"], samples),
    }


def table_rows(warehouse: Path, manifest: dict) -> dict[str, int]:
    """Rows of every table-like model and snapshot in the warehouse, by unique_id."""
    rows = {}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = {
            (schema, name)
            for schema, name in con.execute("select schema_name, table_name from duckdb_tables()").fetchall()
        }
        for unique_id, node in {**manifest["nodes"]}.items():
            if node["resource_type"] not in ("model", "snapshot", "seed"):
                continue
            key = (node["schema"], node.get("alias") or node["name"])
            if key in tables:
                rows[unique_id] = con.execute(f'select count(*) from "{key[0]}"."{key[1]}"').fetchone()[0]
    finally:
        con.close()
    return rows


def stage_table(run: dict, rows: dict[str, int]) -> list[dict]:
    """Per stage: nodes, summed execution seconds, rows built."""
    nodes = {**run["manifest"]["nodes"], **run["manifest"].get("unit_tests", {})}
    stages: dict[str, dict] = {}
    for result in run["results"]:
        node = nodes.get(result["unique_id"])
        if node is None:
            continue
        stage = stages.setdefault(stage_of(node), {"nodes": 0, "seconds": 0.0, "rows": 0})
        stage["nodes"] += 1
        stage["seconds"] += result["execution_time"]
        stage["rows"] += rows.get(result["unique_id"], 0)
    order = [name for name, _ in STAGES[1:]] + ["tests", "other"]
    return [
        {"stage": name, **{k: round(v, 1) if k == "seconds" else v for k, v in stages[name].items()}}
        for name in order
        if name in stages
    ]


def slowest(run: dict, count: int = 15) -> list[dict]:
    ranked = sorted(run["results"], key=lambda result: -result["execution_time"])[:count]
    return [
        {"node": result["unique_id"].split(".", 2)[-1], "seconds": round(result["execution_time"], 1)}
        for result in ranked
    ]


def report(label: str, run: dict, rows: dict[str, int]) -> dict:
    print(
        f"\n{label}: {run['command']} -> exit {run['returncode']}, wall {run['wall_seconds']:.1f} s"
        f" (dbt {run['dbt_elapsed_seconds']:.1f} s), peak RSS {run['peak_rss_mib']:,} MiB"
    )
    stages = stage_table(run, rows)
    print(f"  {'stage':<15}{'nodes':>7}{'seconds':>10}{'rows':>16}")
    for stage in stages:
        print(f"  {stage['stage']:<15}{stage['nodes']:>7}{stage['seconds']:>10.1f}{stage['rows']:>16,}")
    print("  slowest nodes:")
    top = slowest(run)
    for entry in top:
        print(f"    {entry['seconds']:>7.1f} s  {entry['node']}")
    print("  highest RSS while running:")
    for entry in run["memory_by_node"]:
        print(f"    {entry['peak_rss_mib']:>7,} MiB  {entry['node']}")
    nodes = {**run["manifest"]["nodes"], **run["manifest"].get("unit_tests", {})}
    every = [
        {
            "node": result["unique_id"],
            "stage": stage_of(nodes[result["unique_id"]]) if result["unique_id"] in nodes else "other",
            "seconds": round(result["execution_time"], 2),
            "rows": rows.get(result["unique_id"]),
        }
        for result in run["results"]
    ]
    return {
        key: run[key] for key in ("command", "returncode", "wall_seconds", "dbt_elapsed_seconds", "peak_rss_mib")
    } | {"stages": stages, "slowest": top, "memory_by_node": run["memory_by_node"], "nodes": every}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="demo")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--format", default="parquet", choices=["parquet", "csv"])
    parser.add_argument(
        "--refresh-threads",
        type=int,
        help="DBT_THREADS of the refresh (default: as the full build, $DBT_THREADS or the profile's 2)",
    )
    parser.add_argument(
        "--refresh-only",
        action="store_true",
        help="time the daily refresh again on the last full build of this scale (its published copy and"
        " reports/bench_<scale>.json), with the project as it is now: for a change that keeps the full"
        " build's tables and columns",
    )
    args = parser.parse_args()

    data = dataset(args.scale, args.seed, args.format)
    work = data.parent / f"{data.name}-build"
    warehouse = work / "warehouse.duckdb"
    out = REPO / "reports" / f"bench_{args.scale}.json"
    if args.refresh_only:
        refresh_again(args, data, work, warehouse, out)
        return
    shutil.rmtree(work, ignore_errors=True)
    project = copy_project(work / "project")
    (project / "logs").mkdir(parents=True, exist_ok=True)

    full = run_dbt(project, warehouse, data / "raw-previous", "full", "build", "--full-refresh")
    summary = {
        "scale": args.scale,
        "seed": args.seed,
        "format": args.format,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "memory_limit": os.environ.get("DBT_DUCKDB_MEMORY_LIMIT"),
        "threads": os.environ.get("DBT_THREADS"),
        "refresh_threads": args.refresh_threads or os.environ.get("DBT_THREADS"),
    }
    summary["full_build"] = report("full build", full, table_rows(warehouse, full["manifest"]))
    if full["returncode"] != 0:
        print(f"  the build failed: see {project / 'logs' / 'bench_full.out'}")
    summary["warehouse_mib"] = round(warehouse.stat().st_size / 2**20)
    print(f"  warehouse file: {summary['warehouse_mib']:,} MiB")

    if full["returncode"] == 0:
        # `make build` publishes the build; the published copy is then the
        # refresh's restore point (scw.refresh.restore_point), so the refresh
        # runs on the warehouse itself
        started = time.perf_counter()
        publish(warehouse, work / "published.duckdb")
        publish_seconds = time.perf_counter() - started
        returncode = daily_refresh(args, data, project, warehouse, summary, full["wall_seconds"], publish_seconds)
        full["returncode"] = full["returncode"] or returncode

    write_summary(out, summary)
    if full["returncode"] != 0:
        raise SystemExit(1)


def daily_refresh(
    args: argparse.Namespace,
    data: Path,
    project: Path,
    warehouse: Path,
    summary: dict,
    full_seconds: float,
    publish_seconds: float,
) -> int:
    """Time the daily refresh on `warehouse` (a published full build); its figures go into summary."""
    # a daily scheduler runs with the same profile, vars and target/
    # every day, so dbt parses the project partially; the first refresh
    # after a full build parses it in full (timed here, apart)
    parse_seconds = parse(project, warehouse, data / "raw")
    daily = run_dbt(
        project,
        warehouse,
        data / "raw",
        "refresh",
        "build",
        "--selector",
        DAILY_SELECTOR,
        dbt_vars=DAILY_VARS,
        threads=args.refresh_threads,
        extra_env=DAILY_ENV,
    )
    summary["refresh"] = report("daily refresh", daily, table_rows(warehouse, daily["manifest"]))
    summary["refresh"]["publish_before_seconds"] = round(publish_seconds, 1)
    summary["refresh"]["first_parse_seconds"] = round(parse_seconds, 1)
    ratio = daily["wall_seconds"] / full_seconds
    summary["refresh_to_full_ratio"] = round(ratio, 3)
    print(f"  not counted: publishing the full build first (as make build does), {publish_seconds:.1f} s")
    print(f"  not counted: the full parse of the first refresh after a full build, {parse_seconds:.1f} s")
    print(f"\nrefresh / full build (wall): {ratio:.1%}")
    if daily["returncode"] != 0:
        print(f"  the refresh failed: see {project / 'logs' / 'bench_refresh.out'}")
    return daily["returncode"]


def refresh_again(args: argparse.Namespace, data: Path, work: Path, warehouse: Path, out: Path) -> None:
    """--refresh-only: restore the last full build from its published copy and time the refresh again."""
    published = work / "published.duckdb"
    if not published.exists() or not out.exists():
        raise SystemExit(f"--refresh-only needs a full bench of this scale first ({published}, {out})")
    summary = json.loads(out.read_text())
    if (summary["scale"], summary["seed"], summary["format"]) != (args.scale, args.seed, args.format):
        raise SystemExit(f"{out} is another bench ({summary['scale']}, seed {summary['seed']}, {summary['format']})")
    project = work / "project"
    for item in project.iterdir():
        if item.name not in ("logs", "target"):
            shutil.rmtree(item) if item.is_dir() else item.unlink()
    copy_project(project)
    started = time.perf_counter()
    shutil.copyfile(published, warehouse)
    print(f"restored the full build from {published.name} in {time.perf_counter() - started:.1f} s")
    summary["refresh_threads"] = args.refresh_threads or os.environ.get("DBT_THREADS")
    returncode = daily_refresh(
        args,
        data,
        project,
        warehouse,
        summary,
        summary["full_build"]["wall_seconds"],
        summary["refresh"]["publish_before_seconds"],
    )
    write_summary(out, summary)
    if returncode != 0:
        raise SystemExit(1)


def write_summary(out: Path, summary: dict) -> None:
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"\nwritten {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
