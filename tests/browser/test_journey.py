"""A reader's way through the atlas: home, the themes, a theme, a case study, a related case study."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

THEME_SLUG = "learning-from-incidents"
THEME_LABEL = "Learning from incidents"
CASE_SECTIONS = ["Leading change", "What to change", "How to change", "Adding value", "Find out more"]


def _path(page) -> str:
    """The page's path on the test server, from the leading slash."""
    return "/" + page.url.split("/", 3)[3].split("#")[0].split("?")[0]


def test_home_to_theme_to_case_to_related_case(page, cases_data):
    page.goto("")
    expect(page.locator("h1").first).to_have_text("Shared Learning Atlas")

    # "Find case studies": the themes card leads to every theme; follow the theme's link there.
    themes_card = page.locator("li.atlas-way:has(#by-themes)")
    themes_card.get_by_role("link", name=re.compile(r"^All \d+ themes$")).click()
    page.wait_for_url("**/themes/")
    theme_link = page.locator("article").get_by_role("link", name=THEME_LABEL, exact=True)
    expect(theme_link).to_have_count(1)
    theme_link.click()
    page.wait_for_url(f"**/themes/{THEME_SLUG}/")
    expect(page.locator("article h1")).to_have_text(THEME_LABEL)

    # The theme page lists exactly the (current) cases that carry the theme.
    expected_titles = sorted(
        c["title"] for c in cases_data if THEME_SLUG in c["themes"] and c["status"] != "archived"
    )
    assert expected_titles, f"no sample case has the theme {THEME_SLUG}: the journey needs one"
    listed = page.locator("article ul.atlas-cards > li .atlas-card__title a")
    assert sorted(listed.all_inner_texts()) == expected_titles

    # Open the first case listed.
    first = listed.first
    case_title = first.inner_text().strip()
    first_href = first.evaluate("a => a.href")
    assert "/cases/" in first_href
    first.click()
    page.wait_for_url(first_href)
    case_path = _path(page)
    expect(page.locator("article h1")).to_have_count(1)
    expect(page.locator("article h1")).to_have_text(case_title)
    assert page.title().startswith(case_title)

    # The case's sections come in the order of the case format.
    headings = [h.strip() for h in page.locator("article h2").all_inner_texts()]
    positions = []
    for section in CASE_SECTIONS:
        assert section in headings, f"case page {case_path} has no section {section!r}; headings: {headings}"
        positions.append(headings.index(section))
    assert positions == sorted(positions), f"sections out of order on {case_path}: {headings}"

    # Follow a related case study: another case page, with its own title.
    related = page.locator("section.atlas-related .atlas-card__title a")
    assert related.count() >= 1, f"{case_path} shows no related case study"
    related_title = related.first.inner_text().strip()
    related_href = related.first.evaluate("a => a.href")
    assert "/cases/" in related_href
    related.first.click()
    page.wait_for_url(related_href)
    assert _path(page) != case_path
    expect(page.locator("article h1")).to_have_text(related_title)
    assert related_title != case_title
