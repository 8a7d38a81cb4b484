"""Series read from their lines (contract/series_lines.py): the same values YAML's nodes give, or none.

The shortcut must never change what a file means nor what its problems say: every test here
compares it with the nodes' reading of the same text, including hostile texts that only look like
a series (inside a text block, in a flow mapping, at the wrong indentation).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from learning_atlas.contract import loader
from learning_atlas.contract.front_matter import parse_front_matter
from learning_atlas.contract.schema import load_case_schema
from learning_atlas.contract.series_lines import blank_series
from learning_atlas.contract.source import SourceError

ROOT = Path(__file__).resolve().parents[2]
NEGATIVE = ROOT / "tests" / "acceptance" / "negative"
BASE = (NEGATIVE / "schema-measure-value-number.md").read_text(encoding="utf-8").split("measures:\n")[0]
MEASURE = "measures:\n  - label: Falls a month\n    value: 4\n    dimension: outcomes\n    improvement: lower\n"


@pytest.fixture(scope="module")
def case_schema():
    return load_case_schema(ROOT / "schemas")


def _read(text: str, quick: bool):
    try:
        return parse_front_matter(text, quick_series=quick)
    except SourceError as exc:
        return (exc.line, exc.column, exc.message, exc.rule), None


def _same(text: str) -> bool:
    """Whether the shortcut read ``text`` as the nodes do; returns whether it was used."""
    slow, slow_problems = _read(text, False)
    quick, quick_problems = _read(text, True)
    if slow_problems is None:  # not YAML, or not a mapping: the same error, from the same place
        assert quick == slow and quick_problems is None
        return False
    assert quick_problems == slow_problems
    assert (slow is None) == (quick is None)
    if slow is None:
        return False
    assert quick.data == slow.data and quick.strings == slow.strings and quick.body == slow.body
    assert [type(p["value"]) for m in quick.data.get("measures") or [] if isinstance(m, dict)
            for p in (m.get("series") or []) if isinstance(p, dict) and "value" in p] == \
           [type(p["value"]) for m in slow.data.get("measures") or [] if isinstance(m, dict)
            for p in (m.get("series") or []) if isinstance(p, dict) and "value" in p]
    return quick.quick_series


def test_the_guides_and_the_forms_series_are_read_from_their_lines_to_the_same_values():
    guide = "".join(f"      - {{date: 2022-{m:02d}-01, value: {m * 1.5}}}\n" for m in range(1, 13))
    form = "".join(f'      - date: "2022-{m:02d}-01"\n        value: {m * 3}\n' for m in range(1, 13))
    for series in (guide, form, guide.replace("      -", "    -")):  # a sequence may sit at its key's indentation
        text = f"---\n{MEASURE}    change_date: 2022-06-01\n    series:\n{series}    chart: run\n---\nBody.\n"
        assert _same(text) is True


@pytest.mark.parametrize("number", ["0", "-0", "7", "-12", "010", "0o7", "1_000", "0x1F", "1.5", "-0.0", "01.5", "1.", ".5",
                                    "1e3", "1.0e+3", "+3", "12345678901234567890", ".nan", "-.inf", "1:30", "~", "null", "yes"])
def test_any_number_reads_as_the_nodes_read_it(number):
    """Numbers YAML 1.1 reads its own way (octal 010, 1_000, 1:30 sexagesimal, yes) are left to YAML."""
    text = f"---\n{MEASURE}    series:\n      - {{date: 2022-01-01, value: {number}}}\n      - {{date: 2022-02-01, value: 2}}\n---\n"
    _same(text)


@pytest.mark.parametrize("date", ["2022-01-01", '"2022-01-01"', "'2022-01-01'", "2022-1-1", "2022-02-30", "20220101",
                                  "2022-01-01T10:00:00", '"2022-01-01', "2022-01-01 # note"])
def test_any_date_reads_as_the_nodes_read_it(date):
    _same(f"---\n{MEASURE}    series:\n      - {{date: {date}, value: 1}}\n      - {{date: 2022-02-01, value: 2}}\n---\n")


@pytest.mark.parametrize("yaml_text", [
    # lines that look like a series but are the text of a block, a flow mapping, or mis-indented
    "summary: |\n  series:\n  - {date: 2022-01-01, value: 1}\n  more text\n",
    "summary: |\n  series:\n  - {date: 2022-01-01, value: 1}\n",
    "measures: [{label: x, series:\n      - {date: 2022-01-01, value: 1}\n    }]\n",
    "measures:\n  - label: x\n    series:\n  - {date: 2022-01-01, value: 1}\n",
    "measures:\n  - label: x\n    series:\n      - {date: 2022-01-01, value: 1}\n        - {date: 2022-02-01, value: 2}\n",
    "measures:\n  - label: x\n    series:\n      - {date: 2022-01-01, value: 1}\n     - {date: 2022-02-01, value: 2}\n",
    "measures:\n  - label: x\n    series:\n      - {date: 2022-01-01, value: 1}\n      - {date: 2022-02-01, value: .5}\n",
    "measures:\n  - label: x\n    series:\n      - {date: 2022-01-01, value: 1}\n      note: x\n",
    "measures:\n  - label: x\n    series:\n      - date: 2022-01-01\n        value: 1\n        note: x\n",
    "measures:\n  - label: x\n    series:\n      - {date: 2022-01-01, value: 1}\n      # a comment\n\n      - {date: 2022-02-01, value: 2}\n",
    "measures:\n  - label: x\n    series:\n      - {date: 2022-01-01, value: 1}\n    series:\n      - {date: 2022-02-01, value: 2}\n",
    "measures:\n  - label: x\n    \"series\":\n      - {date: 2022-01-01, value: 1}\n",
    "measures:\n  - label: x\n    series: &points\n      - {date: 2022-01-01, value: 1}\n  - label: y\n    series: *points\n",
    "series:\n- {date: 2022-01-01, value: 1}\ntitle: x\n",
    "series:\n  - {date: 2022-01-01, value: 1}\n\tbad: tab\n",
    "a:\n  series:\n    - {date: 2022-01-01, value: 1}\n  series2: x\n  b: {c: [",
])
def test_hostile_look_alikes_read_as_the_nodes_read_them(yaml_text):
    _same(f"---\n{yaml_text}---\n")


_numbers = st.one_of(
    st.integers(-10**16, 10**16).map(str),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: f"{f:.3f}"),
    st.from_regex(r"-?[0-9_.eE+]{1,8}", fullmatch=True),
)
_dates = st.one_of(
    st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31)).map(str),
    st.dates().map(lambda d: f'"{d}"'),
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
)


@st.composite
def _series_texts(draw):
    points = draw(st.lists(st.tuples(_dates, _numbers, st.booleans()), min_size=1, max_size=6))
    indent = draw(st.sampled_from([4, 6, 8]))
    lines = []
    for date, number, block in points:
        if block:
            lines.append(f"{' ' * indent}- date: {date}\n{' ' * indent}  value: {number}\n")
        else:
            lines.append(f"{' ' * indent}- {{date: {date}, value: {number}}}\n")
        if draw(st.booleans()) and draw(st.booleans()):
            lines.append(draw(st.sampled_from(["\n", "      # note\n", "   \n"])))
    after = draw(st.sampled_from(["", "    chart: run\n", "  - label: next\n", "extra: 1\n", "      stray: 1\n"]))
    key = draw(st.sampled_from(["  - label: x\n    series:\n", "  - series:\n", "  -  series:\n", "  - label: x\n    series:  \n"]))
    return f"---\nmeasures:\n{key}{''.join(lines)}{after}---\nBody.\n"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_series_texts())
def test_any_series_text_reads_as_the_nodes_read_it(text):
    _same(text)


def test_blanking_keeps_every_other_line_and_column_where_it_was():
    text = "a: 1\nmeasures:\n  - series:\n      - {date: 2022-01-01, value: 1}\n      - {date: 2022-02-01, value: 2}\n    b: 2\n"
    blanked, quick = blank_series(text, 1000)
    assert blanked.splitlines() == ["a: 1", "measures:", "  - series:", "", "", "    b: 2"]
    assert quick is not None and [p[0] for p in quick.runs[2].points] == ["2022-01-01", "2022-02-01"]
    assert blank_series("title: no series here\n", 1000) == ("title: no series here\n", None)


@pytest.mark.parametrize("series", [
    "      - {date: 2023-02-30, value: 4}\n      - {date: 2023-03-01, value: 5}\n",
    "      - {date: 2023-03-01, value: 4}\n      - {date: 2023-01-01, value: 5}\n",
    "      - {date: 2023-01-01, value: 4}\n      - {date: 2023-01-01, value: 5}\n",
    "      - date: \"2023-01-01\"\n        value: 4\n      - date: \"2022-01-01\"\n        value: 5\n",
    "".join(f"      - {{date: {2000 + i // 12}-{i % 12 + 1:02d}-01, value: {i}}}\n" for i in range(261)),
    "      - {date: 2023-01-01, value: 4}\n      - {date: 2023-02-01, value: 5}\n",
])
def test_a_bad_series_read_from_its_lines_gets_the_nodes_error(tmp_path, case_schema, series, monkeypatch):
    """Each error names the line and column the nodes give: a file with a problem is read again without the shortcut."""
    path = tmp_path / "a-case.md"
    path.write_text(BASE + MEASURE + "    change_date: 2023-02-01\n    series:\n" + series + "---\n", encoding="utf-8")
    quick = loader.load_case(path, case_schema)
    slow = loader._check_text(path, "a-case", path.read_text(encoding="utf-8"), case_schema, dt.date.today(),
                              quick_series=False)
    assert [(p.line, p.column, p.key, p.message, p.rule) for p in quick.problems] == \
           [(p.line, p.column, p.key, p.message, p.rule) for p in slow.problems]
    assert quick.data == slow.data
