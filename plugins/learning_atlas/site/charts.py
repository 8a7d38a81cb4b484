"""A measure's series as a chart built into the page: a static SVG, its sentence, a legend and its data.

Our own small template rather than a charting library: a run chart or an XmR chart is a
polyline, a few lines and some markers, and writing them as text costs a fraction of a
millisecond a chart (``bench/charts_bench.py``), where a plotting library would import and
lay out a figure for each case, and would write its own styles and ids we would then have to
clean. The SVG draws with the page's colours (classes styled by ``case.css``), so it follows
the light and dark schemes and prints in black.

Reader search (Pagefind) indexes the chart's caption and sentence, not its ticks, legend or table of
figures: the case's search record leaves them out (``pagefind_records``), and they are marked
``data-pagefind-ignore`` besides. A search for "shift" finds it, one for "2023" does not.

Readable without colour: the signal's points are shapes (a diamond for an improvement, a
square for a concern, a triangle for a signal with no direction), the lines are told apart
by dashes and named in the legend, and the change is labelled. Readable without the picture:
``<title>`` names the chart, ``<desc>`` carries the sentence of what it shows, which the page
also prints, and a table in a ``<details>`` gives every point. Every text from the case is
escaped; nothing else in the SVG comes from the case but numbers and dates.
"""

from __future__ import annotations

import html
import math
import re

import yaml

from learning_atlas.contract.case import Measure
from learning_atlas.contract.series_statistics import Analysis, format_value

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 24, 44
"""The SVG's viewBox and the margins of its plotting area, in its own units."""

RULE_NAMES = {
    "shift": "shift", "trend": "trend", "too-few-runs": "too few runs", "too-many-runs": "too many runs",
    "astronomical": "astronomical point", "outside-limits": "outside the limits",
    "two-of-three": "2 of 3 near a limit",
}
READING_NAMES = {"improvement": "improvement", "concern": "concern", "neither": "signal, no direction"}


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _nice_step(span: float) -> float:
    raw = span / 4 if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


_VALUE_TEXTS: dict[float, str] = {}


def _value_text(value: float) -> str:
    """:func:`format_value`, remembered: the values of a thousand cases' tables repeat (a bounded memory)."""
    text = _VALUE_TEXTS.get(value)
    if text is None:
        text = format_value(value)
        if len(_VALUE_TEXTS) < 65536:
            _VALUE_TEXTS[value] = text
    return text


def _fmt(number: float) -> str:
    return f"{number:.1f}"  # a tenth of a unit of a 640-unit chart: finer than any screen or printer shows


_SIGNAL_SHAPES = {
    "improvement": ("improvement", "m0,-7l7,7l-7,7l-7,-7z"),
    "concern": ("concern", "m-5.5,-5.5h11v11h-11z"),
    "neither": ("neither", "m0,-7l6.5,11h-13z"),
}
"""Each signal's marker: its class's modifier and its shape, drawn from the point."""


def _markers(reading: str, places: list[str], readings: tuple[str, ...]) -> str:
    """The markers of the points read ``reading`` (at ``places``, each ``x,y``), a shape each, in a group
    whose classes colour them."""
    kind, shape = _SIGNAL_SHAPES[reading]
    shapes = [f'<path d="M{place}{shape}"/>' for place, r in zip(places, readings) if r == reading]
    if not shapes:
        return ""
    return f'<g class="atlas-chart__signal atlas-chart__signal--{kind}">{"".join(shapes)}</g>'


_X_POSITIONS: dict[int, list[str]] = {}
"""The x coordinates of a chart of so many points, written once: a series has a few dozen to 260."""


def _x_positions(count: int) -> list[str]:
    found = _X_POSITIONS.get(count)
    if found is None:
        plot_w = WIDTH - LEFT - RIGHT
        found = [_fmt(LEFT + plot_w * i / (count - 1)) for i in range(count)] if count > 1 else [_fmt(LEFT + plot_w / 2)]
        found = [text.removesuffix(".0") for text in found]
        if len(_X_POSITIONS) < 512:
            _X_POSITIONS[count] = found
    return found


