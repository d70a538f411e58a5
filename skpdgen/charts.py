"""Small charts as inline SVG, drawn at build time: no script, no library, no style attribute.

The SVGs hold only bars; every word and number (title, axis, legend, counts) is HTML beside
them, so labels keep the page's text size at any width, follow the reader's zoom and stay
readable in dark and forced-colour modes (where SVG text drawn in one colour would vanish).
Bars scale with their box (viewBox + preserveAspectRatio="none", sized by the stylesheet).
Every chart is an image for assistive technology (role="img", named by its <title> and
<desc>); colours are presentation attributes (fill=) with a class the stylesheet can
override, so a chart reads right without any stylesheet and under a strict CSP.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

SVG_NS = "http://www.w3.org/2000/svg"
EMPTY_FILL = "#c5cad3"       # nothing in this column: a thin grey bar, so gaps are visible
BAR_FILL = "#0b4f8a"         # a count (not a state): one neutral colour
COLUMN = 10                  # user units per column of a column chart
HEIGHT = 100                 # user units of a column chart's height


@dataclass(frozen=True, slots=True)
class Series:
    """One stacked part of a bar: its key (CSS class), label and colour (3:1 or more on white)."""

    key: str
    label: str
    color: str


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _open_svg(ident: str, width: float, height: float, title: str, desc: str, css_class: str,
              fixed: bool = False) -> str:
    size = f'width="{_num(width)}" height="{_num(height)}" ' if fixed else ""
    aspect = "" if fixed else ' preserveAspectRatio="none"'
    return (f'<svg xmlns="{SVG_NS}" class="{css_class}" {size}'
            f'viewBox="0 0 {_num(width)} {_num(height)}"{aspect} role="img" '
            f'aria-labelledby="{ident}-t {ident}-d" focusable="false">'
            f'<title id="{ident}-t">{escape(title)}</title>'
            f'<desc id="{ident}-d">{escape(desc)}</desc>')


def _rect(x: float, y: float, w: float, h: float, fill: str, css_class: str) -> str:
    return (f'<rect class="{css_class}" x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" '
            f'height="{_num(h)}" fill="{fill}"/>')


def sparkline(values: Sequence[int], *, ident: str, title: str, desc: str,
              color: str = BAR_FILL, bar: int = 3, gap: int = 1, height: int = 24) -> Markup:
    """One bar per value (oldest first), scaled to the largest; zeros as a thin grey bar."""
    width = max(1, len(values) * (bar + gap) - gap)
    top = max(values, default=0) or 1
    parts = [_open_svg(ident, width, height, title, desc, "spark", fixed=True)]
    for i, value in enumerate(values):
        h = max(2.0, (height - 1) * value / top) if value else 1.0
        parts.append(_rect(i * (bar + gap), height - h, bar, h,
                           color if value else EMPTY_FILL, "bar" if value else "bar empty"))
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(values: Sequence[int], *, ident: str, title: str, desc: str,
            labels: Sequence[str], color: str = BAR_FILL) -> Markup:
    """A column per value (oldest first), scaled to the largest; each names itself on hover.

    The axis (largest value, first and last label) is the page's HTML, not SVG text.
    """
    width = COLUMN * max(1, len(values))
    largest = max(values, default=0) or 1
    parts = [_open_svg(ident, width, HEIGHT, title, desc, "chart__svg chart__svg--cols")]
    for i, value in enumerate(values):
        label = labels[i] if i < len(labels) else ""
        h = HEIGHT * value / largest if value else 1.0
        parts.append(f'<g class="col"><title>{escape(label)}: {value}</title>')
        parts.append(_rect(i * COLUMN + 1.5, HEIGHT - h, COLUMN - 3, h,
                           color if value else EMPTY_FILL, "seg" if value else "seg empty"))
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_bar(values: Sequence[int], series: Sequence[Series], *, ident: str, title: str,
                desc: str, largest: int) -> Markup:
    """One horizontal bar, its values stacked in `series` order, as a share of `largest`."""
    parts = [_open_svg(ident, 100, 10, title, desc, "chart__svg chart__svg--bar")]
    x = 0.0
    for s, value in zip(series, values, strict=False):
        if value:
            w = 100 * value / (largest or 1)
            parts.append(_rect(x, 0, w, 10, s.color, f"seg seg--{s.key}"))
            x += w
    parts.append("</svg>")
    return Markup("".join(parts))
