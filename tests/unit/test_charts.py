"""A measure's chart (site/charts.py), its place on the case page, the open data and Explore's filter,
and hostile series: every text escaped, every bad series one error, every series bounded."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from learning_atlas.contract.case import Case, Measure
from learning_atlas.contract.loader import load_case
from learning_atlas.contract.schema import load_case_schema
from learning_atlas.contract.series_statistics import Point
from learning_atlas.site import charts, explore, exports
from learning_atlas.site.lineage import Lineage

ROOT = Path(__file__).resolve().parents[2]
POSITIVE = ROOT / "tests" / "acceptance" / "positive"
NEGATIVE = ROOT / "tests" / "acceptance" / "negative"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def case_schema():
    return load_case_schema(ROOT / "schemas")


def _measure(label="Falls", values=(9, 8, 10, 9, 8, 9, 10, 9, 5, 4, 5, 4, 3, 4, 5, 4), change=8, **more):
    dates = [dt.date(2022 + i // 12, i % 12 + 1, 1) for i in range(len(values))]
    return Measure(label=label, value=4, dimension="outcomes", series=tuple(Point(d, float(v)) for d, v in zip(dates, values)),
                   change_date=dates[change], improvement=more.pop("improvement", "lower"), **more)


def _case(path: Path, case_schema) -> Case:
    loaded = load_case(path, case_schema)
    assert not loaded.has_errors, loaded.problems
    return Case.from_loaded(loaded)


def test_the_chart_is_well_formed_svg_with_a_title_and_a_description_carrying_the_sentence():
    measure = _measure(target=5, unit="falls")
    figure = charts.chart_figure(measure, "atlas-chart-1")
    svg = figure[figure.index("<svg"):figure.index("</svg>") + 6]
    root = ET.fromstring(svg.replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1))
    assert root.find(f"{SVG}title").text == "Run chart: Falls"
    assert root.find(f"{SVG}desc").text == measure.analysis.sentence
    assert root.get("aria-labelledby") == "atlas-chart-1-title" and root.get("role") == "img"
    assert len(root.findall(f"{SVG}line[@class='atlas-chart__target']")) == 1
    assert f"<p class=\"atlas-chart__sentence\">{measure.analysis.sentence}</p>" in figure
    assert "<details class=\"atlas-chart__data\"" in figure and figure.count("<tr>") == 16 + 1


@pytest.mark.parametrize("label", [
    '</title><script>alert(1)</script>', '"><svg onload=alert(1)>', "&amp; ]]> <![CDATA[x]]>", "{{ 7*7 }} ' \"",
])
def test_a_hostile_label_or_unit_is_escaped_in_the_svg_its_desc_and_its_table(label):
    """The schema refuses < and > in a label; the chart escapes whatever reaches it all the same."""
    figure = charts.chart_figure(_measure(label=label, unit=label), "atlas-chart-1")
    assert "<script" not in figure and "<svg onload" not in figure and "<![CDATA[" not in figure
    svg = figure[figure.index("<svg"):figure.index("</svg>") + 6]
    root = ET.fromstring(svg.replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1))
    assert root.find(f"{SVG}title").text == f"Run chart: {label}"
    assert [e.tag for e in root.iter() if e.tag in (f"{SVG}script", "script")] == []


def test_no_series_no_chart():
    assert charts.chart_figure(Measure(label="Staff", value=3, dimension="experience"), "x") == ""


def test_the_case_page_puts_the_chart_in_the_part_its_measure_belongs_to(case_schema):
    from learning_atlas.site import rendering

    case = _case(POSITIVE / "series-spc-chart.md", case_schema)
    parts = (("better_outcomes", "Better outcomes", "<p>x</p>"), ("better_use_of_resources", "Better use of resources", "<p>y</p>"))
    html = "".join(rendering._adding_value(case, parts))
    resources = html[html.index("atlas-value--better-use-of-resources"):]
    assert "atlas-value__charts" in resources and 'id="atlas-chart-1"' in resources
    assert "atlas-chart" not in html[:html.index("atlas-value--better-use-of-resources")]


def test_the_open_data_carry_the_series_in_json_and_the_signal_in_csv(case_schema):
    case = _case(POSITIVE / "series-run-chart.md", case_schema)
    record = exports.case_record(case, "https://example.org/cases/x/")
    measure = record["measures"][0]
    assert measure["series"][0] == {"date": "2021-01-01", "value": 9.1} and len(measure["series"]) == 24
    assert measure["change_date"] == "2022-01-01" and measure["improvement"] == "lower" and measure["target"] == 6
    assert measure["signal"]["reading"] == "improvement" and measure["signal"]["chart"] == "run"
    assert record["signal"] == "improvement"
    json.dumps(record)  # serialisable as it is

    class Atlas:  # the attributes cases_csv reads
        cases = [case]
        lineage = None

    rows = list(csv.DictReader(io.StringIO(exports.cases_csv(Atlas, "https://example.org/"))))
    assert rows[0]["signal"] == "improvement"
    cell = json.loads(rows[0]["measures"])
    assert "series" not in cell[0] and cell[0]["signal"]["sentence"].startswith("After the change, 12 points")


def test_a_case_without_series_has_no_signal(case_schema):
    case = _case(POSITIVE / "minimal-valid-case.md", case_schema)
    assert case.signal is None and exports.case_record(case, "u")["signal"] is None


def test_explore_has_a_bitset_and_a_count_for_a_signal_of_improvement(case_schema):
    cases = [_case(POSITIVE / n, case_schema) for n in ("series-run-chart.md", "minimal-valid-case.md")]

    class Vocabulary:
        terms = ()

    class Atlas:
        vocabularies = {name: Vocabulary for name in explore.FACETS}
        published = cases
        lineage = Lineage()

        def __init__(self):
            self.cases = cases

    data = json.loads(explore.explore_data(Atlas())[explore.INDEX_PATH])
    [[key, label, bits]] = data["facets"]["signal"]
    assert (key, label) == ("improvement", "Shows a signal of improvement")
    assert bits == "AQAAAA=="  # the first case only
    assert explore.explore_pages(Atlas())[0].counts["signal"] == {"improvement": 1}


# --- hostile series --------------------------------------------------------------------------------

BASE = (NEGATIVE / "schema-measure-value-number.md").read_text(encoding="utf-8").split("measures:\n")[0]


def _check(tmp_path, measure_yaml: str, case_schema):
    path = tmp_path / "a-case.md"
    path.write_text(BASE + "measures:\n  - label: Falls a month\n    value: 4\n    dimension: outcomes\n" + measure_yaml + "---\n",
                    encoding="utf-8")
    start = time.perf_counter()
    loaded = load_case(path, case_schema)
    return [p for p in loaded.problems if p.is_error], time.perf_counter() - start


@pytest.mark.parametrize(("series", "rule", "words"), [
    ("    series: text\n", "schema.type", "must be a list"),
    ("    series:\n      - [2023-01-01, 4]\n      - [2023-02-01, 5]\n", "schema.type", "must be a set of fields"),
    ("    series:\n      - {date: 2023-01-01, value: .nan}\n      - {date: 2023-02-01, value: 5}\n", "yaml.bad-number", "not a finite number"),
    ("    series:\n      - {date: 2023-01-01, value: .inf}\n      - {date: 2023-02-01, value: 5}\n", "yaml.bad-number", "not a finite number"),
    ("    series:\n      - {date: 2023-01-01, value: 1.0e+999}\n      - {date: 2023-02-01, value: 5}\n", "yaml.bad-number", "not a finite number"),
    ("    series:\n      - {date: 2023-02-30, value: 4}\n      - {date: 2023-03-01, value: 5}\n", "schema.format", "not a valid date"),
    ("    series:\n      - {date: 20230101, value: 4}\n      - {date: 2023-03-01, value: 5}\n", "schema.type", "must be text"),
    ("    series:\n      - {date: 2023-01-01, value: true}\n      - {date: 2023-03-01, value: 5}\n", "schema.type", "must be a number"),
    ("    series:\n      - {date: 2023-01-01, value: 4, note: x}\n      - {date: 2023-03-01, value: 5}\n", "schema.unknown-key", "not a field"),
])
def test_hostile_series_get_one_clear_error(tmp_path, case_schema, series, rule, words):
    """One error on each line at fault (a point written as a list is two), and nothing more: no traceback."""
    extra = "    improvement: lower\n    change_date: 2023-03-01\n"
    errors, _ = _check(tmp_path, extra + series, case_schema)
    assert {p.rule for p in errors} == {rule} and len({p.line for p in errors}) == len(errors), errors
    assert words in errors[0].message


@pytest.mark.parametrize("count", [261, 1000, 10_000])
def test_a_huge_series_is_one_error_quickly(tmp_path, case_schema, count):
    points = "".join(f"      - {{date: {2000 + i // 12}-{i % 12 + 1:02d}-01, value: {i}}}\n" for i in range(count))
    errors, seconds = _check(tmp_path, "    improvement: lower\n    change_date: 2001-01-01\n    series:\n" + points, case_schema)
    assert len(errors) == 1, errors  # the schema's maximum, YAML's 1,000 entries, or its 20,000 values
    assert seconds < 5


def test_the_largest_series_allowed_is_read_and_drawn_quickly(tmp_path, case_schema):
    points = "".join(f"      - {{date: {2000 + i // 12}-{i % 12 + 1:02d}-01, value: {(i * 7919) % 101}.5}}\n" for i in range(260))
    path = tmp_path / "a-case.md"
    path.write_text(BASE + "measures:\n  - label: Falls a month\n    value: 4\n    dimension: outcomes\n"
                    "    improvement: higher\n    change_date: 2010-01-01\n    chart: spc\n    series:\n" + points + "---\n")
    case = _case(path, case_schema)
    start = time.perf_counter()
    figure = charts.chart_figure(case.measures[0], "atlas-chart-1")
    assert time.perf_counter() - start < 1 and figure.count("<tr>") == 261


def test_reader_search_reads_a_charts_caption_and_sentence_not_its_drawing_or_table(case_schema):
    from learning_atlas.site.pagefind_records import record_html

    case = _case(POSITIVE / "series-run-chart.md", case_schema)
    article = charts.chart_figure(case.measures[0], "atlas-chart-1")

    class Atlas:
        def term(self, vocabulary, key):
            return None

    record = record_html(case, Atlas(), f"<p>Before.</p>{article}<p>After.</p>")
    assert case.measures[0].analysis.sentence in record and "Falls per 1,000 bed days" in record
    assert "<svg" not in record and "<table" not in record and "atlas-chart__legend" not in record
    assert "<p>Before.</p>" in record and "<p>After.</p>" in record
