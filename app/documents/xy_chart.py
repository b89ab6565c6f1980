"""Percent-against-percent charts for documents as SVG (WeasyPrint draws SVG; no script): lines on a square
0–100% plot (a ROC or KS curve), and grouped bars over categories (calibration by decile).

Each axis is labelled every 20% (lines) or at its categories (bars); every series is named in a legend line
under the plot, so no label overlaps a curve.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

COLOURS = ("#1d4ed8", "#b45309", "#9ca3af", "#047857")
SIZE, LEFT, BOTTOM, TOP, RIGHT, LEGEND = 220, 40, 34, 10, 10, 14


@dataclass(frozen=True)
class Series:
    title: str
    values: Sequence[float | None]  # percentages, one per x or category
    dashed: bool = False


def lines(x: Sequence[float], series: Sequence[Series], x_title: str, y_title: str) -> str:
    """Series of percentages against ``x`` (percentages) on a square plot."""
    width, height = LEFT + SIZE + RIGHT, TOP + SIZE + BOTTOM + LEGEND * len(series)
    parts = [_frame(width, height, x_title, y_title)]
    for tick in range(0, 101, 20):
        px, py = LEFT + SIZE * tick / 100, TOP + SIZE * (1 - tick / 100)
        parts.append(f'<text x="{px:.1f}" y="{TOP + SIZE + 11}" text-anchor="middle">{tick}%</text>')
        parts.append(f'<text x="{LEFT - 3}" y="{py + 3:.1f}" text-anchor="end">{tick}%</text>')
        parts.append(f'<line x1="{LEFT}" y1="{py:.1f}" x2="{LEFT + SIZE}" y2="{py:.1f}" stroke="#f3f4f6"/>')
    for index, s in enumerate(series):
        points = " ".join(
            f"{LEFT + SIZE * px / 100:.1f},{TOP + SIZE * (1 - py / 100):.1f}"
            for px, py in zip(x, s.values, strict=True)
            if py is not None
        )
        dash = ' stroke-dasharray="4 3"' if s.dashed else ""
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{_colour(index)}" stroke-width="1.6"{dash}/>'
        )
    parts += _legend(series, TOP + SIZE + BOTTOM)
    return _svg(width, height, parts)


def bars(labels: Sequence[str], series: Sequence[Series], x_title: str, y_title: str) -> str:
    """Grouped bars of percentages over ``labels``; the axis reaches the highest bar."""
    plot_width = max(SIZE, 26 * len(labels))
    width, height = LEFT + plot_width + RIGHT, TOP + SIZE + BOTTOM + LEGEND * len(series)
    top = max([v for s in series for v in s.values if v is not None] + [1.0])
    top = _nice(top)
    parts = [_frame(width, height, x_title, y_title, plot_width)]
    for step in range(5):
        tick = top * step / 4
        py = TOP + SIZE * (1 - step / 4)
        parts.append(f'<text x="{LEFT - 3}" y="{py + 3:.1f}" text-anchor="end">{tick:g}%</text>')
        parts.append(
            f'<line x1="{LEFT}" y1="{py:.1f}" x2="{LEFT + plot_width}" y2="{py:.1f}" stroke="#f3f4f6"/>'
        )
    slot = plot_width / max(len(labels), 1)
    bar = slot * 0.8 / max(len(series), 1)
    for position, label in enumerate(labels):
        x0 = LEFT + slot * position + slot * 0.1
        parts.append(
            f'<text x="{x0 + slot * 0.4:.1f}" y="{TOP + SIZE + 11}" text-anchor="middle">{escape(label)}</text>'
        )
        for index, s in enumerate(series):
            value = s.values[position]
            if value is None:
                continue
            h = SIZE * value / top
            parts.append(
                f'<rect x="{x0 + bar * index:.1f}" y="{TOP + SIZE - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{_colour(index)}"/>'
            )
    parts += _legend(series, TOP + SIZE + BOTTOM)
    return _svg(width, height, parts)


def _frame(width: float, height: float, x_title: str, y_title: str, plot_width: float = SIZE) -> str:
    return (
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_width}" height="{SIZE}" fill="none" stroke="#9ca3af"/>'
        f'<text x="{LEFT + plot_width / 2:.1f}" y="{TOP + SIZE + 25}" text-anchor="middle">{escape(x_title)}</text>'
        f'<text transform="translate(10 {TOP + SIZE / 2:.1f}) rotate(-90)" text-anchor="middle">{escape(y_title)}</text>'
    )


def _legend(series: Sequence[Series], top: float) -> list[str]:
    out = []
    for index, s in enumerate(series):
        y = top + LEGEND * index + 10
        dash = ' stroke-dasharray="4 3"' if s.dashed else ""
        out.append(
            f'<line x1="{LEFT}" y1="{y - 3}" x2="{LEFT + 16}" y2="{y - 3}" stroke="{_colour(index)}" '
            f'stroke-width="2"{dash}/>'
        )
        out.append(f'<text x="{LEFT + 20}" y="{y}">{escape(s.title)}</text>')
    return out


def _svg(width: float, height: float, parts: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-size="8" font-family="sans-serif">'
        + "".join(parts)
        + "</svg>"
    )


def _colour(index: int) -> str:
    return COLOURS[index % len(COLOURS)]


def _nice(value: float) -> float:
    for step in (1, 2, 4, 8, 10, 12, 16, 20, 24, 40, 60, 80, 100):  # each a multiple of 4: whole ticks
        if value <= step:
            return float(step)
    return 100.0
