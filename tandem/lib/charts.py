"""Small server-side SVG charts: a line chart and a horizontal bar chart, as markup strings.

Pure Python, no JavaScript and no inline styles, so a chart can sit inside a page served under a strict
Content-Security-Policy: colours, dash patterns and markers are SVG presentation attributes, fonts and
grid lines come from CSS classes in the app's stylesheet. Every series differs by dash pattern and marker
shape as well as colour, so a chart still reads in greyscale. Each chart is an image with a title and a
description, and the page always gives the same numbers in a table beside it.

Every piece of text goes through XML escaping here, so callers may insert the result as it is.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

# Okabe-Ito colours: told apart with the common colour-vision deficiencies, dark enough on white.
COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#000000", "#e69f00")
DASHES = ("", "8 4", "2 3", "10 3 2 3", "4 4", "12 2")
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "triangle-down")

LINE_MARGIN = {"left": 64, "right": 48, "top": 16, "bottom": 60}
LEGEND_COLUMN = 200  # wide enough for a subject name beside its line sample


@dataclass(frozen=True)
class Series:
    """One line: a name for the legend and one value per x label (None where there is no value)."""

    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Bar:
    label: str
    value: float


def _number(value: float) -> str:
    """Coordinates to one decimal place, without a trailing ".0"."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _default_format(value: float) -> str:
    return f"{value:g}"


