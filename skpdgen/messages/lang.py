"""Which language the command line speaks: --lang, then SKPDGEN_LANG, then the region's
`language` in skpdgen.yaml, then Indonesian."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from skpdgen.messages.catalogue import LANGUAGES

DEFAULT = "id"
ENV = "SKPDGEN_LANG"


class LanguageError(ValueError):
    """SKPDGEN_LANG or --lang names a language skpdgen does not speak."""


def choose(flag: str | None, root: Path, environ: dict[str, str] | None = None) -> str:
    """The output language for a command run with `--lang flag` (None: not given) at `root`."""
    env = os.environ if environ is None else environ
    for source, value in (("--lang", flag), (ENV, env.get(ENV, "").strip())):
        if value:
            if value not in LANGUAGES:
                raise LanguageError(f"{source} must be one of {', '.join(LANGUAGES)}, "
                                    f"got '{value}'")
            return value
    return region_language(root) or DEFAULT


def region_language(root: Path) -> str | None:
    """The `language:` of skpdgen.yaml at `root`, read leniently: a broken or missing file is
    reported by the command itself, in the default language."""
    try:
        data = yaml.load((root / "skpdgen.yaml").read_text(encoding="utf-8"),
                         Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    language = data.get("language") if isinstance(data, dict) else None
    return language if isinstance(language, str) and language in LANGUAGES else None