def chart_svg(measure: Measure, analysis: Analysis, chart_id: str) -> str:
    """The chart as an inline SVG, with ``<title>`` and ``<desc>`` referenced by ``chart_id``.

    Written compactly, for every byte of a case page is read again by the theme: the grid is one
    path, the axis labels share their class and anchor through their group, and the points with no
    signal are one path of dots (each a round-capped stroke of no length, which draws a circle)."""
    points = analysis.points
    values = [p.value for p in points]
    lines = [analysis.centre]
    for phase in analysis.phases:
        lines += [phase.mean, phase.lower, phase.upper]
    if measure.target is not None:
        lines.append(float(measure.target))
    low, high = min(min(values), min(lines)), max(max(values), max(lines))
    step = _nice_step(high - low)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    if high == low:
        low, high = low - step, high + step
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = len(points)
    y_scale = plot_h / (high - low)

    def x(index: float) -> float:
        return LEFT + (plot_w * index / (count - 1) if count > 1 else plot_w / 2)

    def y(value: float) -> float:
        return TOP + y_scale * (high - value)

    title = f"{'SPC (XmR) chart' if analysis.chart == 'spc' else 'Run chart'}: {measure.label}"
    ticks = [(y(low + i * step), low + i * step) for i in range(round((high - low) / step) + 1)]
    grid = "".join(f"M{LEFT},{ty:.1f}H{WIDTH - RIGHT}" for ty, _ in ticks)
    out = [
        f'<svg class="atlas-chart__svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" data-pagefind-ignore="all" '
        f'aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc" focusable="false">'
        f'<title id="{chart_id}-title">{_e(title)}</title>'
        f'<desc id="{chart_id}-desc">{_e(analysis.sentence)}</desc>'
        f'<g class="atlas-chart__axes" aria-hidden="true"><path class="atlas-chart__grid" d="{grid}"/>'
        '<g class="atlas-chart__tick" text-anchor="end">',
        *(f'<text x="{LEFT - 8}" y="{ty + 4:.1f}">{_value_text(round(value, 10))}</text>' for ty, value in ticks),
    ]
    last = count - 1
    for index in sorted({0, analysis.change_index if analysis.change_index < count else 0, last}):
        anchor = "start" if index == 0 else "end" if index == last else "middle"
        out.append(f'<text x="{x(index):.1f}" y="{HEIGHT - BOTTOM + 20}" text-anchor="{anchor}">'
                   f"{points[index].date:%b %Y}</text>")
    out.append("</g></g>")
    if analysis.change_index < count:
        cx = x(analysis.change_index - 0.5)
        out.append(f'<line class="atlas-chart__change" x1="{cx:.1f}" x2="{cx:.1f}" y1="{TOP - 6}" '
                   f'y2="{HEIGHT - BOTTOM}"/><text class="atlas-chart__label" x="{cx + 4:.1f}" y="{TOP - 10}">Change</text>')
    if analysis.chart == "spc":
        for phase in analysis.phases:
            x1, x2 = _fmt(x(max(phase.start - 0.5, 0))), _fmt(x(min(phase.end + 0.5, last)))
            for value, kind in ((phase.mean, "centre"), (phase.lower, "limit"), (phase.upper, "limit")):
                ly = _fmt(y(value))
                out.append(f'<line class="atlas-chart__{kind}" x1="{x1}" x2="{x2}" y1="{ly}" y2="{ly}"/>')
    else:
        cy = _fmt(y(analysis.centre))
        out.append(f'<line class="atlas-chart__centre" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{cy}" y2="{cy}"/>')
    if measure.target is not None:
        ty = _fmt(y(float(measure.target)))
        out.append(f'<line class="atlas-chart__target" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty}" y2="{ty}"/>')
    places = [f"{a},{TOP + y_scale * (high - v):.1f}" for a, v in zip(_x_positions(count), values)]
    out.append(f'<polyline class="atlas-chart__line" points="{" ".join(places)}"/>')
    readings = analysis.point_readings
    dots = "".join([f"M{place}h0" for place, reading in zip(places, readings) if not reading])
    if dots:
        out.append(f'<path class="atlas-chart__points" d="{dots}"/>')
    if any(readings):
        out.extend(_markers(reading, places, readings) for reading in _SIGNAL_SHAPES)
    out.append("</svg>")
    return "".join(out)


