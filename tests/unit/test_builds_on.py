"""``builds_on`` between cases: atlas check's rules on the line at fault, and the lineage the site
computes once per build, both ways, with whatever a case holds."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from conftest import SCHEMAS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from learning_atlas.contract.builds_on import builds_on_problems
from learning_atlas.contract.case import Case
from learning_atlas.contract.checker import check_paths
from learning_atlas.contract.schema import load_case_schema
from learning_atlas.site.lineage import Lineage, lineage_svg
from learning_atlas.site.model import Atlas

SCHEMA = load_case_schema(SCHEMAS)
HYPOTHESIS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _links(*entries: tuple[str, str] | tuple[str, str, str]) -> str:
    lines = ["builds_on:"]
    for entry in entries:
        lines.append(f"  - case: {entry[0]}\n    how: {entry[1]}")
        if len(entry) > 2:
            lines.append(f"    note: {entry[2]}")
    return "\n".join(lines) + "\n"


def _atlas(folder: Path, minimal_text: str, cases: dict[str, str], *, published: dict[str, str] | None = None) -> Path:
    """Write cases (slug: extra front matter) into ``folder``, each a copy of the minimal case."""
    folder.mkdir(parents=True, exist_ok=True)
    for slug, extra in cases.items():
        text = minimal_text.replace("consent_confirmed: true\n", "consent_confirmed: true\n" + extra)
        if published and slug in published:
            text = text.replace("published: 2021-03-15", f"published: {published[slug]}")
        (folder / f"{slug}.md").write_text(text, encoding="utf-8")
    return folder


def _problems(folder: Path, rule_prefix: str = "builds_on"):
    result = check_paths([folder], SCHEMA, today=dt.date(2026, 1, 1))
    return [p for p in result.problems if p.rule.startswith(rule_prefix)], result


def test_a_valid_chain_has_no_problem(tmp_path, minimal_text):
    folder = _atlas(tmp_path, minimal_text, {
        "first-case": "", "second-case": _links(("first-case", "adopted")),
        "third-case": _links(("second-case", "adapted", "The checklist."), ("first-case", "inspired")),
    })
    problems, _ = _problems(folder)
    assert problems == []


def test_each_rule_on_the_line_of_the_entry_at_fault(tmp_path, minimal_text):
    folder = _atlas(tmp_path, minimal_text, {
        "first-case": _links(("first-case", "adopted")),
        "second-case": _links(("first-cse", "adopted"), ("nothing-like-it", "adapted")),
        "third-case": _links(("second-case", "adopted"), ("second-case", "inspired")),
    })
    problems, _ = _problems(folder)
    assert [p.gnu() for p in problems] == [
        f"{folder}/first-case.md:31:5: error: builds_on[0].case: 'first-case' is this case's own slug; a case cannot build on itself",
        f"{folder}/second-case.md:31:5: error: builds_on[0].case: 'first-cse' is not a case in this atlas; did you mean 'first-case'?",
        f"{folder}/second-case.md:33:5: error: builds_on[1].case: 'nothing-like-it' is not a case in this atlas; "
        "write the slug of a case in cases/ (its file name without .md)",
        f"{folder}/third-case.md:33:5: error: builds_on[1].case: 'second-case' is listed already, as builds_on[0]; list each case once",
    ]


def test_an_entry_written_twice_is_the_schemas_to_report_once(tmp_path, minimal_text):
    folder = _atlas(tmp_path, minimal_text, {"first-case": "", "second-case": _links(("first-case", "adopted"), ("first-case", "adopted"))})
    problems, result = _problems(folder, "")
    assert [p.rule for p in problems if p.is_error] == ["schema.uniqueItems"]


def test_a_cycle_is_named_by_its_path_once(tmp_path, minimal_text):
    folder = _atlas(tmp_path, minimal_text, {
        "alpha-case": _links(("beta-case", "adopted")),
        "beta-case": _links(("gamma-case", "adapted")),
        "gamma-case": _links(("alpha-case", "inspired")),
        "delta-case": _links(("alpha-case", "inspired")),  # leads into the cycle, is not in it
        "epsilon-case": _links(("zeta-case", "adopted")),
        "zeta-case": _links(("epsilon-case", "adopted")),
    })
    problems, _ = _problems(folder)
    assert [(p.path.name, p.line, p.message) for p in problems] == [
        ("alpha-case.md", 31, "'beta-case' makes a cycle: alpha-case → beta-case → gamma-case → alpha-case; "
                              "a case cannot build on a case that builds on it, so remove one of these links"),
        ("epsilon-case.md", 31, "'zeta-case' makes a cycle: epsilon-case → zeta-case → epsilon-case; "
                                "a case cannot build on a case that builds on it, so remove one of these links"),
    ]


def test_an_old_slug_leads_to_its_case_with_a_warning(tmp_path, minimal_text):
    folder = _atlas(tmp_path, minimal_text, {
        "new-name": "redirect_from:\n  - old-name\n",
        "second-case": _links(("old-name", "adopted")),
        "third-case": _links(("old-name", "adopted"), ("new-name", "adapted")),
        "fourth-case": "redirect_from:\n  - fourth-old\n" + _links(("fourth-old", "adopted")),
    })
    problems, _ = _problems(folder)
    assert [(p.path.name, p.severity.value, p.message) for p in problems] == [
        ("fourth-case.md", "error", "'fourth-old' is an old slug of this case; a case cannot build on itself"),
        ("second-case.md", "warning", "'old-name' was renamed to 'new-name' (its redirect_from keeps the old slug); write 'new-name' here"),
        ("third-case.md", "warning", "'old-name' was renamed to 'new-name' (its redirect_from keeps the old slug); write 'new-name' here"),
        ("third-case.md", "error", "'new-name' is listed already, as builds_on[0]; list each case once"),
    ]


def test_a_long_chain_and_a_long_cycle_are_checked_without_recursion(tmp_path, minimal_text):
    """Thousands of cases in one chain (deeper than Python's recursion limit), then closed into a cycle."""
    from learning_atlas.contract.loader import LoadedCase

    count = 3000

    class Loaded(LoadedCase):
        """A loaded case whose data is given, not read from a file."""

        @property
        def data(self):
            return self.__dict__["_data"]

    chain = []
    for i in range(count):
        loaded = Loaded(tmp_path / f"case-{i}.md", f"case-{i}", None)
        loaded.__dict__["_data"] = {"builds_on": [{"case": f"case-{(i + 1) % count}", "how": "adopted"}]} if i < count - 1 else {}
        loaded.builds_on_positions = [(31, 5)] if i < count - 1 else []
        chain.append(loaded)
    assert builds_on_problems(chain) == []
    chain[-1].__dict__["_data"] = {"builds_on": [{"case": "case-0", "how": "adopted"}]}
    chain[-1].builds_on_positions = [(31, 5)]
    (problem,) = builds_on_problems(chain)
    assert problem.rule == "builds_on.cycle" and problem.message.count("→") == count


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=30)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(["case", "how", "note", "x"]), inner, max_size=4)),
    max_leaves=20,
))
def test_whatever_builds_on_holds_the_check_gives_problems_not_exceptions(tmp_path, minimal_text, value):
    text = yaml.safe_dump({"builds_on": value}, allow_unicode=True)
    folder = tmp_path / "cases"
    folder.mkdir(exist_ok=True)
    (folder / "hostile-case.md").write_text(
        minimal_text.replace("consent_confirmed: true\n", "consent_confirmed: true\n" + text), encoding="utf-8"
    )
    (folder / "other-case.md").write_text(minimal_text, encoding="utf-8")
    result = check_paths([folder], SCHEMA, today=dt.date(2026, 1, 1))
    assert all(p.line >= 1 for p in result.problems)


