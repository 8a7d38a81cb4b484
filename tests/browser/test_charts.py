"""Measures over time in the browser: the chart on a case page, and in the submission form's preview.

The sample atlas has no series (no source of its cases gives figures over time), so the case pages
are those of a small atlas built here: the two positive examples with a series (a run chart and an
SPC chart) and a case whose measure's label is hostile. The form's chart is checked against the
case page's reading: the browser's port (submit/series.js) and Python give the same sentence and
the same signals on the same series.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from pathlib import Path

import pytest
NOT_LOCAL = re.compile(r"^(?!http://127\.0\.0\.1[:/]).*")  # as conftest.py: nothing leaves the machine
from learning_atlas.contract.series_statistics import Point, analyse
from playwright.sync_api import expect
from site_engine import build_site
from site_server import serve_site
from browser.test_submit import AXE_OPTIONS, CASE, ROWS, _describe, _with_draft

pytestmark = pytest.mark.browser

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
POSITIVE = REPO / "tests" / "acceptance" / "positive"
HOSTILE_LABEL = "Falls \"quoted\" & 'single' &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; ]]&gt; {{ 7*7 }} &#x3C;b"


@pytest.fixture(scope="module")
def charts_url(tmp_path_factory):
    """A three-case atlas with series, built and served under /atlas/."""
    root = tmp_path_factory.mktemp("charts")
    cases = root / "cases"
    cases.mkdir()
    (cases / "falls-run-chart.md").write_text((POSITIVE / "series-run-chart.md").read_text(encoding="utf-8"))
    (cases / "paperwork-spc-chart.md").write_text(
        (POSITIVE / "series-spc-chart.md").read_text(encoding="utf-8").replace(
            "title: Daily safety huddles on an example surgical ward", "title: Paperwork time on an example ward"))
    hostile = (POSITIVE / "series-run-chart.md").read_text(encoding="utf-8")
    hostile = hostile.replace("label: Falls per 1,000 bed days", "label: " + json.dumps(HOSTILE_LABEL))
    hostile = hostile.replace("title: Daily safety huddles on an example surgical ward", "title: A hostile label on a chart")
    (cases / "hostile-label.md").write_text(hostile)
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("---\ntemplate: atlas/home.html\n---\n\n# Charts\n")
    (root / "mkdocs.yml").write_text(
        "site_name: Charts\nsite_url: https://atlas.example.org/atlas/\ntheme:\n  name: material\n  font: false\n"
        f"plugins:\n  - atlas:\n      schemas_dir: {REPO / 'schemas'}\n      related: facets\n"
    )
    site = root / "site"
    done = build_site(root / "mkdocs.yml", site)  # not --strict: the three are near copies, a warning
    if done.returncode != 0:
        pytest.fail(f"the charts atlas did not build ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    with serve_site(site) as url:
        yield url


@pytest.fixture
def chart_page(browser, charts_url):
    contexts = []

    def make(**kwargs):
        context = browser.new_context(base_url=charts_url, **kwargs)
        context.route(NOT_LOCAL, lambda route: route.abort())
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_case_page_draws_its_chart_beside_its_part_readable_without_colour_and_axe_clean(chart_page, axe_source, scheme):
    page = chart_page(color_scheme=scheme, viewport={"width": 1280, "height": 800})
    page.goto("cases/falls-run-chart/")
    part = page.locator(".atlas-value--better-outcomes")
    figure = part.locator("figure.atlas-chart")
    expect(figure).to_have_count(1)
    sentence = ("After the change, 12 points in a row sat below the baseline median (9.4): "
                "a shift in the better direction.")
    expect(figure.locator("svg.atlas-chart__svg > title")).to_have_text("Run chart: Falls per 1,000 bed days")
    expect(figure.locator("svg.atlas-chart__svg > desc")).to_have_text(sentence)
    expect(figure.locator(".atlas-chart__sentence")).to_have_text(sentence)
    expect(figure.locator("svg.atlas-chart__svg .atlas-chart__signal--improvement path")).to_have_count(12)  # a shape, not a colour alone
    expect(figure.locator(".atlas-chart__legend li")).to_contain_text(["The measure", "Median of the points before"])
    figure.locator("details summary").click()
    expect(figure.locator("tbody tr")).to_have_count(24)
    assert figure.locator("svg.atlas-chart__svg").bounding_box()["width"] > 600
    page.add_script_tag(content=axe_source)
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    assert not result["violations"], _describe(result["violations"])
    assert page.errors == []


def test_an_spc_chart_draws_its_limits_recalculated_at_the_change_and_fits_a_phone(chart_page):
    page = chart_page(viewport={"width": 320, "height": 700})
    page.goto("cases/paperwork-spc-chart/")
    figure = page.locator(".atlas-value--better-use-of-resources figure.atlas-chart")
    expect(figure.locator(".atlas-chart__kind")).to_have_text("SPC (XmR) chart")
    expect(figure.locator("svg.atlas-chart__svg line.atlas-chart__limit")).to_have_count(4)
    expect(figure.locator(".atlas-chart__sentence")).to_contain_text("special-cause improving variation")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert page.errors == []


def test_a_hostile_label_is_text_in_the_svg_and_its_table(chart_page):
    page = chart_page()
    page.goto("cases/hostile-label/")
    figure = page.locator("figure.atlas-chart")
    expect(figure.locator("svg.atlas-chart__svg > title")).to_have_text("Run chart: " + HOSTILE_LABEL)
    expect(figure.locator("caption")).to_have_text(HOSTILE_LABEL + " (falls)")
    assert page.locator("script:not([src])").evaluate_all(
        "nodes => nodes.filter(n => n.textContent.includes('alert(1)')).length") == 0
    assert page.locator("svg desc").count() == 1
    assert page.errors == []


def test_explore_filters_the_cases_showing_a_signal_of_improvement(chart_page):
    page = chart_page()
    page.goto("explore/")
    option = page.locator("#f-signal-improvement")
    expect(page.locator("label[for=f-signal-improvement] [data-count]")).to_have_text("(3)")  # drawn by the server
    expect(page.locator("#atlas-x")).to_have_attribute("data-state", "ready")
    option.check()
    expect(page.locator("#atlas-result-count")).to_have_text("3 case studies")
    assert "signal=improvement" in page.url


# --- the submission form --------------------------------------------------------------------------

MONTHS = [dt.date(2023 + i // 12, i % 12 + 1, 1) for i in range(24)]
VALUES = [9.1, 8.4, 10.2, 9.6, 8.8, 9.9, 10.4, 8.7, 9.3, 9.8, 8.9, 9.5,
          7.2, 6.8, 7.5, 6.1, 6.6, 5.9, 6.3, 5.4, 6.0, 5.7, 5.2, 5.5]
PASTED = "Month\tFalls\n" + "\n".join(f"{d:%d/%m/%Y}\t{v}" for d, v in zip(MONTHS, VALUES))


def _series_draft(page, pasted=PASTED, **more):
    values = {**CASE, "measures.0.series": pasted, "measures.0.change_date": "2024-01-01",
              "measures.0.improvement": "lower", **more}
    _with_draft(page, values, rows=ROWS)


def test_two_pasted_spreadsheet_columns_become_the_series_and_the_preview_draws_its_chart(page, axe_source):
    _series_draft(page)
    page.click("#atlas-preview-button")
    figure = page.locator("#atlas-preview-page figure.atlas-chart")
    expect(figure).to_have_count(1)
    expected = analyse([Point(d, v) for d, v in zip(MONTHS, VALUES)], dt.date(2024, 1, 1), "lower").sentence
    expect(figure.locator(".atlas-chart__sentence")).to_have_text(expected)
    expect(figure.locator("svg.atlas-chart__svg > desc")).to_have_text(expected)
    page.add_script_tag(content=axe_source)
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    assert not result["violations"], _describe(result["violations"])


def test_a_date_out_of_order_gets_atlas_checks_message_in_the_form(page):
    lines = PASTED.splitlines()
    lines[3], lines[4] = lines[4], lines[3]
    _series_draft(page, "\n".join(lines))
    page.click("#atlas-submit-button")
    expect(page.locator("#atlas-error-summary")).to_contain_text(
        "2023-03-01 comes before the date above it (2023-04-01); list the points in date order")
    expect(page.locator("#atlas-preview-page figure.atlas-chart")).to_have_count(0)


def test_hostile_pasted_values_are_reported_not_drawn(page):
    _series_draft(page, "2023-01-01\tNaN\n2023-02-30\t4\n2023-03-01\tInfinity\n2023-04-01\t<script>")
    page.click("#atlas-submit-button")
    summary = page.locator("#atlas-error-summary")
    expect(summary).to_contain_text("must be a number, not text")
    expect(summary).to_contain_text("'2023-02-30' is not a valid date")
    expect(page.locator("#atlas-preview-page figure.atlas-chart")).to_have_count(0)


def _random_series(rng: random.Random) -> tuple[list[float], int]:
    size = rng.randint(4, 60)
    kind = rng.choice(["noise", "step", "trend", "flat", "spike"])
    values = []
    for i in range(size):
        v = 50 + rng.gauss(0, 5)
        if kind == "step" and i >= size // 2:
            v -= 15
        elif kind == "trend":
            v = 50 + i * 2 + rng.gauss(0, 1)
        elif kind == "flat":
            v = 7
        elif kind == "spike" and i == size - 2:
            v += 60
        values.append(round(v, 1))
    return values, rng.randint(1, size - 1)


def test_the_forms_reading_of_a_series_is_the_case_pages(page):
    """The browser's port and Python give the same signals and sentence, on 150 series of every kind."""
    _series_draft(page)
    page.click("#atlas-preview-button")  # the checks, and with them series.js, have loaded
    expect(page.locator("#atlas-preview-page figure.atlas-chart")).to_have_count(1)
    rng = random.Random(12)
    cases = []
    for n in range(150):
        values, change = _random_series(rng)
        dates = [dt.date(2015 + i // 12, i % 12 + 1, 1) for i in range(len(values))]
        cases.append({"points": [{"date": d.isoformat(), "value": v} for d, v in zip(dates, values)],
                      "change": dates[change].isoformat(), "improvement": rng.choice(["higher", "lower"]),
                      "chart": "spc" if n % 2 else "run"})
    got = page.evaluate(
        """async (cases) => {
            const m = await import(new URL("assets/atlas/submit/series.js", document.baseURI.replace(/submit\\/.*$/, "")).href);
            return cases.map((c) => {
                const a = m.analyse(c.points, c.change, c.improvement, c.chart);
                return [a.chart, a.sentence, a.verdict, a.signals.map((s) => [s.rule, s.start, s.end, s.reading])];
            });
        }""",
        cases,
    )
    for case, (chart, sentence, verdict, signals) in zip(cases, got):
        points = [Point(dt.date.fromisoformat(p["date"]), float(p["value"])) for p in case["points"]]
        want = analyse(points, dt.date.fromisoformat(case["change"]), case["improvement"], case["chart"])
        assert (chart, verdict, sentence) == (want.chart, want.verdict, want.sentence), case
        assert signals == [[s.rule, s.start, s.end, s.reading] for s in want.signals], case
