"""Parts of a page that do not depend on the page (header, menu, footer): rendered once an agency.

A template asks for one with `fragment("_footer.html", root=root, portal_href=portal_href)`.
The partial sees the globals (`t`, `lang`, filters), `site` (without its per-page `menu`),
`region`, `build_date` and the values named in the call, nothing else. So two pages that pass the
same values get the same HTML, and an agency renders each variant once: one per folder depth,
per active menu entry, instead of once per page.

Why a kept fragment is never stale: its values come from the page's context and `site` and
`region` from the agency's views, all of which the page's fingerprint covers (deps.py), and the
partial itself is a template of the agency's environment, which the agency key covers. The
questions the partial asked of the build day (the footer's year) are asked again of the day of
every page that shows it, so a new day re-renders exactly the pages it did before.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date, datetime
from typing import Any

import jinja2
from jinja2.runtime import Context
from markupsafe import Markup

from skpdgen.buildday import Question, TrackedDay

_PLAIN = frozenset({str, Markup, int, float, bool, type(None), date, datetime})


class Fragments:
    """An agency's fragments, kept by partial and values for one render of its pages."""

    def __init__(self, site: dict[str, Any], region: dict[str, Any], today: date):
        self._shared = {"site": without_menu(site), "region": region}
        self._today = today
        self._kept: dict[tuple[str, Hashable], tuple[Markup, tuple[Question, ...]]] = {}

    @jinja2.pass_context
    def render(self, context: Context, name: str, /, **values: Any) -> Markup:
        """The `fragment(name, **values)` of the agency's pages."""
        key = (name, frozen(name, values))
        kept = self._kept.get(key)
        if kept is None:
            day = TrackedDay(self._today)
            html = render_partial(context.environment, name,
                                  {**self._shared, "build_date": day, **values})
            kept = self._kept[key] = (html, tuple(day._questions))
        page_day = context.get("build_date")
        if isinstance(page_day, TrackedDay):
            page_day._questions.extend(kept[1])
        return kept[0]


@jinja2.pass_context
def fragment(context: Context, name: str, /, **values: Any) -> Markup:
    """`fragment()` of a page that no agency renders (the portal's): rendered every time."""
    site = context.get("site")
    return render_partial(context.environment, name, {
        "site": without_menu(site) if site else site, "region": context.get("region"),
        "build_date": context.get("build_date"), **values})


def render_partial(env: jinja2.Environment, name: str, variables: dict[str, Any]) -> Markup:
    """A template rendered with only `variables` (and the globals), inside the page that asked:
    an error is the page's, and a sandboxed page's time budget keeps running."""
    template = env.get_template(name)
    return Markup(env.concat(template.root_render_func(
        template.new_context(variables))))


def without_menu(site: dict[str, Any]) -> dict[str, Any]:
    """The agency view of a fragment: the menu differs from page to page, so a fragment gets
    it (with its `active` marks) only as a value of the call."""
    return {key: value for key, value in site.items() if key != "menu"}


def frozen(name: str, value: Any) -> Hashable:
    """`value` as a key: plain data only (text, numbers, dates, lists and dicts of them), whose
    type is part of the key (Markup is not the same value as the text it holds)."""
    kind = type(value)
    if kind in _PLAIN:
        return (kind, value)
    if kind is dict:
        return (dict, tuple((k, frozen(name, v)) for k, v in value.items()))
    if kind is list or kind is tuple:
        return (kind, tuple(frozen(name, v) for v in value))
    raise jinja2.TemplateRuntimeError(
        f"fragment('{name}'): a value of type {kind.__name__} cannot be passed; "
        "pass text, numbers, dates, or lists and dicts of them")
