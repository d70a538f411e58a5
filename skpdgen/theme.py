"""The Jinja environment of a theme, with an agency's template overrides in front of it.

Autoescape is on for every template (including XML and JSON ones) and undefined variables are
errors, so a typo in a template fails the build instead of printing nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import os
import secrets
import stat
import time
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.bccache import Bucket
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEnvironment, safe_range

from skpdgen import i18n
from skpdgen.i18n import Translator
from skpdgen.media.markup import picture_data
from skpdgen.render.fragments import fragment
from skpdgen.render.memoize import memoize


@dataclass(frozen=True, slots=True)
class Asset:
    """A theme static file published under assets/ with a content hash in its name."""

    name: str          # as templates ask for it: css/main.css
    dest_path: str     # assets/css/main.3f2a9c1b.css
    source: Path


BUILTIN_THEME = Path(__file__).resolve().parent / "themes" / "default"
"""The default theme, shipped inside the package: the base layer of every region's theme."""


@dataclass(frozen=True, slots=True)
class Theme:
    """A theme's layers, strings and fingerprinted assets; loaded once per build.

    `layers` is the region's themes/<name>/ (when it exists) in front of the built-in theme:
    a region overrides the built-in one file by file (a template, the stylesheet, a string).
    """

    layers: tuple[Path, ...]
    translator: Translator
    assets: dict[str, Asset]

    @property
    def root(self) -> Path:
        """The first layer: the region's own theme folder, else the built-in theme."""
        return self.layers[0]

    @property
    def template_dirs(self) -> list[Path]:
        return [layer / "templates" for layer in self.layers if (layer / "templates").is_dir()]


def theme_layers(region_theme_dir: Path) -> tuple[Path, ...]:
    """The region's theme folder (if it exists) in front of the built-in default theme."""
    if region_theme_dir.is_dir() and region_theme_dir.resolve() != BUILTIN_THEME:
        return (region_theme_dir, BUILTIN_THEME)
    return (BUILTIN_THEME,)


def load_theme(region_theme_dir: Path, language: str) -> Theme:
    layers = theme_layers(region_theme_dir)
    return Theme(layers, i18n.load_translator(layers, language), _assets(layers))


def _assets(layers: tuple[Path, ...]) -> dict[str, Asset]:
    """Every static file of every layer; a front layer's file replaces the same name behind."""
    assets: dict[str, Asset] = {}
    for layer in reversed(layers):
        static_dir = layer / "static"
        if not static_dir.is_dir():
            continue
        for path in sorted(static_dir.rglob("*")):
            if not path.is_file() or path.name.startswith("."):
                continue
            name = path.relative_to(static_dir).as_posix()
            assets[name] = Asset(name, "assets/" + fingerprinted(name, path.read_bytes()), path)
    return dict(sorted(assets.items()))


def fingerprinted(name: str, data: bytes) -> str:
    """css/main.css -> css/main.<8 hex>.css"""
    digest = hashlib.sha256(data).hexdigest()[:8]
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{digest}.{ext}" if dot else f"{name}.{digest}"


class AgencySandbox(ImmutableSandboxedEnvironment):
    """The environment of an agency that overrides templates: agency folders are untrusted.

    Jinja's immutable sandbox (no `__` attributes, no mutation of lists and dicts, no unsafe
    callables) plus: no attribute of a filesystem path, module, class or code object, so the
    template context (plain data, documented in docs/templates.md) leads nowhere else.
    """

    intercepted_binops = frozenset(("*", "**", "+"))
    deadline = 0.0                  # time.monotonic() by which the current page must be done

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        self.check_time()
        if not super().is_safe_attribute(obj, attr, value):
            return False
        return not isinstance(obj, _OPAQUE) and not isinstance(value, _OPAQUE)

    def check_time(self) -> None:
        if self.deadline and time.monotonic() > self.deadline:
            raise SecurityError(f"the page took more than {RENDER_SECONDS} s to render "
                                "(a loop too large?)")

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        __self.check_time()
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self.check_time()
        if operator == "**" and (abs(right) if isinstance(right, int | float) else 0) > 64:
            raise SecurityError("an exponent over 64 is not allowed in a template")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(times, int) and (
                        len(seq) * times > MAX_PRODUCT):
                    raise SecurityError("a repeated text or list over 1 000 000 items")
        if operator == "+" and isinstance(left, str | list | tuple) and isinstance(
                right, str | list | tuple) and len(left) + len(right) > 10 * MAX_PRODUCT:
            raise SecurityError("a joined text or list over 10 000 000 items")
        return self.binop_table[operator](left, right)

    def is_safe_callable(self, obj: Any) -> bool:
        if not super().is_safe_callable(obj):
            return False
        owner = getattr(obj, "__self__", None)
        return not isinstance(obj, _OPAQUE) and not isinstance(owner, _OPAQUE)


_OPAQUE = (os.PathLike, types.ModuleType, type, types.CodeType, types.FrameType)
RENDER_SECONDS = 10          # one page of an agency's templates; the theme's take milliseconds
MAX_PRODUCT = 1_000_000


