"""Geometry for the pupil's progress chart: their scores against the band of same-baseline peers.

Pure: numbers in, SVG coordinates out. The template draws the SVG and always shows the same figures
in a table beside it, so the chart is never the only way to read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 640, 280
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 48, 16, 16, 40


@dataclass(frozen=True)
class ChartPoint:
    label: str
    score: float | None
    peer_low: float | None = None  # 25th percentile of same-baseline peers
    peer_median: float | None = None
    peer_high: float | None = None  # 75th percentile


@dataclass(frozen=True)
class Tick:
    value: float
    y: float


@dataclass(frozen=True)
class XLabel:
    text: str
    x: float


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    label: str
    score: float


@dataclass(frozen=True)
class ChartGeometry:
    width: int
    height: int
    pupil_line: str  # SVG polyline points
    markers: list[Marker]
    median_line: str
    band: str  # SVG polygon points: the interquartile band
    y_ticks: list[Tick]
    x_labels: list[XLabel]
    plot_left: int
    plot_right: int
    plot_bottom: int


def _nice_range(values: Sequence[float]) -> tuple[float, float]:
    low, high = min(values), max(values)
    step = 5.0
    low = step * ((low - step) // step)
    high = step * (-(-(high + step) // step))
    return low, high


def progress_chart(points: Sequence[ChartPoint]) -> ChartGeometry | None:
    known = [v for p in points for v in (p.score, p.peer_low, p.peer_median, p.peer_high) if v is not None]
    if len(points) < 2 or not known:
        return None
    low, high = _nice_range(known)
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

    def x(i: int) -> float:
        return round(MARGIN_LEFT + plot_w * i / (len(points) - 1), 1)

    def y(value: float) -> float:
        return round(MARGIN_TOP + plot_h * (high - value) / (high - low), 1)

    scored = [(i, p) for i, p in enumerate(points) if p.score is not None]
    banded = [(i, p) for i, p in enumerate(points) if p.peer_low is not None and p.peer_high is not None]
    medians = [(i, p) for i, p in enumerate(points) if p.peer_median is not None]
    upper = [f"{x(i)},{y(p.peer_high)}" for i, p in banded if p.peer_high is not None]
    lower = [f"{x(i)},{y(p.peer_low)}" for i, p in reversed(banded) if p.peer_low is not None]
    step = 10.0 if high - low > 40 else 5.0
    ticks = []
    value = low
    while value <= high:
        ticks.append(Tick(value=value, y=y(value)))
        value += step
    return ChartGeometry(
        width=WIDTH,
        height=HEIGHT,
        pupil_line=" ".join(f"{x(i)},{y(p.score)}" for i, p in scored if p.score is not None),
        markers=[Marker(x(i), y(p.score), p.label, p.score) for i, p in scored if p.score is not None],
        median_line=" ".join(f"{x(i)},{y(p.peer_median)}" for i, p in medians if p.peer_median is not None),
        band=" ".join(upper + lower) if len(banded) >= 2 else "",
        y_ticks=ticks,
        x_labels=[XLabel(p.label, x(i)) for i, p in enumerate(points)],
        plot_left=MARGIN_LEFT,
        plot_right=WIDTH - MARGIN_RIGHT,
        plot_bottom=HEIGHT - MARGIN_BOTTOM,
    )
