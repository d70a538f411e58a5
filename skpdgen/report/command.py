"""`skpdgen report`: the activity scorecard as a terminal table, JSON or CSV.

    skpdgen report [--format table|json|csv] [--site SLUG] [--today YYYY-MM-DD]
                   [--fail-on mati|kurang-aktif]

It reads sources (and build/.skpdgen/ when present) and never writes. JSON and CSV are
byte for byte what the portal publishes as status.json and status.csv for the same today.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from skpdgen.cli import EXIT_CONTENT, EXIT_OK, _add_common, _date_arg, _today
from skpdgen.messages import language_of
from skpdgen.output import Progress
from skpdgen.report.collect import collect
from skpdgen.report.table import format_table
from skpdgen.scorecard import status_csv, status_document, status_json

FAIL_ON = {"mati": ("mati",), "kurang-aktif": ("kurang aktif", "mati")}


def register(subparsers: Any) -> None:
    """Add `report` to the command line."""
    p = subparsers.add_parser(
        "report", help="activity scorecard of every agency: table, JSON or CSV",
        description="Is each agency's site alive? The same numbers as the portal's /status/.")
    _add_common(p)
    p.add_argument("--format", choices=("table", "json", "csv"), default="table",
                   help="table (default), json (as status.json) or csv (as status.csv)")
    p.add_argument("--site", action="append", metavar="SLUG",
                   help="only this agency (repeatable)")
    p.add_argument("--today", type=_date_arg, metavar="YYYY-MM-DD",
                   help="the date to measure as (also SKPDGEN_TODAY)")
    p.add_argument("--fail-on", choices=tuple(FAIL_ON), metavar="mati|kurang-aktif",
                   help="exit 1 when an agency is mati (or kurang aktif or worse)")
    p.set_defaults(func=cmd_report)


def use_color(stream: Any) -> bool:
    """Colour only on a terminal, and never with NO_COLOR or TERM=dumb."""
    return (bool(getattr(stream, "isatty", lambda: False)()) and "NO_COLOR" not in os.environ
            and os.environ.get("TERM") != "dumb")


def write_exact(text: str) -> None:
    """UTF-8 bytes as they are, the bytes of status.json/.csv: no newline translation or
    console encoding (Windows would turn CSV's CRLF into CR CR LF, or fail on a name)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(text)
        return
    sys.stdout.flush()
    buffer.write(text.encode("utf-8"))
    buffer.flush()


def cmd_report(args: argparse.Namespace) -> int:
    progress = Progress("measuring")
    card = collect(args.root, _today(args), tuple(args.site or ()), progress=progress)
    progress.done()
    if args.format == "json":
        write_exact(status_json(status_document(card.scores, card.today, card.region)))
    elif args.format == "csv":
        write_exact(status_csv(card.scores))
    else:
        sys.stdout.write(format_table(card.scores, card.region, card.today.isoformat(),
                                      use_color(sys.stdout), language_of(sys.stdout)))
    if args.fail_on:
        failing = [s.slug for s in card.scores if s.state in FAIL_ON[args.fail_on]]
        if failing:
            states, slugs = " or ".join(FAIL_ON[args.fail_on]), ", ".join(failing)
            print(f"1 agency is {states}: {slugs}" if len(failing) == 1 else
                  f"{len(failing)} agencies are {states}: {slugs}", file=sys.stderr)
            return EXIT_CONTENT
    return EXIT_OK
