"""``scw api``, ``scw api-tokens`` and ``scw order-decision``."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from .api import DEFAULT_PUBLISHED_FOLDER, DEFAULT_TOKENS, create_app, issue_tokens
from .orders import Order, OrderLine, fulfilment_decision
from .published import NothingPublished, open_published


def _api(args: argparse.Namespace) -> int:
    import uvicorn

    uvicorn.run(create_app(args.published, args.tokens), host=args.host, port=args.port, log_level="warning")
    return 0


def published_or_none(folder: str):
    """The published build of ``folder``; None (with the reason on stderr) when there is none."""
    try:
        return open_published(folder)
    except NothingPublished as problem:
        print(problem, file=sys.stderr)
        return None


def _tokens(args: argparse.Namespace) -> int:
    build = published_or_none(args.published)
    if build is None:
        return 1
    with build.connect() as con:
        roles = [r[0] for r in con.execute("select role from seeds.serving_roles order by 1").fetchall()]
    tokens = issue_tokens(roles, Path(args.tokens))
    print(f"# tokens of the {len(tokens)} roles of seed serving_roles; {args.tokens} keeps their sha256 only")
    for role, token in tokens.items():
        print(f"{role}\t{token}")
    return 0


def _line(text: str) -> OrderLine:
    sku, _, quantity = text.rpartition(":")
    if not sku:
        raise argparse.ArgumentTypeError(f"a line is SKU:QUANTITY, not {text!r}")
    return OrderLine(sku, float(quantity))


def _decision(args: argparse.Namespace) -> int:
    build = published_or_none(args.published)
    if build is None:
        return 1
    order = Order(args.customer, args.line, date.fromisoformat(args.requested_date), args.order_date)
    with build.connect() as con:
        decision = fulfilment_decision(con, order)
    print(json.dumps(decision.as_dict(), indent=1, default=str))
    return 0


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    """Register the serving commands."""
    api = subparsers.add_parser("api", help="serve the segment API over the published build")
    api.add_argument("--published", default=DEFAULT_PUBLISHED_FOLDER, help="the published folder")
    api.add_argument("--tokens", default=DEFAULT_TOKENS, help="token digests (scw api-tokens)")
    api.add_argument("--host", default="127.0.0.1")
    api.add_argument("--port", type=int, default=8000)
    api.set_defaults(func=_api)

    tokens = subparsers.add_parser("api-tokens", help="issue a new API token per role of the role map")
    tokens.add_argument("--published", default=DEFAULT_PUBLISHED_FOLDER, help="the published folder")
    tokens.add_argument("--tokens", default=DEFAULT_TOKENS, help="where the token digests go")
    tokens.set_defaults(func=_tokens)

    decision = subparsers.add_parser(
        "order-decision", help="the fulfilment decision a new order's segments imply (order-entry hook)"
    )
    decision.add_argument("--published", default=DEFAULT_PUBLISHED_FOLDER, help="the published folder")
    decision.add_argument("--customer", required=True)
    decision.add_argument("--line", type=_line, action="append", required=True, help="SKU:QUANTITY (repeat)")
    decision.add_argument("--requested-date", required=True, help="YYYY-MM-DD")
    decision.add_argument("--order-date", type=date.fromisoformat, help="YYYY-MM-DD (default: the build's as-of date)")
    decision.set_defaults(func=_decision)