def _legend(measure: Measure, analysis: Analysis) -> str:
    centre = "Median of the points before the change" if analysis.chart == "run" else "Mean"
    items = [
        ('<line class="atlas-chart__line" x1="0" x2="28" y1="7" y2="7"/>'
         '<circle class="atlas-chart__point" cx="14" cy="7" r="3.5"/>', "The measure"),
        ('<line class="atlas-chart__centre" x1="0" x2="28" y1="7" y2="7"/>',
         f"{centre} ({_e(format_value(analysis.centre))}{' before the change' if analysis.chart == 'spc' else ''})"),
    ]
    if analysis.chart == "spc":
        items.append(('<line class="atlas-chart__limit" x1="0" x2="28" y1="7" y2="7"/>',
                      "Process limits, recalculated at the change"))
    if measure.target is not None:
        items.append(('<line class="atlas-chart__target" x1="0" x2="28" y1="7" y2="7"/>',
                      f"Target ({_e(format_value(float(measure.target)))})"))
    items.append(('<line class="atlas-chart__change" x1="14" x2="14" y1="0" y2="14"/>',
                  f"Change, {analysis.points[analysis.change_index].date:%B %Y}"
                  if analysis.change_index < len(analysis.points) else "Change"))
    shapes = {"improvement": '<path class="atlas-chart__signal atlas-chart__signal--improvement" d="M14,0l7,7l-7,7l-7,-7z"/>',
              "concern": '<path class="atlas-chart__signal atlas-chart__signal--concern" d="M8.5,1.5h11v11h-11z"/>',
              "neither": '<path class="atlas-chart__signal atlas-chart__signal--neither" d="M14,1l6.5,11h-13z"/>'}
    for reading in ("improvement", "concern", "neither"):
        if reading in analysis.point_readings:
            items.append((shapes[reading], f"Signal: {READING_NAMES[reading]}"))
    return '<ul class="atlas-chart__legend" data-pagefind-ignore="all">' + "".join(
        f'<li><svg viewBox="0 0 28 14" width="28" height="14" aria-hidden="true" focusable="false">{glyph}</svg>'
        f"{text}</li>" for glyph, text in items
    ) + "</ul>"


def _table(measure: Measure, analysis: Analysis) -> str:
    unit = f" ({_e(measure.unit)})" if measure.unit else ""
    signal_at: dict[int, list[str]] = {}
    for signal in analysis.signals:
        if signal.rule in ("too-few-runs", "too-many-runs"):
            continue
        for index in range(signal.start, signal.end + 1):
            signal_at.setdefault(index, []).append(
                f"{RULE_NAMES[signal.rule]}, {READING_NAMES[signal.reading]}"
            )
    signals = {index: "; ".join(names) for index, names in signal_at.items()}
    change = analysis.change_index
    rows = [  # dates, figures and the rules' own words: nothing here needs escaping
        f"<tr><td>{point.date.isoformat()}</td><td>{_value_text(point.value)}</td>"
        f"<td>{'before' if index < change else 'after'}</td><td>{signals.get(index, '')}</td></tr>"
        for index, point in enumerate(analysis.points)
    ]
    return (
        '<details class="atlas-chart__data" data-pagefind-ignore="all"><summary>The data behind the chart</summary>'
        f'<table><caption>{_e(measure.label)}{unit}</caption>'
        '<thead><tr><th scope="col">Date</th><th scope="col">Value</th>'
        '<th scope="col">Change</th><th scope="col">Signal</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></details>"
    )


def chart_figure(measure: Measure, chart_id: str) -> str:
    """A measure's chart, sentence, legend and data table as one ``<figure>``, or "" without a series."""
    analysis = measure.analysis
    if analysis is None:
        return ""
    kind = "SPC (XmR) chart" if analysis.chart == "spc" else "Run chart"
    return (
        f'<figure class="atlas-chart atlas-chart--{analysis.verdict}" id="{chart_id}">'
        f'<figcaption class="atlas-chart__caption"><span class="atlas-chart__kind">{kind}</span> '
        f"{_e(measure.label)}</figcaption>"
        f"{chart_svg(measure, analysis, chart_id)}"
        f'<p class="atlas-chart__sentence">{_e(analysis.sentence)}</p>'
        f"{_legend(measure, analysis)}{_table(measure, analysis)}</figure>"
    )


EXAMPLE_MARKER = "<!-- atlas:series-example -->"
_EXAMPLE = re.compile(r"```yaml\n(?P<yaml>[^`]*)```\s*\n" + re.escape(EXAMPLE_MARKER))


def example_measure(yaml_text: str) -> Measure:
    """The first measure of a guide's YAML example (``measures:`` and its items), as a case would give it."""
    data = yaml.load(yaml_text, Loader=yaml.CSafeLoader)  # noqa: S506 - CSafeLoader is the safe loader
    item = dict(data["measures"][0])
    item["series"] = [{"date": str(p["date"]), "value": p["value"]} for p in item["series"]]
    item["change_date"] = str(item["change_date"])
    return Measure.from_data(item)


def example_charts(markdown: str) -> str:
    """A documentation page's Markdown with the chart of each YAML example followed by
    :data:`EXAMPLE_MARKER` drawn in its place, so the guide's worked example shows its chart as a case would."""
    if EXAMPLE_MARKER not in markdown:
        return markdown

    def draw(match: re.Match[str]) -> str:
        figure = chart_figure(example_measure(match["yaml"]), "atlas-chart-example")
        return match[0].replace(EXAMPLE_MARKER, f'<div class="atlas-example-chart">{figure}</div>')

    return _EXAMPLE.sub(draw, markdown)
