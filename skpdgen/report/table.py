"""The terminal view of the scorecard: an aligned table, states in colour on a terminal."""

from __future__ import annotations

from collections.abc import Sequence

from skpdgen.config.region import Region
from skpdgen.scorecard import STATES, SiteScore, state_counts, worst_first

ANSI = {"aktif": "32", "kurang aktif": "33", "mati": "31"}    # green, yellow, red
COLUMNS = ("AGENCY", "STATE", "SCORE", "LAST UPDATE", "30D", "90D", "INNOV", "BUILD", "NAME")
RIGHT = {"SCORE", "30D", "90D", "INNOV"}
NAME_WIDTH = 40


def _cells(score: SiteScore) -> list[str]:
    last = (f"{score.last_update} ({score.last_update_source})" if score.last_update
            else "never")
    build = score.build + (" (old site live)" if score.published_is_old else "")
    # a control character in a name (YAML allows "\e[2J") must not drive the terminal
    name = "".join(c if c.isprintable() else "?" for c in score.name)
    name = name if len(name) <= NAME_WIDTH else name[:NAME_WIDTH - 1] + "…"
    return [score.slug, score.state, str(score.score), last, str(score.published_30d),
            str(score.published_90d), str(score.innovations), build, name]


def _paint(text: str, code: str | None, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color and code else text


def format_table(scores: Sequence[SiteScore], region: Region, today_iso: str,
                 color: bool = False) -> str:
    """One line per agency, worst first (as on /status/), and a line of counts per state."""
    ordered = sorted(scores, key=worst_first)
    rows = [_cells(s) for s in ordered]
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(COLUMNS)]

    def line(cells: list[str], state: str | None = None) -> str:
        out = []
        for column, cell, width in zip(COLUMNS, cells, widths, strict=True):
            padded = cell.rjust(width) if column in RIGHT else cell.ljust(width)
            if column == "STATE" and state:
                padded = _paint(padded, ANSI[state], color)
            out.append(padded)
        return "  ".join(out).rstrip()

    lines = [line(list(COLUMNS))]
    lines += [line(r, s.state) for r, s in zip(rows, ordered, strict=True)]
    counts = state_counts(scores)
    summary = ", ".join(_paint(f"{counts[s]} {s}", ANSI[s], color) for s in STATES)
    lines.append("")
    lines.append(f"{len(scores)} agencies on {today_iso}: {summary} "
                 f"(kurang aktif after {region.stale_days} days without an update, "
                 f"mati after {region.dead_days})")
    return "\n".join(lines) + "\n"