def nice_ticks(low: float, high: float, *, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] in steps of 1, 2 or 5 times a power of ten."""
    if math.isclose(low, high):
        low, high = low - 1, high + 1
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(power * m for m in (1, 2, 5, 10) if power * m >= raw)
    first = math.floor(low / step) * step
    steps = math.ceil(round((high - first) / step, 9))
    return [round(first + i * step, 10) for i in range(steps + 1)]


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    """A point marker; shapes differ so series stay apart without colour."""
    fill = quoteattr(colour)
    if shape == "circle":
        return f'<circle cx="{_number(x)}" cy="{_number(y)}" r="4.5" fill={fill}/>'
    if shape == "square":
        return f'<rect x="{_number(x - 4)}" y="{_number(y - 4)}" width="8" height="8" fill={fill}/>'
    if shape == "cross":
        d = f"M{_number(x - 4.5)} {_number(y - 4.5)}L{_number(x + 4.5)} {_number(y + 4.5)}"
        d += f"M{_number(x - 4.5)} {_number(y + 4.5)}L{_number(x + 4.5)} {_number(y - 4.5)}"
        return f'<path d="{d}" stroke={fill} stroke-width="2.5" fill="none"/>'
    points = {
        "triangle": ((0, -5.5), (5, 4), (-5, 4)),
        "triangle-down": ((0, 5.5), (5, -4), (-5, -4)),
        "diamond": ((0, -5.5), (5.5, 0), (0, 5.5), (-5.5, 0)),
    }[shape]
    coords = " ".join(f"{_number(x + dx)},{_number(y + dy)}" for dx, dy in points)
    return f'<polygon points="{coords}" fill={fill}/>'


def _open(chart_id: str, width: int, height: int, title: str, desc: str, kind: str) -> list[str]:
    ident = escape(chart_id, {'"': "&quot;"})  # inside double-quoted attributes
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg chart-{kind}" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
    ]


def line_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    x_axis: str,
    y_axis: str,
    width: int = 640,
    height: int = 320,
    value_format: Callable[[float], str] = _default_format,
    include_zero: bool = False,
) -> str:
    """A line chart of several series over the same x labels, with axes, ticks, grid and a legend.

    `chart_id` must be unique in the page: the title and description ids hang from it. `include_zero`
    keeps 0 on the value axis, for figures whose size is read against it (a gap of 0 is no gap).
    """
    values = [v for s in series for v in s.values if v is not None] + ([0.0] if include_zero else [])
    ticks = nice_ticks(min(values, default=0.0), max(values, default=1.0))
    low, high = ticks[0], ticks[-1]
    per_row = max(1, (width - LINE_MARGIN["left"] - LINE_MARGIN["right"]) // LEGEND_COLUMN)
    legend_rows = math.ceil(len(series) / per_row)
    margin = dict(LINE_MARGIN, bottom=LINE_MARGIN["bottom"] + 24 * legend_rows)
    total_height = height + 24 * legend_rows
    left, right = margin["left"], width - margin["right"]
    top, bottom = margin["top"], total_height - margin["bottom"]

    def x_at(i: int) -> float:
        if len(x_labels) == 1:
            return (left + right) / 2
        return left + (right - left) * i / (len(x_labels) - 1)

    def y_at(value: float) -> float:
        return bottom - (bottom - top) * (value - low) / (high - low)

    parts = _open(chart_id, width, total_height, title, desc, "line")
    parts.append('<g class="chart-grid">')
    for tick in ticks:
        y = _number(y_at(tick))
        parts.append(f'<line x1="{left}" x2="{right}" y1="{y}" y2="{y}" stroke="#d8d8d8"/>')
        parts.append(
            f'<text class="chart-tick" x="{left - 8}" y="{y}" text-anchor="end" dominant-baseline="middle">'
            f"{escape(value_format(tick))}</text>"
        )
    parts.append("</g>")
    if low < 0 < high:
        zero = _number(y_at(0))
        parts.append(
            f'<line class="chart-zero" x1="{left}" x2="{right}" y1="{zero}" y2="{zero}" stroke="#484949"/>'
        )
    parts.append(
        f'<line class="chart-axis" x1="{left}" x2="{left}" y1="{top}" y2="{bottom}" stroke="#0b0c0c"/>'
    )
    parts.append(
        f'<line class="chart-axis" x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="#0b0c0c"/>'
    )
    for i, label in enumerate(x_labels):
        parts.append(
            f'<text class="chart-tick" x="{_number(x_at(i))}" y="{bottom + 22}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    parts.append(
        f'<text class="chart-axis-label" x="{_number((left + right) / 2)}" y="{bottom + 44}" '
        f'text-anchor="middle">{escape(x_axis)}</text>'
    )
    middle = _number((top + bottom) / 2)
    parts.append(
        f'<text class="chart-axis-label" x="16" y="{middle}" text-anchor="middle" '
        f'transform="rotate(-90 16 {middle})">{escape(y_axis)}</text>'
    )
    for n, line in enumerate(series):
        parts.extend(_series(n, line, x_at, y_at))
    parts.extend(_legend(series, left=left, top=bottom + 58, per_row=per_row))
    parts.append("</svg>")
    return "\n".join(parts)


def _series(n: int, line: Series, x_at: Callable[[int], float], y_at: Callable[[float], float]) -> list[str]:
    colour, dash, shape = COLOURS[n % len(COLOURS)], DASHES[n % len(DASHES)], MARKERS[n % len(MARKERS)]
    points = [(x_at(i), y_at(v)) for i, v in enumerate(line.values) if v is not None]
    parts = [f'<g class="chart-series chart-series-{n}" aria-hidden="true">']
    if len(points) > 1:
        coords = " ".join(f"{_number(x)},{_number(y)}" for x, y in points)
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline points="{coords}" fill="none" stroke={quoteattr(colour)} stroke-width="2.5"{dashed}/>'
        )
    parts.extend(_marker(shape, x, y, colour) for x, y in points)
    parts.append("</g>")
    return parts


def _legend(series: Sequence[Series], *, left: int, top: int, per_row: int) -> list[str]:
    parts = ['<g class="chart-legend">']
    for n, line in enumerate(series):
        x = left + LEGEND_COLUMN * (n % per_row)
        y = top + 24 * (n // per_row)
        colour, dash, shape = COLOURS[n % len(COLOURS)], DASHES[n % len(DASHES)], MARKERS[n % len(MARKERS)]
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{_number(x)}" x2="{_number(x + 32)}" y1="{y}" y2="{y}" '
            f'stroke={quoteattr(colour)} stroke-width="2.5"{dashed}/>'
        )
        parts.append(_marker(shape, x + 16, y, colour))
        parts.append(
            f'<text class="chart-legend-label" x="{_number(x + 40)}" y="{y}" dominant-baseline="middle">'
            f"{escape(line.name)}</text>"
        )
    parts.append("</g>")
    return parts


def bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    bars: Sequence[Bar],
    value_axis: str,
    width: int = 640,
    label_width: int = 160,
    value_format: Callable[[float], str] = _default_format,
) -> str:
    """Horizontal bars, one per label, each with its value written at its end (never colour alone)."""
    row, top = 28, 8
    height = top + row * len(bars) + 52
    left, right = label_width, width - 64
    ticks = nice_ticks(
        min(0.0, *(b.value for b in bars)) if bars else 0.0, max((b.value for b in bars), default=1.0)
    )
    low, high = ticks[0], ticks[-1]
    bottom = top + row * len(bars)

    def x_at(value: float) -> float:
        return left + (right - left) * (value - low) / (high - low)

    parts = _open(chart_id, width, height, title, desc, "bar")
    parts.append('<g class="chart-grid">')
    for tick in ticks:
        x = _number(x_at(tick))
        parts.append(f'<line x1="{x}" x2="{x}" y1="{top}" y2="{bottom}" stroke="#d8d8d8"/>')
        parts.append(
            f'<text class="chart-tick" x="{x}" y="{bottom + 18}" text-anchor="middle">'
            f"{escape(value_format(tick))}</text>"
        )
    parts.append("</g>")
    zero = x_at(0.0)
    for i, bar in enumerate(bars):
        y = top + row * i
        start, end = sorted((zero, x_at(bar.value)))
        parts.append(
            f'<text class="chart-tick" x="{left - 8}" y="{_number(y + row / 2)}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(bar.label)}</text>'
        )
        parts.append(
            f'<rect class="chart-bar" x="{_number(start)}" y="{y + 5}" width="{_number(end - start)}" '
            f'height="{row - 10}" fill="{COLOURS[0]}"/>'
        )
        parts.append(
            f'<text class="chart-value" x="{_number(end + 6)}" y="{_number(y + row / 2)}" '
            f'dominant-baseline="middle">{escape(value_format(bar.value))}</text>'
        )
    parts.append(
        f'<line class="chart-axis" x1="{_number(zero)}" x2="{_number(zero)}" y1="{top}" y2="{bottom}" '
        'stroke="#0b0c0c"/>'
    )
    parts.append(
        f'<text class="chart-axis-label" x="{_number((left + right) / 2)}" y="{bottom + 42}" '
        f'text-anchor="middle">{escape(value_axis)}</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts)
