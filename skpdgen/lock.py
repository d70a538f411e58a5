"""One build at a time per output folder: an exclusive lock on build/.skpdgen/lock.

Two builds writing the same build/ would interleave their agencies and the manifest. The lock
is an advisory POSIX record lock (`lockf`) on a file inside the output folder: the kernel
releases it when its process dies (kill -9 included), and the forked workers of --jobs never
hold it, so a stale lock never blocks the next build. The file holds the PID of the build
that holds it, for the message the second build gives.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from skpdgen.diagnostics import ConfigError, Diagnostic

LOCK_NAME = "lock"
STATE_DIR = ".skpdgen"


class BuildLocked(ConfigError):
    """Another process holds the lock on this output folder."""


def lock_path(out: Path) -> Path:
    return out / STATE_DIR / LOCK_NAME


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return "?"
    return text if text.isdigit() else "?"


@contextlib.contextmanager
def hold(out: Path, where: str = "build") -> Iterator[None]:
    """Hold the exclusive lock on `out` for the duration of the block.

    Raises BuildLocked (exit 2, "another build is running: PID …") when it is taken.
    """
    path = lock_path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        try:
            # a POSIX record lock belongs to this process alone: the worker processes of
            # --jobs (forked, sharing the descriptor) do not hold it when the build is killed
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EAGAIN):
                raise
            raise BuildLocked([Diagnostic(
                where, None, "error",
                f"another build is running: PID {_holder(fd)} (it writes {out})",
                "wait for it to finish, or stop it, then build again")]) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)   # an idle build/ looks the same after every build
    finally:
        os.close(fd)   # closing the descriptor releases the lock
