"""The command line: parse, call one function, map the result to exit codes.

Exit status: 0 success; 1 content errors (a site failed to build, a check failed);
2 usage or region-config errors.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import importlib
import io
import os
import re
import sys
import threading
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from skpdgen import __version__
from skpdgen.diagnostics import ConfigError, one_line
from skpdgen.messages import LANGUAGES, choose
from skpdgen.messages.help import LocalisedParser, speak, subparsers
from skpdgen.messages.lang import LanguageError
from skpdgen.messages.stream import speaking
from skpdgen.output import Progress, print_diagnostics

if TYPE_CHECKING:
    from skpdgen.pipeline import RegionResult
    from skpdgen.shard import Shard

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def _date_arg(value: str) -> date:
    from skpdgen.config.schema import year_problem
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date (use YYYY-MM-DD)") from None
    if year_problem(day):
        raise argparse.ArgumentTypeError(f"'{value}': {year_problem(day)} (check the year)")
    return day


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


def _shard_arg(value: str) -> Shard:
    from skpdgen.shard import Shard
    try:
        return Shard.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _shard_options(args: argparse.Namespace) -> None:
    """--shard and --portal-only exclude the options that choose agencies another way."""
    chosen = "--shard" if args.shard else "--portal-only" if args.portal_only else None
    if chosen is None:
        return
    if args.shard and args.portal_only:
        raise UsageError("--shard builds agencies and no portal, --portal-only the portal and "
                         "no agency: give one of them")
    if args.site:
        raise UsageError(f"--site and {chosen} both choose the agencies to build: give one")
    if args.clean:
        raise UsageError(f"--clean rebuilds every agency; with {chosen}, remove build/ "
                         "yourself before the shards' folders are copied in")


def cmd_build(args: argparse.Namespace) -> int:
    from skpdgen.pipeline import BuildRequest, build_region
    started = time.monotonic()
    _shard_options(args)
    request = BuildRequest(root=args.root, sites=tuple(args.site or ()), drafts=args.drafts,
                           future=args.future, clean=args.clean,
                           jobs=args.jobs or default_jobs(),
                           today=_today(args), shard=args.shard, portal_only=args.portal_only)
    progress = Progress("building")
    result = build_region(request, progress)
    progress.done()
    print_diagnostics(result.diagnostics)
    if args.shard or args.portal_only:
        return _report_sharded(args, result, time.monotonic() - started)
    pages = sum(s.page_count for s in result.sites)
    ok_sites = sum(1 for s in result.sites if s.ok or s.not_published)
    reused = sum(1 for s in result.sites if s.reused)
    line = (f"built {ok_sites} of {len(result.sites)} sites ({pages} pages"
            + (f"; {reused} unchanged since the last build, kept as they were" if reused else "")
            + (") and the portal " if result.portal_ok
               else "), but not the portal (its errors are above; its last good version stays) ")
            + f"in {time.monotonic() - started:.1f} s: {result.stats.written} files written, "
            f"{result.stats.unchanged} unchanged, {result.stats.removed} removed, "
            f"{sum(s.images_encoded for s in result.sites)} images encoded, "
            f"{result.stats.rendered} pages rendered")
    print(line, file=sys.stderr)
    if result.failed:
        print(f"failed: {', '.join(result.failed)} (the last good output of each stays in build/)",
              file=sys.stderr)
    if result.not_published:
        print(f"{len(result.not_published)} item(s) not published: "
              f"{', '.join(result.not_published)} (the rest of the site is published; "
              "an older version of an item stays until it is fixed)", file=sys.stderr)
    return EXIT_OK if result.ok else EXIT_CONTENT


def _report_sharded(args: argparse.Namespace, result: RegionResult, seconds: float) -> int:
    """The last lines of `build --shard` and `build --portal-only`."""
    ok_sites = sum(1 for s in result.sites if s.ok or s.not_published)
    pages = sum(s.page_count for s in result.sites)
    if args.shard:
        print(f"built {ok_sites} of {len(result.sites)} sites of shard {args.shard} ({pages} "
              f"pages) in {seconds:.1f} s: {result.stats.written} files written, "
              f"{result.stats.unchanged} unchanged; the portal is built by "
              "skpdgen build --portal-only once every shard's build/ is copied together",
              file=sys.stderr)
    else:
        print(f"built the portal of {ok_sites} of {len(result.sites)} sites built by shards "
              f"({pages} pages) " + ("" if result.portal_ok else
                                      "with errors (its last good version stays) ")
              + f"in {seconds:.1f} s: {result.stats.written} files written", file=sys.stderr)
    if result.failed:
        print(f"failed: {', '.join(result.failed)} (the last good output of each stays in build/)",
              file=sys.stderr)
    if result.not_published:
        print(f"{len(result.not_published)} item(s) not published: "
              f"{', '.join(result.not_published)}", file=sys.stderr)
    return EXIT_OK if result.ok else EXIT_CONTENT


def cmd_new(args: argparse.Namespace) -> int:
    from skpdgen import scaffold
    words = args.words
    for value in (*words, args.name or ""):
        if re.search(r"[\x00-\x1f\x7f\u2028\u2029]", value):
            raise UsageError(f"'{one_line(value)}' contains a line break or control character "
                             "(write the title on one line)")
    if len(words) >= 1 and words[0] == "site":
        if len(words) == 2 and not args.name:
            raise UsageError('--name is missing: skpdgen new site SLUG --name "Dinas ..."')
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
    from skpdgen.scaffold_install import install_problems
    from skpdgen.scaffold_region import InitSettings, checklist
    if args.dir and args.root and Path(args.dir) != args.root:
        raise UsageError(f"two folders given ({args.dir} and --root {args.root}): give one")
    folder = Path(args.dir) if args.dir else args.root
    if folder is None:
        raise UsageError("give the folder to create: skpdgen init DIR (or --root DIR)")
    settings = InitSettings(host=args.host, install=args.install, name=args.name,
                            base_url=args.base_url, shards=args.shards)
    if args.install:
        later = args.install.startswith(".")   # a file or fork the admin commits later
        problems = install_problems(args.install, folder.resolve())
        for problem in problems:
            level = "warning" if later else problem.severity
            print(f"skpdgen: {level}: --install: {problem.message} ({problem.hint})",
                  file=sys.stderr)
        if not later and any(p.severity == "error" for p in problems):
            return EXIT_USAGE
    created = scaffold.init_region(folder, settings)
    print(f"created a new region in {created} (README.md explains it, in Bahasa Indonesia)")
    print("Daftar periksa hari pertama:")
    for line in checklist(settings):
        print(f"  {line}")
    return EXIT_OK


def cmd_theme(args: argparse.Namespace) -> int:
    from skpdgen import scaffold
    copied, kept = scaffold.eject_theme(args.root)
    print(f"copied {len(copied)} files of the built-in theme into themes/default/"
          + (f"; kept {len(kept)} files the region already had" if kept else ""))
    return EXIT_OK


class UsageError(Exception):
    """Wrong words on the command line (exit status 2)."""


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", type=Path, default=Path("."),
                        help="region repository (where skpdgen.yaml is); default: .")


LANG_HELP = ("language of messages and help: id or en (default: the region's 'language', "
             "else id; also SKPDGEN_LANG)")


def make_parser(language: str = "en", command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with `command` (the command word given, see
    `_command_word`), only the module of that command is imported, not every command's."""
    parser = LocalisedParser(
        prog="skpdgen", description="Static websites for the agencies of a kabupaten.")
    parser.add_argument("--version", action="version", version=f"skpdgen {__version__}")
    parser.add_argument("--lang", choices=LANGUAGES, help=LANG_HELP)
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
    p.add_argument("--shard", type=_shard_arg, metavar="I/N",
                   help="build shard I of N of the agencies (a CI matrix job), and no portal")
    p.add_argument("--portal-only", action="store_true",
                   help="build the portal from the agencies the shards built into build/")
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
    p.add_argument("dir", nargs="?", help="folder to create (or --root DIR)")
    p.add_argument("--root", type=Path, default=None, help="folder to create (same as DIR)")
    p.add_argument("--host", choices=("github", "gitlab", "server"), default="github",
                   help="where the site is published: GitHub Pages (default), GitLab Pages, "
                        "or your own server over SSH; only that target and its CI are written")
    p.add_argument("--install", metavar="SPEC",
                   help="what CI installs skpdgen from: a git URL pinned to a tag or commit, a "
                        "wheel path, or '.' in a fork (default: a wheel of this skpdgen "
                        "committed in vendor/)")
    p.add_argument("--name", help="name of the region (default: a sample name to change)")
    p.add_argument("--base-url", help="address of the portal (default: a sample to change)")
    p.add_argument("--shards", type=int, default=1, metavar="N",
                   help="CI builds the agencies in N parallel jobs and the portal in a final "
                        "one (a large region; default: 1, one job)")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("theme", help="theme eject: copy the built-in theme into themes/default/")
    _add_common(p)
    p.add_argument("action", choices=("eject",),
                   help="eject: copy every built-in theme file the region does not have yet")
    p.set_defaults(func=cmd_theme)

    modules = COMMAND_MODULES
    if command is not None and command in BUILT_IN_COMMANDS:
        modules = ()
    elif command is not None and command in MODULE_OF_COMMAND:
        modules = (MODULE_OF_COMMAND[command],)
    for module_name in modules:
        importlib.import_module(module_name).register(sub)
    for each in subparsers(parser):      # --lang works after the command name too
        if "--lang" not in each._option_string_actions:
            each.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS,
                              help=LANG_HELP)
    speak(parser, language)      # help texts are translated when --help shows them
    return parser


