"""Case pages, listings and term indexes as a reader sees them: laid out at a desktop's, a phone's and a
320-pixel width in both colour schemes, loading with no error and no failed request."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CASE = "cases/learning-lessons-framework-north-staffordshire/"
PAGES = {"case": CASE, "case-with-link": "cases/north-central-london-elective-recovery-learning/",
         "term": "themes/learning-from-incidents/", "listing": "years/2020/", "index": "themes/",
         "organisations": "organisations/"}
SCHEMES = {"light": "default", "dark": "slate"}
WIDE, PHONE, NARROW = {"width": 1280, "height": 800}, {"width": 390, "height": 844}, {"width": 320, "height": 640}
LOCAL = re.compile(r"^http://127\.0\.0\.1[:/]")


def _box(locator) -> dict:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not shown"
    return box


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
@pytest.mark.parametrize("name", list(PAGES))
def test_pages_load_cleanly_and_never_scroll_sideways_at_320_pixels(new_context, name, scheme):
    page = new_context(viewport=NARROW, color_scheme=scheme).new_page()
    problems = []
    # Requests to other hosts are aborted by the tests (the header's GitHub facts): only the site's own count.
    page.on("console", lambda m: m.type == "error" and LOCAL.match(m.location.get("url") or "")
            and problems.append(f"console: {m.text} ({m.location.get('url')})"))
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("requestfailed", lambda r: LOCAL.match(r.url) and problems.append(f"failed: {r.url}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status}: {r.url}"))
    page.goto(PAGES[name])
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", SCHEMES[scheme])
    page.wait_for_load_state("networkidle")
    assert problems == [], problems
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1] == 320, f"{name} is {widths[0]} pixels wide at 320"


def test_key_facts_sit_between_the_title_and_the_first_section(new_context):
    page = new_context(viewport=WIDE).new_page()
    page.goto(CASE)
    title, facts, first = (_box(page.locator(s)) for s in ("h1", ".atlas-facts", "#leading-change"))
    assert title["y"] + title["height"] <= facts["y"] < first["y"]
    expect(page.locator(".atlas-facts dt")).to_have_text(
        ["Organisation", "Region", "Care settings", "Themes", "Commitments", "Published", "Led by", "Contact"])
    # A wide key facts box is two columns: each key beside its value.
    key, value = _box(page.locator(".atlas-facts dt").first), _box(page.locator(".atlas-facts dd").first)
    assert key["x"] + key["width"] <= value["x"] and abs(key["y"] - value["y"]) < 4


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["wide", "phone"])
def test_figures_stand_beside_their_part_and_under_it_on_a_phone(new_context, viewport):
    page = new_context(viewport=viewport).new_page()
    page.goto(CASE)
    parts = page.locator(".atlas-value--with-figures:has(.atlas-value__text)")
    assert parts.count() == 2
    for i in range(parts.count()):
        text, figures = _box(parts.nth(i).locator(".atlas-value__text")), _box(parts.nth(i).locator(".atlas-figures"))
        if viewport is WIDE:
            assert text["x"] + text["width"] <= figures["x"], "the figures are beside the text, to its right"
            assert figures["y"] < text["y"] + text["height"], "and level with it"
        else:
            assert figures["y"] >= text["y"] + text["height"], "on a phone the figures come after the text"


def test_the_title_has_its_width_to_itself_on_a_phone(new_context):
    page = new_context(viewport=PHONE).new_page()
    page.goto(CASE)
    title = _box(page.locator("article h1"))
    crowding = page.evaluate("""(title) => [...document.querySelectorAll('article a, article button')]
        .map(el => [el, el.getBoundingClientRect()])
        .filter(([el, r]) => r.width && r.height && r.top < title.y + title.height && r.bottom > title.y)
        .map(([el]) => el.outerHTML.slice(0, 80))""", title)
    assert crowding == []
    assert title["width"] >= 390 - 2 * 24
    edit = page.locator("article a[rel=edit]")
    expect(edit).to_have_text("Edit this case study")
    assert _box(edit)["y"] > _box(page.locator("#related-case-studies"))["y"]


def test_contact_the_team_is_an_action_at_find_out_more(new_context):
    page = new_context(viewport=PHONE).new_page()
    page.goto(CASE)
    action = page.get_by_role("link", name="Contact the team")
    expect(action).to_have_count(1)
    expect(action).to_be_visible()
    expect(action).to_have_attribute("href", re.compile(r"^mailto:learning-lessons@example\.org\?subject=Case%20study%3A%20"))
    assert _box(action)["y"] > _box(page.locator("#find-out-more"))["y"]
    assert _box(action)["height"] >= 24


@pytest.mark.parametrize("name", ["term", "listing", "index", "organisations"])
def test_listings_show_no_table_of_contents(new_context, name):
    page = new_context(viewport=WIDE).new_page()
    page.goto(PAGES[name])
    expect(page.locator(".md-sidebar--secondary")).to_be_hidden()
    expect(page.locator("article h1")).to_be_visible()


def test_a_case_keeps_its_table_of_contents(new_context):
    page = new_context(viewport=WIDE).new_page()
    page.goto(CASE)
    toc = page.locator(".md-sidebar--secondary .md-nav__link")
    expect(toc.first).to_be_visible()
    assert toc.count() >= 6
    expect(page.locator(".md-sidebar--secondary")).to_contain_text("The six elements of the framework")


def test_related_case_studies_are_compact_cards_side_by_side_on_a_wide_screen(new_context):
    page = new_context(viewport=WIDE).new_page()
    page.goto(CASE)
    cards = page.locator(".atlas-related li.atlas-card--compact")
    assert cards.count() >= 2
    first, second = _box(cards.nth(0)), _box(cards.nth(1))
    assert abs(first["y"] - second["y"]) < 2 and first["x"] + first["width"] < second["x"]
    assert first["height"] < 240, "a compact card: title, organisations and dates"
