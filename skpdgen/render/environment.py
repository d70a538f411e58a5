"""The Jinja environment of a theme, with an agency's template overrides in front of it.

Autoescape is on for every template (including XML and JSON ones) and undefined variables are
errors, so a typo in a template fails the build instead of printing nothing.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from skpdgen import i18n
from skpdgen.media.markup import picture_data
from skpdgen.render.fragments import fragment
from skpdgen.render.memoize import memoize
from skpdgen.render.sandbox import AgencySandbox, AgencyTemplateLoader, BudgetTemplate, budget_range
from skpdgen.render.striptags import striptags
from skpdgen.render.template_cache import TEMPLATE_CACHE
from skpdgen.theme import Theme


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
        env.globals["range"] = budget_range(env)
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
        "striptags": striptags,             # Jinja's, in linear time
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