BUILT_IN_COMMANDS = frozenset({"build", "new", "init", "theme"})
_TOP_FLAGS_WITH_VALUE = frozenset({"--lang"})


def _command_word(argv: Sequence[str]) -> str | None:
    """The command named on the command line when it is plain to see (`build`, `--lang en
    check`), so that only its module is imported; None for anything else (--help, --version,
    an abbreviated option, no command), which gets the whole parser."""
    words = iter(argv)
    for word in words:
        if word in _TOP_FLAGS_WITH_VALUE:
            next(words, None)
        elif word.startswith("--lang="):
            continue
        elif word.startswith("-"):
            return None
        else:
            return word
    return None


def _language(argv: Sequence[str]) -> str:
    """The language to speak, from --lang, SKPDGEN_LANG or the region (before full parsing,
    so that --help and argparse's own errors are in it too)."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--lang")
    early.add_argument("--root", type=Path, default=Path("."))
    known, _ = early.parse_known_args(argv)
    return choose(known.lang if known.lang in LANGUAGES else None, known.root)


# Commands whose implementation lives in its own module; each has register(subparsers).
COMMAND_MODULES: tuple[str, ...] = (
    "skpdgen.serve.command",
    "skpdgen.check.command",
    "skpdgen.deploy.command",
    "skpdgen.report.command",
    "skpdgen.media.command",
    "skpdgen.importers.command",
)
# the command each of those modules registers (tests/test_cli_startup.py keeps it true)
MODULE_OF_COMMAND: dict[str, str] = {
    "serve": "skpdgen.serve.command",
    "check": "skpdgen.check.command",
    "deploy": "skpdgen.deploy.command",
    "report": "skpdgen.report.command",
    "optimize": "skpdgen.media.command",
    "import": "skpdgen.importers.command",
}


def run() -> NoReturn:
    """The `skpdgen` command (and `python -m skpdgen`): main(), then an exit that runs the exit
    handlers and flushes the output, but skips freeing every object of the interpreter one by
    one: the system takes the memory back at once (a no-op build of 10,000 posts: 10 ms of
    its 0.19 s). With another thread still running (none should), Python's own exit waits
    for it as usual."""
    try:
        code: object = main()
    except SystemExit as exc:       # argparse: --help, --version, a usage error
        code = exc.code
    if isinstance(code, str):       # what Python itself does with SystemExit("message")
        print(code, file=sys.stderr)
        code = 1
    status = code if isinstance(code, int) else (0 if code is None else 1)
    if threading.active_count() > 1 or not hasattr(atexit, "_run_exitfuncs"):
        sys.exit(status)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):     # a closed pipe, a closed stream
            stream.flush()
    os._exit(status)


def main(argv: Sequence[str] | None = None) -> int:
    # a console that cannot show a character (an agency name, '…') must not crash a command
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        language = _language(argv)
    except LanguageError as exc:
        print(f"skpdgen: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    with speaking(language):
        return _run(make_parser(language, _command_word(argv)), argv, language)


def _run(parser: argparse.ArgumentParser, argv: list[str], language: str) -> int:
    args = parser.parse_args(argv)
    if getattr(args, "lang", None) is None:     # a command's own --lang sees the chosen one
        args.lang = language
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except ConfigError as exc:
        print_diagnostics(exc.diagnostics)
        if not exc.diagnostics:
            print("error: SKPDGEN_TODAY must be a date YYYY-MM-DD", file=sys.stderr)
        return EXIT_USAGE
    except (UsageError, _scaffold_error()) as exc:   # evaluated only when something was raised
        print(f"skpdgen: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _scaffold_error() -> type[Exception]:
    """ScaffoldError, imported only when a command failed (scaffold.py imports a lot)."""
    from skpdgen.scaffold import ScaffoldError
    return ScaffoldError


if __name__ == "__main__":
    run()
