"""NHS numbers, phone numbers and email addresses are found as a reader sees them, with no false alarms."""

from __future__ import annotations

import random

import pytest
from conftest import CASES, MINIMAL_CASE, SCHEMAS
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from learning_atlas.contract.checker import check_paths
from learning_atlas.contract.domain_checks import _DATE_IN as DATE_IN
from learning_atlas.contract.reader_text import reader_text
from learning_atlas.contract.schema import load_case_schema
from synthetic import generate

VALID = MINIMAL_CASE.read_text(encoding="utf-8")
ANCHOR = "  each week, and then spread"  # a line of how_to_change in the minimal case (line 22)
ANCHOR_LINE = next(n for n, line in enumerate(VALID.splitlines(), 1) if line.startswith(ANCHOR))


def _nhs_number(seed: int) -> str:
    rng = random.Random(seed)
    while True:
        digits = "".join(str(rng.randint(0, 9)) for _ in range(9))
        total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1)))
        check = (11 - total % 11) % 11
        if check != 10:
            return digits + str(check)


GROUPINGS = [(10,), (3, 3, 4), (3, 4, 3), (4, 3, 3), (2, 4, 4), (5, 5), (2, 2, 2, 2, 2), (4, 4, 2), (3, 3, 2, 2)]
SEPARATORS = [" ", "-", ".", "\u00a0", "\u2009", "\u202f", "\u2007", "\u2011", "\u2013", " - ", "&nbsp;", "&#32;",
              "&thinsp;", "\n  "]
"""Between groups as people paste them: spaces of every kind, dots, dashes, entities, a line wrap in a block."""


def _disguise(number: str, grouping, separators, fullwidth: bool, emphasis: int | None, entity: int | None) -> str:
    groups, at = [], 0
    for size in grouping:
        groups.append(number[at:at + size])
        at += size
    if fullwidth:
        groups = ["".join(chr(0xFF10 + int(d)) for d in g) for g in groups]
    if entity is not None:  # one digit written as a character reference
        index = entity % len(groups)
        groups[index] = f"&#{ord(groups[index][0])};" + groups[index][1:]
    if emphasis is not None:  # one group in bold
        index = emphasis % len(groups)
        groups[index] = f"**{groups[index]}**"
    text = groups[0]
    for index, group in enumerate(groups[1:]):
        text += separators[index % len(separators)] + group
    return text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 10**6),
    grouping=st.sampled_from(GROUPINGS),
    separators=st.lists(st.sampled_from(SEPARATORS), min_size=1, max_size=3),
    fullwidth=st.booleans(),
    emphasis=st.one_of(st.none(), st.integers(0, 9)),
    entity=st.one_of(st.none(), st.integers(0, 9)),
    before=st.sampled_from(["patient ", "NHS no. ", "(", "", "number: "]),
    after=st.sampled_from([" was seen", ".", ")", "", " on 15 March 2021"]),
)
def test_a_disguised_nhs_number_is_found_on_its_line(tmp_path_factory, seed, grouping, separators, fullwidth, emphasis,
                                                     entity, before, after):
    if "." in separators and set(separators) != {"."}:
        assume(min(grouping) > 2)  # "66.04 87.64 70" reads as decimals, and is not reported
    number = _nhs_number(seed)
    shown = _disguise(number, grouping, separators, fullwidth, emphasis, entity)
    # A stretch that reads as a date (20-09-45-99-54 holds 20-09-45) is taken for one: a known blind spot.
    assume(not DATE_IN.search(reader_text(shown, markdown=True)))
    folder = tmp_path_factory.mktemp("nhs")
    path = folder / "nhs-case.md"
    path.write_text(VALID.replace(ANCHOR, f"  each week {before}{shown}{after}, and then spread"), encoding="utf-8")
    result = check_paths([path], load_case_schema(SCHEMAS))
    found = [p for p in result.problems if p.rule == "privacy.nhs-number"]
    assert len(found) == 1, (shown, [p.gnu() for p in result.problems])
    assert found[0].key == "how_to_change"
    wrapped = "\n" in shown
    assert found[0].line in ((ANCHOR_LINE, ANCHOR_LINE + 1) if wrapped else (ANCHOR_LINE,)), found[0].gnu()
    assert "\n" not in found[0].gnu()


