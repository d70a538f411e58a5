"""Page-level dependencies: an HTML page whose inputs did not change is not rendered again.

Every page of an agency is a template rendered with a context (site.py `_html`). Its
*fingerprint* is a hash of exactly that context (the page, the items a list shows, their
neighbours, the site and region views, the menu, the meta), of the template names, and of
what every page of the agency depends on: skpdgen's code, the options, skpdgen.yaml, the
theme, and the agency's own templates/ (`agency_key`). The same fingerprint means the same
template run on the same data, so the same bytes: the page's old file is kept.

The build day is the one input a template can read beyond that data (`build_date`). Instead
of the date itself, a page depends on the answers the template got from it: the footer asks
for the year, an announcement whether it is past its date. Templates receive a `TrackedDay`
that notes each question and its answer; a later build reuses the page when every question
still gets the same answer on its new day (a new day re-renders only the pages whose output
depends on the date). Any other use of the day (printing it, arithmetic) ties the page to
that exact day.

The record lives in build/.skpdgen/cache/<slug>.pages.json, beside the agency's cache entry
(and its rendered bodies in <slug>.bodies.json), written atomically after a successful build;
an unreadable or older record, a file changed by hand, or a context holding something that
cannot be fingerprinted (then the page is always rendered) only costs a render.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import stat
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from markupsafe import Markup

from skpdgen.buildday import Question, same_answers
from skpdgen.diagnostics import Diagnostic
from skpdgen.render import PageView
from skpdgen.write import STATE_DIR, write_file_atomic

VERSION = 1

# --- fingerprints ---------------------------------------------------------------------------


class Unfingerprintable(Exception):
    """A context value whose content cannot be told from its type: the page is rendered."""


_FIELDS: dict[type, tuple[str, ...]] = {}
_SCALARS = frozenset({str, int, float, bool, type(None)})


class Fingerprinter:
    """Canonical encodings of template contexts; a frozen dataclass (a Page) is encoded once."""

    def __init__(self) -> None:
        self._memo: dict[int, tuple[object, str]] = {}

    def encode(self, value: Any) -> str:
        parts: list[str] = []
        self._encode(value, parts)
        return "".join(parts)

    def pin(self, value: Any) -> str:
        """Encode `value` once for the rest of this build: the caller does not change it."""
        encoded = "#" + hashlib.sha256(self.encode(value).encode("utf-8", "surrogatepass")
                                       ).hexdigest()
        self._memo[id(value)] = (value, encoded)
        return encoded

    def digest(self, *values: Any) -> str:
        digest = hashlib.sha256()
        for value in values:
            digest.update(self.encode(value).encode("utf-8", "surrogatepass"))
            digest.update(b"\0")
        return digest.hexdigest()

    def _encode(self, value: Any, out: list[str]) -> None:
        kind = type(value)
        if kind in _SCALARS:
            out.append(repr(value))
        elif kind is Markup:
            out.append("M" + repr(str(value)))
        elif (pinned := self._memo.get(id(value))) is not None and pinned[0] is value:
            out.append(pinned[1])
        elif kind is list or kind is tuple:
            out.append("[" if kind is list else "(")
            for item in value:
                if type(item) in _SCALARS:     # inline: most values are strings and numbers
                    out.append(repr(item))
                else:
                    self._encode(item, out)
                out.append(",")
            out.append("]")
        elif kind is dict:
            out.append("{")
            for key, item in value.items():
                out.append(repr(key) if type(key) is str else self.encode(key))
                out.append(":")
                if type(item) in _SCALARS:
                    out.append(repr(item))
                else:
                    self._encode(item, out)
                out.append(",")
            out.append("}")
        elif kind in (datetime, date, time):
            out.append(f"{kind.__name__}({value.isoformat()},{value.tzinfo!r})"
                       if kind is not date else f"date({value.isoformat()})")
        elif kind in (set, frozenset):
            out.append("set(" + ",".join(sorted(self.encode(v) for v in value)) + ")")
        elif kind is PageView:
            out.append("V")
            self._encode(dict(vars(value)), out)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            out.append(self._dataclass(value))
        elif isinstance(value, Path):
            out.append("Path(" + repr(str(value)) + ")")
        else:
            raise Unfingerprintable(kind.__name__)

    def _dataclass(self, value: Any) -> str:
        memo = self._memo.get(id(value))
        if memo is not None and memo[0] is value:
            return memo[1]
        kind = type(value)
        names = _FIELDS.get(kind)
        if names is None:
            names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(value))
        parts = [kind.__module__, ".", kind.__qualname__, "<"]
        for name in names:
            item = getattr(value, name)
            if type(item) in _SCALARS:
                parts.append(repr(item))
            else:
                self._encode(item, parts)
            parts.append(",")
        parts.append(">")
        encoded = "".join(parts)
        if len(encoded) > 200:
            encoded = "#" + hashlib.sha256(encoded.encode("utf-8", "surrogatepass")).hexdigest()
        if kind.__dataclass_params__.frozen:
            self._memo[id(value)] = (value, encoded)     # the object is kept: its id stays its
        return encoded


# --- the record -----------------------------------------------------------------------------


PORTAL = ".portal"     # the record of the portal's pages (no agency slug starts with a dot)


def record_path(out: Path, slug: str) -> Path:
    return out / STATE_DIR / "cache" / f"{slug}.pages.json"


@dataclasses.dataclass(slots=True)
class PageMemo:
    """One agency's pages of the last build (read) and of this one (being recorded)."""

    target: Path                            # build/<slug>/, where the old pages are
    agency_key: str
    today: date
    old_today: str = ""
    old: dict[str, list[Any]] = dataclasses.field(default_factory=dict)
    new: dict[str, list[Any]] = dataclasses.field(default_factory=dict)
    rendered: list[str] = dataclasses.field(default_factory=list)
    reused: int = 0
    fingerprints: Fingerprinter = dataclasses.field(default_factory=Fingerprinter)
    questions: list[Question] = dataclasses.field(default_factory=list)  # of every page

    @classmethod
    def load(cls, out: Path, slug: str, agency_key: str, today: date,
             target: Path | None = None) -> PageMemo:
        """The record of `slug` (an agency, or PORTAL with `target` build/ itself)."""
        memo = cls(target or out / slug, agency_key, today)
        try:
            data = json.loads(record_path(out, slug).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return memo
        if (isinstance(data, dict) and data.get("version") == VERSION
                and data.get("agency_key") == agency_key and isinstance(data.get("pages"), dict)
                and isinstance(data.get("today"), str)):
            memo.old, memo.old_today = data["pages"], data["today"]
        return memo

    def fingerprint(self, *values: Any) -> str | None:
        try:
            return self.fingerprints.digest(self.agency_key, *values)
        except Unfingerprintable:
            return None

    def reuse(self, dest: str, fingerprint: str) -> tuple[Path, list[Diagnostic]] | None:
        """The old file of `dest` and its render's diagnostics, when it can stand for a render."""
        old = self.old.get(dest)
        if (not isinstance(old, list) or len(old) != 6 or old[0] != fingerprint
                or not isinstance(old[1], list) or not isinstance(old[2], list)
                or not same_answers(old[1], self.old_today, self.today)):
            return None
        path = self.target / dest
        if not _intact(path, old[3], old[4], old[5]):
            return None
        try:
            diagnostics = [Diagnostic(**d) for d in old[2]]
        except TypeError:
            return None
        self.new[dest] = [fingerprint, old[1], old[2]]
        self.questions.extend(old[1])
        self.reused += 1
        return path, diagnostics

    def note(self, dest: str, fingerprint: str | None, questions: list[Question],
             diagnostics: list[Diagnostic]) -> None:
        self.rendered.append(dest)
        self.questions.extend(questions)
        if fingerprint is not None:
            self.new[dest] = [fingerprint, questions, [d.to_json() for d in diagnostics]]

    def files(self) -> dict[str, list[object]]:
        """[size, sha256, mtime_ns] of every page noted, as written now (the portal's pages,
        which are not in a cache entry); a file as the old record has it is not read."""
        files: dict[str, list[object]] = {}
        for dest in self.new:
            path = self.target / dest
            try:
                st = os.lstat(path)
                old = self.old.get(dest)
                if (isinstance(old, list) and len(old) == 6 and old[3] == st.st_size
                        and old[4] == st.st_mtime_ns):
                    files[dest] = [st.st_size, old[5], st.st_mtime_ns]
                elif stat.S_ISREG(st.st_mode):
                    files[dest] = [st.st_size, hashlib.sha256(path.read_bytes()).hexdigest(),
                                   st.st_mtime_ns]
            except OSError:
                continue
        return files

    def save(self, out: Path, slug: str, files: dict[str, list[object]]) -> None:
        """Write the record: each page's fingerprint with its file as written (size, mtime,
        sha256 from `files`, see cache.record_output)."""
        pages = {}
        for dest, entry in self.new.items():
            file = files.get(dest)
            if file is not None and len(file) == 3:
                pages[dest] = [*entry, file[0], file[2], file[1]]
        if not self.rendered and pages == self.old and self.today.isoformat() == self.old_today:
            return          # nothing changed: a build that changes nothing writes nothing
        data = {"version": VERSION, "agency_key": self.agency_key,
                "today": self.today.isoformat(), "rendered": sorted(self.rendered),
                "pages": pages}
        write_file_atomic(record_path(out, slug),
                          json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())


def _intact(path: Path, size: object, mtime_ns: object, sha: object) -> bool:
    """The file is still the one recorded: same size and mtime, else same sha256."""
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size != size:
            return False
        if st.st_mtime_ns == mtime_ns:
            return True
        return hashlib.sha256(path.read_bytes()).hexdigest() == sha
    except OSError:
        return False


def agency_key(region_key: str, templates: Path | None) -> str:
    """What every page of an agency depends on beyond its context: the region key (code,
    options, skpdgen.yaml, theme) and the agency's own templates/ (the portal has none)."""
    from skpdgen import cache  # cache imports the model; deps is imported by the renderer

    digest = hashlib.sha256(f"deps{VERSION}\0{region_key}\0".encode())
    if templates is not None:
        cache.hash_tree(digest, templates)
    return digest.hexdigest()


# --- rendered bodies ------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """`value` as JSON gives it back (tuples become lists); TypeError when it has no JSON."""
    return json.loads(json.dumps(value, ensure_ascii=False))


class _Recorder:
    """A link resolver that notes every question the Markdown renderer asks and its answer."""

    def __init__(self, resolver: Any, calls: list[Any]):
        self._resolver = resolver
        self._calls = calls
        self.plain = True           # every question and answer has a JSON form

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._resolver, name)
        if not callable(value):
            self._note(["attr", name], value)
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            result = value(*args, **kwargs)
            self._note(["call", name, list(args), kwargs], result)
            return result
        return call

    def _note(self, question: list[Any], answer: Any) -> None:
        try:
            self._calls.append([*_plain(question), _plain(answer)])
        except (TypeError, ValueError):
            self.plain = False


