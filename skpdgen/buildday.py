"""The build day as templates see it, and until when an agency's output stays the same.

Templates get a `TrackedDay`: a date that notes every question asked of it (the footer's
year, "is this announcement past its date?"). A later day reuses a page whose questions get
the same answers (`same_answers`); an agency whose sources and answers cannot change before
a moment (`valid_until`) is reused whole until then (deps.py, cache.py).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skpdgen.deps import PageMemo


Question = list[Any]       # ["attr", "year", 2026] | ["cmp", "lt", "2026-12-01", true] | ["any"]

_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge,
    "eq": operator.eq, "ne": operator.ne}
_PLAIN = frozenset({"year", "month", "day", "__class__", "_questions", "_ask", "_compare", "_whole"})


class TrackedDay(date):
    """The build day as templates see it: a date that notes every question asked of it."""

    _questions: list[Question]

    def __new__(cls, day: date) -> TrackedDay:
        self = super().__new__(cls, day.year, day.month, day.day)
        self._questions = []
        return self

    def __getattribute__(self, name: str) -> Any:
        if name not in _PLAIN:      # isoformat(), strftime(), weekday()…: the whole day
            object.__getattribute__(self, "_questions").append(["any"])
        return super().__getattribute__(name)

    def _ask(self, question: Question) -> None:
        self._questions.append(question)

    @property
    def year(self) -> int:
        value: int = date.year.__get__(self, date)
        self._ask(["attr", "year", value])
        return value

    @property
    def month(self) -> int:
        value: int = date.month.__get__(self, date)
        self._ask(["attr", "month", value])
        return value

    @property
    def day(self) -> int:
        value: int = date.day.__get__(self, date)
        self._ask(["attr", "day", value])
        return value

    def _compare(self, op: str, other: object) -> Any:
        result = getattr(date, f"__{op}__")(self, other)
        if type(other) is date and isinstance(result, bool):
            self._ask(["cmp", op, other.isoformat(), result])
        else:
            self._ask(["any"])
        return result

    def __lt__(self, other: object) -> Any:
        return self._compare("lt", other)

    def __le__(self, other: object) -> Any:
        return self._compare("le", other)

    def __gt__(self, other: object) -> Any:
        return self._compare("gt", other)

    def __ge__(self, other: object) -> Any:
        return self._compare("ge", other)

    def __eq__(self, other: object) -> Any:
        return self._compare("eq", other)

    def __ne__(self, other: object) -> Any:
        return self._compare("ne", other)

    def _whole(self) -> date:
        self._ask(["any"])
        return date(date.year.__get__(self, date), date.month.__get__(self, date),
                    date.day.__get__(self, date))

    def __hash__(self) -> int:
        return hash(self._whole())

    def __str__(self) -> str:
        return str(self._whole())

    def __repr__(self) -> str:
        return repr(self._whole())

    def __format__(self, spec: str) -> str:
        return format(self._whole(), spec)

    def __add__(self, other: Any) -> Any:
        return self._whole() + other

    __radd__ = __add__

    def __sub__(self, other: Any) -> Any:
        return self._whole() - other

    def __rsub__(self, other: Any) -> Any:
        return other - self._whole()

    def __reduce__(self) -> Any:
        return (date, (self._whole().toordinal(),))


def same_answers(questions: list[Question], old_day: str, day: date) -> bool:
    """Would a template asking `questions` on `old_day` get the same answers on `day`?"""
    for question in questions:
        kind = question[0] if question else None
        if kind == "attr" and len(question) == 3 and question[1] in ("year", "month", "day"):
            if getattr(day, question[1]) != question[2]:
                return False
        elif kind == "cmp" and len(question) == 4 and question[1] in _COMPARE:
            try:
                other = date.fromisoformat(question[2])
            except (TypeError, ValueError):
                return False
            if _COMPARE[question[1]](day, other) != question[3]:
                return False
        elif day.isoformat() != old_day:
            return False
    return True


def _start(day: date, like: datetime) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=like.tzinfo)


def _day_bound(day: date, now: datetime) -> datetime | None:
    """When a comparison of the build day with `day` may first answer differently (the day
    only moves forward): at `day` itself while ahead, the next day when it is today."""
    today = now.date()
    if day > today:
        return _start(day, now)
    if day == today:
        return _start(day + timedelta(days=1), now)
    return None


def source_bound(values: Iterable[Any], now: datetime, far_future_days: int
                 ) -> datetime | None:
    """The first moment after `now` at which anything derived from these source dates and
    the build time may change: which items are published, expired, upcoming, the last update,
    the far-future warnings (whose text names today, so they hold for today only)."""
    bounds: list[datetime] = []
    tomorrow = _start(now.date() + timedelta(days=1), now)
    for value in values:
        moment = value.at if hasattr(value, "at") else value
        if isinstance(moment, datetime):
            if moment > now:
                bounds.append(moment)
            day = moment.date()
        elif isinstance(moment, date):
            day = moment
        else:
            continue
        if (day - now.date()).days > far_future_days:
            bounds.append(tomorrow)
        bound = _day_bound(day, now)
        if bound is not None:
            bounds.append(bound)
    return min(bounds, default=None)


def questions_bound(questions: Iterable[Question], now: datetime) -> datetime | None:
    """The first moment after `now` at which a template's questions to the build day may
    get other answers (a new year for the footer's year, an announcement's last day…)."""
    today = now.date()
    bounds: list[datetime] = []
    for question in questions:
        kind = question[0] if question else None
        if kind == "attr" and len(question) == 3 and question[1] == "year":
            bounds.append(_start(date(today.year + 1, 1, 1), now))
        elif kind == "attr" and len(question) == 3 and question[1] == "month":
            first = date(today.year + today.month // 12, today.month % 12 + 1, 1)
            bounds.append(_start(first, now))
        elif kind == "cmp" and len(question) == 4:
            try:
                bound = _day_bound(date.fromisoformat(question[2]), now)
            except (TypeError, ValueError):
                bound = _start(today + timedelta(days=1), now)
            if bound is not None:
                bounds.append(bound)
        else:
            bounds.append(_start(today + timedelta(days=1), now))
    return min(bounds, default=None)


def valid_until(model: Any, memo: PageMemo | None, now: datetime) -> datetime | None:
    """Until when an agency's whole output (pages, feeds, summary, warnings) stays as this
    build made it, if its inputs do not change; `now` itself when that is not known."""
    if memo is None:
        return now
    tomorrow = _start(now.date() + timedelta(days=1), now)
    dated = [s for s in model.sections.values() if s.dated]
    # an empty feed is stamped with the build day (render/feeds.py)
    empty_feed = (not any(p.date for s in dated for p in s.all_items)
                  or any(not any(p.date for p in s.all_items) for s in dated))
    bounds = [model.next_publication, model.next_change,
              questions_bound(memo.questions, now), tomorrow if empty_feed else None]
    return min((b for b in bounds if b is not None), default=None)