@pytest.mark.parametrize("field, where", [
    ("title", 'title: "Huddles for patient {}"'),
    ("body", "\n\nPatient {} took part.\n"),
    ("summary", "summary: An example ward team held a ten-minute safety huddle; patient {} took part in it."),
])
def test_nhs_numbers_are_found_in_every_kind_of_field(tmp_path, field, where):
    shown = "９４３\u00a0４７６\u00a0５９１９"
    text = VALID
    if field == "body":
        text = VALID + where.format(shown)
    else:
        key = where.split(":")[0]
        line = next(line for line in VALID.splitlines() if line.startswith(f"{key}:"))
        text = VALID.replace(line, where.format(shown))
    path = tmp_path / "nhs-case.md"
    path.write_text(text, encoding="utf-8")
    rules = [p.rule for p in check_paths([path], load_case_schema(SCHEMAS)).problems]
    assert "privacy.nhs-number" in rules


@pytest.mark.parametrize("shown, rule", [
    ("j.bloggs&#64;nhs.net", "privacy.email"),
    ("j.bloggs＠nhs.net", "privacy.email"),
    ("j.bloggs&commat;nhs.net", "privacy.email"),
    ("**j.bloggs**@nhs.net", "privacy.email"),
    ("０１６１\u00a0４９６\u00a0０１２３", "privacy.phone"),
    ("0161&nbsp;496&nbsp;0123", "privacy.phone"),
    ("0161.496.0123", "privacy.phone"),
    ("+44\u2009161\u2009496\u20090123", "privacy.phone"),
    ("07700&#32;900123", "privacy.phone"),
])
def test_disguised_contact_details_are_found(tmp_path, shown, rule):
    path = tmp_path / "contact-case.md"
    path.write_text(VALID.replace(ANCHOR, f"  each week, call {shown}, and then spread"), encoding="utf-8")
    found = [p for p in check_paths([path], load_case_schema(SCHEMAS)).problems if p.rule == rule]
    assert len(found) == 1 and found[0].line == ANCHOR_LINE, found


@pytest.mark.parametrize("shown", [
    "```\n  943 476 5919\n  ```",  # code is shown as written, so it is still a number: found
])
def test_numbers_in_code_are_still_numbers(tmp_path, shown):
    path = tmp_path / "code-case.md"
    path.write_text(VALID.replace(ANCHOR, f"  each week\n\n  {shown}\n\n  and then spread"), encoding="utf-8")
    assert "privacy.nhs-number" in [p.rule for p in check_paths([path], load_case_schema(SCHEMAS)).problems]


@pytest.mark.parametrize("text", [
    "9434765918",  # fails the check digit
    "943 476\n\n  5919",  # three paragraphs, not one number
    "9 4 3 4 7 6 5 9 1 9",  # single digits: not how anyone writes a number
    "on 15.03.2021 10.30 and 2021-03-15 10",
    "SNOMED CT 728711697 9 referrals",
])
def test_ordinary_figures_are_not_numbers(tmp_path, text):
    path = tmp_path / "figures-case.md"
    path.write_text(VALID.replace(ANCHOR, f"  each week {text}, and then spread"), encoding="utf-8")
    assert [p for p in check_paths([path], load_case_schema(SCHEMAS)).problems if p.rule.startswith("privacy")] == []


def test_no_false_alarms_on_the_sample_atlas():
    result = check_paths([CASES], load_case_schema(SCHEMAS))
    assert [p.gnu() for p in result.problems if p.rule.startswith("privacy")] == []


def test_no_false_alarms_on_5000_cases_full_of_ordinary_figures(tmp_path):
    """Dates in five forms, times, money, counts, rates, year spans, ODS, ICD-10 and SNOMED codes, ISBNs, tables."""
    generate(tmp_path, 5000, seed=7, figures=True)
    result = check_paths([tmp_path], load_case_schema(SCHEMAS), jobs=2)
    assert len(result.cases) == 5000
    alarms = [p.gnu() for p in result.problems if p.rule.startswith("privacy")]
    assert alarms == [], f"{len(alarms)} false alarms, e.g. {alarms[:5]}"
    digits = sum(ch.isdigit() for path in list(tmp_path.glob("*.md"))[:50] for ch in path.read_text())
    assert digits > 50 * 100, "the generated cases hold figures"


def test_contact_and_links_may_hold_contact_details():
    result = check_paths([MINIMAL_CASE], load_case_schema(SCHEMAS))
    assert "email:" in VALID and [p.gnu() for p in result.problems] == []
