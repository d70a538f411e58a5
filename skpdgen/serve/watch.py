"""Watch the sources with watchdog and hand over debounced batches of changed paths.

Editors save in bursts (a temporary file, a rename, a metadata touch) and `git checkout`
touches many files at once. A batch is handed over after `quiet` seconds without a new
event (or after `max_delay` of continuous events), so one burst is one rebuild. When the last
event says a changed file is complete (closed after writing, or renamed into place: how
editors end a save), `settled` seconds without a new event are enough, so the preview starts
building sooner. Batches are handled one at a time on the collector's own thread: builds
never overlap, and events that arrive during a build form the next batch.
"""

from __future__ import annotations

import errno
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from watchdog.events import (
    EVENT_TYPE_CLOSED,
    EVENT_TYPE_CREATED,
    EVENT_TYPE_DELETED,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_MOVED,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

from skpdgen.config.region import REGION_FILE

# Reading a file (as every build does) raises "opened" and "closed" events: never a change.
_CHANGE_EVENTS = frozenset({EVENT_TYPE_CREATED, EVENT_TYPE_DELETED, EVENT_TYPE_MODIFIED,
                            EVENT_TYPE_MOVED})
# ... and these end a save: the file is complete
_SETTLING_EVENTS = frozenset({EVENT_TYPE_CLOSED, EVENT_TYPE_MOVED})
WATCHED_DIRS = ("sites", "themes")


class WatchError(Exception):
    """The sources cannot be watched; the message is one line for the user."""


class ChangeCollector:
    """Collects changed paths; calls `on_batch` once per burst, on its own thread."""

    def __init__(self, on_batch: Callable[[frozenset[Path]], None], quiet: float = 0.1,
                 max_delay: float = 1.0, settled: float = 0.02,
                 on_idle: Callable[[], None] | None = None, idle: float = 1.0):
        self._on_batch = on_batch
        # called (on the same thread) once no change came for `idle` seconds after a batch:
        # work that can wait (the search index) never delays the next save's rebuild
        self._on_idle = on_idle
        self._idle = idle
        self._idle_armed = False
        self._quiet = quiet
        self._max_delay = max_delay
        self._settled = min(settled, quiet)
        self._complete = False          # the last event ended a save (see settle)
        self._cond = threading.Condition()
        self._pending: set[Path] = set()
        self._first = 0.0
        self._last = 0.0
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="skpdgen-rebuild", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def add(self, path: Path) -> None:
        now = time.monotonic()
        with self._cond:
            if not self._pending:
                self._first = now
            self._pending.add(path)
            self._last = now
            self._complete = False
            self._cond.notify_all()

    def settle(self, path: Path) -> None:
        """`path` was closed after writing or renamed into place: its save is complete (a
        file closed without a change event before it changes nothing)."""
        now = time.monotonic()
        with self._cond:
            if path not in self._pending:
                return
            self._last = now
            self._complete = True
            self._cond.notify_all()

    def stop(self, timeout: float = 10.0) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _next_batch(self) -> frozenset[Path] | None:
        """The next batch; None when stopped; an empty batch when it is time for on_idle."""
        with self._cond:
            while not self._pending and not self._stopped:
                if self._idle_armed:
                    if not self._cond.wait(self._idle) and not self._pending:
                        self._idle_armed = False
                        return frozenset()
                else:
                    self._cond.wait()
            while not self._stopped:
                now = time.monotonic()
                quiet = self._settled if self._complete else self._quiet
                due = min(self._last + quiet, self._first + self._max_delay)
                if now >= due:
                    break
                self._cond.wait(due - now)
            if self._stopped:
                return None
            batch = frozenset(self._pending)
            self._pending.clear()
            return batch

    def _run(self) -> None:
        while (batch := self._next_batch()) is not None:
            if not batch:
                assert self._on_idle is not None
                self._on_idle()
                continue
            self._on_batch(batch)
            self._idle_armed = self._on_idle is not None


class _Handler(FileSystemEventHandler):
    def __init__(self, sink: Callable[[Path], None], only: frozenset[str] | None = None,
                 settle: Callable[[Path], None] | None = None):
        super().__init__()
        self._sink = sink
        self._only = only     # for the non-recursive watch of the root: names that matter
        self._settle = settle

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type == EVENT_TYPE_CLOSED and not event.is_directory:
            if self._settle is not None:
                raw = event.src_path
                self._settle(Path(raw if isinstance(raw, str) else raw.decode()))
            return
        if event.event_type not in _CHANGE_EVENTS:
            return
        if event.is_directory and event.event_type == EVENT_TYPE_MODIFIED:
            return            # a file inside changed: that file's own event says which
        paths = [event.src_path]
        if event.event_type == EVENT_TYPE_MOVED:
            paths.append(event.dest_path)
        for raw in paths:
            path = Path(raw if isinstance(raw, str) else raw.decode())
            if self._only is None or path.name in self._only:
                self._sink(path)
        if (event.event_type in _SETTLING_EVENTS and not event.is_directory
                and self._settle is not None and self._only is None):
            self._settle(Path(paths[-1] if isinstance(paths[-1], str) else paths[-1].decode()))


class SourceWatcher:
    """Watches skpdgen.yaml, sites/ and themes/ under a region root."""

    def __init__(self, root: Path, sink: Callable[[Path], None],
                 settle: Callable[[Path], None] | None = None):
        self._root = root
        self._sink = sink
        self._settle = settle         # told when a save is complete (ChangeCollector.settle)
        self._observer: Any = Observer()
        self._watched: set[str] = set()
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start watching; WatchError when the system refuses (Linux's inotify limits)."""
        root_handler = _Handler(self._on_root_event, frozenset({REGION_FILE, *WATCHED_DIRS}))
        try:
            self._observer.schedule(root_handler, str(self._root), recursive=False)
            for name in WATCHED_DIRS:
                self._watch_dir(name)
            self._observer.start()
        except OSError as exc:
            hint = (": raise the limit, e.g. sudo sysctl fs.inotify.max_user_watches=524288"
                    if exc.errno == errno.ENOSPC else
                    ": raise the limit, e.g. sudo sysctl fs.inotify.max_user_instances=512"
                    if exc.errno == errno.EMFILE else "")
            raise WatchError(f"cannot watch {self._root} for changes: "
                             f"{exc.strerror or exc}{hint}") from None

    def _watch_dir(self, name: str) -> None:
        folder = self._root / name
        with self._lock:
            if name in self._watched or not folder.is_dir():
                return
            self._watched.add(name)
        self._observer.schedule(_Handler(self._sink, settle=self._settle), str(folder),
                                recursive=True)

    def _on_root_event(self, path: Path) -> None:
        if path.name in WATCHED_DIRS:
            self._watch_dir(path.name)   # sites/ or themes/ created after the start
        self._sink(path)

    def stop(self) -> None:
        self._observer.stop()
        if self._observer.is_alive():
            self._observer.join(5)
