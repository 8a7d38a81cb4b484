"""Learning that spreads, as a reader meets it: from a case to the case that built on it and back,
through a learning collection; the lineage picture without JavaScript; Explore's "Taken up by
others"; and a collection printed as a reading list."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

VACCINE = "london-covid-19-vaccine-learning-health-system"
VACCINE_TITLE = re.compile(r"^Learning as we go")
HABITS = "learning-health-system-habits-london"
HABITS_TITLE = re.compile(r"^Five habits of a learning health system")
COLLECTION = "harm-free-care-learning-sessions"
FIRST = "harm-free-care-collaborative-learning-session-1"
SECOND = "harm-free-care-collaborative-learning-sessions-2-and-3"


def _errors(page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda message: found.append(message.text) if message.type == "error" else None)
    # A request the walk's own next click cancels (the favicon of the page being left, net::ERR_ABORTED)
    # is not a failure of the site; any other failed request from the site is.
    page.on("requestfailed", lambda request: found.append(f"failed: {request.url} ({request.failure})")
            if request.url.startswith("http://127.0.0.1") and request.failure != "net::ERR_ABORTED" else None)
    return found


def test_from_a_case_to_the_case_that_built_on_it_and_back_through_a_collection(page):
    errors = _errors(page)
    page.goto(f"cases/{VACCINE}/")
    spread = page.locator("section.atlas-lineage")
    expect(spread.get_by_role("heading", name="How this learning spread")).to_be_visible()
    expect(spread.locator(".atlas-lineage__uptake")).to_contain_text("Taken up by 1 organisation (UCLPartners)")

    # "Built on by" leads to the case that took the change up ...
    built_on_by = spread.locator("h3#built-on-by + ul")
    built_on_by.get_by_role("link", name=HABITS_TITLE).click()
    page.wait_for_url(f"**/cases/{HABITS}/")
    expect(page.locator("h1")).to_have_text(HABITS_TITLE)
    builds_on = page.locator("section.atlas-lineage h3#builds-on + ul")
    expect(builds_on.locator("li")).to_have_count(2)
    expect(builds_on.locator("li").first).to_contain_text("Inspired by")

    # ... and its "Builds on" leads back.
    builds_on.get_by_role("link", name=VACCINE_TITLE).click()
    page.wait_for_url(f"**/cases/{VACCINE}/")
    expect(page.locator("h1")).to_have_text(VACCINE_TITLE)

    # Through a collection: a case names the collections it is in; the collection lists its cases in
    # reading order, each with why to read it; the next case names the collection too.
    page.goto(f"cases/{FIRST}/")
    page.locator("section.atlas-in-collections").get_by_role("link").click()
    page.wait_for_url(f"**/collections/{COLLECTION}/")
    items = page.locator("ol.atlas-reading-list > li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("Why read it:")
    items.nth(1).get_by_role("link").click()
    page.wait_for_url(f"**/cases/{SECOND}/")
    page.locator("section.atlas-in-collections").get_by_role("link").click()
    page.wait_for_url(f"**/collections/{COLLECTION}/")
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Learning collections").click()
    page.wait_for_url("**/collections/")
    expect(page.locator("h1")).to_have_text("Learning collections")
    assert errors == []


def test_the_lineage_picture_and_its_list_need_no_javascript(new_context):
    page = new_context(java_script_enabled=False, viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"cases/{HABITS}/")
    picture = page.locator("svg.atlas-lineage__picture")
    expect(picture).to_be_visible()
    expect(picture).to_have_attribute("role", "img")
    box = picture.bounding_box()
    assert box is not None and box["width"] <= 390
    expect(page.locator("section.atlas-lineage h3#builds-on + ul li")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The print button needs script: without it, it stays hidden.
    page.goto(f"collections/{COLLECTION}/")
    expect(page.get_by_role("button", name="Print this reading list")).to_be_hidden()


def test_new_pages_do_not_scroll_sideways_at_320_pixels(new_context):
    page = new_context(viewport={"width": 320, "height": 700}).new_page()
    for path in (f"cases/{HABITS}/", f"cases/{VACCINE}/", f"collections/{COLLECTION}/", "collections/", "most-taken-up/"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path


def test_explore_filters_the_cases_taken_up_by_others(page, cases_data):
    errors = _errors(page)
    page.goto("explore/")
    expect(page.locator("#atlas-x")).to_have_attribute("data-state", "ready")
    option = page.get_by_label(re.compile(r"^Taken up by others"))
    taken_up = sorted(c["title"] for c in cases_data if c["built_on_by"] and c["status"] != "archived")
    assert len(taken_up) == 3
    expect(option.locator("xpath=..")).to_contain_text(f"({len(taken_up)})")
    option.check()
    page.wait_for_url(re.compile(r"explore/\?uptake=taken-up$"))
    expect(page.locator("#atlas-result-count")).to_have_text(f"{len(taken_up)} case studies")
    titles = sorted(page.locator("#atlas-results .atlas-x__title").all_inner_texts())
    assert titles == taken_up
    expect(page.locator("#atlas-chips")).to_contain_text("Taken up by others")
    # The address keeps the choice: reloading it shows the same view.
    page.reload()
    expect(page.locator("#atlas-x")).to_have_attribute("data-state", "ready")
    expect(page.get_by_label(re.compile(r"^Taken up by others"))).to_be_checked()
    assert errors == []


def test_a_printed_collection_is_a_reading_list(page, tmp_path):
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.fail("pdftotext is missing: run tests/browser/install-browser.sh (or apt-get install poppler-utils)")
    page.goto(f"collections/{COLLECTION}/")
    expect(page.get_by_role("button", name="Print this reading list")).to_be_visible()
    pdf = tmp_path / "collection.pdf"
    page.pdf(path=str(pdf), format="A4")
    text = " ".join(subprocess.run([pdftotext, "-enc", "UTF-8", str(pdf), "-"],
                                   capture_output=True, text=True, check=True).stdout.split())
    assert "Harm free care collaborative: the learning sessions" in text
    assert "Why read it:" in text
    # Each case's full address is printed (a long one breaks across lines, at a hyphen pdftotext drops).
    assert re.sub(r"[\s-]", "", f"/cases/{FIRST}/") in re.sub(r"[\s-]", "", text)
    for chrome in ("Search case studies", "Subscribe to this collection", "Print this reading list", "Contact the editors"):
        assert chrome not in text, chrome
