"""The governance trend chart: well-formed SVG, honest bars, hidden figures that never look like zero,
nothing a label could smuggle in, and nothing the page's CSP would block."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from portal.governance.charts import Point, trend_chart

SVG = "{http://www.w3.org/2000/svg}"
HIDDEN = "Hidden for privacy"


def chart(points, **kwargs):
    kwargs.setdefault("title", "Active people")
    kwargs.setdefault("chart_id", "chart-active")
    kwargs.setdefault("suppressed_label", HIDDEN)
    return str(trend_chart(points, **kwargs))


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def find(root: ET.Element, tag: str, cls: str | None = None) -> list[ET.Element]:
    return [e for e in root.iter(SVG + tag) if cls is None or cls in e.get("class", "").split()]


def series(*values, label=lambda i: f"m{i}"):
    return [Point(label(i), v, "<5" if v is None else f"{v:g}") for i, v in enumerate(values)]


def baseline_y(root) -> float:
    (line,) = find(root, "line", "baseline")
    return float(line.get("y1"))


def x_labels(root) -> list[ET.Element]:
    (group,) = find(root, "g", "x-labels")
    return list(group)


def test_output_is_a_labelled_well_formed_svg():
    root = parse(chart(series(3, 8, 12), title="Active people"))
    assert root.tag == SVG + "svg"
    assert chart(series(1)).startswith('<svg class="trend-chart" ')  # how the dashboard tests find it
    assert root.get("role") == "img"
    assert root.get("direction") == "ltr"
    assert re.fullmatch(r"0 0 \d+ \d+", root.get("viewBox"))
    title = root.find(SVG + "title")
    assert title.get("id") == root.get("aria-labelledby") == "chart-active-title"
    assert title.text == "Active people"
    desc = root.find(SVG + "desc")
    assert desc.get("id") == root.get("aria-describedby")
    assert "m0: 3" in desc.text and "m2: 12" in desc.text


def test_bar_heights_are_proportional_to_values():
    root = parse(chart(series(10, 20, 40, 5)))
    heights = [float(bar.get("height")) for bar in find(root, "rect", "bar")]
    assert len(heights) == 4
    assert heights[1] == pytest.approx(2 * heights[0], abs=0.2)
    assert heights[2] == pytest.approx(4 * heights[0], abs=0.2)
    assert heights[3] == pytest.approx(heights[0] / 2, abs=0.2)
    for bar in find(root, "rect", "bar"):  # every bar stands on the baseline
        assert float(bar.get("y")) + float(bar.get("height")) == pytest.approx(baseline_y(root), abs=0.1)


def test_scale_has_round_ticks_covering_the_largest_value():
    root = parse(chart(series(7, 23, 52)))
    ticks = [t.text for t in find(root, "g", "ticks")[0]]
    assert ticks[0] == "0" and 3 <= len(ticks) <= 5
    assert all(re.fullmatch(r"\d+", t) for t in ticks)
    assert int(ticks[-1]) >= 52
    assert len(find(find(root, "g", "grid")[0], "line")) == len(ticks) - 1


def test_percent_ticks_read_as_percentages():
    root = parse(chart(series(0.2, 0.35), unit="%"))
    ticks = [t.text for t in find(root, "g", "ticks")[0]]
    assert ticks[0] == "0%" and all(t.endswith("%") for t in ticks)
    assert int(ticks[-1].rstrip("%")) in range(35, 101)


def test_a_hidden_figure_is_a_placeholder_with_its_text_never_a_zero_bar():
    points = [Point("ago", 12, "12"), Point("set", None, "<5"), Point("ott", 0, "0")]
    root = parse(chart(points))
    bars = find(root, "rect", "bar")
    assert [b.find(SVG + "title").text for b in bars] == ["ago: 12", "ott: 0"]  # the real zero is a bar
    (placeholder,) = find(root, "rect", "bar-hidden")
    assert float(placeholder.get("height")) >= 5
    assert placeholder.get("fill").startswith("url(#") and placeholder.get("stroke")
    assert placeholder.find(SVG + "title").text == "set: <5"
    values = {t.text for t in find(root, "text", "value")} | {t[-1].tail for t in find(root, "text", "value")}
    assert "<5" in values
    (legend,) = find(root, "text", "legend-hidden")
    assert legend.text == HIDDEN
    pattern_id = placeholder.get("fill")[len("url(#"):-1]
    assert [p for p in find(root, "pattern") if p.get("id") == pattern_id]
    assert "Hidden for privacy: 1" in root.find(SVG + "desc").text


def test_a_period_not_over_is_an_outline_never_a_full_bar():
    points = [Point("ott", 12, "12"), Point("nov", 30, "30"), Point("dic", 5, "5", partial=True)]
    root = parse(chart(points, partial_label="So far"))
    assert [b.find(SVG + "title").text for b in find(root, "rect", "bar")] == ["ott: 12", "nov: 30"]
    (partial,) = find(root, "rect", "bar-partial")
    assert partial.find(SVG + "title").text == "dic: 5" and partial.get("stroke-dasharray")
    assert partial.get("fill") != find(root, "rect", "bar")[0].get("fill")
    (legend,) = find(root, "text", "legend-partial")
    assert legend.text == "So far" and "dic: So far" in root.find(SVG + "desc").text


def test_each_bar_has_a_hover_title():
    root = parse(chart(series(4, None, 9)))
    titles = [r.find(SVG + "title").text for r in find(root, "rect") if r.get("class") in ("bar", "bar-hidden")]
    assert titles == ["m0: 4", "m1: <5", "m2: 9"]


def test_target_line_sits_at_the_target_value():
    root = parse(chart(series(10, 40), target=20, target_label="Target"))
    (line,) = find(root, "line", "target-line")
    assert line.get("y1") == line.get("y2") and line.get("stroke-dasharray")
    tall = find(root, "rect", "bar")[1]
    base = baseline_y(root)
    assert float(line.get("y1")) == pytest.approx(base - (base - float(tall.get("y"))) / 2, abs=0.1)
    (label,) = find(root, "text", "legend-target")
    assert label.text == "Target: 20"


def test_a_target_above_every_value_stretches_the_scale():
    root = parse(chart(series(10, 20), target=50, target_label="Target"))
    (line,) = find(root, "line", "target-line")
    y = float(line.get("y1"))
    assert 0 < y < min(float(b.get("y")) for b in find(root, "rect", "bar"))
    assert int(find(root, "g", "ticks")[0][-1].text) >= 50


def test_percent_target_is_labelled_as_a_percentage():
    root = parse(chart(series(0.3, 0.5), unit="%", target=0.4, target_label="Obiettivo"))
    assert find(root, "text", "legend-target")[0].text == "Obiettivo: 40%"


HOSTILE = '<script>alert("x")</script>&'


def test_everything_the_caller_passes_is_escaped():
    markup = chart([Point(HOSTILE, 3, HOSTILE), Point("b", None, HOSTILE)], title=HOSTILE,
                   target=2, target_label=HOSTILE, suppressed_label=HOSTILE)
    assert "<script" not in markup.lower()
    root = parse(markup)
    assert not list(root.iter(SVG + "script")) and not list(root.iter("script"))
    assert root.find(SVG + "title").text == HOSTILE
    assert find(root, "rect", "bar")[0].find(SVG + "title").text == f"{HOSTILE}: {HOSTILE}"
    assert HOSTILE in {t.text for t in x_labels(parse(chart([Point(HOSTILE, 1, "1")])))}
    assert find(root, "text", "legend-target")[0].text == f"{HOSTILE}: 2"
    assert find(root, "text", "legend-hidden")[0].text == HOSTILE


def test_empty_series_escapes_its_message():
    root = parse(chart([], suppressed_label=HOSTILE, title=HOSTILE))
    (message,) = find(root, "text", "empty")
    assert message.text == HOSTILE


@pytest.mark.parametrize("chart_id", ['x" onload="alert(1)', "a b", "", "1x"])
def test_chart_id_must_be_a_plain_id(chart_id):
    with pytest.raises(ValueError):
        trend_chart(series(1), title="t", chart_id=chart_id, suppressed_label=HIDDEN)


def test_nothing_the_csp_blocks_and_nothing_external():
    markup = chart(series(*range(1, 13), None), target=5, target_label="Target", unit="")
    root = parse(markup)
    for element in root.iter():
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)
        assert element.tag != SVG + "style" and element.tag != SVG + "foreignObject"
        for value in element.attrib.values():
            assert not value.startswith("url(") or value.startswith("url(#")
            assert "javascript:" not in value
    assert "style=" not in markup and "href" not in markup and "<script" not in markup
    assert re.findall(r"https?://[^\"]*", markup) == ["http://www.w3.org/2000/svg"]


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_on_white(colour: str) -> float:
    return 1.05 / (_luminance(colour) + 0.05)


def test_colours_meet_contrast_on_white():
    root = parse(chart(series(4, None, 9), target=5, target_label="Target"))
    parents = {child: parent for parent in root.iter() for child in parent}

    def inherited(element, name):
        while element is not None:
            if name in element.attrib:
                return element.get(name)
            element = parents.get(element)
        return None

    texts = list(root.iter(SVG + "text"))
    assert texts
    for text in texts:
        assert contrast_on_white(inherited(text, "fill")) >= 4.5, text.text
    for bar in find(root, "rect", "bar"):
        assert contrast_on_white(bar.get("fill")) >= 3
    outlines = [*find(root, "rect", "bar-hidden"), *find(root, "line", "target-line"), *find(root, "line", "baseline")]
    for shape in outlines:
        assert contrast_on_white(shape.get("stroke")) >= 3


def test_long_series_thin_their_labels_so_they_never_overlap():
    points = series(*range(24), label=lambda i: f"{i + 1}/10")
    root = parse(chart(points))
    labels = x_labels(root)
    assert 3 <= len(labels) <= 8
    assert labels[-1].text == "24/10"  # the newest period is always named
    xs = [float(t.get("x")) for t in labels]
    width = 320
    for left, right, text in zip(xs, xs[1:], labels):
        assert right - left >= len(text.text) * 11 * 0.6  # room for the label at the chart's 11-unit font
    assert all(0 <= x <= width for x in xs)


def test_short_series_name_every_period():
    root = parse(chart(series(1, 2, 3, 4, label=lambda i: ["gen", "feb", "mar", "apr"][i])))
    assert [t.text for t in x_labels(root)] == ["gen", "feb", "mar", "apr"]


def test_arabic_labels_survive_and_time_still_runs_left_to_right():
    months = ["سبتمبر", "أكتوبر", "نوفمبر"]
    root = parse(chart(series(8, None, 14, label=lambda i: months[i]), title="الأشخاص النشطون",
                       suppressed_label="مخفي للخصوصية", target=10, target_label="الهدف"))
    assert root.get("direction") == "ltr"
    assert root.find(SVG + "title").text == "الأشخاص النشطون"
    labels = x_labels(root)
    assert [t.text for t in labels] == months
    assert [float(t.get("x")) for t in labels] == sorted(float(t.get("x")) for t in labels)
    shapes = [r for r in find(root, "rect") if r.get("class") in ("bar", "bar-hidden")]
    assert [s.find(SVG + "title").text.split(":")[0] for s in shapes] == months
    assert [float(s.get("x")) for s in shapes] == sorted(float(s.get("x")) for s in shapes)
    assert find(root, "text", "legend-target")[0].text == "الهدف: 10"


@pytest.mark.parametrize("points", [[], series(None, None, None)])
def test_nothing_to_show_is_still_a_valid_chart_with_a_message(points):
    root = parse(chart(points, target=5, target_label="Target"))
    (message,) = find(root, "text", "empty")
    assert message.text == HIDDEN
    assert message.get("text-anchor") == "middle"
    assert float(message.get("x")) == float(root.get("viewBox").split()[2]) / 2
    assert not find(root, "rect", "bar") and not find(root, "line", "target-line")
    assert len(find(root, "rect", "bar-hidden")) == len(points)
    assert root.find(SVG + "desc").text


def test_output_is_deterministic_and_compact():
    points = series(3, 7, None, 11, 13, 17, 19)
    first = chart(points, target=9.333333, target_label="T")
    assert first == chart(points, target=9.333333, target_label="T")
    numbers = [v for e in parse(first).iter() for k, v in e.attrib.items() if re.fullmatch(r"-?[\d.]+", v)]
    assert numbers and all(re.fullmatch(r"-?\d+(\.\d)?", n) for n in numbers)
