"""A ratio trend as an SVG line chart, for documents (WeasyPrint draws SVG; no script, no browser).

Ratios are drawn at their real values on labelled axes. Shares (debt-to-asset, ROA: read as
percentages) and multiples (current and quick ratio) differ in kind and magnitude, so each kind
gets its own panel with its own axis; each axis starts at zero (or below, for a loss), so a move
from 56% to 55% looks like the one point it is. Each series is named in a legend under its panel
with its latest value, one line per series, so no two labels can overlap. One year draws points.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from app.formatting import multiple, share

PANEL_WIDTH, PLOT_HEIGHT, GAP = 300, 150, 24
LEFT, RIGHT, TOP, AXIS_BAND, LEGEND_LINE = 46, 12, 22, 20, 14
COLOURS = ("#1d4ed8", "#b45309", "#047857", "#7c3aed", "#be123c")
TICKS = 4  # about this many steps on an axis
FORMATS: dict[str, Callable[[float, str], str]] = {"share": share, "multiple": multiple}


@dataclass(frozen=True)
class Point:
    year: str
    value: float
    x: float
    y: float


@dataclass(frozen=True)
class Series:
    ratio: str
    title: str
    colour: str
    points: list[Point]
    label: str  # the legend line: title and latest value


@dataclass(frozen=True)
class Panel:
    kind: str  # share | multiple
    title: str
    left: float  # x of the panel's plot area
    ticks: list[tuple[float, float, str]]  # (value, y, label), bottom to top
    years: list[tuple[str, float]]  # (year, x)
    series: list[Series]

    def y_of(self, value: float) -> float:
        """The height the panel draws ``value`` at (the y of the ticks, interpolated)."""
        (low, y_low, _), (high, y_high, _) = self.ticks[0], self.ticks[-1]
        return y_low + (value - low) * (y_high - y_low) / (high - low)


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    panels: list[Panel]


def nice_ticks(low: float, high: float, steps: int = TICKS) -> list[float]:
    """Round tick values covering [low, high] (and zero): steps of 1, 2, 2.5 or 5 times a power of 10."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high = low + 1.0
    raw = (high - low) / steps
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw - 1e-12)
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [round(i * step, 12) for i in range(first, last + 1)]


def build_chart(
    trend: Mapping[str, Mapping[str, float | None]],
    names: Mapping[str, str],
    kinds: Mapping[str, str],
    panel_titles: Mapping[str, str],
    locale: str = "zh_CN",
) -> Chart | None:
    """The chart's geometry. ``trend``: {year: {ratio: value}}; ``names``: {ratio: title} (only these
    are drawn); ``kinds``: {ratio: "share" | "multiple"}; ``panel_titles``: {kind: axis title}.
    None when nothing can be drawn."""
    years = sorted(trend, key=str)
    panels: list[Panel] = []
    for kind in FORMATS:
        ratios = [r for r in names if kinds.get(r) == kind and _values(trend, years, r)]
        if not ratios:
            continue
        panels.append(
            _panel(kind, panel_titles.get(kind, kind), len(panels), trend, years, ratios, names, locale)
        )
    if not panels:
        return None
    legend = max(len(p.series) for p in panels) * LEGEND_LINE
    width = len(panels) * PANEL_WIDTH + (len(panels) - 1) * GAP
    return Chart(width, TOP + PLOT_HEIGHT + AXIS_BAND + legend + 6, panels)


def _values(trend, years: Sequence[str], ratio: str) -> list[float]:
    return [float(v) for y in years if isinstance(v := trend[y].get(ratio), int | float) and math.isfinite(v)]


