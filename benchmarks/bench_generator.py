"""Benchmark: time the demo-data generator per scale.

Each scale runs in its own process (so peak memory is per scale) and writes
into a temporary directory. Prints wall time, order lines, total rows, rows/s
and peak resident memory. Benchmarks print figures; tests never time.

    .venv/bin/python benchmarks/bench_generator.py --scales tiny small demo --format parquet
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile

CHILD = """
import json, resource, sys, time
from pathlib import Path
from scw.generator import generate
scale, fmt, root = sys.argv[1], sys.argv[2], Path(sys.argv[3])
started = time.perf_counter()
counts = generate(scale=scale, fmt=fmt, out=root / "raw", finance_out=root / "seeds", truth_out=root / "truth")
elapsed = time.perf_counter() - started
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "counts": counts, "peak_mb": peak_mb}))
"""


def run(scale: str, fmt: str) -> dict:
    """Generate one scale in a child process and return its measurements."""
    with tempfile.TemporaryDirectory(prefix=f"scw-bench-{scale}-") as root:
        result = subprocess.run(
            [sys.executable, "-c", CHILD, scale, fmt, root], capture_output=True, text=True, check=True
        )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scales", nargs="+", default=["tiny", "small", "demo"], choices=["tiny", "small", "demo", "medium", "large"]
    )
    parser.add_argument("--format", default="parquet", choices=["parquet", "csv"])
    args = parser.parse_args()
    print(f"{'scale':<8} {'seconds':>8} {'order lines':>12} {'total rows':>12} {'rows/s':>10} {'peak MB':>8}")
    for scale in args.scales:
        m = run(scale, args.format)
        total = sum(m["counts"].values())
        print(
            f"{scale:<8} {m['seconds']:>8.1f} {m['counts']['erp_sales_order_lines']:>12,} {total:>12,} "
            f"{total / m['seconds']:>10,.0f} {m['peak_mb']:>8,.0f}"
        )


if __name__ == "__main__":
    main()
