"""A ratio trend as an SVG line chart, for documents (WeasyPrint draws SVG; no script, no browser).

Each ratio is one line over the fiscal years; each line is scaled to its own range, since the
ratios differ in magnitude (a debt ratio near 0.6, a current ratio near 1.5), and is labelled at
its last point with its value.
"""

from __future__ import annotations

from collections.abc import Mapping
from xml.sax.saxutils import escape

WIDTH, HEIGHT, PAD = 520, 200, 36
COLOURS = ("#1d4ed8", "#b45309", "#047857", "#7c3aed", "#be123c")


def trend_svg(trend: Mapping[str, Mapping[str, float | None]], names: Mapping[str, str]) -> str:
    """``trend``: {year: {ratio: value}}; ``names``: {ratio: title to show} (only these are drawn)."""
    years = sorted(trend, key=str)
    if len(years) < 2 or not names:
        return ""
    step = (WIDTH - 2 * PAD - 120) / (len(years) - 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" font-size="10">',
             f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD - 120}" y2="{HEIGHT - PAD}" stroke="#9ca3af"/>']
    for i, year in enumerate(years):
        x = PAD + i * step
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - PAD + 14}" text-anchor="middle">{escape(str(year))}</text>')
    for colour, (ratio, title) in zip(COLOURS, names.items(), strict=False):
        values = [trend[y].get(ratio) for y in years]
        known = [v for v in values if isinstance(v, (int, float))]
        if not known:
            continue
        low, high = min(known), max(known)
        span = (high - low) or 1.0
        points = [(PAD + i * step, PAD + (HEIGHT - 2 * PAD) * (1 - (v - low) / span))
                  for i, v in enumerate(values) if isinstance(v, (int, float))]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        x, y = points[-1]
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 3:.1f}" fill="{colour}">{escape(title)} {known[-1]:.2f}</text>')
    parts.append("</svg>")
    return "".join(parts)
