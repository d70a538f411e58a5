"""The terminal view of the scorecard: an aligned table, states in colour on a terminal."""

from __future__ import annotations

from collections.abc import Sequence

from skpdgen.config.region import Region
from skpdgen.messages import translate
from skpdgen.scorecard import STATES, SiteScore, state_counts, worst_first

ANSI = {"aktif": "32", "kurang aktif": "33", "mati": "31"}    # green, yellow, red
COLUMNS = ("AGENCY", "STATE", "SCORE", "LAST UPDATE", "30D", "90D", "INNOV", "BUILD", "NAME")
RIGHT = {"SCORE", "30D", "90D", "INNOV"}
NAME_WIDTH = 40


def _cells(score: SiteScore, language: str) -> list[str]:
    last = (f"{score.last_update} ({score.last_update_source})" if score.last_update
            else translate("never", language))
    build = score.build + (translate(" (old site live)", language) if score.published_is_old
                           else "")
    # a control character in a name (YAML allows "\e[2J") must not drive the terminal
    name = "".join(c if c.isprintable() else "?" for c in score.name)
    name = name if len(name) <= NAME_WIDTH else name[:NAME_WIDTH - 1] + "…"
    return [score.slug, score.state, str(score.score), last, str(score.published_30d),
            str(score.published_90d), str(score.innovations), build, name]


def _paint(text: str, code: str | None, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color and code else text


def format_table(scores: Sequence[SiteScore], region: Region, today_iso: str,
                 color: bool = False, language: str = "en") -> str:
    """One line per agency, worst first (as on /status/), and a line of counts per state.

    Written in `language` here, not by the output stream: the headings set the columns'
    widths, and a coloured line is never translated on its way out."""
    ordered = sorted(scores, key=worst_first)
    rows = [_cells(s, language) for s in ordered]
    labels = [translate(column, language) for column in COLUMNS]
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(labels)]

    def line(cells: list[str], state: str | None = None) -> str:
        out = []
        for column, cell, width in zip(COLUMNS, cells, widths, strict=True):
            padded = cell.rjust(width) if column in RIGHT else cell.ljust(width)
            if column == "STATE" and state:
                padded = _paint(padded, ANSI[state], color)
            out.append(padded)
        return "  ".join(out).rstrip()

    lines = [line(labels)]
    lines += [line(r, s.state) for r, s in zip(rows, ordered, strict=True)]
    counts = state_counts(scores)
    summary = ", ".join(f"{counts[s]} {s}" for s in STATES)
    text = translate(f"{len(scores)} agencies on {today_iso}: {summary} "
                     f"(kurang aktif after {region.stale_days} days without an update, "
                     f"mati after {region.dead_days})", language)
    if color:       # the counts are the same text in every language: painted after
        text = text.replace(summary, ", ".join(
            _paint(f"{counts[s]} {s}", ANSI[s], color) for s in STATES), 1)
    lines.append("")
    lines.append(text)
    return "\n".join(lines) + "\n"
