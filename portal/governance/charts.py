"""Trend charts as inline SVG, drawn on the server: no charting JavaScript, nothing to download.

A hidden figure is drawn as an outlined stub with its "<5" or "·", never as a zero bar; the page puts
a data table beside each chart for screen readers."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 320, 160
LEFT, RIGHT, TOP, BOTTOM = 30, 6, 10, 24  # room for tick labels and period labels
STUB = 6  # height of a hidden figure's placeholder


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None  # None: hidden for privacy
    display: str


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _ticks(top: float, percent: bool) -> list[float]:
    if top <= 0:
        return [0]
    step = top / 3
    return [step * i for i in range(4)]


def trend_chart(points: Sequence[Point], *, title: str, unit: str = "", target: float | None = None,
                target_label: str = "", chart_id: str, suppressed_label: str) -> Markup:
    percent = unit == "%"
    shown = [p.value for p in points if p.value is not None]
    top = max([*shown, target or 0, 0])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    base = TOP + plot_h
    title_id = f"{chart_id}-title"
    desc_id = f"{chart_id}-desc"
    if shown:
        first = next(p for p in points if p.value is not None)
        last = next(p for p in reversed(points) if p.value is not None)
        summary = f"{first.label}: {first.display} … {last.label}: {last.display}"
    else:
        summary = suppressed_label
    parts = [f'<svg class="trend-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" direction="ltr" '
             f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{escape(title_id)}">{escape(title)}</title>',
             f'<desc id="{escape(desc_id)}">{escape(summary)}</desc>']
    for tick in _ticks(top, percent):
        y = base - (tick / top * plot_h if top else 0)
        label = f"{round(tick * 100)}%" if percent else _number(round(tick, 1) if top < 10 else round(tick))
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_number(y)}" y2="{_number(y)}"/>')
        parts.append(f'<text class="tick" x="{LEFT - 4}" y="{_number(y + 3)}" text-anchor="end">{escape(label)}</text>')
    slot = plot_w / max(len(points), 1)
    every = max(1, -(-len(points) // 8))  # at most 8 labels: they must not overlap at 360 px
    for index, point in enumerate(points):
        x = LEFT + index * slot + slot * 0.15
        width = slot * 0.7
        if point.value is None:
            parts.append(f'<g class="bar-hidden"><title>{escape(point.label)}: {escape(point.display)}</title>'
                         f'<rect x="{_number(x)}" y="{_number(base - STUB)}" width="{_number(width)}" height="{STUB}"/>'
                         f'<text x="{_number(x + width / 2)}" y="{_number(base - STUB - 3)}" text-anchor="middle">'
                         f'{escape(point.display)}</text></g>')
        else:
            height = point.value / top * plot_h if top else 0
            parts.append(f'<rect class="bar" x="{_number(x)}" y="{_number(base - height)}" width="{_number(width)}" '
                         f'height="{_number(height)}"><title>{escape(point.label)}: {escape(point.display)}</title></rect>')
        if index % every == 0 or index == len(points) - 1:
            parts.append(f'<text class="axis-label" x="{_number(x + width / 2)}" y="{HEIGHT - 8}" '
                         f'text-anchor="middle">{escape(point.label)}</text>')
    if target is not None and top:
        y = base - target / top * plot_h
        parts.append(f'<line class="target-line" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_number(y)}" y2="{_number(y)}"/>')
        parts.append(f'<text class="target-label" x="{WIDTH - RIGHT}" y="{_number(y - 3)}" text-anchor="end">'
                     f'{escape(target_label)}</text>')
    if not shown:
        parts.append(f'<text class="empty" x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">'
                     f'{escape(suppressed_label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
