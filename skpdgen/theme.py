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
from skpdgen.media.markup import picture_data


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


def make_environment(theme: Theme, override_dir: Path | None) -> jinja2.Environment:
    """A Jinja environment: the agency's templates/ (if any) in front of the theme's layers."""
    loaders: list[jinja2.BaseLoader] = []
    if override_dir is not None and override_dir.is_dir():
        loaders.append(jinja2.FileSystemLoader(override_dir))
    loaders.extend(jinja2.FileSystemLoader(d) for d in theme.template_dirs)
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
    env.globals["picture_data"] = picture_data
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
