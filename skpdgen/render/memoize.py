"""`memoize(macro)`: a macro whose result depends only on its arguments, computed once for each.

For macros of a template that is imported without context (`{% from "_icons.html" import
icon %}`): such a module sees only its arguments and the environment's globals, and Jinja keeps
one module for every page, so the remembered results are right for every page that imports it.
A module imported with context is made again for each page, and so is its memo.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def memoize(macro: Callable[..., Any]) -> Callable[..., Any]:
    """`macro` remembering its result by arguments (those that cannot be a key are not kept)."""
    kept: dict[Any, Any] = {}

    def remembered(*args: Any, **kwargs: Any) -> Any:
        # with the types: Markup("<b>") equals "<b>", True equals 1, yet each prints otherwise
        key = (args, tuple(map(type, args)), *kwargs.items(), *map(type, kwargs.values()))
        try:
            return kept[key]
        except KeyError:
            result = kept[key] = macro(*args, **kwargs)
            return result
        except TypeError:     # a list or a dict among the arguments
            return macro(*args, **kwargs)

    return remembered
