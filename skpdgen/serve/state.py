"""What open browser tabs need to know, shared by the rebuild thread and the HTTP threads.

A *scope* is the part of the output one page belongs to: an agency slug for pages under
/<slug>/, PORTAL ("") for everything else. Every published change bumps the generation; a tab
remembers the generation its page was served at and asks "anything for my scope since N?".
Diagnostics (errors and warnings) are kept per scope (REGION for those that concern every page)
so the HTTP side can show them on the affected pages.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from skpdgen.diagnostics import Diagnostic

PORTAL = ""
REGION = "*"

Action = Literal["reload", "css"]


@dataclass(frozen=True, slots=True)
class Update:
    """The outcome of one rebuild, as the browser side sees it."""

    changed: frozenset[str]                  # scopes whose output changed
    # scopes built -> their errors and warnings
    errors: Mapping[str, tuple[Diagnostic, ...]] = field(default_factory=dict)
    css_only: bool = False                   # only stylesheets changed: restyle, no reload
    slugs: frozenset[str] | None = None      # the agencies that exist now, when known
    language: str | None = None
    base_paths: Mapping[str, str] = field(default_factory=dict)   # scope -> its URL path


@dataclass(frozen=True, slots=True)
class PageState:
    """What the HTTP side needs to serve one page."""

    generation: int
    scope: str
    diagnostics: tuple[Diagnostic, ...]     # errors and warnings of its site and the region
    language: str
    base_path: str        # the path its site's own URLs start with ('/' on its own domain)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "warning")

    @property
    def served_path(self) -> str:
        """Where the preview serves its site: '/' for the portal, '/<slug>/' for an agency."""
        return f"/{self.scope}/" if self.scope else "/"


class LiveState:
    """Thread-safe build generation, changes per scope and errors per scope."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._generation = 0
        self._last_reload: dict[str, int] = {}
        self._last_css: dict[str, int] = {}
        self._errors: dict[str, tuple[Diagnostic, ...]] = {}
        self._slugs: frozenset[str] = frozenset()
        self._language = "id"
        self._base_paths: dict[str, str] = {}
        self._closed = False
        self._listening: dict[str, int] = {}   # scope -> reload channels waiting now
        self._served: dict[str, int] = {}      # scope -> pages served so far
        self._expected: dict[str, int] = {}    # scope -> served count once its tabs reloaded

    @property
    def generation(self) -> int:
        with self._cond:
            return self._generation

    def publish(self, update: Update) -> frozenset[str]:
        """Record a rebuild; returns the scopes whose tabs must update (empty: nothing new)."""
        with self._cond:
            if update.slugs is not None:
                self._slugs = update.slugs
            if update.language:
                self._language = update.language
            self._base_paths.update(update.base_paths)
            error_changed = set()
            for scope, errors in update.errors.items():
                if self._errors.get(scope, ()) != errors:
                    error_changed.add(scope)
                    if errors:
                        self._errors[scope] = errors
                    else:
                        self._errors.pop(scope, None)
            scopes = frozenset(update.changed | error_changed)
            if not scopes:
                return scopes
            self._generation += 1
            css = update.css_only and not error_changed
            for scope in scopes:
                (self._last_css if css else self._last_reload)[scope] = self._generation
                if not css:
                    self._expected[scope] = (self._served.get(scope, 0)
                                             + self._listening.get(scope, 0))
            self._cond.notify_all()
            return scopes

    def served(self, scope: str) -> None:
        """A page of `scope` was sent to a browser (see `make_way`)."""
        with self._cond:
            self._served[scope] = self._served.get(scope, 0) + 1
            self._cond.notify_all()

    def make_way(self, scopes: Iterable[str], timeout: float) -> bool:
        """Wait until every tab of `scopes` told to reload by the last publish has loaded its
        page again (at most `timeout` seconds), so that the rest of a rebuild (the portal, in
        the same process) does not slow down the pages someone is waiting for. True when
        they all did (or none was open)."""
        with self._cond:
            wanted = {s: self._expected[s] for s in scopes if s in self._expected}
            return self._cond.wait_for(
                lambda: self._closed or all(self._served.get(s, 0) >= n
                                            for s, n in wanted.items()), timeout)

    def page(self, segments: Iterable[str]) -> PageState:
        """The generation, scope and errors for a page at these URL segments."""
        first = next(iter(segments), None)
        with self._cond:
            scope = first if first is not None and first in self._slugs else PORTAL
            errors = self._errors.get(REGION, ()) + self._errors.get(scope, ())
            served = f"/{scope}/" if scope else "/"
            return PageState(self._generation, scope, errors, self._language,
                             self._base_paths.get(scope, served))

    def is_scope(self, scope: str) -> bool:
        with self._cond:
            return scope == PORTAL or scope in self._slugs

    def wait(self, scope: str, since: int, timeout: float) -> tuple[Action | None, int]:
        """Block until something newer than `since` happens (or timeout, or close).

        Returns what a tab of `scope` served at `since` should do, and the generation it is
        then up to date with.
        """
        with self._cond:
            self._listening[scope] = self._listening.get(scope, 0) + 1
            try:
                self._cond.wait_for(lambda: self._closed or self._generation > since, timeout)
            finally:
                self._listening[scope] -= 1
            return self._action(scope, since), self._generation

    def _action(self, scope: str, since: int) -> Action | None:
        def last(table: dict[str, int]) -> int:
            return max(table.get(scope, 0), table.get(REGION, 0))
        if last(self._last_reload) > since:
            return "reload"
        if last(self._last_css) > since:
            return "css"
        return None

    @property
    def closed(self) -> bool:
        with self._cond:
            return self._closed

    def close(self) -> None:
        """Wake every waiting reload connection so the server can stop."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