# --- the lineage the site shows --------------------------------------------------------------


def _cases(tmp_path: Path, minimal_text: str, cases: dict[str, str], **kwargs) -> list[Case]:
    folder = _atlas(tmp_path / "cases", minimal_text, cases, **kwargs)
    result = check_paths([folder], SCHEMA, today=dt.date(2026, 1, 1))
    return [Case.from_loaded(c) for c in result.cases if not c.has_errors]


def test_lineage_both_ways_with_uptake(tmp_path, minimal_text):
    cases = _cases(tmp_path, minimal_text, {
        "first-case": "redirect_from:\n  - first-old\n",
        "second-case": _links(("first-old", "adopted", "The huddle, as it was.")),
        "third-case": _links(("first-case", "inspired")),
    }, published={"second-case": "2022-01-01", "third-case": "2023-01-01"})
    cases[2].organisations = ("Another Trust",)
    atlas = Atlas(cases, SCHEMA.vocabularies, relate=False)
    lineage = atlas.lineage
    assert [(l.case.slug, l.how, l.note) for l in lineage.builds_on["second-case"]] == [("first-case", "adopted", "The huddle, as it was.")]
    assert [(l.case.slug, l.how) for l in lineage.built_on_by["first-case"]] == [("third-case", "inspired"), ("second-case", "adopted")]
    assert lineage.taken_up_by["first-case"] == ("Another Trust", "Example Hospitals NHS Foundation Trust")
    assert lineage.uptake(atlas.by_slug["first-case"]) == 2
    assert [c.slug for c in lineage.most_taken_up(atlas.cases)] == ["first-case"]


def test_a_link_to_a_case_not_in_the_build_is_left_out(tmp_path, minimal_text):
    cases = _cases(tmp_path, minimal_text, {"first-case": "", "second-case": _links(("first-case", "adopted"))})
    lineage = Lineage.of([c for c in cases if c.slug == "second-case"])
    assert lineage.builds_on == {} and lineage.built_on_by == {}


HOSTILE = '<script>alert(1)</script> & "quotes" \u202e ]]> <!--'


def test_the_lineage_picture_escapes_every_text_and_describes_itself(tmp_path, minimal_text):
    cases = _cases(tmp_path, minimal_text, {"first-case": "", "second-case": _links(("first-case", "adapted"))})
    for case in cases:
        case.title = HOSTILE + case.slug
        case.organisations = (HOSTILE,)
    atlas = Atlas(cases, SCHEMA.vocabularies, relate=False)
    svg = lineage_svg(atlas.by_slug["first-case"], atlas.lineage)
    assert "<script" not in svg and "<!--" not in svg and "]]>" not in svg
    assert "&lt;script&gt;" in svg
    assert re.search(r"<title id=\"[^\"]+\">Lineage of this case study</title>", svg)
    assert "<desc" in svg and "is built on by" in svg.lower()
    assert lineage_svg(cases[0], Lineage()) == ""  # no links either way: no picture


def test_the_picture_is_valid_xml(tmp_path, minimal_text):
    from xml.etree import ElementTree

    cases = _cases(tmp_path, minimal_text, {
        "first-case": "", "second-case": _links(("first-case", "adapted")), "third-case": _links(("second-case", "adopted")),
    })
    for case in cases:
        case.title = HOSTILE + "\ufffe" + case.slug
    atlas = Atlas(cases, SCHEMA.vocabularies, relate=False)
    root = ElementTree.fromstring(lineage_svg(atlas.by_slug["second-case"], atlas.lineage))
    assert root.tag.endswith("svg") and root.get("role") == "img"
