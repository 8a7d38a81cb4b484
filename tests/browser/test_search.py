"""The search box in Material's header finds a case study by words of its body text.

Whatever backs the box (Material's own index or the atlas's Pagefind search), it keeps Material's
markup: ``.md-search__input`` and ``.md-search-result__item`` results with the page title in an h1.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

REPO_CASES = Path(__file__).resolve().parents[2] / "cases"
CASE_SLUG = "learning-lessons-framework-north-staffordshire"
# Words of the case's how_to_change, found in no other case and not in its title or summary.
PHRASE = "MaPSaF inpatient"


def _front_matter(path):
    text = path.read_text(encoding="utf-8")
    _, front, _ = text.split("---\n", 2)
    return yaml.safe_load(front)


def test_search_finds_a_case_by_its_body_text(page, cases_data):
    case = _front_matter(REPO_CASES / f"{CASE_SLUG}.md")
    for word in PHRASE.split():
        assert word in case["how_to_change"], f"{word!r} is no longer in the case's how_to_change"
        assert word.lower() not in (case["title"] + case["summary"]).lower(), "the phrase must be body text"
    others = [p for p in REPO_CASES.glob("*.md") if p.stem != CASE_SLUG]
    assert not [p.name for p in others if PHRASE.split()[0].lower() in p.read_text(encoding="utf-8").lower()]
    title = next(c["title"] for c in cases_data if c["slug"] == CASE_SLUG)
    assert title == case["title"]

    page.goto("")
    search = page.locator(".md-search__input")
    search.click()
    expect(search).to_be_focused()
    search.press_sequentially(PHRASE, delay=20)

    results = page.locator(".md-search-result__item")
    expect(results.first).to_be_visible()
    titles = [t.strip() for t in page.locator(".md-search-result__item h1").all_inner_texts()]
    assert title in titles, f"{title!r} not among the search results: {titles}"

    # The result leads to the case page.
    link = page.locator(".md-search-result__item > a.md-search-result__link").filter(
        has=page.locator("h1", has_text=title)
    ).first
    link.click()
    page.wait_for_url(f"**/cases/{CASE_SLUG}/**")
    expect(page.locator("article h1")).to_have_text(title)


def test_search_results_narrow_by_region_filter(page, cases_data):
    """A word several cases share, then the region filter: only that region's cases remain."""
    word = "learning"
    matching_regions = {c["region"] for c in cases_data}
    assert len(matching_regions) > 1
    page.goto("")
    search = page.locator("#atlas-search-input")
    search.click()
    search.press_sequentially(word, delay=20)
    status = page.locator("#atlas-search-status")
    expect(status).to_have_text(re.compile(r"^\d+ case stud"))
    before = int(status.inner_text().split()[0])
    region = page.locator("#atlas-search-region")
    expect(region.locator("option")).not_to_have_count(1)
    label = next(o for o in region.locator("option").all_inner_texts() if o.startswith("Midlands"))
    region.select_option(label=label)
    midlands = [c for c in cases_data if c["region"] == "midlands"]
    expect(status).to_have_text(f"{len(midlands)} case stud" + ("y" if len(midlands) == 1 else "ies"))
    titles = {t.strip() for t in page.locator(".md-search-result__item h1").all_inner_texts()}
    assert titles == {c["title"] for c in midlands}
    assert before > len(midlands)
