"""``atlas report``: each kind of finding on a fixture atlas, in text, Markdown and JSON.

The fixture atlas is ``tests/fixtures/report-atlas/cases``; its expected reports are the golden files
beside it. After a deliberate change to the report, regenerate them from the project folder with
``.venv/bin/atlas report --cases tests/fixtures/report-atlas/cases --today 2024-06-01 --format text``
(and ``--format markdown``), and read the difference before committing it.
"""

from __future__ import annotations

import json

import pytest
from conftest import CASES, ROOT
from learning_atlas.contract.case import Case
from learning_atlas.editors.report import organisation_key, organisation_variants

FIXTURE = ROOT / "tests" / "fixtures" / "report-atlas"
FIXTURE_CASES = "tests/fixtures/report-atlas/cases"  # as an editor types it, from the project folder
TODAY = "2024-06-01"


@pytest.fixture
def report(run_line, monkeypatch):
    monkeypatch.chdir(ROOT)

    def run(*args: str):
        return run_line(["report", "--cases", FIXTURE_CASES, "--today", TODAY, *args])

    return run


def test_text_report_matches_the_golden_file(report):
    result = report()
    assert result.exit_code == 0
    assert result.output == (FIXTURE / "expected-report.txt").read_text(encoding="utf-8")


def test_markdown_report_matches_the_golden_file(report):
    result = report("--format", "markdown")
    assert result.exit_code == 0
    assert result.output == (FIXTURE / "expected-report.md").read_text(encoding="utf-8")


def test_markdown_report_escapes_what_a_title_could_inject(report):
    output = report("--format", "markdown").output
    assert "Sepsis screening \\| and &lt;b&gt;bold&lt;/b&gt; claims in a title" in output
    assert "<b>" not in output


def test_json_report_has_each_kind_of_finding(report):
    result = report("--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["today"] == TODAY
    assert data["cases"] == {"total": 5, "published": 3, "drafts": 1, "archived": 1, "with_errors": 1}
    assert [(c["slug"], c["review_by"], c["days_overdue"]) for c in data["overdue_reviews"]] == [
        ("ward-huddles", "2022-01-31", 852),
        ("sepsis-screening", "2023-12-31", 153),
        ("community-falls", "2024-05-31", 1),
    ]
    assert [c["slug"] for c in data["drafts"]] == ["falls-prevention"]
    assert [c["slug"] for c in data["archived"]] == ["discharge-lounge"]
    assert [c["slug"] for c in data["without_measures"]] == ["ward-huddles"]
    assert data["organisation_variants"] == [
        {
            "names": [
                {"name": "Example Hospitals NHS Trust", "cases": ["sepsis-screening"]},
                {"name": "The Example Hospitals NHS Trust", "cases": ["discharge-lounge"]},
            ],
            "reason": "written differently",
        },
        {
            "names": [
                {"name": "North Example Community Partnership", "cases": ["sepsis-screening"]},
                {"name": "North Example Community Partnersip", "cases": ["community-falls"]},
            ],
            "reason": "spelt alike",
        },
        {
            "names": [
                {"name": "Somerset Partnership NHS Foundation Trust", "cases": ["falls-prevention"]},
                {"name": "Somerset Partnership NHS FT", "cases": ["ward-huddles"]},
            ],
            "reason": "written differently",
        },
    ]
    assert "london" in data["unused_terms"]["regions"] and "north-west" not in data["unused_terms"]["regions"]
    assert data["unused_terms"]["themes"][0] == "learning-from-incidents"
    assert "harm-free-care" in data["unused_terms"]["themes"]  # its only case is a draft
    assert data["counts"]["regions"]["north-west"] == 2
    assert data["counts"]["settings"]["community"] == 2
    assert data["counts"]["commitments"] == {str(n): int(n in (4, 9)) for n in range(1, 11)}
    assert data["counts"]["years"] == {"2021": 2, "2019": 1}
    assert data["with_errors"] == [f"{FIXTURE_CASES}/broken-case.md"]


def test_the_sample_atlas_has_no_organisation_variants(run_line):
    result = run_line(["report", "--cases", str(CASES), "--format", "json", "--today", TODAY])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["organisation_variants"] == []
    assert data["cases"]["total"] == len(list(CASES.glob("*.md")))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Somerset Partnership NHS FT", "Somerset Partnership NHS Foundation Trust"),
        ("Somerset Partnership NHSFT", "somerset partnership foundation trust"),
        ("Somerset Partnership N.H.S. F.T.", "Somerset Partnership NHS Foundation Trust"),
        ("Barnet, Enfield & Haringey Mental Health NHS Trust", "Barnet Enfield and Haringey Mental Health Trust"),
        ("The Health Foundation", "Health Foundation"),
        ("Somerset Clinical Commissioning Group", "Somerset CCG"),
        ("St. Mary's Hospital", "Saint Marys Hospital"),
        ("Guy’s and St Thomas’ NHS Foundation Trust", "Guys & St Thomas NHS FT"),
        ("Hôpital Example", "Hopital Example"),
    ],
)
def test_names_written_differently_have_one_key(a, b):
    assert organisation_key(a) == organisation_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("North Staffordshire Combined Healthcare NHS Trust", "South Staffordshire Combined Healthcare NHS Trust"),
        ("Taunton and Somerset NHS Foundation Trust", "Somerset Partnership NHS Foundation Trust"),
        ("Barnet Hospital", "Barnes Hospital"),  # short place names a letter apart are different places
        ("NHS England", "Health Education England"),
        ("Improvement Cymru", "Age Cymru"),
        ("South West Academic Health Science Network", "The AHSN Network"),
        ("Ward 7 team", "Ward 8 team"),
        ("Example NHS Foundation Trust", "Example NHS Trust"),
    ],
)
def test_different_organisations_are_not_variants(a, b):
    cases = [_case("one", [a]), _case("two", [b])]
    assert organisation_variants(cases) == []


