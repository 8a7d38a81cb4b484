"""What a measure's series shows: the run-chart rules and Making Data Count's XmR (SPC) rules.

Pure functions of numbers, with no I/O, shared by the case page's chart, the open data and
Explore (and mirrored in the submission form's preview, ``assets/atlas/submit/series.js``).

**Run chart** (Perla, Provost and Murray, "The run chart: a simple analytical tool for
learning from variation in healthcare processes", *BMJ Quality & Safety* 2011;20:46-51). The
centre line is the median of the points before the change, extended across the chart. The
four rules, each a sign of non-random variation:

1. *Shift*: six or more consecutive points all above or all below the median. A point on
   the median neither adds to nor breaks a shift.
2. *Trend*: five or more consecutive points all going up or all going down. A point that
   repeats the one before it is not counted, and does not break the trend.
3. *Too few or too many runs*: a run is a stretch of points on one side of the median
   (points on it are skipped); the number of runs is compared with the paper's Table 1
   (from Swed and Eisenhart, 1943) for 10 to 60 points off the median, and past 60 with the
   normal approximation the table comes from (expected ``n/2 + 1`` runs, 95%).
4. *Astronomical point*: one obviously different point. The paper leaves this to judgement;
   the atlas, which must decide alone, counts a single point (its neighbours inside) beyond
   the natural process limits (the XmR limits below) of its own side of the change.

**XmR chart** (NHS England, *Making Data Count*, and its reference implementation in R,
NHS-R's ``NHSRplotthedots``, ``ptd_spc_standard`` and ``ptd_calculate_point_type``). The
centre line is the mean; the process limits are ``mean ± 2.66 × mean moving range``, where
moving ranges of 3.267 times the mean moving range or more are screened out first; each
side of the change gets its own mean and limits (they are recalculated at the change).
Special-cause variation, in this order of precedence for a point:

1. a point outside the process limits;
2. a trend: seven points in a row all increasing or all decreasing (six rises or falls in
   a row; an equal value breaks it);
3. two of three points in a row close to a limit (beyond two thirds of the way from the
   mean to it) on the same side of the mean, but not outside it;
4. a shift: seven points in a row on the same side of the mean (a point on the mean breaks
   it).

Points before the change are read against the limits before the change. Points after it are
read against the limits before it as well, extended across the chart: that is Making Data
Count's question, "has the process changed?", and the evidence it asks for before limits
are recalculated. A signal is named from the direction that is better for the measure
(``improvement: higher | lower``): "improvement" or "concern".
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import statistics
from dataclasses import dataclass, field
from typing import Sequence

SHIFT_POINTS = 6
"""Run chart: a shift is this many or more consecutive points on one side of the median."""
TREND_POINTS = 5
"""Run chart: a trend is this many or more consecutive points all going up or all going down."""
SPC_SHIFT_POINTS = 7
"""XmR: a shift is this many points in a row on one side of the mean (Making Data Count)."""
SPC_TREND_POINTS = 7
"""XmR: a trend is this many points in a row all increasing or all decreasing (six steps)."""
LIMIT_FACTOR = 2.66
"""Process limits are the mean plus and minus this many mean moving ranges (3 / d2, d2 = 1.128)."""
SCREEN_FACTOR = 3.267
"""A moving range this many times the mean moving range or more is left out of the limits (D4)."""
SPC_MIN_POINTS = 12
"""An XmR chart needs this many points on each side of the change; with fewer, a run chart is drawn."""

RUNS_LIMITS: dict[int, tuple[int, int]] = {
    10: (3, 9), 11: (3, 10), 12: (3, 11), 13: (4, 11), 14: (4, 12), 15: (5, 12), 16: (5, 13),
    17: (5, 13), 18: (6, 14), 19: (6, 15), 20: (6, 16), 21: (7, 16), 22: (7, 17), 23: (7, 17),
    24: (8, 18), 25: (8, 18), 26: (9, 19), 27: (10, 19), 28: (10, 20), 29: (10, 20), 30: (11, 21),
    31: (11, 22), 32: (11, 23), 33: (12, 23), 34: (12, 24), 35: (13, 24), 36: (13, 25), 37: (13, 25),
    38: (14, 26), 39: (14, 26), 40: (15, 27), 41: (16, 27), 42: (16, 28), 43: (17, 28), 44: (17, 29),
    45: (17, 30), 46: (17, 31), 47: (18, 31), 48: (18, 32), 49: (19, 32), 50: (19, 33), 51: (20, 33),
    52: (20, 34), 53: (21, 34), 54: (21, 35), 55: (22, 35), 56: (22, 36), 57: (23, 36), 58: (23, 37),
    59: (24, 38), 60: (24, 38),
}
"""Perla, Provost and Murray (2011), Table 1: for the number of points not on the median, the fewest
and the most runs that chance alone would give (outside them, too few or too many runs)."""

RUN_RULES = ("shift", "trend", "too-few-runs", "too-many-runs", "astronomical")
SPC_RULES = ("outside-limits", "trend", "two-of-three", "shift")


@dataclass(frozen=True)
class Point:
    """One point of a series: the first day of its week, month or quarter, and its value."""

    date: dt.date
    value: float

    def __repr__(self) -> str:
        # The dataclass's own text, without its guard against recursion (a point holds no point): a case's
        # repr is the key of its cached article and a series has hundreds of points.
        return f"Point(date={self.date!r}, value={self.value!r})"


@dataclass(frozen=True)
class Signal:
    """A rule the points break: which rule, the first and last point's index (inclusive), the side
    it shows (``+1`` up or above, ``-1`` down or below, ``0`` neither) and so its reading:
    ``improvement``, ``concern`` or ``neither``."""

    rule: str
    start: int
    end: int
    direction: int
    reading: str

    @property
    def length(self) -> int:
        return self.end - self.start + 1


@dataclass(frozen=True)
class Phase:
    """The points ``start`` to ``end`` (inclusive) of an XmR chart, with their mean and process limits."""

    start: int
    end: int
    mean: float
    lower: float
    upper: float


@dataclass(frozen=True)
class Analysis:
    """What a series shows, read by the rules of the chart drawn (``run`` or ``spc``)."""

    chart: str
    points: tuple[Point, ...]
    change_index: int
    improvement: str
    centre: float
    """The baseline median (run chart) or the baseline mean (XmR)."""
    phases: tuple[Phase, ...] = ()
    signals: tuple[Signal, ...] = ()
    point_readings: tuple[str, ...] = field(default=())
    """For each point: ``improvement``, ``concern``, ``neither`` (part of a signal with no direction) or ``""``."""

    @functools.cached_property
    def after_change(self) -> tuple[Signal, ...]:
        """The signals that are mostly after the change: what the change may have done."""
        return tuple(s for s in self.signals if _mostly_after(s, self.change_index))

    @functools.cached_property
    def verdict(self) -> str:
        """``improvement`` when a signal after the change is in the better direction, else ``concern`` when
        one is in the worse direction, else ``none``."""
        readings = {s.reading for s in self.after_change}
        if "improvement" in readings:
            return "improvement"
        if "concern" in readings:
            return "concern"
        return "none"

    @functools.cached_property
    def sentence(self) -> str:
        """One sentence, in words, of what the data show."""
        return describe(self)


def _mostly_after(signal: Signal, change_index: int) -> bool:
    after = signal.end - max(signal.start, change_index) + 1
    return after > 0 and after * 2 >= signal.length


def reading(direction: int, improvement: str) -> str:
    """``improvement`` when ``direction`` (+1 up, -1 down) is the better one, ``concern`` when it is the
    worse one, ``neither`` when it has none."""
    if direction == 0:
        return "neither"
    better = 1 if improvement == "higher" else -1
    return "improvement" if direction == better else "concern"


def median(values: Sequence[float]) -> float:
    """The median: the middle value, or the mean of the middle two."""
    return float(statistics.median(values))


def change_index(points: Sequence[Point], change_date: dt.date) -> int:
    """The index of the first point on or after the change."""
    for index, point in enumerate(points):
        if point.date >= change_date:
            return index
    return len(points)


# --- run chart ---------------------------------------------------------------------------------


def sides(values: Sequence[float], centre: float) -> list[int]:
    """``+1`` above the centre line, ``-1`` below it, ``0`` on it, for each value."""
    return [(value > centre) - (value < centre) for value in values]


def shifts(values: Sequence[float], centre: float, length: int = SHIFT_POINTS) -> list[tuple[int, int, int]]:
    """``(start, end, side)`` of each stretch of ``length`` or more points on one side of ``centre``.

    Points on the centre line are skipped: they neither add to a shift nor break it (Perla et al.)."""
    found: list[tuple[int, int, int]] = []
    side, start, end, count = 0, 0, 0, 0
    for index, s in enumerate(sides(values, centre)):
        if s == 0:
            continue
        if s == side:
            count, end = count + 1, index
            continue
        if count >= length:
            found.append((start, end, side))
        side, start, end, count = s, index, index, 1
    if count >= length:
        found.append((start, end, side))
    return found


def trends(values: Sequence[float], length: int = TREND_POINTS) -> list[tuple[int, int, int]]:
    """``(start, end, direction)`` of each stretch of ``length`` or more points all going up or down.

    A point equal to the one before it is not counted and does not break the trend (Perla et al.)."""
    kept = [i for i, v in enumerate(values) if i == 0 or v != values[i - 1]]
    found: list[tuple[int, int, int]] = []
    start, direction = 0, 0
    for k in range(1, len(kept) + 1):
        step = 0 if k == len(kept) else (1 if values[kept[k]] > values[kept[k - 1]] else -1)
        if step != direction:
            if direction and k - start >= length:
                found.append((kept[start], kept[k - 1], direction))
            start, direction = k - 1, step
    return found


def runs(values: Sequence[float], centre: float) -> tuple[int, int]:
    """``(runs, useful)``: the number of runs about ``centre`` and of points not on it."""
    off = [s for s in sides(values, centre) if s]
    if not off:
        return 0, 0
    return 1 + sum(1 for a, b in zip(off, off[1:]) if a != b), len(off)


def runs_limits(useful: int) -> tuple[int, int] | None:
    """The fewest and most runs chance gives for ``useful`` points off the median, or None under 10.

    Table 1 of Perla et al. for 10 to 60 points; past 60, the normal approximation to the runs
    distribution with halves of equal size (mean ``n/2 + 1``), at the 5% level, as the table is."""
    if useful < 10:
        return None
    if useful in RUNS_LIMITS:
        return RUNS_LIMITS[useful]
    mean = useful / 2 + 1
    spread = math.sqrt(useful * (useful - 2) / (4 * (useful - 1)))
    return math.ceil(mean - 1.96 * spread), math.floor(mean + 1.96 * spread)


def mean_moving_range(values: Sequence[float], *, screen: bool = True) -> float:
    """The mean of the moving ranges; with ``screen``, recomputed without those of 3.267 times it or more."""
    ranges = [abs(b - a) for a, b in zip(values, values[1:])]
    if not ranges:
        return 0.0
    average = sum(ranges) / len(ranges)
    if screen:
        kept = [r for r in ranges if r < SCREEN_FACTOR * average]
        if kept:
            average = sum(kept) / len(kept)
    return average


def phase(values: Sequence[float], start: int, end: int, *, screen: bool = True) -> Phase:
    """The mean and process limits of ``values[start:end + 1]`` (Making Data Count's XmR)."""
    part = values[start:end + 1]
    # fsum, and a flat stretch's own value, so that rounding never puts a point off a flat mean
    mean = part[0] if min(part) == max(part) else math.fsum(part) / len(part)
    spread = LIMIT_FACTOR * mean_moving_range(part, screen=screen)
    return Phase(start, end, mean, mean - spread, mean + spread)


def astronomical_points(values: Sequence[float], change: int) -> list[int]:
    """Single points beyond the process limits of their own side of the change, their neighbours inside them."""
    outside = [False] * len(values)
    for start, end in ((0, change - 1), (change, len(values) - 1)):
        if end - start < 2:
            continue  # too few points to set limits by
        limits = phase(values, start, end)
        for i in range(start, end + 1):
            outside[i] = values[i] > limits.upper or values[i] < limits.lower
    return [
        i for i, out in enumerate(outside)
        if out and not (i > 0 and outside[i - 1]) and not (i + 1 < len(values) and outside[i + 1])
    ]


def run_chart(points: Sequence[Point], change: int, improvement: str) -> Analysis:
    """Read a series by the run-chart rules, against the median of the points before the change."""
    values = [p.value for p in points]
    centre = median(values[:change] or values)
    signals = [
        *(Signal("shift", a, b, side, reading(side, improvement)) for a, b, side in shifts(values, centre)),
        *(Signal("trend", a, b, d, reading(d, improvement)) for a, b, d in trends(values)),
    ]
    count, useful = runs(values, centre)
    limits = runs_limits(useful)
    if limits and count < limits[0]:
        signals.append(Signal("too-few-runs", 0, len(values) - 1, 0, "neither"))
    elif limits and count > limits[1]:
        signals.append(Signal("too-many-runs", 0, len(values) - 1, 0, "neither"))
    for index in astronomical_points(values, change):
        side = 1 if values[index] > centre else -1
        signals.append(Signal("astronomical", index, index, side, reading(side, improvement)))
    signals.sort(key=lambda s: (s.start, RUN_RULES.index(s.rule)))
    return Analysis(
        "run", tuple(points), change, improvement, centre, signals=tuple(signals),
        point_readings=_point_readings(len(values), signals),
    )


_READING_BITS = {"improvement": 1, "concern": 2, "neither": 4}
_MARKS = ("", "improvement", "concern", "neither", "neither", "improvement", "concern", "neither")
"""A point's mark for each set of readings of its top rank, as bits (improvement 1, concern 2, neither 4):
improvement and concern together are "neither"; otherwise improvement, then concern, then neither."""


def _point_readings(count: int, signals: Sequence[Signal]) -> tuple[str, ...]:
    """Each point's reading, the same whichever way is better: a rule about the point alone (an
    astronomical point) outranks a rule about a run it is in (a shift or a trend); rules of one rank
    that disagree (improvement and concern) leave the point marked "neither"."""
    ranks = [0] * count
    bits = [0] * count
    for signal in signals:
        if signal.rule in ("too-few-runs", "too-many-runs"):
            continue  # about the whole chart, not its points
        rank = 2 if signal.rule == "astronomical" else 1
        bit = _READING_BITS[signal.reading]
        for index in range(signal.start, signal.end + 1):
            if rank > ranks[index]:
                ranks[index], bits[index] = rank, bit
            elif rank == ranks[index]:
                bits[index] |= bit
    return tuple([_MARKS[b] for b in bits])


# --- XmR chart (Making Data Count) ---------------------------------------------------------------


def seven_point_trend(values: Sequence[float]) -> list[int]:
    """For each point, ``+1`` or ``-1`` when it ends seven points all increasing or all decreasing,
    else 0 (``ptd_seven_point_trend``: an equal value breaks the trend)."""
    out = [0] * len(values)
    rises = falls = 0  # the steps in a row, up or down, that end at this point
    for i in range(1, len(values)):
        step = values[i] - values[i - 1]
        rises, falls = (rises + 1, 0) if step > 0 else (0, falls + 1) if step < 0 else (0, 0)
        if rises >= SPC_TREND_POINTS - 1:
            out[i] = 1
        elif falls >= SPC_TREND_POINTS - 1:
            out[i] = -1
    return out


def seven_one_side(relative: Sequence[int]) -> list[int]:
    """For each point, 1 when it ends seven points in a row on one side of the mean (on it: 0)."""
    out = [0] * len(relative)
    side, count = 0, 0
    for i, r in enumerate(relative):
        count = count + 1 if r == side else 1
        side = r
        out[i] = int(r != 0 and count >= SPC_SHIFT_POINTS)
    return out


def part_of_seven(ends: Sequence[int]) -> list[int]:
    """For each point, 1 when it is one of the seven points that a non-zero entry of ``ends`` closes."""
    out = [0] * len(ends)
    closing = len(ends) + SPC_SHIFT_POINTS  # the index of the next non-zero entry at or after the point
    for i in range(len(ends) - 1, -1, -1):
        if ends[i]:
            closing = i
        out[i] = int(closing < i + SPC_SHIFT_POINTS)
    return out


def two_of_three(close: Sequence[bool], relative: Sequence[int]) -> list[int]:
    """For each point, 1 when it is close to a limit and in a window of three in a row, on one side of
    the mean, of which at least two are close to a limit (``ptd_two_in_three``, ``ptd_part_of_two_in_three``)."""
    n = len(close)
    flagged = [0] * n
    for start in range(0, max(0, n - 2)):
        a, b, c = relative[start], relative[start + 1], relative[start + 2]
        if a != 0 and a == b == c and bool(close[start]) + bool(close[start + 1]) + bool(close[start + 2]) >= 2:
            flagged[start] = flagged[start + 1] = flagged[start + 2] = 1
    return [int(flagged[i] and close[i]) for i in range(n)]


def special_causes(values: Sequence[float], limits: Sequence[Phase]) -> list[tuple[str, int]]:
    """``(rule, direction)`` for each point, ``("", 0)`` for common cause, read against ``limits`` (one
    phase per point's stretch) in Making Data Count's order of precedence."""
    near = 2 / 3
    if len(limits) == 1 and limits[0].start == 0 and limits[0].end == len(values) - 1:
        # one phase for every point (as xmr_chart reads them): the same tests, against its figures
        m, lo, u = limits[0].mean, limits[0].lower, limits[0].upper
        low_near, high_near = m - near * (m - lo), m + near * (u - m)
        relative = [(v > m) - (v < m) for v in values]
        outside = [v > u or v < lo for v in values]
        close = [not out and (v < low_near or v > high_near) for v, out in zip(values, outside)]
    else:
        means = [0.0] * len(values)
        lowers, uppers = [0.0] * len(values), [0.0] * len(values)
        for p in limits:
            for i in range(p.start, p.end + 1):
                means[i], lowers[i], uppers[i] = p.mean, p.lower, p.upper
        relative = [(v > m) - (v < m) for v, m in zip(values, means)]
        outside = [v > u or v < lo for v, lo, u in zip(values, lowers, uppers)]
        close = [
            not out and (v < m - near * (m - lo) or v > m + near * (u - m))
            for v, m, lo, u, out in zip(values, means, lowers, uppers, outside)
        ]
    trend_ends = seven_point_trend(values)
    in_trend = part_of_seven(trend_ends)
    in_two = two_of_three(close, relative)
    in_shift = part_of_seven(seven_one_side(relative))
    out: list[tuple[str, int]] = []
    for i, value in enumerate(values):
        if outside[i]:
            out.append(("outside-limits", relative[i]))
        elif in_trend[i]:
            out.append(("trend", _trend_direction(values, trend_ends, i)))
        elif in_two[i]:
            out.append(("two-of-three", relative[i]))
        elif in_shift[i]:
            out.append(("shift", relative[i]))
        else:
            out.append(("", 0))
    return out


def _trend_direction(values: Sequence[float], ends: Sequence[int], index: int) -> int:
    for j in range(index, min(index + SPC_TREND_POINTS, len(ends))):
        if ends[j]:
            return ends[j]
    return 0


def xmr_chart(points: Sequence[Point], change: int, improvement: str) -> Analysis:
    """Read a series by Making Data Count's rules: limits recalculated at the change, and every point
    read against the limits before the change (see the module's docstring)."""
    values = [p.value for p in points]
    before = phase(values, 0, change - 1)
    after = phase(values, change, len(values) - 1)
    extended = Phase(0, len(values) - 1, before.mean, before.lower, before.upper)
    causes = special_causes(values, [extended])
    runs_found: list[list] = []  # [rule, start, end, direction]: consecutive points of one rule and side
    for index, (rule, direction) in enumerate(causes):
        if not rule:
            continue
        last = runs_found[-1] if runs_found else None
        if last and last[0] == rule and last[2] == index - 1 and last[3] == direction:
            last[2] = index
        else:
            runs_found.append([rule, index, index, direction])
    signals = [Signal(rule, start, end, direction, reading(direction, improvement))
               for rule, start, end, direction in runs_found]
    return Analysis(
        "spc", tuple(points), change, improvement, before.mean, phases=(before, after),
        signals=tuple(signals), point_readings=_point_readings(len(values), signals),
    )


def analyse(points: Sequence[Point], change_date: dt.date, improvement: str, chart: str = "run") -> Analysis:
    """Read a valid series (dates in order, a change after the first point) by the chart asked for.

    ``chart="spc"`` with fewer than :data:`SPC_MIN_POINTS` points on either side of the change
    gives a run chart: limits from so few points would mislead."""
    change = change_index(points, change_date)
    if chart == "spc" and change >= SPC_MIN_POINTS and len(points) - change >= SPC_MIN_POINTS:
        return xmr_chart(points, change, improvement)
    return run_chart(points, change, improvement)


# --- words -----------------------------------------------------------------------------------------

_BETTER = {"improvement": "the better direction", "concern": "the worse direction"}


def format_value(value: float) -> str:
    """A value as the page shows it: whole numbers without a point, others to at most 2 places."""
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _points(count: int) -> str:
    return "1 point" if count == 1 else f"{count} points"


def describe(analysis: Analysis) -> str:
    """One sentence of what the series shows: its most telling signal after the change, or none."""
    after = analysis.after_change
    chosen = next((s for s in after if s.reading == "improvement"), None) \
        or next((s for s in after if s.reading == "concern"), None) \
        or next((s for s in after if s.reading == "neither"), None)
    line = "median" if analysis.chart == "run" else "mean"
    centre = format_value(analysis.centre)
    if chosen is None:
        if analysis.chart == "run":
            return (
                f"The points vary around the baseline median ({centre}) with no shift, trend, unusual number "
                "of runs or astronomical point after the change: no signal of change yet."
            )
        return (
            f"Every point after the change is within the process limits set before it (mean {centre}), "
            "with no run, trend or cluster near a limit: common-cause variation, no signal of change yet."
        )
    if analysis.chart == "spc":
        return _describe_spc(analysis, chosen.reading)
    way = _BETTER.get(chosen.reading, "")
    n = chosen.length
    side = "above" if chosen.direction > 0 else "below"
    went = "up" if chosen.direction > 0 else "down"
    date = analysis.points[chosen.start].date.isoformat()
    if chosen.rule == "shift":
        what = f"{n} points in a row sat {side} the baseline {line} ({centre}): a shift in {way}"
    elif chosen.rule == "trend":
        what = f"{n} points in a row went {went}: a trend in {way}"
    elif chosen.rule == "astronomical":
        what = f"one point ({date}) was far {side} the rest: an astronomical point in {way}"
    elif chosen.rule == "too-few-runs":
        count, useful = runs([p.value for p in analysis.points], analysis.centre)
        low = runs_limits(useful)[0]  # type: ignore[index]
        return (
            f"The points crossed the baseline median ({centre}) too seldom ({count} runs where chance gives at "
            f"least {low}): a sign of non-random change, with no shift or trend to say which way."
        )
    else:
        count, useful = runs([p.value for p in analysis.points], analysis.centre)
        high = runs_limits(useful)[1]  # type: ignore[index]
        return (
            f"The points crossed the baseline median ({centre}) too often ({count} runs where chance gives at "
            f"most {high}): a sign of non-random variation, such as data from two sources mixed."
        )
    return f"After the change, {what}."


def _spc_words(signal: Signal) -> str:
    high = signal.direction > 0
    return {
        "outside-limits": f"beyond the {'upper' if high else 'lower'} limit",
        "trend": f"7 or more in a row {'rising' if high else 'falling'}",
        "two-of-three": f"2 of 3 close to the {'upper' if high else 'lower'} limit",
        "shift": f"7 or more in a row {'above' if high else 'below'} the mean",
    }[signal.rule]


_NATURE = {"improvement": "improving", "concern": "concerning", "neither": "neutral"}
"""Making Data Count's names for special-cause variation in the better, the worse or no direction."""


def _describe_spc(analysis: Analysis, kind: str) -> str:
    after = [s for s in analysis.after_change if s.reading == kind]
    total = len(analysis.points) - analysis.change_index
    marked = sum(1 for r in analysis.point_readings[analysis.change_index:] if r == kind)
    words = list(dict.fromkeys(_spc_words(s) for s in after))
    before, now = analysis.phases
    return (
        f"After the change, {marked} of {total} points showed special-cause {_NATURE[kind]} variation against the "
        f"limits set before it ({', '.join(words)}): the mean moved from {format_value(before.mean)} to "
        f"{format_value(now.mean)}."
    )
