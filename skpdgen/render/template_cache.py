"""Compiled templates, kept in memory for the process and on disk between runs (signed)."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import os
import secrets
import types
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket
from jinja2.sandbox import SandboxedEnvironment

from skpdgen.theme import templates_kept_in
from skpdgen.usercache import user_cache_dir


class TemplateCache(jinja2.BytecodeCache):
    """Compiled templates shared by every environment of the process (each agency's, the
    portal's, each worker's: a forked worker inherits them) and, for the theme's trusted
    templates, kept across runs under build/.skpdgen/templates/ (see `cache_templates_in`).

    A compiled template is found again only for the same template name, file path, source
    text (its checksum), kind of environment (sandboxed or not) and environment settings, so
    an agency's own template is never taken for a theme template of the same name, and a theme
    template compiled for the sandbox is never used outside it, nor the other way round. What an
    agency's sandbox compiles stays in memory: untrusted templates are never read back from disk.

    A kept file is compiled Python: loading one runs code. Each file is signed (HMAC-SHA256)
    with a key that lives outside the repository (`template_key`), and a file whose signature
    does not match is never unmarshalled, so a build/ folder committed to the repository or
    written by someone else cannot run code in CI; without a usable key nothing is kept.
    """

    def __init__(self) -> None:
        self._memory: dict[str, tuple[str, types.CodeType]] = {}

    def get_bucket(self, environment: jinja2.Environment, name: str,
                   filename: str | None, source: str) -> Bucket:
        sandboxed = isinstance(environment, SandboxedEnvironment)
        settings = (type(environment).__qualname__, sandboxed, environment.trim_blocks,
                    environment.lstrip_blocks, environment.keep_trailing_newline,
                    environment.newline_sequence, environment.optimized,
                    environment.block_start_string, environment.variable_start_string,
                    environment.comment_start_string, sorted(environment.filters),
                    sorted(environment.tests), name, filename)
        key = ("sandbox-" if sandboxed else "theme-") + hashlib.sha256(
            repr(settings).encode("utf-8")).hexdigest()[:40]
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        kept = self._memory.get(bucket.key)
        if kept is not None and kept[0] == bucket.checksum:
            bucket.code = kept[1]
            return
        path = self._file(bucket.key)
        if path is None:
            return
        try:
            payload = _verified(path.read_bytes())
            if payload is not None:    # Jinja checks its and Python's versions, the checksum
                bucket.load_bytecode(io.BytesIO(payload))
        except (OSError, ValueError, EOFError, TypeError):
            bucket.reset()
        if bucket.code is not None:
            self._memory[bucket.key] = (bucket.checksum, bucket.code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        if bucket.code is None:
            return
        self._memory[bucket.key] = (bucket.checksum, bucket.code)
        path = self._file(bucket.key)
        if path is None:
            return
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:       # only a shortcut for the next run: a full disk or a read-only folder is fine
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(_signed(bucket.bytecode_to_string()))
            os.replace(temporary, path)
        except OSError:
            temporary.unlink(missing_ok=True)

    def clear(self) -> None:
        self._memory.clear()

    def _file(self, key: str) -> Path | None:
        directory = templates_kept_in()
        if directory is None or not key.startswith("theme-") or template_key() is None:
            return None
        return directory / f"{key}.jinja"


def _key_file() -> Path:
    return user_cache_dir() / "template-cache.key"


_KEY: list[bytes | None] = []


def template_key() -> bytes | None:
    """This user's secret for signing kept templates (created once, mode 0600), or None when
    it cannot be read or made: then compiled templates are kept in memory only."""
    if not _KEY:
        path = _key_file()
        key: bytes | None = None
        try:
            key = path.read_bytes()
        except FileNotFoundError:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as f:
                    f.write(secrets.token_bytes(32))
                key = path.read_bytes()
            except FileExistsError:         # another build made it just now
                with contextlib.suppress(OSError):
                    key = path.read_bytes()
            except OSError:
                key = None
        except OSError:
            key = None
        _KEY.append(key if key is not None and len(key) == 32 else None)
    return _KEY[0]


def _signed(payload: bytes) -> bytes:
    key = template_key()
    assert key is not None
    return hmac.new(key, payload, hashlib.sha256).digest() + payload


def _verified(data: bytes) -> bytes | None:
    key = template_key()
    if key is None or len(data) < 32:
        return None
    payload = data[32:]
    expected = hmac.new(key, payload, hashlib.sha256).digest()
    return payload if hmac.compare_digest(expected, data[:32]) else None


TEMPLATE_CACHE = TemplateCache()
