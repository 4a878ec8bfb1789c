"""Benchmark: generate extracts at a scale and time `dbt build` on them.

Prints generation time, build time, peak memory of the dbt process and the
row count of every core mart. Benchmarks print figures; tests never time.

    .venv/bin/python benchmarks/bench_build.py --scale demo
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pytests"))

from dbt_project_runner import make_project  # noqa: E402
from scw.warehouse import mart_row_counts  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="demo")
    parser.add_argument("--format", default="parquet", choices=["parquet", "csv"])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="scw-bench-") as folder:
        started = time.perf_counter()
        project = make_project(Path(folder), args.scale, args.format, args.seed)
        generated = time.perf_counter() - started

        started = time.perf_counter()
        result = project.dbt("build")
        built = time.perf_counter() - started
        if result.returncode != 0:
            print(result.stdout[-4000:])
            raise SystemExit("dbt build failed")
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

        con = duckdb.connect(str(project.warehouse), read_only=True)
        counts = mart_row_counts(con)
        con.close()
        print(f"scale={args.scale} format={args.format} seed={args.seed}")
        print(f"generate: {generated:8.1f} s")
        print(f"dbt build: {built:8.1f} s   peak RSS of dbt: {peak_mb:,.0f} MB")
        print(f"warehouse file: {project.warehouse.stat().st_size / 1e6:,.1f} MB")
        for name, count in counts.items():
            print(f"  {name:<42} {count:>12,}")


if __name__ == "__main__":
    main()
