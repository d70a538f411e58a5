"""The Jinja environment of a theme, with an agency's template overrides in front of it.

Autoescape is on for every template (including XML and JSON ones) and undefined variables are
errors, so a typo in a template fails the build instead of printing nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import jinja2

from skpdgen import i18n
from skpdgen.i18n import Translator


@dataclass(frozen=True, slots=True)
class Asset:
    """A theme static file published under assets/ with a content hash in its name."""

    name: str          # as templates ask for it: css/main.css
    dest_path: str     # assets/css/main.3f2a9c1b.css
    source: Path


@dataclass(frozen=True, slots=True)
class Theme:
    """A theme's folders, strings and fingerprinted assets; loaded once per build."""

    root: Path
    translator: Translator
    assets: dict[str, Asset]

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"


def load_theme(root: Path, language: str) -> Theme:
    return Theme(root, i18n.load_translator(root, language), _assets(root / "static"))


def _assets(static_dir: Path) -> dict[str, Asset]:
    assets: dict[str, Asset] = {}
    if not static_dir.is_dir():
        return assets
    for path in sorted(static_dir.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        name = path.relative_to(static_dir).as_posix()
        assets[name] = Asset(name, "assets/" + fingerprinted(name, path.read_bytes()), path)
    return assets


def fingerprinted(name: str, data: bytes) -> str:
    """css/main.css -> css/main.<8 hex>.css"""
    digest = hashlib.sha256(data).hexdigest()[:8]
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{digest}.{ext}" if dot else f"{name}.{digest}"


def make_environment(theme: Theme, override_dir: Path | None) -> jinja2.Environment:
    """A Jinja environment: the agency's templates/ (if any) in front of the theme's."""
    loaders: list[jinja2.BaseLoader] = []
    if override_dir is not None and override_dir.is_dir():
        loaders.append(jinja2.FileSystemLoader(override_dir))
    loaders.append(jinja2.FileSystemLoader(theme.templates_dir))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a build never sees a template change; serve loads a new Theme
    )
    t = theme.translator
    env.globals["t"] = t
    env.globals["lang"] = t.lang
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