def _answers_again(resolver: Any, calls: list[Any]) -> bool:
    """Does `resolver` give every recorded question the recorded answer (in the same order)?"""
    for call in calls:
        if not isinstance(call, list) or len(call) not in (3, 5):
            return False
        try:
            if call[0] == "attr" and len(call) == 3:
                answer = getattr(resolver, call[1])
            elif call[0] == "call" and len(call) == 5 and isinstance(call[3], dict):
                answer = getattr(resolver, call[1])(*call[2], **call[3])
            else:
                return False
            if _plain(answer) != call[-1]:
                return False
        except (AttributeError, TypeError, ValueError):
            return False
    return True


def bodies_path(out: Path, slug: str) -> Path:
    return out / STATE_DIR / "cache" / f"{slug}.bodies.json"


@dataclasses.dataclass(slots=True)
class BodyCache:
    """Rendered Markdown bodies of the last build, by source file.

    A body is rendered again unless its text, line, source and site path are the same and
    the site still answers every question its render asked (which page a link leads to,
    whether an image exists and its size…): the questions are replayed on this build's
    resolver, whose diagnostics (a broken link, a missing alt text) are reported again.
    """

    key: str
    old: dict[str, Any] = dataclasses.field(default_factory=dict)
    new: dict[str, Any] = dataclasses.field(default_factory=dict)
    parsed: int = 0

    @classmethod
    def load(cls, out: Path, slug: str) -> BodyCache:
        from skpdgen import cache  # cache imports the model

        extra = sorted((k, v) for k, v in os.environ.items()
                       if k.startswith("SKPDGEN_") and k != "SKPDGEN_TODAY")
        key = hashlib.sha256(json.dumps([VERSION, cache.code_fingerprint(), extra]).encode()
                             ).hexdigest()
        bodies = cls(key)
        try:
            data = json.loads(bodies_path(out, slug).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return bodies
        if isinstance(data, dict) and data.get("key") == key and isinstance(
                data.get("bodies"), dict):
            bodies.old = data["bodies"]
        return bodies

    def render(self, render: Callable[[Any], Any], resolver: Any, replay: Callable[[], Any],
               src_path: str, site_path: str, body: str, body_line: int) -> Any:
        """`render(resolver)` (markdown.render bound to the body), or its last result when
        `replay()` (a resolver reporting into its own Diagnostics) answers as before."""
        from skpdgen.markdown import Heading, Rendered

        ident = hashlib.sha256(json.dumps([src_path, site_path, body_line, body]).encode(
            "utf-8", "surrogatepass")).hexdigest()
        old = self.old.get(src_path)
        if isinstance(old, dict) and old.get("id") == ident:
            scratch = replay()
            if _answers_again(scratch, old.get("calls") or []):
                try:
                    rendered = Rendered(old["html"], old["first"],
                                        tuple(Heading(*h) for h in old["toc"]),
                                        frozenset(old["anchors"]))
                except (KeyError, TypeError):
                    rendered = None
                if rendered is not None:
                    resolver.diags.extend(scratch.diags.items)
                    self.new[src_path] = old
                    return rendered
        calls: list[Any] = []
        recorder = _Recorder(resolver, calls)
        rendered = render(recorder)
        self.parsed += 1
        if recorder.plain:
            self.new[src_path] = {
                "id": ident, "calls": calls, "html": rendered.html,
                "first": rendered.first_paragraph,
                "toc": [[h.level, h.id, h.title] for h in rendered.toc],
                "anchors": sorted(rendered.anchors)}
        return rendered

    def save(self, out: Path, slug: str) -> None:
        write_file_atomic(bodies_path(out, slug), json.dumps(
            {"key": self.key, "bodies": self.new}, ensure_ascii=False,
            separators=(",", ":")).encode("utf-8", "surrogatepass"))
