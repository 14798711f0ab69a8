"""Trend charts as inline SVG, drawn on the server: no charting JavaScript, nothing to download.

One bar per period, scaled to the largest shown figure (and the target). A figure hidden for privacy is
drawn as a hatched stub with its "<5" or "·" above it, never as a zero bar. Colours are presentation
attributes (the page's CSP forbids style attributes) from the cortile.css palette, each at least 3:1 on
white for shapes and 4.5:1 for text. The page puts a data table beside each chart for screen readers."""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 320
PLOT_HEIGHT = 120
RIGHT = 8
BOTTOM = 22  # room for the period labels
HEADROOM = 14  # room for a value above the tallest bar
LEGEND_ROW = 16
STUB = 10  # height of a hidden figure's placeholder
MAX_BAR = 36
LABEL_SIZE, TICK_SIZE, VALUE_SIZE, MIN_VALUE_SIZE = 11, 10, 10, 7

INK, MUTED, GRID, BAR, HALO = "#1d1d1b", "#4a4a46", "#d9d3c7", "#8a3b12", "#ffffff"
_ID = re.compile(r"[A-Za-z][\w-]*\Z")


@dataclass(frozen=True)
class Point:
    label: str            # short period label for the x axis, already translated
    value: float | None   # None: hidden for privacy
    display: str          # the figure as the table shows it: "12", "<5", "·", "34%"
    partial: bool = False  # the period is not over: drawn as an outline, never like a full one


def _n(value: float) -> str:
    """A coordinate with at most one decimal, so the markup stays small and stable."""
    return f"{round(value, 1) + 0.0:.1f}".removesuffix(".0")


def _text_width(text: str, size: float) -> float:
    """A generous estimate: the server cannot measure glyphs, and overlapping labels are worse than gaps."""
    return size * sum(1.0 if ord(c) >= 0x2E80 else 0.35 if c in " .,:;/|'!il" else 0.58 if c.isdigit()
                      else 0.7 if c.isupper() else 0.62 for c in text)


def _scale(largest: float, percent: bool, integral: bool) -> list[float]:
    """Round ticks from 0 (1, 2, 2.5 or 5 times a power of ten), at most four steps, covering largest."""
    if largest <= 0:
        largest = 1
    exponent = math.floor(math.log10(largest / 4))
    for k in range(exponent, exponent + 2):
        for m in (1, 2, 2.5, 5, 10):
            step = m * 10.0 ** k
            if integral and not percent and (step < 1 or step != int(step)):
                continue
            if percent and step < 0.01:
                continue
            steps = math.ceil(largest / step - 1e-9)
            if steps <= 4:
                return [round(step * i, 6) for i in range(steps + 1)]
    raise AssertionError("unreachable: the step grows until four steps cover largest")


def _tick_text(value: float, unit: str) -> str:
    if unit == "%":
        return f"{round(value * 100, 1):g}%"
    number = f"{round(value, 1):g}"
    return f"{number} {unit}" if unit else number


