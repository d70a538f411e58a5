"""`skpdgen check [--site SLUG]... [--format text|json]`: exit 1 on errors, 0 otherwise."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from skpdgen.cli import EXIT_CONTENT, EXIT_OK, _add_common, _date_arg, _today
from skpdgen.messages import language_of
from skpdgen.output import print_diagnostics


def register(subparsers: Any) -> None:
    """Add the `check` subcommand."""
    parser = subparsers.add_parser(
        "check", help="check content and the built output (links, anchors, images) "
                      "without writing anything")
    _add_common(parser)
    parser.add_argument("--site", action="append", metavar="SLUG",
                        help="only this agency (repeatable)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text (default) or json on standard output")
    parser.add_argument("--today", type=_date_arg, metavar="YYYY-MM-DD",
                        help="the date to check as (also SKPDGEN_TODAY)")
    parser.set_defaults(func=cmd_check)


def cmd_check(args: argparse.Namespace) -> int:
    from skpdgen.check import check_region
    started = time.monotonic()
    result = check_region(args.root, tuple(args.site or ()), _today(args))
    elapsed = time.monotonic() - started
    if args.format == "json":
        document = {"ok": result.ok, "errors": result.errors, "warnings": result.warnings,
                    "sites": result.sites, "pages": result.pages,
                    "references": result.references,
                    "diagnostics": [d.to_json(language_of(sys.stdout))
                                    for d in result.diagnostics]}
        print(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        print_diagnostics(result.diagnostics)
        print(f"checked {result.sites} sites, {result.pages} pages and {result.references} "
              f"links in {elapsed:.1f} s: {_count(result.errors, 'error')}, "
              f"{_count(result.warnings, 'warning')}", file=sys.stderr)
    return EXIT_OK if result.ok else EXIT_CONTENT


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")
