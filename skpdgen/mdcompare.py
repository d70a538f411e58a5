"""Render a body with both Markdown engines and insist on the same result (SKPDGEN_MARKDOWN=compare).

The fast engine runs first against the real resolver, through a recorder that remembers every
answer; markdown-it-py then runs against a replay of those answers, so each diagnostic is
reported once while both engines' calls (links, files, pictures, warnings with line and hint)
are compared call by call, as well as the HTML, first paragraph, table of contents and anchors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from skpdgen.markdown import LinkResolver, Rendered

    Renderer = Callable[[MarkdownIt, str, int, LinkResolver], Rendered]


T = TypeVar("T")


class EnginesDiffer(AssertionError):
    """The fast engine and markdown-it-py rendered one body differently."""


class Recording:
    """A LinkResolver that forwards to `inner` and records each call and answer."""

    def __init__(self, inner: LinkResolver) -> None:
        self.inner = inner
        self.calls: list[tuple[Any, ...]] = []
        self.answers: dict[tuple[Any, ...], Any] = {}

    def _answer(self, call: tuple[Any, ...], value: T) -> T:
        self.calls.append(call)
        self.answers[call] = value
        return value

    def page_link(self, target: str, line: int) -> str | None:
        return self._answer(("page_link", target, line), self.inner.page_link(target, line))

    def file_link(self, target: str, line: int, what: str) -> str | None:
        return self._answer(("file_link", target, line, what),
                            self.inner.file_link(target, line, what))

    def file_size(self, target: str) -> int | None:
        return self._answer(("file_size", target), self.inner.file_size(target))

    def picture(self, src: str) -> Any:
        picture = getattr(self.inner, "picture", None)
        return self._answer(("picture", src), picture(src) if picture is not None else None)

    def warn(self, line: int, message: str, hint: str | None = None) -> None:
        self.calls.append(("warn", line, message, hint))
        self.inner.warn(line, message, hint)


class Replay:
    """A LinkResolver that answers from a Recording and only records (reports nothing)."""

    def __init__(self, recording: Recording) -> None:
        self.answers = recording.answers
        self.calls: list[tuple[Any, ...]] = []

    def _answer(self, call: tuple[Any, ...]) -> Any:
        self.calls.append(call)
        return self.answers.get(call)

    def page_link(self, target: str, line: int) -> str | None:
        return self._answer(("page_link", target, line))  # type: ignore[no-any-return]

    def file_link(self, target: str, line: int, what: str) -> str | None:
        return self._answer(("file_link", target, line, what))  # type: ignore[no-any-return]

    def file_size(self, target: str) -> int | None:
        return self._answer(("file_size", target))  # type: ignore[no-any-return]

    def picture(self, src: str) -> Any:
        return self._answer(("picture", src))

    def warn(self, line: int, message: str, hint: str | None = None) -> None:
        self.calls.append(("warn", line, message, hint))


def compared(md: MarkdownIt, body: str, body_line: int, resolver: LinkResolver,
             fast: Renderer, reference: Renderer) -> Rendered:
    """`fast`'s rendering of the body, after checking that `reference` gives the same."""
    recording = Recording(resolver)
    got = fast(md, body, body_line, recording)
    replay = Replay(recording)
    want = reference(md, body, body_line, replay)
    if got != want or recording.calls != replay.calls:
        raise EnginesDiffer(_explain(body, got, want, recording.calls, replay.calls))
    return got


def _explain(body: str, got: Rendered, want: Rendered, got_calls: list[tuple[Any, ...]],
             want_calls: list[tuple[Any, ...]]) -> str:
    lines = [f"the Markdown engines differ on this body:\n{body!r}"]
    for name in ("html", "first_paragraph", "toc", "anchors"):
        if getattr(got, name) != getattr(want, name):
            lines.append(f"{name}: fast {getattr(got, name)!r}\n  markdown-it-py "
                         f"{getattr(want, name)!r}")
    if got_calls != want_calls:
        lines.append(f"resolver calls: fast {got_calls!r}\n  markdown-it-py {want_calls!r}")
    return "\n".join(lines)
