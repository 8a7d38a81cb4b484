"""A case page's article: the order docs/case-format.md promises, figures beside their part of Adding value,
the free body under its own headings, the contact action; and the compact cards of related case studies."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, SCHEMAS
from hypothesis import given, settings
from hypothesis import strategies as st
from learning_atlas.contract.case import Case, Link, Measure
from learning_atlas.contract.schema import load_case_schema
from learning_atlas.site.model import Atlas
from learning_atlas.site.rendering import RESERVED_ANCHORS, CardRenderer, mailto, render_case_article

VOCABULARIES = load_case_schema(SCHEMAS).vocabularies


def _case(**changes) -> Case:
    case = Case(
        slug="a-case", source=ROOT / "cases" / "a-case.md", title="Daily huddles & a ward's <safety>",
        summary="A summary of the case that is long enough to be one.", organisations=("One NHS Trust",),
        region="london", settings=("acute",), themes=("patient-safety",), commitments=(4,),
        published=dt.date(2021, 3, 15), updated=None, review_by=None, status="published",
        lead_role="Ward Sister", lead_name=None,
        sections={
            "leading_change": "The ward sister led daily huddles on the ward for a year.",
            "what_to_change": "What changed, at length enough for the contract.",
            "how_to_change": "How it changed: the six steps (listed below).",
            "adding_value": {"better_outcomes": "Fewer falls with harm.", "better_use_of_resources": "Fewer bed days."},
            "challenges": "Keeping the huddle short.",
        },
        measures=(
            Measure(label="Falls with harm a month", value=0.3, dimension="outcomes", baseline=1.1, unit="falls"),
            Measure(label="Staff who felt heard", value=86, dimension="experience", unit="%"),
            Measure(label="Bed days saved", value=120, dimension="resources", period="2019 to 2020"),
        ),
        contact={"name": "Ward 7 team", "role": "Ward team", "organisation": "One NHS Trust",
                 "email": "ward7+huddles@example.org"},
        links=(Link(title="The trust's report", url="https://example.org/report"),),
        redirect_from=(), body="## The six steps\n\n| Step | What |\n|---|---|\n| 1 | Meet |\n\n### Detail\n\nMore.",
    )
    return dataclasses.replace(case, **changes)


def _article(case: Case) -> tuple[BeautifulSoup, list[dict]]:
    html, toc = render_case_article(case)
    return BeautifulSoup(html, "html.parser"), toc


def test_the_order_is_sections_then_the_free_body_then_find_out_more():
    soup, toc = _article(_case())
    headings = [(h.name, h.get_text()) for h in soup.find_all(["h2", "h3"])]
    assert [text for name, text in headings if name == "h2"] == [
        "Leading change", "What to change", "How to change", "Adding value",
        "Challenges and lessons learnt for implementation", "The six steps", "Find out more",
    ]
    assert [entry["name"] for entry in toc] == [text for name, text in headings if name == "h2"]
    assert [entry["id"] for entry in toc] == [h["id"] for h in soup.find_all("h2")]
    assert soup.find("h3", string="Detail").find_previous("h2").get_text() == "The six steps"


def test_each_figure_is_beside_its_part_and_a_part_may_hold_figures_alone():
    soup, _ = _article(_case())
    parts = soup.select("section.atlas-value")
    assert [p.select_one("h3").get_text() for p in parts] == ["Better outcomes", "Better experience",
                                                               "Better use of resources"]
    outcomes, experience, resources = parts
    assert outcomes.select_one(".atlas-value__text").get_text(strip=True) == "Fewer falls with harm."
    assert outcomes.select_one(".atlas-figure dt").get_text() == "Falls with harm a month"
    assert outcomes.select_one(".atlas-figure__detail").get_text() == "from a baseline of 1.1 falls"
    assert experience.select_one(".atlas-value__text") is None  # no text for this part, only its figure
    assert experience.select_one(".atlas-figure__number").get_text() == "86 %"
    assert "2019 to 2020" in resources.select_one(".atlas-figure").get_text()
    assert all("atlas-value--with-figures" in p["class"] for p in parts)
    assert soup.select_one(".atlas-impact") is None


def test_a_part_without_figures_is_text_alone():
    soup, _ = _article(_case(measures=()))
    parts = soup.select("section.atlas-value")
    assert len(parts) == 2 and not soup.select(".atlas-figures")
    assert not any("atlas-value--with-figures" in p["class"] for p in parts)


def test_a_body_without_a_heading_of_its_own_is_more_detail():
    soup, toc = _article(_case(body="A table:\n\n| a |\n|---|\n| 1 |\n"))
    heading = soup.select_one(".atlas-body h2")
    assert (heading["id"], heading.get_text()) == ("more-detail", "More detail")
    assert toc[-2] == {"level": 2, "id": "more-detail", "name": "More detail", "children": []}
    assert heading.find_next_sibling("p").get_text() == "A table:"


def test_no_body_no_body_heading():
    soup, toc = _article(_case(body=""))
    assert soup.select_one(".atlas-body") is None
    assert [entry["id"] for entry in toc][-2:] == ["challenges", "find-out-more"]


@pytest.mark.parametrize("text,expected", [
    ("Find out more", "find-out-more-2"),
    ("Leading change", "leading-change-2"),
    ("Atlas search input", "section-atlas-search-input"),
    ("MD sidebar", "section-md-sidebar"),
    ("Key facts", "key-facts-2"),
    ("Café & Crème: <b>bold</b>", "cafe-creme-bold"),
    ("!!!", "section"),
    ("*", "section"),
])
def test_a_body_heading_never_takes_an_id_the_page_uses(text, expected):
    soup, toc = _article(_case(body=f"## {text}\n\nText.\n\n## {text}\n\nMore."))
    ids = [h["id"] for h in soup.select(".atlas-body h2")]
    assert ids[0] == expected and ids[1] != ids[0]
    assert not set(ids) & RESERVED_ANCHORS
    all_ids = [element["id"] for element in soup.find_all(id=True)]
    assert len(all_ids) == len(set(all_ids))
    assert [entry["id"] for entry in toc if entry["id"] in ids] == ids


def test_a_body_heading_is_text_in_the_table_of_contents():
    _, toc = _article(_case(body='## Steps <img src=x onerror="alert(1)"> &amp; <b>more</b>\n\nText.'))
    (entry,) = [e for e in toc if e["id"].startswith("steps")]
    assert "<" not in entry["name"] and entry["name"] == "Steps  &amp; more"


def test_contact_the_team_writes_an_email_naming_the_case():
    case = _case()
    soup, _ = _article(case)
    contact = soup.select_one("h2#find-out-more ~ .atlas-contact")
    action = contact.select_one("a.atlas-action-link")
    assert action.get_text() == "Contact the team"
    address = urlsplit(action["href"])
    assert address.scheme == "mailto" and unquote(address.path) == "ward7+huddles@example.org"
    assert parse_qs(address.query) == {"subject": [f"Case study: {case.title}"]}
    assert [s.get_text() for s in contact.select(".atlas-contact__who span")] == ["Ward 7 team", "Ward team",
                                                                                   "One NHS Trust"]
    assert contact.select_one(".atlas-contact__email a").get_text() == "ward7+huddles@example.org"
    assert soup.select_one(".atlas-links a")["href"] == "https://example.org/report"


@pytest.mark.parametrize("address,expected", [
    ("team@example.org", "mailto:team@example.org"),
    ("a?b&c=d#e@example.org", "mailto:a%3Fb%26c%3Dd%23e@example.org"),
    ("o'neil+x@example.org", "mailto:o'neil+x@example.org"),
    ("ü@example.org", "mailto:%C3%BC@example.org"),
])
def test_mailto_encodes_what_an_address_cannot_hold_as_it_is(address, expected):
    assert mailto(address) == expected
    assert mailto(address, "A & B? #1") == expected + "?subject=A%20%26%20B%3F%20%231"


def test_compact_cards_name_the_case_its_organisations_and_dates():
    many = _case(slug="many-orgs", organisations=("First NHS Trust", "Second", "Third <org>"),
                 updated=dt.date(2022, 1, 5))
    atlas = Atlas([_case(), many], VOCABULARIES)
    soup = BeautifulSoup(CardRenderer(atlas).compact_cards([many, _case()], "../.."), "html.parser")
    cards = soup.select("ul.atlas-cards--compact > li.atlas-card--compact")
    assert [c.select_one(".atlas-card__title a")["href"] for c in cards] == ["../../cases/many-orgs/", "../../cases/a-case/"]
    assert cards[0].select_one(".atlas-card__title").get_text() == many.title
    assert cards[0].select_one(".atlas-card__organisations").get_text() == "First NHS Trust and 2 other organisations"
    assert [t["datetime"] for t in cards[0].select("time")] == ["2021-03-15", "2022-01-05"]
    assert "updated" in cards[0].select_one(".atlas-card__dates").get_text()
    assert cards[1].select_one(".atlas-card__organisations").get_text() == "One NHS Trust"
    assert not soup.select(".atlas-card__summary, .atlas-card__facets")
    full = BeautifulSoup(CardRenderer(atlas).cards([many], ".."), "html.parser")
    assert full.select_one(".atlas-card__organisations").get_text() == "First NHS Trust; Second; Third <org>"
    assert full.select_one(".atlas-card__summary") and full.select_one(".atlas-card__facets a")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=30), min_size=1, max_size=6))
def test_any_body_headings_get_distinct_plain_ids(titles):
    body = "\n\n".join(f"## {' '.join(title.split()) or 'x'}\n\nText." for title in titles)
    soup, toc = _article(_case(body=body))
    ids = [element["id"] for element in soup.find_all(id=True)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", i) for i in ids), ids
    assert [entry["id"] for entry in toc] == [h["id"] for h in soup.find_all("h2")]
