"""The run-chart and XmR rules against published worked examples, and their properties.

The XmR figures are those of NHS-R's reference implementation of Making Data Count,
``NHSRplotthedots`` (its tests/testthat/test-ptd_spc_standard.R and the snapshot
_snaps/ptd_spc_standard.md: ``set.seed(123); rnorm(20)``, its limits with and without the
screening of large moving ranges), and the expectations of its
tests/testthat/test-ptd_calculate_point_type.R, rule by rule. The run-chart rules are those
of Perla, Provost and Murray (2011), with their Table 1 of runs.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learning_atlas.contract import series_statistics as ss
from learning_atlas.contract.series_statistics import Point

# R: set.seed(123); rnorm(20)
RNORM_20 = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499, 0.46091621, -1.26506123,
    -0.68685285, -0.44566197, 1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113, 1.78691314,
    0.49785048, -1.96661716, 0.70135590, -0.47279174,
]


def _points(values, start=dt.date(2020, 1, 1)):
    out, year, month = [], start.year, start.month
    for value in values:
        out.append(Point(dt.date(year, month, 1), float(value)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


# --- NHSRplotthedots: limits ---------------------------------------------------------------------


def test_xmr_limits_match_the_reference_implementation():
    p = ss.phase(RNORM_20, 0, 19)
    assert p.mean == pytest.approx(0.1416238, abs=1e-7)
    assert p.lower == pytest.approx(-3.01138, abs=1e-5)
    assert p.upper == pytest.approx(3.294627, abs=1e-6)


def test_xmr_limits_screen_large_moving_ranges_as_the_reference_does():
    values = list(RNORM_20)
    values[14] = 10  # R's y[15] <- 10
    screened = ss.phase(values, 0, 19)
    assert screened.mean == pytest.approx(0.6694159, abs=1e-7)
    assert (screened.lower, screened.upper) == (pytest.approx(-2.383666, abs=1e-6), pytest.approx(3.722497, abs=1e-6))
    unscreened = ss.phase(values, 0, 19, screen=False)
    assert (unscreened.lower, unscreened.upper) == (pytest.approx(-4.596625, abs=1e-6), pytest.approx(5.935457, abs=1e-6))


# --- NHSRplotthedots: the rules, point by point ----------------------------------------------------


def test_seven_points_one_side_of_the_mean():
    assert ss.seven_one_side([]) == []
    assert ss.seven_one_side([1] * 6) == [0] * 6
    assert ss.seven_one_side([1] * 6 + [-1]) == [0] * 7
    assert ss.seven_one_side([1] * 8 + [-1]) == [0, 0, 0, 0, 0, 0, 1, 1, 0]
    assert ss.seven_one_side([-1] * 8 + [1]) == [0, 0, 0, 0, 0, 0, 1, 1, 0]


def test_part_of_seven():
    assert ss.part_of_seven([]) == []
    assert ss.part_of_seven([0] * 6) == [0] * 6
    assert ss.part_of_seven([0] * 6 + [1, 0]) == [1] * 7 + [0]
    assert ss.part_of_seven([0] * 7 + [1, 0]) == [0] + [1] * 7 + [0]
    assert ss.part_of_seven([0] * 6 + [-1, 0]) == [1] * 7 + [0]


def test_seven_point_trend():
    assert ss.seven_point_trend([]) == []
    assert ss.seven_point_trend([1, 2, 3, 4, 5, 6]) == [0] * 6
    assert ss.seven_point_trend([1, 2, 3, 3, 4, 5, 6]) == [0] * 7  # an equal value breaks it
    assert ss.seven_point_trend([1, 2, 3, 4, 5, 6, 7]) == [0] * 6 + [1]
    assert ss.seven_point_trend([2, 1, 2, 3, 4, 5, 6, 7, 3]) == [0] * 7 + [1, 0]
    assert ss.seven_point_trend([7, 6, 5, 4, 3, 2, 1]) == [0] * 6 + [-1]
    assert ss.seven_point_trend([2, 7, 6, 5, 4, 3, 2, 1, 3]) == [0] * 7 + [-1, 0]


@pytest.mark.parametrize(
    ("close", "relative", "expected"),
    [
        ([1, 0, 1], [1, 1, 1], [1, 0, 1]),
        ([0, 1, 1], [1, 1, 1], [0, 1, 1]),
        ([1, 1, 0], [1, 1, 1], [1, 1, 0]),
        ([0, 0, 1, 0, 1, 0, 0], [1] * 7, [0, 0, 1, 0, 1, 0, 0]),
        ([0, 0, 1, 1, 0, 0, 0], [1] * 7, [0, 0, 1, 1, 0, 0, 0]),
        ([1, 0, 0, 1], [1] * 4, [0, 0, 0, 0]),
        ([1, 0, 0, 1, 1], [1] * 5, [0, 0, 0, 1, 1]),
        ([1, 0, 1], [1, -1, 1], [0, 0, 0]),  # on opposite sides of the mean
        ([0, 0, 1, 0, 1, 0, 0], [1, -1, 1, -1, 1, -1, 1], [0] * 7),
    ],
)
def test_two_of_three_close_to_a_limit(close, relative, expected):
    assert ss.two_of_three([bool(c) for c in close], relative) == expected


def test_precedence_outside_limits_then_trend_then_two_of_three_then_shift():
    limits = [ss.Phase(0, 9, 0.0, -3.0, 3.0)]
    causes = ss.special_causes([4, -1, -2, -2.5, -2.6, 1, 1, 1, 1, 1], limits)
    assert causes[0] == ("outside-limits", 1)
    assert [c for c, _ in causes[3:5]] == ["two-of-three", "two-of-three"]
    rising = ss.special_causes([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], [ss.Phase(0, 6, 0.0, -3.0, 3.0)])
    assert rising == [("trend", 1)] * 7  # a trend over seven points also above the mean


# --- Perla, Provost and Murray: run charts -------------------------------------------------------


def test_runs_table_entries_from_the_paper():
    assert ss.runs_limits(9) is None
    assert ss.runs_limits(10) == (3, 9)
    assert ss.runs_limits(20) == (6, 16)
    assert ss.runs_limits(30) == (11, 21)
    assert ss.runs_limits(60) == (24, 38)
    low, high = ss.runs_limits(100)
    assert 40 <= low < 51 < high <= 62


def test_shift_skips_points_on_the_median():
    values = [5, 5, 5, 2, 2, 3, 2, 2, 2, 2]  # median of the first three is 5
    assert ss.shifts(values, 3) == [(3, 9, -1)]  # the 3 on the median neither breaks nor counts: 6 below
    assert ss.shifts([1, 1, 1, 3, 1, 1], 3) == []  # five below: not a shift


def test_trend_skips_repeated_values():
    assert ss.trends([1, 2, 2, 3, 4, 5]) == [(0, 5, 1)]  # five distinct rising values
    assert ss.trends([1, 2, 3, 4]) == []
    assert ss.trends([9, 8, 7, 6, 5, 9]) == [(0, 4, -1)]


def test_runs_are_counted_about_the_median_skipping_points_on_it():
    assert ss.runs([1, 1, 5, 3, 5, 1], 3) == (3, 5)


def test_a_shift_after_the_change_in_the_better_direction():
    before = [10, 12, 11, 13, 10, 12, 11, 13, 12, 12]
    after = [8, 7, 8, 6, 7, 8, 7, 6, 7]
    analysis = ss.analyse(_points(before + after), _points(before + after)[10].date, "lower")
    assert analysis.centre == 12
    assert analysis.verdict == "improvement"
    assert analysis.sentence == (
        "After the change, 9 points in a row sat below the baseline median (12): a shift in the better direction."
    )
    worse = ss.analyse(_points(before + after), _points(before + after)[10].date, "higher")
    assert worse.verdict == "concern" and "the worse direction" in worse.sentence


def test_too_few_runs():
    values = [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2]
    analysis = ss.run_chart(_points(values), 10, "higher")
    assert [s.rule for s in analysis.signals] == ["too-many-runs"]
    assert analysis.verdict == "none"
    assert "too often (20 runs where chance gives at most 16)" in analysis.sentence


def test_spc_needs_twelve_points_each_side():
    points = _points(range(20))
    assert ss.analyse(points, points[10].date, "higher", "spc").chart == "run"
    points = _points([5, 6] * 12)
    assert ss.analyse(points, points[12].date, "higher", "spc").chart == "spc"


def test_spc_step_change_reads_against_the_limits_before_it():
    before = [20, 22, 19, 21, 23, 20, 22, 21, 19, 22, 20, 21]
    after = [15, 14, 16, 15, 14, 15, 16, 14, 15, 16, 15, 14]
    points = _points(before + after)
    analysis = ss.analyse(points, points[12].date, "lower", "spc")
    assert analysis.chart == "spc"
    assert analysis.phases[1].mean == pytest.approx(sum(after) / 12)
    assert analysis.verdict == "improvement"
    assert analysis.sentence == (
        "After the change, 12 of 12 points showed special-cause improving variation against the limits set "
        "before it (beyond the lower limit, 7 or more in a row below the mean): "
        "the mean moved from 20.83 to 14.92."
    )


# --- properties ------------------------------------------------------------------------------------

VALUES = st.lists(st.integers(min_value=-1000, max_value=1000).map(float), min_size=4, max_size=60)


@settings(max_examples=150, deadline=None)
@given(value=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), size=st.integers(2, 80),
       chart=st.sampled_from(["run", "spc"]), improvement=st.sampled_from(["higher", "lower"]))
def test_a_constant_series_has_no_signal(value, size, chart, improvement):
    points = _points([value] * size)
    analysis = ss.analyse(points, points[size // 2].date, improvement, chart)
    assert analysis.signals == () and analysis.verdict == "none"


@settings(max_examples=150, deadline=None)
@given(values=VALUES, chart=st.sampled_from(["run", "spc"]), data=st.data())
def test_reversing_the_direction_swaps_improvement_and_concern(values, chart, data):
    points = _points(values)
    change = data.draw(st.integers(1, len(values) - 1))
    higher = ss.analyse(points, points[change].date, "higher", chart)
    lower = ss.analyse(points, points[change].date, "lower", chart)
    swap = {"improvement": "concern", "concern": "improvement", "neither": "neither", "": ""}
    assert [swap[s.reading] for s in higher.signals] == [s.reading for s in lower.signals]
    assert [swap[r] for r in higher.point_readings] == list(lower.point_readings)
    assert {higher.verdict, lower.verdict} in ({"none"}, {"improvement", "concern"}) or (
        higher.verdict == lower.verdict == "improvement"  # signals both ways after the change
    )


@settings(max_examples=150, deadline=None)
@given(values=VALUES, shift=st.integers(-10_000, 10_000))
def test_limits_move_with_a_constant_added_and_the_signals_stay(values, shift):
    moved = [v + shift for v in values]
    a, b = ss.phase(values, 0, len(values) - 1), ss.phase(moved, 0, len(values) - 1)
    assert b.mean == pytest.approx(a.mean + shift, abs=1e-6)
    assert b.upper - b.mean == pytest.approx(a.upper - a.mean, abs=1e-6)
    assert b.lower - b.mean == pytest.approx(a.lower - a.mean, abs=1e-6)
    points, moved_points = _points(values), _points(moved)
    change = len(values) // 2
    for chart in ("run", "spc"):
        assert ss.analyse(points, points[change].date, "higher", chart).signals == \
            ss.analyse(moved_points, moved_points[change].date, "higher", chart).signals


@settings(max_examples=50, deadline=None)
@given(values=st.lists(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), min_size=2, max_size=260))
def test_any_valid_series_is_read_without_error(values):
    points = _points(values)
    for chart in ("run", "spc"):
        analysis = ss.analyse(points, points[-1].date, "higher", chart)
        assert analysis.sentence.endswith(".")
