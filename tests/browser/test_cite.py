""""Cite this case" as a reader uses it: the reference with today's date, each format copied by its button
(by mouse and by keyboard), downloaded as a file, readable without JavaScript, and clean to axe-core in
either colour scheme."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from site_server import serve_site

pytestmark = pytest.mark.browser

SLUG = "learning-lessons-framework-north-staffordshire"
CASE = f"cases/{SLUG}/"
SCHEMES = {"light": "default", "dark": "slate"}
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}
FORMATS = {"bibtex": ("BibTeX", ".bib"), "ris": ("RIS", ".ris"), "csl": ("CSL-JSON", ".csl.json")}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _file(built_site, ending: str) -> str:
    return (built_site / "cases" / f"{SLUG}{ending}").read_text(encoding="utf-8")


@pytest.fixture
def clipboard_page(new_context, base_url):
    context = new_context(viewport={"width": 1280, "height": 800})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=_origin(base_url))
    page = context.new_page()
    page.goto(CASE)
    return page


def test_the_reference_gets_today_s_date_and_copies(clipboard_page):
    page = clipboard_page
    section = page.locator("section.atlas-cite")
    today = page.evaluate("new Date().toLocaleDateString('en-GB', {day: 'numeric', month: 'long', year: 'numeric'})")
    reference = section.locator("#atlas-cite-reference")
    expect(reference).to_contain_text(f"(Accessed: {today}).")
    expect(reference.locator("i").first).to_contain_text("Learning Lessons")
    section.get_by_role("button", name="Copy reference").click()
    expect(section.get_by_role("status")).to_have_text("Reference copied")
    assert page.evaluate("navigator.clipboard.readText()") == reference.text_content()


@pytest.mark.parametrize("key", list(FORMATS))
def test_each_format_opens_and_copies_from_the_keyboard(clipboard_page, built_site, key):
    page = clipboard_page
    label, ending = FORMATS[key]
    section = page.locator("section.atlas-cite")
    summary = section.locator("summary", has_text=label).first
    summary.focus()
    page.keyboard.press("Enter")
    code = section.locator(f"#atlas-cite-{key}")
    expect(code).to_be_visible()
    button = section.get_by_role("button", name=f"Copy {label}")
    page.keyboard.press("Tab")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(section.get_by_role("status")).to_have_text(f"{label} copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == _file(built_site, ending).replace("\r\n", "\n")


@pytest.mark.parametrize("key", list(FORMATS))
def test_each_format_downloads_as_a_file_named_for_the_case(page, built_site, key):
    label, ending = FORMATS[key]
    page.goto(CASE)
    with page.expect_download() as download:
        page.locator(f'section.atlas-cite a[download="{SLUG}{ending}"]').click()
    assert download.value.suggested_filename == f"{SLUG}{ending}"
    assert download.value.path().read_text(encoding="utf-8") == _file(built_site, ending)


def test_without_javascript_every_format_is_text_and_no_button_shows(new_context, built_site):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(CASE)
    section = page.locator("section.atlas-cite")
    expect(section.locator("button")).to_have_count(4)
    for button in section.locator("button").all():
        expect(button).to_be_hidden()
    expect(section.locator("#atlas-cite-reference")).to_contain_text("(Accessed: the date you read it).")
    for key, (label, ending) in FORMATS.items():
        section.locator("summary", has_text=label).first.click()
        code = section.locator(f"#atlas-cite-{key}")
        expect(code).to_be_visible()
        assert code.text_content() == _file(built_site, ending).replace("\r\n", "\n")


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_axe_finds_no_violation_with_every_format_open_and_copied(new_context, base_url, axe_source, scheme):
    context = new_context(color_scheme=scheme, viewport={"width": 390, "height": 844})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=_origin(base_url))
    page = context.new_page()
    page.goto(CASE)
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", SCHEMES[scheme])
    section = page.locator("section.atlas-cite")
    for summary in section.locator("summary").all():
        summary.click()
    section.get_by_role("button", name="Copy BibTeX").click()
    expect(section.get_by_role("status")).to_have_text("BibTeX copied")
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], "the open formats make the page scroll sideways"
    page.add_script_tag(content=axe_source)
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]] == []
    assert len(result["passes"]) > 10



def test_a_citation_made_before_a_rename_leads_to_the_case_which_now_cites_its_new_address(browser, renamed_site):
    """The renamed atlas (site_url https://atlas.example.org/): an old citation holds cases/old-name/."""
    with serve_site(renamed_site) as url:
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(f"{url}cases/old-name/")
            page.wait_for_url(f"{url}cases/new-name/")
            new_address = "https://atlas.example.org/cases/new-name/"
            expect(page.locator("#atlas-cite-reference")).to_contain_text(f"Available at: {new_address} (Accessed: ")
            assert page.locator('meta[name="citation_public_url"]').get_attribute("content") == new_address
            assert json.loads(page.locator('script[type="application/ld+json"]').text_content())["url"] == new_address
        finally:
            context.close()
