"""Median and 95th-percentile latency of the segment API under a bounded load.

Starts `scw api` (uvicorn, one process) on a free localhost port over a
published folder (default warehouse/published), issues a token per role,
and sends a fixed number of requests from a few concurrent clients, a mix
of the read routes (a customer's segment, a SKU's policy at a DC, a
segment's transport policy, a page of the change export) and the
order-entry hook. Prints the figures per route and overall, and writes them
to reports/api_latency.json. A benchmark: it prints, it asserts nothing.

    .venv/bin/python benchmarks/api_latency.py --requests 2000 --clients 4
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from scw.serving.api import issue_tokens
from scw.serving.published import open_published


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--published", default="warehouse/published")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--out", default="reports/api_latency.json")
    args = parser.parse_args()

    build = open_published(args.published)
    with build.connect() as con:
        roles = [r[0] for r in con.execute("select role from seeds.serving_roles").fetchall()]
        customers = [r[0] for r in con.execute("select customer_id from segmentation.customer_segments").fetchall()]
        policies = con.execute("select sku_id, dc_id from inventory.inventory_policies").fetchall()
        segments = [
            r[0] for r in con.execute("select distinct customer_segment from transport.transport_policies").fetchall()
        ]
        as_of = con.execute("select max(as_of_date) from segmentation.customer_segments").fetchone()[0]
    scratch = Path(tempfile.mkdtemp(prefix="scw-api-bench-"))
    tokens = issue_tokens(roles, scratch / "tokens.json")
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("scw")), "api", "--published", args.published,
         "--tokens", str(scratch / "tokens.json"), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    random.seed(7)
    headers = {"Authorization": f"Bearer {tokens['finance']}"}

    def request(number: int) -> tuple[str, float, int]:
        kind = number % 5
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            start = time.perf_counter()
            if kind == 0:
                response = client.get(f"/customers/{random.choice(customers)}/segment")
            elif kind == 1:
                sku, dc = random.choice(policies)
                response = client.get(f"/skus/{sku}/dcs/{dc}/policy")
            elif kind == 2:
                response = client.get(f"/segments/{random.choice(segments)}/transport-policy")
            elif kind == 3:
                response = client.get("/changes", params={"entity": "customer", "page_size": 100})
            else:
                sku, _ = random.choice(policies)
                response = client.post(
                    "/orders/decision",
                    json={"customer_id": random.choice(customers), "lines": [{"sku_id": sku, "quantity": 2}],
                          "requested_date": str(as_of)},
                )  # fmt: skip
            elapsed = time.perf_counter() - start
        route = ["customer segment", "sku policy", "transport policy", "change export page", "order decision"][kind]
        return route, elapsed * 1000, response.status_code

    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            results = list(pool.map(request, range(args.requests)))
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait()

    def figures(times):
        ordered = sorted(times)
        return {
            "requests": len(ordered),
            "median_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
        }

    report = {
        "published_build": build.manifest["build"],
        "clients": args.clients,
        "requests": args.requests,
        "wall_s": round(wall, 1),
        "requests_per_s": round(args.requests / wall, 1),
        "errors": sum(1 for _, _, status in results if status >= 400),
        "overall": figures([ms for _, ms, _ in results]),
        "routes": {
            route: figures([ms for r, ms, _ in results if r == route]) for route in sorted({r for r, _, _ in results})
        },
    }
    print(f"{'route':<22} {'requests':>8} {'median ms':>10} {'p95 ms':>8}")
    for route, row in [*report["routes"].items(), ("overall", report["overall"])]:
        print(f"{route:<22} {row['requests']:>8} {row['median_ms']:>10} {row['p95_ms']:>8}")
    print(f"{args.clients} clients, {report['requests_per_s']} requests/s, {report['errors']} errors")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
