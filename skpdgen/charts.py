"""Small charts as inline SVG, drawn at build time: no script, no library, no style attribute.

Every chart is an image for assistive technology (role="img", named by its <title> and
<desc>); colours are presentation attributes (fill=), so a chart reads right without any
stylesheet and under a strict Content-Security-Policy. Pages show the numbers as text too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

SVG_NS = "http://www.w3.org/2000/svg"
EMPTY_FILL = "#c5cad3"       # a week with nothing: a thin grey bar, so gaps are visible
TEXT_SIZE = 11


@dataclass(frozen=True, slots=True)
class Series:
    """One stacked part of a bar: its label (legend) and colour (3:1 or more on white)."""

    key: str
    label: str
    color: str


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _open_svg(ident: str, width: float, height: float, title: str, desc: str,
              css_class: str) -> str:
    return (f'<svg xmlns="{SVG_NS}" class="{css_class}" width="{_num(width)}" '
            f'height="{_num(height)}" viewBox="0 0 {_num(width)} {_num(height)}" role="img" '
            f'aria-labelledby="{ident}-t {ident}-d" focusable="false">'
            f'<title id="{ident}-t">{escape(title)}</title>'
            f'<desc id="{ident}-d">{escape(desc)}</desc>')


def _rect(x: float, y: float, w: float, h: float, fill: str, css_class: str) -> str:
    return (f'<rect class="{css_class}" x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" '
            f'height="{_num(h)}" fill="{fill}"/>')


def _text(x: float, y: float, content: str, anchor: str = "start") -> str:
    return (f'<text x="{_num(x)}" y="{_num(y)}" font-size="{TEXT_SIZE}" fill="currentColor" '
            f'text-anchor="{anchor}">{escape(content)}</text>')


def sparkline(values: Sequence[int], *, ident: str, title: str, desc: str,
              color: str = "#0b4f8a", bar: int = 3, gap: int = 1, height: int = 24) -> Markup:
    """One bar per value (oldest first), scaled to the largest; zeros as a thin grey bar."""
    width = max(1, len(values) * (bar + gap) - gap)
    top = max(values, default=0) or 1
    parts = [_open_svg(ident, width, height, title, desc, "spark")]
    for i, value in enumerate(values):
        h = max(2.0, (height - 1) * value / top) if value else 1.0
        parts.append(_rect(i * (bar + gap), height - h, bar, h,
                           color if value else EMPTY_FILL, "bar"))
    parts.append("</svg>")
    return Markup("".join(parts))


def _legend(series: Sequence[Series], x: float, y: float) -> tuple[str, float]:
    """Colour keys with their labels in one line; returns the SVG and the width used."""
    parts = []
    for s in series:
        parts.append(_rect(x, y - 9, 10, 10, s.color, "key"))
        parts.append(_text(x + 14, y, s.label))
        x += 14 + 7 * len(s.label) + 14
    return "".join(parts), x


def stacked_columns(columns: Sequence[Sequence[int]], series: Sequence[Series], *,
                    ident: str, title: str, desc: str, labels: Sequence[str],
                    axis: tuple[str, str] = ("", ""), height: int = 150) -> Markup:
    """A column per entry of `columns` (its values stacked in `series` order), bottom-up.

    `labels` name each column (tooltips); `axis` is written under the first and last one.
    """
    left, top, bottom, column, bar = 26.0, 26.0, 20.0, 11.0, 8.0
    width = left + column * len(columns) + 4
    legend, legend_end = _legend(series, left, 12)
    width = max(width, legend_end)
    plot = height - top - bottom
    largest = max((sum(c) for c in columns), default=0) or 1
    parts = [_open_svg(ident, width, height, title, desc, "chart"), legend,
             f'<line x1="{_num(left)}" y1="{_num(top + plot)}" x2="{_num(width - 2)}" '
             f'y2="{_num(top + plot)}" stroke="currentColor" stroke-width="1"/>',
             _text(left - 4, top + 4, str(largest), "end"),
             _text(left - 4, top + plot, "0", "end")]
    for i, values in enumerate(columns):
        x = left + i * column + (column - bar) / 2
        y = top + plot
        label = labels[i] if i < len(labels) else ""
        detail = ", ".join(f"{s.label} {v}" for s, v in zip(series, values, strict=False) if v)
        parts.append(f'<g class="col"><title>{escape(label)}: {sum(values)}'
                     f'{escape(" (" + detail + ")") if detail else ""}</title>')
        if not sum(values):
            parts.append(_rect(x, y - 1, bar, 1, EMPTY_FILL, "seg"))
        for s, value in zip(series, values, strict=False):
            if value:
                h = plot * value / largest
                y -= h
                parts.append(_rect(x, y, bar, h, s.color, "seg"))
        parts.append("</g>")
    parts.append(_text(left, height - 4, axis[0]))
    parts.append(_text(width - 2, height - 4, axis[1], "end"))
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_rows(rows: Sequence[tuple[str, Sequence[int]]], series: Sequence[Series], *,
                 ident: str, title: str, desc: str, label_width: int = 180,
                 bar_width: int = 130) -> Markup:
    """A horizontal bar per (label, values) row, its values stacked in `series` order."""
    row_height, top = 22.0, 26.0
    width = float(label_width + bar_width + 30)
    legend, legend_end = _legend(series, 0, 12)
    width = max(width, legend_end)
    height = top + row_height * len(rows) + 4
    largest = max((sum(v) for _label, v in rows), default=0) or 1
    parts = [_open_svg(ident, width, height, title, desc, "chart"), legend]
    for i, (label, values) in enumerate(rows):
        y = top + i * row_height
        detail = ", ".join(f"{s.label} {v}" for s, v in zip(series, values, strict=False) if v)
        parts.append(f'<g class="row"><title>{escape(label)}: {escape(detail)}</title>')
        parts.append(_text(label_width - 6, y + 13, label, "end"))
        x = float(label_width)
        for s, value in zip(series, values, strict=False):
            if value:
                w = bar_width * value / largest
                parts.append(_rect(x, y + 3, w, 14, s.color, "seg"))
                x += w
        parts.append(_text(x + 4, y + 13, str(sum(values))))
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))
