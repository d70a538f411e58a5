"""Child processes of a build: they stop when the build is killed, and one can be forked to
share a cheap job (the no-op check) without the start-up of a process pool."""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any


def die_with_parent(parent: int) -> None:
    """In a child: stop when the build that started it is killed (Linux asks the kernel to
    send SIGTERM then), instead of working on for nobody."""
    import ctypes
    with contextlib.suppress(OSError, AttributeError):   # not Linux: nothing asks
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG
    if os.getppid() != parent:      # it died before the request was made
        os._exit(1)


def can_fork() -> bool:
    """Linux, and no other thread: a fork copies only the calling thread, so a lock another
    one holds (the preview server's, a test runner's) would never be released in the child."""
    return sys.platform == "linux" and threading.active_count() == 1


class Forked:
    """A call running in a forked child; `result()` is its pickled return value, or None when
    the child failed in any way (the caller then does the work itself)."""

    def __init__(self, pid: int, pipe: int) -> None:
        self.pid, self.pipe = pid, pipe

    def result(self) -> Any:
        with os.fdopen(self.pipe, "rb") as pipe:
            try:
                data = pipe.read()
            except OSError:
                data = b""
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            return None
        if status != 0 or not data:
            return None
        try:
            return pickle.loads(data)
        except Exception:  # noqa: BLE001 -- a cut-off answer is no answer
            return None


def fork_call(function: Callable[..., Any], *args: Any) -> Forked | None:
    """Run `function(*args)` in a forked child (None when this process cannot fork: see
    can_fork). The child shares nothing back but the pickled return value; it never returns
    into the caller's code."""
    if not can_fork():
        return None
    try:
        read, write = os.pipe()
    except OSError:
        return None
    parent = os.getpid()
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return None
    if pid:
        os.close(write)
        return Forked(pid, read)
    status = 1
    try:
        os.close(read)
        die_with_parent(parent)
        data = pickle.dumps(function(*args), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write, "wb") as pipe:
            pipe.write(data)
        status = 0
    finally:
        os._exit(status)
