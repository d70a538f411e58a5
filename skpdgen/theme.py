"""A region's theme: its layers (the region's themes/<name>/ in front of the built-in one),
its strings and its fingerprinted assets.

The Jinja environments that render with it are in skpdgen/render/environment.py: a build with
nothing to render (a no-op) loads the theme for its key but never imports Jinja.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skpdgen import i18n
from skpdgen.i18n import Translator


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
    Its strings and assets are read when first asked for (`load` reads them at once): a build
    with nothing to render needs only the layers.
    """

    layers: tuple[Path, ...]
    language: str
    _loaded: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def translator(self) -> Translator:
        found = self._loaded.get("translator")
        if found is None:
            found = self._loaded["translator"] = i18n.load_translator(self.layers,
                                                                      self.language)
        return found

    @property
    def assets(self) -> dict[str, Asset]:
        found = self._loaded.get("assets")
        if found is None:
            found = self._loaded["assets"] = _assets(self.layers)
        return found

    def load(self) -> Theme:
        """Read its strings and assets now: a strings file that cannot be read is a
        ConfigError here, not inside the build of an agency."""
        _ = self.translator, self.assets
        return self

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


def load_theme(region_theme_dir: Path, language: str, lazy: bool = False) -> Theme:
    """The region's theme; `lazy`: its strings and assets are read when first used."""
    theme = Theme(theme_layers(region_theme_dir), language)
    return theme if lazy else theme.load()


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


# where compiled theme templates are kept between runs (render/template_cache.py)
_TEMPLATE_DIR: list[Path | None] = [None]


def cache_templates_in(directory: Path | None) -> None:
    """Keep the theme's compiled templates in `directory` (build/.skpdgen/templates/) from
    one run to the next; None: in memory only."""
    _TEMPLATE_DIR[0] = directory


def templates_kept_in() -> Path | None:
    return _TEMPLATE_DIR[0]
