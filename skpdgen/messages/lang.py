"""Which language the command line speaks: --lang, then SKPDGEN_LANG, then the region's
`language` in skpdgen.yaml, then Indonesian."""

from __future__ import annotations

import os
from pathlib import Path

from skpdgen import yamlio
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
        node = yamlio.parse_kept((root / "skpdgen.yaml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yamlio.YamlError):
        return None
    language = node.items.get("language") if isinstance(node, yamlio.YMap) else None
    if isinstance(language, yamlio.YScalar) and language.value in LANGUAGES:
        return language.value
    return None
