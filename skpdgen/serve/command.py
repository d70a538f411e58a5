"""The `serve` subcommand: arguments, what the terminal shows, exit status.

Exit status: 0 when stopped with Ctrl-C (or SIGTERM); 2 when it cannot start (region config,
unknown --site, address or port unusable, sources that cannot be watched).
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from types import FrameType
from typing import Any

from skpdgen.diagnostics import ConfigError, Diagnostic
from skpdgen.output import Progress, print_diagnostics
from skpdgen.serve.app import DEFAULT_HOST, DEFAULT_PORT, ServeOptions, Started, run
from skpdgen.serve.guard import is_loopback
from skpdgen.serve.http import BindError
from skpdgen.serve.rebuild import RebuildOutcome
from skpdgen.serve.watch import WatchError

EXIT_OK, EXIT_USAGE = 0, 2


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"'{value}' is not a port number (use 1024-65535, "
                                         f"or 0 for any free port)")
    return port


def register(subparsers: Any) -> None:
    """Add `skpdgen serve` to the command line."""
    from skpdgen.cli import _add_common
    p = subparsers.add_parser(
        "serve", help="preview: build, serve locally, rebuild and reload the browser on save")
    _add_common(p)
    p.add_argument("--site", metavar="SLUG", help="only build and watch this agency")
    p.add_argument("--host", default=DEFAULT_HOST,
                   help=f"address to listen on (default: {DEFAULT_HOST}, this computer only)")
    p.add_argument("--port", type=_port, default=None,
                   help=f"port (default: {DEFAULT_PORT}, or the next free one; 0: any free)")
    p.add_argument("--drafts", action="store_true", help="include drafts")
    p.add_argument("--future", action="store_true", help="include items dated in the future")
    p.set_defaults(func=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the preview server until Ctrl-C."""
    from skpdgen.cli import _today
    options = ServeOptions(root=args.root, host=args.host, port=args.port, site=args.site,
                           drafts=args.drafts, future=args.future, today=_today(args))
    if not is_loopback(options.host):
        _say(f"warning: listening on {options.host}: other computers on the network can open "
             f"this preview (drafts included with --drafts)")
    previous = signal.signal(signal.SIGTERM, _interrupt)
    listener = TerminalListener()
    try:
        run(options, listener, progress=listener.progress)
    except (BindError, WatchError) as exc:
        listener.progress.done()
        _say(f"skpdgen serve: error: {exc}")
        return EXIT_USAGE
    except ConfigError:
        listener.progress.done()      # the CLI prints the diagnostics on a clean line
        raise
    except KeyboardInterrupt:
        listener.progress.done()
        _say("stopped")
        return EXIT_OK
    finally:
        signal.signal(signal.SIGTERM, previous)
    return EXIT_OK


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


class TerminalListener:
    """Prints what the server does: one line per rebuild, diagnostics as `build` shows them."""

    def __init__(self) -> None:
        self.progress = Progress("building")      # the first build, on a terminal only

    def started(self, info: Started) -> None:
        self.progress.done()
        self._report(info.initial, first=True)
        if info.asked_port is not None:
            _say(f"port {info.asked_port} is in use; serving on port {info.port} instead")
        if info.temporary:
            _say(f"drafts/future items are built into {info.out_dir}, not build/ "
                 f"(removed when the server stops)")
        _say(f"serving {info.url}  (Ctrl-C to stop)")

    def rebuilt(self, outcome: RebuildOutcome) -> None:
        self._report(outcome, first=False)

    def problem(self, message: str) -> None:
        _say(f"warning: {message}")

    def diagnostics(self, found: list[Diagnostic]) -> None:
        """Problems found after a rebuild was reported (the search index of a pause)."""
        print_diagnostics(found)

    def _report(self, outcome: RebuildOutcome, first: bool) -> None:
        print_diagnostics(outcome.diagnostics)
        stamp = time.strftime("%H:%M:%S")
        if outcome.config_errors:
            _say(f"{stamp} not rebuilt: skpdgen.yaml has errors (every page shows them until "
                 f"it is fixed; the server keeps running)")
            return
        if outcome.crash:
            _say(f"{stamp} error: {outcome.crash}")
            return
        result = outcome.result
        assert result is not None
        built = [s.slug for s in result.sites]
        what = ("every site" if outcome.plan.everything else ", ".join(built)) + " and the portal"
        verb = "built" if first else "rebuilt"
        line = f"{stamp} {verb} {what} in {outcome.seconds:.2f} s"
        if not first:
            line += f" ({outcome.plan.describe()})"
            if not outcome.updated:
                line += "; nothing changed"
        _say(line)
        if result.failed:
            _say(f"{stamp} failed: {', '.join(result.failed)} (the last good output is kept; "
                 f"the browser shows the errors on its pages)")
