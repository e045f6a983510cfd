"""Bar charts drawn on the server: SVG for pages and PDFs, PNG for Word (which takes no SVG).

One chart description, two renderers, so a figure looks the same on the dashboard, in the PDF
and in the DOCX. The colours are the web charts' (app/static/charts.js, templates/reports).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from html import escape

# The web charts' palette: first series, second, third, fourth.
PRIMARY = "#0172ad"
SECONDARY = "#e8a200"
NEUTRAL = "#8a8f98"
ACCENT = "#2a9d8f"
SERIES = (PRIMARY, SECONDARY, NEUTRAL, ACCENT)
MUTED = "#b8c2cc"
INK = "#1d2d3a"
GRID = "#e1e5ea"
SOFT_INK = "#5c6670"
REFERENCE = "#b02a37"
# Ordered levels, lowest to highest: light to the primary blue, so "more" reads as "darker".
LEVELS = ("#d6e6f2", "#9cc3e0", "#5b9cc9", "#0172ad", "#024b72", "#012f48")
# Fonts with every Vietnamese letter (fonts-dejavu-core in the image); the first found is used.
FONT_FILES = ("DejaVuSans.ttf", "LiberationSans-Regular.ttf")


def level_colours(count: int) -> list[str]:
    """`count` colours for ordered levels, spread over the palette from light to dark."""
    if count <= 0:
        return []
    if count == 1:
        return [PRIMARY]
    step = (len(LEVELS) - 1) / (count - 1)
    return [LEVELS[round(i * step)] for i in range(count)]


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value (None: nothing to draw) and the text shown after it."""

    label: str
    value: float | None
    text: str
    colour: str = PRIMARY


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars on a 0..maximum scale, with an optional dashed reference line."""

    title: str
    bars: tuple[Bar, ...]
    maximum: float = 100.0
    reference: float | None = None
    reference_label: str = ""


# Geometry in SVG user units; the PNG scales it. A page's narrow card takes the compact one,
# whose text stays legible at the width of a phone.
_ROW = 26
_TOP = 22
_VALUE_ROOM = 60


@dataclass(frozen=True)
class _Frame:
    width: int
    label: int  # room for the bars' labels, left of the axis
    characters: int  # a longer label is cut with an ellipsis


DOCUMENT = _Frame(640, 230, 27)
COMPACT = _Frame(360, 120, 14)


def _height(chart: BarChart) -> int:
    return _TOP + _ROW * len(chart.bars) + (22 if chart.reference is not None else 8)


def _x(chart: BarChart, value: float, frame: _Frame = DOCUMENT) -> float:
    plot = frame.width - frame.label - _VALUE_ROOM
    share = max(0.0, min(value, chart.maximum)) / chart.maximum if chart.maximum else 0.0
    return frame.label + plot * share


def _label(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def svg(chart: BarChart, *, compact: bool = False) -> str:
    """The chart as an inline SVG element (it scales to the width of its box)."""
    frame = COMPACT if compact else DOCUMENT
    left = frame.label
    height = _height(chart)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {frame.width} {height}" '
        f'class="bar-chart" role="img" aria-label="{escape(chart.title)}">',
        f"<title>{escape(chart.title)}</title>",
    ]
    for tick in range(5):
        value = chart.maximum * tick / 4
        x = _x(chart, value, frame)
        parts.append(
            f'<line x1="{x:.1f}" y1="{_TOP - 4}" x2="{x:.1f}" y2="{height - 4}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{x:.1f}" y="{_TOP - 8}" text-anchor="middle" font-size="11" '
            f'fill="{SOFT_INK}">{value:g}</text>'
        )
    for i, bar in enumerate(chart.bars):
        y = _TOP + i * _ROW
        parts.append(
            f'<text x="{left - 8}" y="{y + 17}" text-anchor="end" font-size="13" '
            f'fill="{INK}">{escape(_label(bar.label, frame.characters))}</text>'
        )
        if bar.value is not None:
            end = _x(chart, bar.value, frame)
            parts.append(
                f'<rect x="{left}" y="{y + 5}" width="{end - left:.1f}" height="16" '
                f'fill="{bar.colour}"/>'
            )
        else:
            end = float(left)
        parts.append(
            f'<text x="{end + 6:.1f}" y="{y + 17}" font-size="12" fill="{INK}">'
            f"{escape(bar.text)}</text>"
        )
    if chart.reference is not None:
        x = _x(chart, chart.reference, frame)
        parts.append(
            f'<line x1="{x:.1f}" y1="{_TOP - 2}" x2="{x:.1f}" y2="{height - 18}" '
            f'stroke="{REFERENCE}" stroke-width="1.5" stroke-dasharray="5 4"/>'
            f'<text x="{x:.1f}" y="{height - 4}" text-anchor="middle" font-size="11" '
            f'fill="{REFERENCE}">{escape(chart.reference_label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


@lru_cache(maxsize=8)
def _font(size: int) -> object:
    from PIL import ImageFont

    for name in FONT_FILES:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def png(chart: BarChart, *, scale: float = 2.5) -> bytes:
    """The same chart as a PNG, `scale` pixels per SVG unit (2.5: sharp at 16 cm in Word)."""
    from PIL import Image, ImageDraw

    def s(value: float) -> int:
        return round(value * scale)

    frame = DOCUMENT
    left = frame.label
    height = _height(chart)
    image = Image.new("RGB", (s(frame.width), s(height)), "white")
    draw = ImageDraw.Draw(image)
    small, normal = _font(s(11)), _font(s(13))
    for tick in range(5):
        value = chart.maximum * tick / 4
        x = _x(chart, value)
        draw.line([(s(x), s(_TOP - 4)), (s(x), s(height - 4))], fill=GRID, width=max(1, s(1)))
        draw.text((s(x), s(_TOP - 8)), f"{value:g}", fill=SOFT_INK, font=small, anchor="ms")  # type: ignore[arg-type]
    for i, bar in enumerate(chart.bars):
        y = _TOP + i * _ROW
        draw.text(
            (s(left - 8), s(y + 17)),
            _label(bar.label, frame.characters),
            fill=INK,
            font=normal,  # type: ignore[arg-type]
            anchor="rs",
        )
        end = float(left)
        if bar.value is not None:
            end = _x(chart, bar.value)
            if end > left:
                draw.rectangle([s(left), s(y + 5), s(end), s(y + 21)], fill=bar.colour)
        draw.text((s(end + 6), s(y + 17)), bar.text, fill=INK, font=small, anchor="ls")  # type: ignore[arg-type]
    if chart.reference is not None:
        x = _x(chart, chart.reference)
        top, bottom = _TOP - 2, height - 18
        dash = top
        while dash < bottom:
            draw.line(
                [(s(x), s(dash)), (s(x), s(min(dash + 5, bottom)))],
                fill=REFERENCE,
                width=max(1, s(1.5)),
            )
            dash += 9
        draw.text(
            (s(x), s(height - 4)),
            chart.reference_label,
            fill=REFERENCE,
            font=small,  # type: ignore[arg-type]
            anchor="ms",
        )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
