"""`skpdgen optimize [--site SLUG]... [--dry-run]`: shrink oversized original photos in place."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from skpdgen.cli import EXIT_CONTENT, EXIT_OK, _add_common
from skpdgen.output import print_diagnostics


def register(subparsers: Any) -> None:
    """Add the `optimize` subcommand."""
    parser = subparsers.add_parser(
        "optimize", help="shrink oversized original photos in place (long edge, size, GPS); "
                         "the build never does this")
    _add_common(parser)
    parser.add_argument("--site", action="append", metavar="SLUG",
                        help="only this agency (repeatable)")
    parser.add_argument("--dry-run", action="store_true",
                        help="only say which files would be rewritten")
    parser.set_defaults(func=cmd_optimize)


def cmd_optimize(args: argparse.Namespace) -> int:
    from skpdgen.config.region import load_region
    from skpdgen.media.optimize import optimize_region
    region = load_region(args.root)
    done, problems = optimize_region(region, tuple(args.site or ()), args.dry_run)
    for shrunk in done:
        print(shrunk.describe())
    print_diagnostics(problems)
    before = sum(s.before for s in done)
    after = sum(s.after for s in done)
    verb = "would shrink" if args.dry_run else "shrank"
    print(f"{verb} {len(done)} images: {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB"
          + ("" if args.dry_run or not done else "; review and commit them (git add sites/)"),
          file=sys.stderr)
    return EXIT_CONTENT if any(d.severity == "error" for d in problems) else EXIT_OK
