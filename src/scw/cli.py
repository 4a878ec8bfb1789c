"""The ``scw`` command line.

Each subcommand lives in its own module and exposes ``add_parser(subparsers)``,
which registers the subcommand and sets ``func`` (``args -> exit code``) as
its default. To add a subcommand, append its ``add_parser`` to ``COMMANDS``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

from . import (
    __version__,
    assess,
    contract_doc,
    erp_export,
    extract_cut,
    governance_report,
    lineage,
    refresh,
    sandbox,
    segments_as_of,
    warehouse,
)
from .generator import command as generate_command
from .serving import commands as serving_commands
from .serving import postgres as serving_postgres

COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    generate_command.add_parser,
    warehouse.add_summary_parser,
    warehouse.add_publish_parser,
    warehouse.add_check_lock_parser,
    erp_export.add_parser,
    extract_cut.add_parser,
    refresh.add_parser,
    lineage.add_parser,
    contract_doc.add_parser,
    segments_as_of.add_parser,
    assess.add_parser,
    governance_report.add_parser,
    serving_commands.add_parsers,
    serving_postgres.add_parsers,
    sandbox.add_parser,
]


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="scw", description="Supply chain segmentation and cost-to-serve warehouse tools."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add_parser in COMMANDS:
        add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``scw`` console script and ``python -m scw``."""
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
