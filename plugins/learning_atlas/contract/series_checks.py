"""The contract's checks of a measure's series beyond the schema: dates in order, the change inside it.

The schema checks each point's form (a real ``YYYY-MM-DD`` date, a number, 2 to
:data:`MAX_POINTS` points); these checks read the front matter defensively (whatever the schema
said of it) and give one problem per series, at the line at fault, so that a clinician who
pasted a column in the wrong order is told once, where it starts.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Iterator

from learning_atlas.contract.front_matter import FrontMatter
from learning_atlas.contract.problems import Problem, Severity, format_key_path
from learning_atlas.contract.series_statistics import SPC_MIN_POINTS

MAX_POINTS = 260
"""The most points a series may hold (five years of weeks): the schema's ``maxItems``, keeping a page's chart
and a build bounded."""

SERIES_KEYS = ("change_date", "improvement", "target", "chart")
"""A measure's keys that only mean something with a series."""

MESSAGES: dict[str, str] = {
    "series.needs-improvement": (
        "needs 'improvement: higher' or 'improvement: lower' beside it, saying which direction is better"
    ),
    "series.needs-change-date": (
        "needs 'change_date' beside it: the date the change was introduced, as YYYY-MM-DD"
    ),
    "series.without-series": "is only used with a series of points; add 'series' to the measure or remove this",
    "series.date-repeated": "{date} is listed twice (also at series[{first}]); give each date once",
    "series.date-order": "{date} comes before the date above it ({previous}); list the points in date order",
    "series.change-outside": (
        "{change} is outside the series ({first} to {last}); give the date the change was introduced: "
        "after the first point and no later than the last"
    ),
    "series.spc-too-few": (
        "an SPC chart needs at least {minimum} points before the change and {minimum} from it (this series has "
        "{before} and {after}); the page shows a run chart until then"
    ),
}
"""The wording of each series check, by rule, as ``str.format`` templates (shipped to the submission form)."""


def iso_date(value: Any) -> dt.date | None:
    """A front-matter date written ``YYYY-MM-DD`` (as the schema's dates are), or None for anything else."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def series_problems(fm: FrontMatter, path: Path) -> Iterator[Problem]:
    """Every series problem of a case: at most one about each measure's series and its keys."""
    data = fm.data if isinstance(fm.data, dict) else {}
    measures = data.get("measures")
    if not isinstance(measures, list):
        return
    for index, measure in enumerate(measures):
        if isinstance(measure, dict):
            yield from _measure_problems(fm, path, index, measure)


def _measure_problems(fm: FrontMatter, path: Path, index: int, measure: dict) -> Iterator[Problem]:
    def problem(parts: tuple, rule: str, severity: Severity = Severity.ERROR, **words: object) -> Problem:
        parts = ("measures", index, *parts)
        line, column = fm.position(list(parts))
        return Problem(path, line, column, severity, format_key_path(parts), MESSAGES[rule].format(**words), rule)

    series = measure.get("series")
    if series is None:
        for key in SERIES_KEYS:
            if key in measure:
                yield problem((key,), "series.without-series")
                return
        return
    if not isinstance(series, list):
        return  # the schema says what is wrong
    if "improvement" not in measure:
        yield problem(("series",), "series.needs-improvement")
        return
    if "change_date" not in measure:
        yield problem(("series",), "series.needs-change-date")
        return
    seen: dict[dt.date, int] = {}
    previous: dt.date | None = None
    numbers = True  # every value a number
    for number, item in enumerate(series):
        date = iso_date(item.get("date")) if isinstance(item, dict) else None
        if date is None:
            return  # not a real date: the schema's error
        if date in seen:
            yield problem(("series", number, "date"), "series.date-repeated", date=date, first=seen[date])
            return
        if previous is not None and date < previous:
            yield problem(("series", number, "date"), "series.date-order", date=date, previous=previous)
            return
        seen[date], previous = number, date
        numbers = numbers and _number(item.get("value"))
    dates = list(seen)  # in the series' order: each is new and later than the one before
    change = iso_date(measure.get("change_date"))
    if not numbers or len(dates) < 2 or change is None:
        return
    first, last = dates[0], dates[-1]
    if not first < change <= last:
        yield problem(("change_date",), "series.change-outside", change=change, first=first, last=last)
        return
    if measure.get("chart") == "spc":
        before = next((i for i, date in enumerate(dates) if date >= change), len(dates))  # as change_index counts
        after = len(dates) - before
        if before < SPC_MIN_POINTS or after < SPC_MIN_POINTS:
            yield problem(
                ("chart",), "series.spc-too-few", Severity.WARNING,
                minimum=SPC_MIN_POINTS, before=before, after=after,
            )
