"""A measure's series written one point a line, read from the YAML text without a node for each value.

A 36-point series is 180 YAML nodes (a mapping, two keys and two values a point); composing them
and turning them back into values costs more than reading the rest of a case. Nearly every series
is written as the guide and the submission form write it, one point a line::

    series:
      - {date: 2022-01-01, value: 7.9}      # the guide's form
      - date: "2022-02-01"                  # the submission form's
        value: 8.4

:func:`blank_series` finds each such run of lines under a ``series:`` key, reads its points with a
regular expression, and blanks the lines (so every other line and column stays where it was);
YAML then composes ``series:`` as an empty value, and :class:`QuickSeries` gives the reader the
points in its place, as the nodes would have given them (a date stays its text, a number is an
``int`` or a ``float`` by YAML's own rules). Anything else (another form, a comment at the end
of a point, a number YAML reads differently) is left in the text for YAML to read.

The shortcut only ever serves a file with nothing wrong in it: a reader that finds a blanked run
anywhere but as a ``series`` key's empty value in a block mapping says so (:attr:`QuickSeries.all_taken`),
and the loader reads any file with a problem again without the shortcut, so that every message
points at the line and column YAML's nodes give.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_KEY_LEAD = re.compile(r"[ ]*(?:- )?")
"""What may come before a ``series:`` key on its line: its indentation (and the dash of a list item it starts)."""
_KEY_END = re.compile(r"[ ]*\n")
"""What may follow it: nothing but spaces."""
_NUMBER = r"-?(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,15})?"
"""A number YAML 1.1 reads as the same ``int`` or ``float`` Python does (no octal ``010``, no ``1_000``)."""
_DATE = r'(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|"[0-9]{4}-[0-9]{2}-[0-9]{2}")'
"""A ``YYYY-MM-DD`` date, plain (YAML's timestamp, kept as its text) or in double quotes (a string)."""
_FLOW = rf"- \{{date: {_DATE}, value: {_NUMBER}\}}[ ]*\n"
_BLOCK = rf"- date: {_DATE}[ ]*\n(?P=indent)  value: {_NUMBER}[ ]*\n"
_FLOW_RUN = re.compile(rf"(?P<indent> *){_FLOW}(?:(?P=indent){_FLOW})*")
_BLOCK_RUN = re.compile(rf"(?P<indent> *){_BLOCK}(?:(?P=indent){_BLOCK})*")
"""A run of points written one way at one indentation: matched whole, then read by :data:`_POINT_PARTS`."""
_POINT_PARTS = re.compile(rf'date: ("?)([0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})"?[ ]*\n?[ ]*,? ?value: ({_NUMBER})')
"""A point's date (its quote, if any, and its text) and its number, in either form."""
_QUIET_LINE = re.compile(r"[ ]*(?:#[^\n]*)?\n")
"""A blank line, or a line holding only a comment."""


@dataclass
class _Run:
    """The points of one ``series:`` key's run of lines: ``(date, date was quoted, value)`` each."""

    line: int
    column: int
    points: list[tuple[str, bool, int | float]]


@dataclass
class QuickSeries:
    """The series read from the text by :func:`blank_series`, by the 0-based line of their ``series:`` key."""

    runs: dict[int, _Run] = field(default_factory=dict)
    taken: set[int] = field(default_factory=set)

    @property
    def all_taken(self) -> bool:
        """Whether every blanked run was given back as a ``series`` key's value (else the text is read again)."""
        return len(self.taken) == len(self.runs)

    def take(self, key_node: Any, value_node: Any, block_mapping: bool) -> _Run | None:
        """The run blanked under ``key_node`` (a ``series`` key), if YAML read its value as the empty value
        the blanking left; None otherwise (a run found in a text block, say: never taken, so read again)."""
        run = self.runs.get(key_node.start_mark.line)
        if (
            run is None or not block_mapping or key_node.style
            or key_node.start_mark.column != run.column or run.line in self.taken
            or getattr(value_node, "tag", None) != "tag:yaml.org,2002:null" or value_node.value != ""
            or value_node.style
        ):
            return None
        self.taken.add(run.line)
        return run


def blank_series(yaml_text: str, max_points: int) -> tuple[str, QuickSeries | None]:
    """``yaml_text`` with each series written one point a line blanked, and the points read; ``None``
    (and the text as it was) when there is no such series. A run of more than ``max_points`` is left to YAML."""
    if "series:" not in yaml_text:
        return yaml_text, None
    quick = QuickSeries()
    pieces: list[str] = []
    kept = 0
    found = yaml_text.find("series:")
    while found >= 0:
        line_start = yaml_text.rfind("\n", 0, found) + 1
        after = _KEY_END.match(yaml_text, found + 7)
        run = None
        if after is not None and found >= kept and _KEY_LEAD.fullmatch(yaml_text, line_start, found):
            run = _read_run(yaml_text, after.end(), found - line_start, max_points)
        if run is not None:
            points, end = run
            line = yaml_text.count("\n", 0, line_start)
            quick.runs[line] = _Run(line, found - line_start, points)
            pieces.append(yaml_text[kept:after.end()])
            pieces.append("\n" * yaml_text.count("\n", after.end(), end))
            kept = end
        found = yaml_text.find("series:", found + 7)
    if not quick.runs:
        return yaml_text, None
    pieces.append(yaml_text[kept:])
    return "".join(pieces), quick


def _read_run(text: str, pos: int, key_column: int, max_points: int) -> tuple[list, int] | None:
    """The points from ``pos`` (the line after a ``series:`` key at ``key_column``) and where the last ends,
    or None if the key's value is not all such points, at one indentation no shallower than the key."""
    end = pos
    indent: str | None = None
    points: list[tuple[str, bool, int | float]] = []
    while True:
        run = _FLOW_RUN.match(text, pos) or _BLOCK_RUN.match(text, pos)
        if run is not None:
            if indent is None:
                indent = run["indent"]
            if run["indent"] != indent or len(indent) < key_column:
                return None
            points.extend(
                (date, quote == '"', float(number) if "." in number else int(number))
                for quote, date, number in _POINT_PARTS.findall(text, pos, run.end())
            )
            if len(points) > max_points:
                return None
            pos = end = run.end()
            continue
        quiet = _QUIET_LINE.match(text, pos)
        if quiet is None:
            break
        pos = quiet.end()
    if indent is None or text.startswith(indent + "-", pos):
        return None  # no point, or a point in another form follows: the whole series is left to YAML
    return points, end
