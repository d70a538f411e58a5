"""`skpdgen import wordpress EXPORT.xml --site SLUG [--uploads DIR] [--since DATE] [--map C=S]
[--dry-run] [--force]`: bring an old WordPress site's content into an agency folder."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from skpdgen.cli import EXIT_CONTENT, EXIT_OK, EXIT_USAGE, UsageError, _add_common, _date_arg
from skpdgen.importers.summary import summary_lines


def register(subparsers: Any) -> None:
    """Add the `import` subcommand (with `wordpress` as its only source for now)."""
    parser = subparsers.add_parser(
        "import", help="import an old site's content into an agency folder",
        usage="skpdgen import wordpress EXPORT.xml --site SLUG [--uploads DIR] "
              "[--since YYYY-MM-DD] [--map CATEGORY=pengumuman] [--dry-run] [--force]")
    _add_common(parser)
    parser.add_argument("source", choices=("wordpress",), help="where the export comes from")
    parser.add_argument("export", help="the WordPress export (Tools → Export → All content)")
    parser.add_argument("--site", required=True, metavar="SLUG", help="the agency to import into")
    parser.add_argument("--uploads", metavar="DIR",
                        help="a copy of the old site's wp-content/uploads folder")
    parser.add_argument("--since", type=_date_arg, metavar="YYYY-MM-DD",
                        help="only posts dated on or after this day")
    parser.add_argument("--map", action="append", default=[], metavar="CATEGORY=SECTION",
                        help="posts of this category go to this section (pengumuman)")
    parser.add_argument("--dry-run", action="store_true", help="report only, write nothing")
    parser.add_argument("--force", action="store_true",
                        help="also overwrite files that were edited or deleted since the import")
    parser.add_argument("--lang", choices=("id", "en"), default=None,
                        help="language of the summary (default: the region's)")
    parser.set_defaults(func=cmd_import)


def cmd_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from skpdgen.importers.wordpress import ImportError_, ImportOptions, import_wordpress
    pairs = []
    for raw in args.map:
        category, sep, section = raw.partition("=")
        if not sep or not category.strip() or not section.strip():
            raise UsageError(f"--map needs CATEGORY=SECTION, got '{raw}' "
                             "(e.g. --map pengumuman=pengumuman)")
        pairs.append((category.strip(), section.strip()))
    options = ImportOptions(
        root=args.root, export=Path(args.export), site=args.site,
        uploads=Path(args.uploads) if args.uploads else None, since=args.since,
        dry_run=args.dry_run, force=args.force, category_map=tuple(pairs))
    try:
        report = import_wordpress(options)
    except ImportError_ as exc:
        where = f"{args.export}:{exc.line}" if exc.line else args.export
        print(f"{where}: error: {exc.message}", file=sys.stderr)
        return EXIT_USAGE if "--" in exc.message or "no agency" in exc.message else EXIT_CONTENT
    for line in summary_lines(report, _language(args)):
        print(line)
    return EXIT_OK


def _language(args: argparse.Namespace) -> str:
    import os
    if args.lang:
        return str(args.lang)
    env = os.environ.get("SKPDGEN_LANG")
    if env in ("id", "en"):
        return env
    try:
        from skpdgen.config.region import load_region
        return load_region(args.root).language
    except Exception:   # no usable skpdgen.yaml: the import itself reports what matters
        return "id"
