"""Interface strings of the theme (i18n/<lang>.yaml) and dates written the Indonesian way."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from skpdgen.config.schema import When
from skpdgen.diagnostics import ConfigError, Diagnostic

DateLike = When | datetime | date


@dataclass(frozen=True, slots=True)
class Translator:
    """Looks up dotted keys (`sections.berita`) in one language's strings."""

    lang: str
    strings: dict[str, Any]
    # every dotted key a lookup can reach, resolved once: templates ask ~40 times a page
    _flat: dict[str, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_flat", flatten(self.strings))

    def __call__(self, key: str, **kwargs: Any) -> str:
        value = self._flat.get(key)
        if not isinstance(value, str):
            return key
        return value.format(**kwargs) if kwargs else value

    def lookup(self, key: str) -> Any:
        return self._flat.get(key)

    def label(self, group: str, key: str | None) -> str | None:
        """A localized label (`kinds.dinas`), falling back to the key itself."""
        if key is None:
            return None
        value = self.lookup(f"{group}.{key}")
        return value if isinstance(value, str) else key

    # --- dates ---------------------------------------------------------------------------

    def _list(self, key: str, size: int) -> list[str]:
        value = self.lookup(key)
        if isinstance(value, list) and len(value) == size:
            return [str(v) for v in value]
        raise ConfigError([Diagnostic(f"i18n/{self.lang}.yaml", None, "error",
                                      f"'{key}' must be a list of {size} names")])

    def date_long(self, value: DateLike | None) -> str:
        """'Sabtu, 5 Maret 2024'."""
        if value is None:
            return ""
        day = _as_date(value)
        days = self._list("days", 7)
        months = self._list("months", 12)
        return f"{days[day.weekday()]}, {day.day} {months[day.month - 1]} {day.year}"

    def date_short(self, value: DateLike | None) -> str:
        """'5 Mar 2024'."""
        if value is None:
            return ""
        day = _as_date(value)
        return f"{day.day} {self._list('months_short', 12)[day.month - 1]} {day.year}"

    def month_short(self, value: DateLike | None) -> str:
        """'Mar' (for date badges)."""
        if value is None:
            return ""
        return self._list("months_short", 12)[_as_date(value).month - 1]

    def time(self, value: DateLike | None) -> str:
        """'08.00 WIB' (Indonesian style uses a dot)."""
        moment = _as_datetime(value)
        if moment is None:
            return ""
        separator = "." if self.lang == "id" else ":"
        zone = self("timezone_abbr")
        suffix = f" {zone}" if zone and zone != "timezone_abbr" else ""
        return f"{moment.hour:02d}{separator}{moment.minute:02d}{suffix}"

    def datetime_long(self, value: DateLike | None) -> str:
        if value is None:
            return ""
        text = self.date_long(value)
        if _has_time(value):
            text += f", {self.time(value)}"
        return text


def _as_date(value: DateLike) -> date:
    if isinstance(value, When):
        return value.day
    if isinstance(value, datetime):
        return value.date()
    return value


def _as_datetime(value: DateLike | None) -> datetime | None:
    if isinstance(value, When):
        return value.at
    if isinstance(value, datetime):
        return value
    return None


def _has_time(value: DateLike) -> bool:
    if isinstance(value, When):
        return value.has_time
    return isinstance(value, datetime) and (value.hour, value.minute) != (0, 0)


def iso(value: DateLike | None) -> str:
    if value is None:
        return ""
    if isinstance(value, When):
        return value.at.isoformat() if value.has_time else value.day.isoformat()
    return value.isoformat()


def filesize(size: int | None, lang: str = "id") -> str:
    """'1,2 MB' / '340 KB'."""
    if size is None:
        return ""
    text = f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{max(1, round(size / 1000))} KB"
    return text.replace(".", ",") if lang == "id" else text


def load_translator(layers: tuple[Path, ...], lang: str) -> Translator:
    """Strings of `lang` over those of `id` (so a missing English string shows in Indonesian);
    within a language, a front theme layer's strings over the built-in ones."""
    import yaml  # only when something is rendered: a build that renders nothing never reads them

    strings: dict[str, Any] = {}
    for code, layer in ((c, la) for c in dict.fromkeys(("id", lang)) for la in reversed(layers)):
        path = layer / "i18n" / f"{code}.yaml"
        if not path.exists():
            continue
        try:
            data = _load_yaml(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, OSError, UnicodeDecodeError) as exc:
            raise ConfigError([Diagnostic(path.as_posix(), None, "error",
                                          f"cannot read interface strings: {exc}")]) from None
        if isinstance(data, dict):
            _merge(strings, data)
    return Translator(lang, strings)


def _load_yaml(text: str) -> Any:
    """yaml.safe_load with libyaml's parser when there is one (several times faster); a file
    it refuses is read again by PyYAML's own parser, whose error message is the one shown."""
    import yaml

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return yaml.safe_load(text)


def flatten(strings: dict[str, Any]) -> dict[str, Any]:
    """Every node of `strings` by its dotted key (`sections.berita`, `days`), as a walk down
    the dots finds it; a top-level key written with dots (`a.b: ...`) wins over the walk."""
    flat: dict[str, Any] = {}

    def walk(prefix: str, node: dict[Any, Any]) -> None:
        for key, value in node.items():
            if isinstance(key, str) and "." not in key:
                flat[prefix + key] = value
                if isinstance(value, dict):
                    walk(f"{prefix}{key}.", value)

    walk("", strings)
    flat.update((key, value) for key, value in strings.items() if isinstance(key, str))
    return flat


def _merge(into: dict[str, Any], other: dict[str, Any]) -> None:
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
