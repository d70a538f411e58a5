"""Brand colours that stay readable: WCAG contrast, and darkening a colour until it passes."""

from __future__ import annotations

MIN_CONTRAST = 4.5


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _rgb(hex_color: str) -> tuple[int, int, int]:
    h = hex_color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def luminance(hex_color: str) -> float:
    r, g, b = _rgb(hex_color)
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable_on_white(hex_color: str) -> tuple[str, bool]:
    """(colour, adjusted): the colour darkened just enough for 4.5:1 text on white."""
    if contrast(hex_color, "#ffffff") >= MIN_CONTRAST:
        return hex_color, False
    r, g, b = _rgb(hex_color)
    for step in range(1, 101):
        factor = 1 - step / 100
        candidate = f"#{round(r * factor):02x}{round(g * factor):02x}{round(b * factor):02x}"
        if contrast(candidate, "#ffffff") >= MIN_CONTRAST:
            return candidate, True
    return "#000000", True


def darker(hex_color: str, amount: float = 0.25) -> str:
    r, g, b = _rgb(hex_color)
    f = 1 - amount
    return f"#{round(r * f):02x}{round(g * f):02x}{round(b * f):02x}"


def tint(hex_color: str, amount: float = 0.9) -> str:
    """A light background tint of the colour (mixed with white)."""
    r, g, b = _rgb(hex_color)
    mixed = (round(c + (255 - c) * amount) for c in (r, g, b))
    return "#" + "".join(f"{c:02x}" for c in mixed)
