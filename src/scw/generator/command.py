"""The ``scw generate`` subcommand."""

from __future__ import annotations

import argparse
import time

from .config import ARCHETYPE_NAMES, SCALES, History
from .entities import archetype_share_vector
from .pipeline import MAX_DEFECT_RATE, generate
from .writer import FORMATS


def _end_month(text: str) -> str:
    """argparse type: a ``YYYY-MM`` month."""
    try:
        History.from_end_month(text, 1)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def _seed(text: str) -> int:
    """argparse type: a non-negative integer seed."""
    seed = int(text)
    if seed < 0:
        raise argparse.ArgumentTypeError("must be a non-negative integer")
    return seed


def _defect_rate(text: str) -> float:
    """argparse type: a rate between 0 and MAX_DEFECT_RATE."""
    rate = float(text)
    if not 0 <= rate <= MAX_DEFECT_RATE:
        raise argparse.ArgumentTypeError(f"must be between 0 and {MAX_DEFECT_RATE}")
    return rate


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``generate`` on the ``scw`` subcommand parser."""
    parser = subparsers.add_parser(
        "generate",
        help="generate the deterministic demo data set",
        description="Generate the extracts, the finance extracts and the ground truth, all under --out. "
        "Same arguments produce byte-identical files.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--scale", choices=list(SCALES), default="demo", help="data set size")
    parser.add_argument("--seed", type=_seed, default=7, help="random seed")
    parser.add_argument("--out", default="data/raw", help="directory for the source tables")
    parser.add_argument(
        "--format", dest="fmt", choices=FORMATS, default="parquet", help="file format of the source tables"
    )
    parser.add_argument(
        "--finance-out", help="directory for the finance extracts, general ledger and budget (default: OUT/finance)"
    )
    parser.add_argument("--truth-out", help="directory for the ground truth files (default: OUT/ground_truth)")
    parser.add_argument(
        "--defect-rate", type=_defect_rate, default=0.003, help="injected defect rate per table (0 = clean data)"
    )
    parser.add_argument("--end-month", type=_end_month, default="2026-10", help="last full month of history (YYYY-MM)")
    parser.add_argument(
        "--archetype-shares",
        type=_archetype_shares,
        help="customer mix instead of the default, e.g. key_account=0.4,distributor=0.6 (archetypes not named get"
        f" none; names: {', '.join(ARCHETYPE_NAMES)})",
    )
    parser.set_defaults(func=run)


def _archetype_shares(text: str) -> dict[str, float]:
    """Parse ``name=share,name=share`` into a mix for ``generate``."""
    shares = {}
    for item in text.split(","):
        name, _, value = item.partition("=")
        try:
            shares[name.strip()] = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected name=share, got {item!r}") from None
    try:
        archetype_share_vector(shares)
    except ValueError as problem:
        raise argparse.ArgumentTypeError(str(problem)) from None
    return shares


def run(args: argparse.Namespace) -> int:
    """Run the generator and print row counts."""
    started = time.perf_counter()
    counts = generate(
        scale=args.scale,
        seed=args.seed,
        out=args.out,
        fmt=args.fmt,
        finance_out=args.finance_out,
        truth_out=args.truth_out,
        defect_rate=args.defect_rate,
        end_month=args.end_month,
        archetype_shares=args.archetype_shares,
    )
    elapsed = time.perf_counter() - started
    width = max(len(name) for name in counts)
    for name, rows in counts.items():
        print(f"{name:<{width}}  {rows:>12,}")
    total = sum(counts.values())
    print(f"{'total':<{width}}  {total:>12,}")
    print(f"generated scale={args.scale} seed={args.seed} in {elapsed:.1f} s ({total / elapsed:,.0f} rows/s)")
    return 0