def test_one_slip_in_a_long_word_makes_names_alike():
    cases = [_case("one", ["Somerset Partnership NHS FT"]), _case("two", ["Somerset Partnersihp NHS Foundation Trust"])]
    (group,) = organisation_variants(cases)
    assert group.reason == "spelt alike"
    assert group.names == {"Somerset Partnership NHS FT": ["one"], "Somerset Partnersihp NHS Foundation Trust": ["two"]}


def test_a_bad_date_or_folder_is_a_usage_error(run_line):
    result = run_line(["report", "--cases", str(CASES), "--today", "2024-13-01"])
    assert result.exit_code == 2
    assert "'2024-13-01' is not a date; write it as YYYY-MM-DD" in result.output
    assert run_line(["report", "--cases", "no/such/folder"]).exit_code == 2
    assert run_line(["report", "--cases", str(CASES), "--format", "html"]).exit_code == 2


def test_help_describes_the_report(run_line):
    text = run_line(["report", "--help"]).output
    for word in ("review_by", "drafts", "archived", "measures", "variants", "--format", "markdown", "--today"):
        assert word in text


def _case(slug: str, organisations: list[str]) -> Case:
    import datetime as dt
    from pathlib import Path

    return Case(
        slug=slug, source=Path(f"cases/{slug}.md"), title=slug, summary="", organisations=tuple(organisations),
        region="london", settings=("acute",), themes=("patient-safety",), commitments=(), published=dt.date(2021, 1, 1),
        updated=None, review_by=None, status="published", lead_role="Nurse", lead_name=None, sections={},
        measures=(), contact={}, links=(), redirect_from=(), body="",
    )


def test_atlas_help_lists_new_and_report(run_line):
    text = run_line(["--help"]).output
    assert "new     Start a new case study: write cases/<slug>.md from a few answers." in text
    assert "report  Report what editors should look at across the atlas." in text


def test_json_report_has_what_learning_that_spreads_needs(report):
    """Not built on after two years, collections holding archived cases, links to renamed or missing cases."""
    data = json.loads(report("--format", "json").output)
    assert [(c["slug"], c["published"]) for c in data["not_built_on"]] == [("community-falls", "2021-03-15")]
    assert [(c["collection"], [a["slug"] for a in c["archived"]]) for c in data["collections_with_archived_cases"]] == [
        ("falls-reading", ["discharge-lounge"])
    ]
    assert [(link["file"].rsplit("/", 1)[-1], link["key"]) for link in data["broken_links"]] == [
        ("community-falls.md", "builds_on[1].case"),
        ("ward-huddles.md", "builds_on[0].case"),
    ]
    assert "was renamed to 'sepsis-screening'" in data["broken_links"][0]["message"]


def test_a_case_built_on_is_not_reported_however_it_is_named(tmp_path, run_line, minimal_text):
    """A case built on through an old slug (its redirect_from) has been built on; a young case is not due."""
    cases = tmp_path / "cases"
    cases.mkdir()
    old = minimal_text.replace("consent_confirmed: true", "consent_confirmed: true\nredirect_from:\n  - older-name")
    (cases / "first-case.md").write_text(old, encoding="utf-8")
    (cases / "second-case.md").write_text(minimal_text.replace(
        "consent_confirmed: true", "consent_confirmed: true\nbuilds_on:\n  - case: older-name\n    how: adopted"
    ), encoding="utf-8")
    data = json.loads(run_line(["report", "--cases", str(cases), "--today", "2030-01-01", "--format", "json",
                                "--schemas", str(ROOT / "schemas")]).output)
    assert [c["slug"] for c in data["not_built_on"]] == ["second-case"]
    assert [link["key"] for link in data["broken_links"]] == ["builds_on[0].case"]
