"""A case printed to A4 by Chromium (Playwright's page.pdf, as "Print to PDF" does): the case alone, whole,
on a few pages, the same in either colour scheme. poppler-utils' pdfinfo and pdftotext read the PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CASE = "north-central-london-elective-recovery-learning"  # figures, a link, a table of nine rows
SCHEMES = {"light": "default", "dark": "slate"}
# What the screen shows around a case, and a printed case must not: the header, tabs, contents, the
# footer, the related cards, the edit link, the action link (its address is printed as text beside it).
CHROME = ["Skip to content", "Search case studies", "Table of contents", "Related case studies",
          "Edit this case study", "Contact the team", "Made with", "Case studies are shared by the teams"]
TABS = ["Home", "Explore", "Browse", "About", "Contribute", "Accessibility"]


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is missing: run tests/browser/install-browser.sh (or apt-get install poppler-utils)")
    return path


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def printed(browser, base_url, tmp_path_factory) -> dict[str, Path]:
    """The case printed to A4 PDF in each colour scheme, as a reader's browser would print it."""
    folder = tmp_path_factory.mktemp("printed")
    pdfs = {}
    for scheme, material in SCHEMES.items():
        context = browser.new_context(base_url=base_url, color_scheme=scheme)
        context.route(re.compile(r"^(?!http://127\.0\.0\.1[:/]).*"), lambda route: route.abort())
        page = context.new_page()
        page.goto(f"cases/{CASE}/")
        expect(page.locator("body")).to_have_attribute("data-md-color-scheme", material)
        pdfs[scheme] = folder / f"{scheme}.pdf"
        page.pdf(path=str(pdfs[scheme]), format="A4")
        context.close()
    return pdfs


def _pages(pdf: Path) -> list[str]:
    """The text of each page (pdftotext separates pages with a form feed)."""
    text = subprocess.run([_poppler("pdftotext"), "-enc", "UTF-8", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def _info(pdf: Path) -> dict[str, str]:
    out = subprocess.run([_poppler("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in out.splitlines())}


def test_a_printed_case_is_a_few_a4_pages_of_the_case_alone(printed, cases_data):
    case = next(c for c in cases_data if c["slug"] == CASE)
    info = _info(printed["light"])
    width, height = map(float, re.match(r"([\d.]+) x ([\d.]+) pts", info["Page size"]).groups())
    assert (round(width), round(height)) == (596, 843), info["Page size"]  # A4: 210 x 297 mm
    pages = _pages(printed["light"])
    assert len(pages) == int(info["Pages"])
    assert 2 <= len(pages) <= 5, f"{len(pages)} pages for one case"
    first = _words(pages[0])
    assert first.startswith(f"Case study {case['title']}"), first[:200]  # no header or menu above the title
    assert "Key facts" in first and case["organisations"][0] in first
    text = _words(" ".join(pages))
    for words in ["Leading change", "How to change", "Adding value", "Better outcomes", "211,756 patients",
                  "Challenges and lessons learnt for implementation", "Recommendations from the learning partner",
                  "Find out more", case["contact_email"], case["links"][0]["title"]]:
        assert words in text, words
    for words in CHROME:
        assert words not in text, f"{words!r} is printed"
    lines = {line.strip() for page in pages for line in page.splitlines()}
    assert not lines & set(TABS), lines & set(TABS)


def test_a_printed_link_shows_where_it_leads(printed, cases_data):
    case = next(c for c in cases_data if c["slug"] == CASE)
    squeezed = "".join("".join(_pages(printed["light"])).split())  # a long address may wrap
    assert f"({case['links'][0]['url']})" in squeezed
    assert "(../../" not in squeezed and "(https://shared-learning-atlas" not in squeezed  # the site's own links: no


def test_a_printed_table_is_whole_with_no_row_split_across_pages(printed):
    pages = [_words(page) for page in _pages(printed["light"])]
    rows = [("Continuity of care", "Consider the wider effect"), ("Communications", "Make content and channels"),
            ("Staff wellbeing", "Address sustainability"), ("Use of data", "Plan how different stakeholders"),
            ("Independent sector", "Understand where it can add most value")]
    for area, recommendation in rows:
        on = [i for i, page in enumerate(pages) if area in page and recommendation in page]
        assert on, f"the row {area!r} is split across pages, or missing"
    header = [i for i, page in enumerate(pages) if "Area Recommendation" in page]
    assert header, "the table's header row is missing"


def test_the_dark_scheme_prints_as_the_light_one(printed):
    """Printed, a case is dark text on white paper whichever scheme the reader uses on screen."""
    assert [_words(p) for p in _pages(printed["dark"])] == [_words(p) for p in _pages(printed["light"])]


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_print_styles_are_dark_on_white_in_either_scheme(new_context, scheme):
    page = new_context(color_scheme=scheme).new_page()
    page.goto(f"cases/{CASE}/")
    page.emulate_media(media="print")
    colours = page.evaluate("""() => Object.fromEntries(
        ['h1', '.atlas-lede', '#leading-change + p', '.atlas-figure__number', '.atlas-summary-list__key', 'td']
          .map(s => [s, getComputedStyle(document.querySelector(s)).color]))""")
    for selector, colour in colours.items():
        red, green, blue = map(int, re.findall(r"\d+", colour)[:3])
        assert max(red, green, blue) <= 80, f"{selector} prints in {colour}"
    hidden = page.evaluate("""() => ['.md-header', '.md-tabs', '.md-sidebar--primary', '.md-sidebar--secondary',
        '.md-footer', '.atlas-related', '.atlas-edit', '.atlas-action-link']
        .filter(s => document.querySelector(s) && document.querySelector(s).offsetParent !== null)""")
    assert hidden == [], f"shown in print: {hidden}"