class BudgetTemplate(jinja2.Template):
    """A template of an agency's sandbox: each render has a time budget."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        env = self.environment
        if isinstance(env, AgencySandbox):
            env.deadline = time.monotonic() + RENDER_SECONDS
        return super().render(*args, **kwargs)


class _BudgetRange:
    """range() for agency templates: checks the page's time budget while it is iterated."""

    def __init__(self, env: AgencySandbox, numbers: range):
        self._env = env
        self._numbers = numbers

    def __len__(self) -> int:
        return len(self._numbers)

    def __getitem__(self, index: Any) -> Any:
        return self._numbers[index]

    def __iter__(self) -> Iterator[int]:
        for index, number in enumerate(self._numbers):
            if index % 1000 == 999:
                self._env.check_time()
            yield number


def _budget_range(env: AgencySandbox) -> Callable[..., Any]:
    def budget_range(*args: int) -> _BudgetRange:
        return _BudgetRange(env, safe_range(*args))
    return budget_range


class AgencyTemplateLoader(jinja2.FileSystemLoader):
    """An agency's templates/: only regular files inside it, never a link or a device."""

    def get_source(self, environment: jinja2.Environment, template: str
                   ) -> tuple[str, str, Callable[[], bool]]:
        base = Path(self.searchpath[0])
        path = base
        for part in jinja2.loaders.split_template_path(template):
            path = path / part
            try:
                mode = os.lstat(path).st_mode
            except OSError:
                raise jinja2.TemplateNotFound(template) from None
            if stat.S_ISLNK(mode) or not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                raise jinja2.TemplateSyntaxError(
                    "only regular files are read from an agency's templates/"
                    " (no links, pipes or devices)", 1, template, str(path))
        if not stat.S_ISREG(mode):
            raise jinja2.TemplateNotFound(template)
        return super().get_source(environment, template)


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
        self.directory: Path | None = None
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
        if self.directory is None or not key.startswith("theme-") or template_key() is None:
            return None
        return self.directory / f"{key}.jinja"


def _key_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "skpdgen" / "template-cache.key"


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


def cache_templates_in(directory: Path | None) -> None:
    """Keep the theme's compiled templates in `directory` (build/.skpdgen/templates/) from
    one run to the next; None: in memory only."""
    TEMPLATE_CACHE.directory = directory


def make_environment(theme: Theme, override_dir: Path | None) -> jinja2.Environment:
    """A Jinja environment: the agency's templates/ (if any) in front of the theme's layers.

    The theme is trusted code (it is reviewed with the region); an agency's own templates are
    not, so an environment that includes them is sandboxed (see AgencySandbox).
    """
    loaders: list[jinja2.BaseLoader] = []
    sandboxed = override_dir is not None and override_dir.is_dir()
    if sandboxed:
        assert override_dir is not None
        loaders.append(AgencyTemplateLoader(override_dir))
    loaders.extend(jinja2.FileSystemLoader(d) for d in theme.template_dirs)
    env_class = AgencySandbox if sandboxed else jinja2.Environment
    env = env_class(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a build never sees a template change; serve loads a new Theme
        bytecode_cache=TEMPLATE_CACHE,
    )
    if isinstance(env, AgencySandbox):
        env.template_class = BudgetTemplate
        env.globals["range"] = _budget_range(env)
    t = theme.translator
    env.globals["t"] = t
    env.globals["lang"] = t.lang
    env.globals["picture_data"] = picture_data
    env.globals["fragment"] = fragment       # an agency's pages get one that keeps them
    env.globals["memoize"] = memoize
    env.filters.update({
        "date_long": t.date_long,
        "date_short": t.date_short,
        "month_short": t.month_short,
        "time": t.time,
        "datetime_long": t.datetime_long,
        "iso": i18n.iso,
        "filesize": lambda size: i18n.filesize(size, t.lang),
    })
    return env


# A memo, not shared state: compiled templates are costly, and every agency without its own
# templates/ shares one environment. Keyed by the Theme object so a reloaded theme (serve)
# never meets templates compiled for the old one.
_ENVIRONMENTS: dict[tuple[int, Path | None], tuple[Theme, jinja2.Environment]] = {}


def environment_for(theme: Theme, override_dir: Path | None) -> jinja2.Environment:
    """The Jinja environment for a theme and an agency's override folder."""
    override = override_dir if override_dir and override_dir.is_dir() else None
    key = (id(theme), override)
    cached = _ENVIRONMENTS.get(key)
    if cached is None or cached[0] is not theme:
        if cached is None and len(_ENVIRONMENTS) > 64:
            _ENVIRONMENTS.clear()
        cached = _ENVIRONMENTS[key] = (theme, make_environment(theme, override))
    return cached[1]


def error_location(exc: BaseException) -> tuple[str | None, int | None]:
    """(template file, line) where a render error happened, from the traceback Jinja rewrote.

    Syntax errors carry both; runtime errors (a sandbox refusal, an undefined variable) only
    have them as the innermost template frame of the traceback.
    """
    filename = getattr(exc, "filename", None)
    line = getattr(exc, "lineno", None)
    if filename and line:
        return filename, line
    tb = exc.__traceback__
    while tb is not None:
        code_file = tb.tb_frame.f_code.co_filename
        if not code_file.endswith(".py") and not code_file.startswith("<"):
            filename, line = code_file, tb.tb_lineno
        tb = tb.tb_next
    return filename, line
