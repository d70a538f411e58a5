"""The command line: parse, call one function, map the result to exit codes.

Exit status: 0 success; 1 content errors (a site failed to build, a check failed);
2 usage or region-config errors.
"""

from __future__ import annotations

import argparse
import importlib
import io
import os
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from skpdgen import __version__
from skpdgen.diagnostics import ConfigError
from skpdgen.output import Progress, print_diagnostics
from skpdgen.scaffold import ScaffoldError

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def _date_arg(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date (use YYYY-MM-DD)") from None


def _today(args: argparse.Namespace) -> date | None:
    from skpdgen.pipeline import env_today
    if getattr(args, "today", None):
        return args.today  # type: ignore[no-any-return]
    try:
        return env_today()
    except ValueError:
        raise ConfigError([]) from None


def default_jobs() -> int:
    """The CPU cores this process may use (a CI container's share, not the host's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def cmd_build(args: argparse.Namespace) -> int:
    from skpdgen.pipeline import BuildRequest, build_region
    started = time.monotonic()
    request = BuildRequest(root=args.root, sites=tuple(args.site or ()), drafts=args.drafts,
                           future=args.future, clean=args.clean,
                           jobs=args.jobs or default_jobs(),
                           today=_today(args))
    progress = Progress("building")
    result = build_region(request, progress)
    progress.done()
    print_diagnostics(result.diagnostics)
    pages = sum(s.page_count for s in result.sites)
    ok_sites = sum(1 for s in result.sites if s.ok)
    reused = sum(1 for s in result.sites if s.reused)
    line = (f"built {ok_sites} of {len(result.sites)} sites ({pages} pages"
            + (f"; {reused} unchanged since the last build, kept as they were" if reused else "")
            + (") and the portal " if result.portal_ok
               else "), but not the portal (its errors are above; its last good version stays) ")
            + f"in {time.monotonic() - started:.1f} s: {result.stats.written} files written, "
            f"{result.stats.unchanged} unchanged, {result.stats.removed} removed")
    print(line, file=sys.stderr)
    if result.failed:
        print(f"failed: {', '.join(result.failed)} (the last good output of each stays in build/)",
              file=sys.stderr)
    return EXIT_OK if result.ok else EXIT_CONTENT


def cmd_new(args: argparse.Namespace) -> int:
    from skpdgen import scaffold
    words = args.words
    if len(words) >= 1 and words[0] == "site":
        if len(words) != 2 or not args.name:
            raise UsageError('usage: skpdgen new site SLUG --name "Dinas ..."')
        created = scaffold.new_site(args.root, words[1], args.name)
    else:
        if len(words) != 3:
            raise UsageError('usage: skpdgen new SECTION SLUG "Title"  '
                             '(e.g. skpdgen new berita dinkes "Vaksinasi Massal")')
        created = scaffold.new_content(args.root, words[0], words[1], words[2],
                                       today=_today(args))
    print(f"created {created}")
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    from skpdgen import scaffold
    created = scaffold.init_region(Path(args.dir))
    print(f"created a new region in {created}; next: cd {args.dir} && skpdgen build")
    return EXIT_OK


class UsageError(Exception):
    """Wrong words on the command line (exit status 2)."""


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", type=Path, default=Path("."),
                        help="region repository (where skpdgen.yaml is); default: .")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skpdgen", description="Static websites for the agencies of a kabupaten.")
    parser.add_argument("--version", action="version", version=f"skpdgen {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("build", help="build every agency's site and the portal into build/")
    _add_common(p)
    p.add_argument("--site", action="append", metavar="SLUG", help="only this agency (repeatable)")
    p.add_argument("--drafts", action="store_true", help="include drafts")
    p.add_argument("--future", action="store_true", help="include items dated in the future")
    p.add_argument("--clean", action="store_true", help="empty build/ first")
    p.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                   help="build N agencies at once (default: the number of CPU cores)")
    p.add_argument("--today", type=_date_arg, metavar="YYYY-MM-DD",
                   help="the date to build as (also SKPDGEN_TODAY)")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("new", help="create a new agency or content file",
                       usage='skpdgen new site SLUG --name "Dinas ..." | '
                             'skpdgen new SECTION SLUG "Title"')
    _add_common(p)
    p.add_argument("words", nargs="+", help=argparse.SUPPRESS)
    p.add_argument("--name", help="name of the new agency")
    p.add_argument("--today", type=_date_arg, metavar="YYYY-MM-DD", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("init", help="create a new region repository with a sample agency")
    p.add_argument("dir", help="folder to create")
    p.set_defaults(func=cmd_init)

    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(sub)
    return parser


# Commands whose implementation lives in its own module; each has register(subparsers).
COMMAND_MODULES: tuple[str, ...] = (
    "skpdgen.serve.command",
    "skpdgen.check.command",
    "skpdgen.deploy.command",
    "skpdgen.report.command",
    "skpdgen.importers.command",
)


def main(argv: Sequence[str] | None = None) -> int:
    # a console that cannot show a character (an agency name, '…') must not crash a command
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print_diagnostics(exc.diagnostics)
        if not exc.diagnostics:
            print("error: SKPDGEN_TODAY must be a date YYYY-MM-DD", file=sys.stderr)
        return EXIT_USAGE
    except (UsageError, ScaffoldError) as exc:
        print(f"skpdgen: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