def _panel(
    kind: str,
    title: str,
    index: int,
    trend,
    years: list[str],
    ratios: list[str],
    names: Mapping[str, str],
    locale: str,
) -> Panel:
    left = index * (PANEL_WIDTH + GAP) + LEFT
    plot_width = PANEL_WIDTH - LEFT - RIGHT
    known = [v for r in ratios for v in _values(trend, years, r)]
    values = nice_ticks(min(known), max(known))
    bottom = TOP + PLOT_HEIGHT
    fmt = FORMATS[kind]
    ticks = [
        (v, bottom - (v - values[0]) / (values[-1] - values[0]) * PLOT_HEIGHT, _tick_label(kind, v))
        for v in values
    ]
    # One year sits in the middle; several spread from edge to edge with a margin.
    xs = (
        [left + plot_width / 2]
        if len(years) == 1
        else [left + 12 + i * (plot_width - 24) / (len(years) - 1) for i in range(len(years))]
    )
    panel = Panel(kind, title, left, ticks, list(zip(years, xs, strict=True)), [])
    for ratio in ratios:
        colour = COLOURS[list(names).index(ratio) % len(COLOURS)]  # a ratio keeps its colour in any panel
        points = [
            Point(year, float(v), x, panel.y_of(float(v)))
            for year, x in panel.years
            if isinstance(v := trend[year].get(ratio), int | float) and math.isfinite(v)
        ]
        latest = points[-1]
        label = f"{names[ratio]}  {fmt(latest.value, locale)} ({latest.year})"
        panel.series.append(Series(ratio, names[ratio], colour, points, label))
    return panel


def _tick_label(kind: str, value: float) -> str:
    """An axis label as short as the round tick allows: "20%", "2.5%", "1.5"."""
    text = f"{value * 100 if kind == 'share' else value:.2f}".rstrip("0").rstrip(".")
    return f"{text}%" if kind == "share" else text


def render_svg(chart: Chart) -> str:
    """The chart as an SVG document."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{chart.width:.0f}" height="{chart.height:.0f}" '
        f'viewBox="0 0 {chart.width:.0f} {chart.height:.0f}" font-size="9" '
        'font-family="WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif">'
    ]
    for panel in chart.panels:
        parts += _panel_svg(panel)
    parts.append("</svg>")
    return "".join(parts)


def _panel_svg(panel: Panel) -> list[str]:
    right = panel.left + PANEL_WIDTH - LEFT - RIGHT
    bottom = TOP + PLOT_HEIGHT
    parts = [
        f'<text class="axis-title" x="{panel.left - LEFT + 2:.1f}" y="{TOP - 9}" font-weight="bold">'
        f"{escape(panel.title)}</text>"
    ]
    for value, y, label in panel.ticks:
        stroke = "#6b7280" if value == 0 else "#e5e7eb"
        parts.append(
            f'<line x1="{panel.left:.1f}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" stroke="{stroke}"/>'
        )
        parts.append(
            f'<text class="tick" x="{panel.left - 4:.1f}" y="{y + 3:.1f}" text-anchor="end">{escape(label)}</text>'
        )
    parts.append(
        f'<line x1="{panel.left:.1f}" y1="{TOP}" x2="{panel.left:.1f}" y2="{bottom}" stroke="#6b7280"/>'
    )
    for year, x in panel.years:
        parts.append(
            f'<text class="year" x="{x:.1f}" y="{bottom + 13}" text-anchor="middle">{escape(year)}</text>'
        )
    for index, series in enumerate(panel.series):
        if len(series.points) > 1:
            path = " ".join(f"{p.x:.1f},{p.y:.1f}" for p in series.points)
            parts.append(
                f'<polyline fill="none" stroke="{series.colour}" stroke-width="1.8" points="{path}"/>'
            )
        parts += [
            f'<circle cx="{p.x:.1f}" cy="{p.y:.1f}" r="2.5" fill="{series.colour}"/>' for p in series.points
        ]
        y = bottom + AXIS_BAND + index * LEGEND_LINE + 8
        x = panel.left - LEFT + 2
        parts.append(
            f'<line x1="{x:.1f}" y1="{y - 3:.1f}" x2="{x + 14:.1f}" y2="{y - 3:.1f}" '
            f'stroke="{series.colour}" stroke-width="2"/>'
        )
        parts.append(
            f'<text class="legend" x="{x + 18:.1f}" y="{y:.1f}" fill="{series.colour}">'
            f"{escape(series.label)}</text>"
        )
    return parts


def trend_svg(
    trend: Mapping[str, Mapping[str, float | None]],
    names: Mapping[str, str],
    kinds: Mapping[str, str],
    panel_titles: Mapping[str, str],
    locale: str = "zh_CN",
) -> str:
    """The ratio trend as SVG ("" when there is nothing to draw)."""
    chart = build_chart(trend, names, kinds, panel_titles, locale)
    return render_svg(chart) if chart else ""
