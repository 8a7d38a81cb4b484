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

_KEY = re.compile(r"^([ ]*(?:- )?)series:[ ]*\n", re.MULTILINE)
"""A ``series:`` key with nothing after it on its line (the first key of a list item, too); group 1 ends at its column."""
_NUMBER = r"(-?(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,15})?)"
"""A number YAML 1.1 reads as the same ``int`` or ``float`` Python does (no octal ``010``, no ``1_000``)."""
_DATE = r'("?)([0-9]{4}-[0-9]{2}-[0-9]{2})\2'
"""A ``YYYY-MM-DD`` date, plain (YAML's timestamp, kept as its text) or in double quotes (a string)."""
_FLOW_POINT = re.compile(rf"( *)- \{{date: {_DATE}, value: {_NUMBER}\}}[ ]*\n")
_BLOCK_POINT = re.compile(rf"( *)- date: {_DATE}[ ]*\n\1  value: {_NUMBER}[ ]*\n")
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
    for key in _KEY.finditer(yaml_text):
        run = _read_run(yaml_text, key, max_points)
        if run is None:
            continue
        points, end = run
        line = yaml_text.count("\n", 0, key.start())
        quick.runs[line] = _Run(line, len(key[1]), points)
        pieces.append(yaml_text[kept:key.end()])
        pieces.append("\n" * yaml_text.count("\n", key.end(), end))
        kept = end
    if not quick.runs:
        return yaml_text, None
    pieces.append(yaml_text[kept:])
    return "".join(pieces), quick


def _read_run(text: str, key: re.Match[str], max_points: int) -> tuple[list, int] | None:
    """The points under ``key`` and where the last ends, or None if its value is not all such points."""
    key_indent = len(key[1])
    pos = end = key.end()
    indent: int | None = None
    points: list[tuple[str, bool, int | float]] = []
    while True:
        point = _FLOW_POINT.match(text, pos) or _BLOCK_POINT.match(text, pos)
        if point is not None:
            here = len(point[1])
            if indent is None:
                indent = here
            if here != indent or here < key_indent or len(points) >= max_points:
                return None
            number = point[4]
            points.append((point[3], point[2] == '"', float(number) if "." in number else int(number)))
            pos = end = point.end()
            continue
        quiet = _QUIET_LINE.match(text, pos)
        if quiet is None:
            break
        pos = quiet.end()
    if indent is None:
        return None
    rest = text[pos:pos + indent + 1]
    if rest.startswith(" " * indent + "-"):
        return None  # a point in another form follows: the whole series is left to YAML
    return points, end
