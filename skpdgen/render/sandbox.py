"""The sandbox an agency's own templates run in: agency folders are untrusted (a template
could otherwise run code in CI), so they get Jinja's immutable sandbox, a time budget per page
and limits on what one expression may build."""

from __future__ import annotations

import os
import stat
import time
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment, safe_range


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


def budget_range(env: AgencySandbox) -> Callable[..., Any]:
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