def trend_chart(points: Sequence[Point], *, title: str, unit: str = "", target: float | None = None,
                target_label: str = "", chart_id: str, suppressed_label: str, partial_label: str = "") -> Markup:
    """An <svg role="img"> trend. unit "%" means values (and the target) are fractions, 0.34 for 34%."""
    if not _ID.match(chart_id):
        raise ValueError(f"chart_id must be a plain HTML id, not {chart_id!r}")
    count = len(points)
    shown = [max(p.value, 0.0) for p in points if p.value is not None]
    hidden = count - len(shown)
    ticks = _scale(max([*shown, target or 0]), unit == "%", all(v == int(v) for v in shown)) if shown else []
    tick_labels = [_tick_text(t, unit) for t in ticks]
    left = max([_text_width(t, TICK_SIZE) for t in tick_labels], default=0) + 8

    legend: list[tuple[str, str]] = []  # (kind, text)
    if hidden and shown:
        legend.append(("hidden", suppressed_label))
    if any(p.partial and p.value is not None for p in points):
        legend.append(("partial", partial_label))
    if target is not None and shown:
        legend.append(("target", f"{target_label}: {_tick_text(target, unit)}" if target_label
                       else _tick_text(target, unit)))
    legend_items, x, row = [], 4.0, 0
    for kind, text in legend:
        width = 20 + _text_width(text, LABEL_SIZE)
        if x > 4 and x + width > WIDTH - RIGHT:
            x, row = 4.0, row + 1
        legend_items.append((kind, text, x, 4 + row * LEGEND_ROW))
        x += width + 14
    top = (row + 1) * LEGEND_ROW * bool(legend) + HEADROOM
    base = top + PLOT_HEIGHT
    height = base + BOTTOM
    plot_width = WIDTH - left - RIGHT
    scale_top = ticks[-1] if ticks else 1.0

    def y_of(value: float) -> float:
        return base - value / scale_top * PLOT_HEIGHT

    title_id, desc_id, hatch_id = f"{chart_id}-title", f"{chart_id}-desc", f"{chart_id}-hatch"
    summary = []
    if shown:
        first = next(p for p in points if p.value is not None)
        last = next(p for p in reversed(points) if p.value is not None)
        summary.append(f"{first.label}: {first.display}" if first is last
                       else f"{first.label}: {first.display} … {last.label}: {last.display}")
    if hidden:
        summary.append(f"{suppressed_label}: {hidden}")
    summary += [f"{p.label}: {partial_label}" for p in points if p.partial and p.value is not None]
    if target is not None and shown:
        summary.append(legend[-1][1])

    out = [f'<svg class="trend-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
           f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="{title_id}" '
           f'aria-describedby="{desc_id}" direction="ltr" font-size="{LABEL_SIZE}">',
           f'<title id="{title_id}">{escape(title)}</title>',
           f'<desc id="{desc_id}">{escape("; ".join(summary) or suppressed_label)}</desc>']
    if hidden:
        out.append(f'<defs><pattern id="{hatch_id}" width="4" height="4" patternUnits="userSpaceOnUse" '
                   f'patternTransform="rotate(45)"><rect width="4" height="4" fill="{HALO}"/>'
                   f'<line x1="0" y1="0" x2="0" y2="4" stroke="{MUTED}" stroke-width="1.5"/></pattern></defs>')

    if ticks:
        out.append(f'<g class="grid" stroke="{GRID}" stroke-width="1">')
        out += [f'<line x1="{_n(left)}" x2="{WIDTH - RIGHT}" y1="{_n(y_of(t))}" y2="{_n(y_of(t))}"/>'
                for t in ticks[1:]]
        out.append(f'</g><g class="ticks" fill="{MUTED}" font-size="{TICK_SIZE}" text-anchor="end">')
        out += [f'<text x="{_n(left - 4)}" y="{_n(y_of(t) + 3.5)}">{escape(label)}</text>'
                for t, label in zip(ticks, tick_labels)]
        out.append("</g>")

    slot = plot_width / max(count, 1)
    bar_width = min(slot * 0.7, MAX_BAR)
    widest_value = max((_text_width(p.display, VALUE_SIZE) for p in points), default=0)
    value_size = min(VALUE_SIZE, math.floor(VALUE_SIZE * (slot - 2) / widest_value * 2) / 2) if widest_value else 0
    label_every = max(math.ceil(count / 8),
                      math.ceil((max((_text_width(p.label, LABEL_SIZE) for p in points), default=0) + 6) / slot))

    out.append('<g class="bars">')
    values = []  # drawn after the target line, so a number is never struck through by it
    for index, point in enumerate(points):
        middle = left + slot * (index + 0.5)
        x = middle - bar_width / 2
        tooltip = f"<title>{escape(point.label)}: {escape(point.display)}</title>"
        if point.value is None:
            out.append(f'<rect class="bar-hidden" x="{_n(x)}" y="{_n(base - STUB)}" width="{_n(bar_width)}" '
                       f'height="{STUB}" fill="url(#{hatch_id})" stroke="{MUTED}">{tooltip}</rect>')
            value_y, colour = base - STUB - 3, MUTED
        else:
            bar_top = y_of(max(point.value, 0.0))
            look = (f'class="bar-partial" fill="{HALO}" stroke="{BAR}" stroke-width="1.5" stroke-dasharray="3 2"'
                    if point.partial else f'class="bar" fill="{BAR}"')
            out.append(f'<rect {look} x="{_n(x)}" y="{_n(bar_top)}" width="{_n(bar_width)}" '
                       f'height="{_n(base - bar_top)}">{tooltip}</rect>')
            value_y, colour = bar_top - 3, INK
        # a hidden figure always says so; a shown one only where the numbers fit side by side
        if point.value is None or value_size >= 9:
            values.append(f'<text class="value" x="{_n(middle)}" y="{_n(value_y)}" fill="{colour}">'
                          f'{tooltip}{escape(point.display)}</text>')
    out.append("</g>")

    out.append(f'<line class="baseline" x1="{_n(left)}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}" '
               f'stroke="{MUTED}" stroke-width="1"/>')
    out.append(f'<g class="x-labels" fill="{INK}" text-anchor="middle">')
    for index, point in enumerate(points):
        if (count - 1 - index) % label_every:  # counted from the newest period, which is always labelled
            continue
        half = _text_width(point.label, LABEL_SIZE) / 2
        middle = min(max(left + slot * (index + 0.5), half + 1), WIDTH - half - 1)
        out.append(f'<text x="{_n(middle)}" y="{base + 15}">{escape(point.label)}</text>')
    out.append("</g>")

    if target is not None and shown:
        y = _n(y_of(target))
        out.append(f'<g class="target"><line x1="{_n(left)}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}" stroke="{HALO}" '
                   f'stroke-width="3.5"/><line class="target-line" x1="{_n(left)}" x2="{WIDTH - RIGHT}" y1="{y}" '
                   f'y2="{y}" stroke="{INK}" stroke-width="1.5" stroke-dasharray="5 3"/></g>')

    if values:
        out.append(f'<g class="values" font-size="{_n(max(value_size, MIN_VALUE_SIZE))}" text-anchor="middle" '
                   f'stroke="{HALO}" stroke-width="3" stroke-linejoin="round" paint-order="stroke">')
        out += [*values, "</g>"]

    if legend_items:
        out.append(f'<g class="legend" fill="{INK}">')
        for kind, text, x, y in legend_items:
            if kind == "hidden":
                out.append(f'<rect x="{_n(x)}" y="{_n(y + 1)}" width="14" height="9" fill="url(#{hatch_id})" '
                           f'stroke="{MUTED}"/>')
            elif kind == "partial":
                out.append(f'<rect x="{_n(x)}" y="{_n(y + 1)}" width="14" height="9" fill="{HALO}" stroke="{BAR}" '
                           f'stroke-width="1.5" stroke-dasharray="3 2"/>')
            else:
                out.append(f'<line x1="{_n(x)}" x2="{_n(x + 15)}" y1="{_n(y + 5.5)}" y2="{_n(y + 5.5)}" '
                           f'stroke="{INK}" stroke-width="1.5" stroke-dasharray="5 3"/>')
            out.append(f'<text class="legend-{kind}" x="{_n(x + 20)}" y="{_n(y + 9.5)}">{escape(text)}</text>')
        out.append("</g>")

    if not shown:
        out.append(f'<text class="empty" x="{WIDTH / 2:g}" y="{_n(top + PLOT_HEIGHT / 2)}" text-anchor="middle" '
                   f'font-size="12" fill="{MUTED}">{escape(suppressed_label)}</text>')
    out.append("</svg>")
    # Safe: every piece of text above went through escape(); the rest is our own markup and numbers.
    return Markup("".join(out))  # nosec B704 # safe, as said above
