"""run(): bind, build once, serve, watch, rebuild on change, until stopped.

The output folder is build/ (so a later `skpdgen build` has little left to do), except with
--drafts or --future: that output must never be deployed by mistake, so it goes into a
temporary folder that is removed when the server stops.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from skpdgen.config.region import load_region
from skpdgen.diagnostics import Diagnostic
from skpdgen.pipeline import ProgressCallback
from skpdgen.serve import editor_api
from skpdgen.serve.guard import WILDCARD_HOSTS, url_host
from skpdgen.serve.http import PreviewServer, bind
from skpdgen.serve.plan import plan_rebuild
from skpdgen.serve.rebuild import BuildSettings, Rebuilder, RebuildOutcome
from skpdgen.serve.state import LiveState
from skpdgen.serve.watch import ChangeCollector, SourceWatcher

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})

@dataclass(frozen=True, slots=True)
class ServeOptions:
    """What `skpdgen serve` was asked to do."""

    root: Path
    host: str = DEFAULT_HOST
    port: int | None = None           # None: DEFAULT_PORT, or the next free one
    site: str | None = None
    drafts: bool = False
    future: bool = False
    today: date | None = None
    quiet_seconds: float = 0.1        # debounce: a burst of saves is one rebuild


@dataclass(frozen=True, slots=True)
class Started:
    """The server is up: where, and how the first build went."""

    url: str
    port: int
    out_dir: Path
    temporary: bool                   # the output is a temporary folder (drafts/future)
    asked_port: int | None            # set when that port was busy and another was taken
    initial: RebuildOutcome


class ServeListener(Protocol):
    """Where `run` reports what happens (the command layer prints it)."""

    def started(self, info: Started) -> None: ...

    def rebuilt(self, outcome: RebuildOutcome) -> None: ...

    def problem(self, message: str) -> None: ...

    def diagnostics(self, found: list[Diagnostic]) -> None: ...


def run(options: ServeOptions, listener: ServeListener, stop: threading.Event | None = None,
        progress: ProgressCallback | None = None) -> None:
    """Serve until `stop` is set or KeyboardInterrupt; ConfigError/BindError before serving."""
    root = options.root.resolve()
    load_region(root)                  # a broken skpdgen.yaml at the start: say so and stop
    state = LiveState()
    server = bind(options.host, options.port, state, secrets.token_urlsafe(24),
                  first_port=DEFAULT_PORT, on_error=listener.problem)
    temporary = options.drafts or options.future
    out_dir = Path(tempfile.mkdtemp(prefix="skpdgen-serve-")) if temporary else root / "build"
    rebuilder = Rebuilder(BuildSettings(root, out_dir, options.site, options.drafts,
                                        options.future, options.today), state,
                          index_when_idle=True)

    def on_batch(batch: frozenset[Path]) -> None:
        plan = plan_rebuild(batch, root, options.site)
        if plan is not None:
            listener.rebuilt(rebuilder.rebuild(plan))

    def on_idle() -> None:
        listener.diagnostics(rebuilder.index_deferred())

    collector = ChangeCollector(on_batch, options.quiet_seconds, on_idle=on_idle)
    watcher = SourceWatcher(root, collector.add, collector.settle)
    serving: threading.Thread | None = None
    try:
        watcher.start()                # edits made during the first build are not lost
        initial = rebuilder.initial(progress)
        server.set_output(out_dir)
        if options.host in LOOPBACK:      # never writable from the network (--host 0.0.0.0)
            server.editor = editor_api.LocalRepository(root, options.site)
        serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                                   name="skpdgen-http", daemon=True)
        serving.start()
        collector.start()
        asked = DEFAULT_PORT if options.port is None and server.port != DEFAULT_PORT else None
        listener.started(Started(_url(server, options.site), server.port, out_dir, temporary,
                                 asked, initial))
        stop = stop or threading.Event()
        while not stop.wait(1.0):      # a timed wait keeps Ctrl-C prompt everywhere
            pass
    finally:
        watcher.stop()
        collector.stop(timeout=2.0)    # a long rebuild is not waited for: swaps are atomic
        state.close()
        if serving is not None:
            server.shutdown()
        server.server_close()
        if temporary:
            shutil.rmtree(out_dir, ignore_errors=True)


def _url(server: PreviewServer, site: str | None) -> str:
    host = server.guard.bound_host
    shown = DEFAULT_HOST if host in WILDCARD_HOSTS else url_host(host)
    return f"http://{shown}:{server.port}/" + (f"{site}/" if site else "")
