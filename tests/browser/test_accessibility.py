"""Accessibility: axe-core finds no WCAG 2.2 AA violation in either colour scheme, and the pages'
structure (language, skip link, heading levels) holds."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CASE_PATH = "cases/learning-lessons-framework-north-staffordshire/"
TERM_PATH = "themes/patient-safety/"
AXE_PAGES = {
    "home": "",
    "explore": "explore/",
    "listing": "themes/",
    "term": TERM_PATH,
    "case": CASE_PATH,
    "case-format": "case-format/",  # wide tables of fields
    "case-lineage": "cases/learning-health-system-habits-london/",  # Builds on, with the lineage picture
    "collection": "collections/harm-free-care-learning-sessions/",
    "collections": "collections/",
    "most-taken-up": "most-taken-up/",
}
STRUCTURE_PAGES = {"home": "", "term": TERM_PATH, "case": CASE_PATH, "case-format": "case-format/"}
# Material's palette follows prefers-color-scheme on a reader's first visit.
SCHEMES = {"light": "default", "dark": "slate"}
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


def _describe(violations) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{len(v['nodes'])} node(s)]")
        for node in v["nodes"][:5]:
            detail = node.get("failureSummary", "").replace("\n", " ")
            lines.append(f"    {node['target']}  {detail[:200]}")
    return "\n".join(lines)


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
@pytest.mark.parametrize("name", list(AXE_PAGES))
def test_axe_finds_no_violation(new_context, axe_source, name, scheme):
    page = new_context(color_scheme=scheme).new_page()
    page.goto(AXE_PAGES[name])
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", SCHEMES[scheme])
    if name == "explore":
        # Check the page as a reader with JavaScript sees it: the filters shown, counts filled in.
        expect(page.locator("#atlas-explore")).to_be_visible()
        expect(page.locator("#atlas-x")).to_have_attribute("data-state", "ready")
    _assert_axe_passes(page, axe_source, f"{name} ({scheme})")


def _assert_axe_passes(page, axe_source, where):
    page.add_script_tag(content=axe_source)
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    violations = result["violations"]
    assert not violations, f"axe: {len(violations)} violation(s) on {where}:\n{_describe(violations)}"
    # axe really ran its checks here (a page it could not read would pass vacuously).
    assert len(result["passes"]) > 10


EXPLORE_FILTERED = "explore/?themes=patient-safety&themes=learning-from-incidents&regions=midlands"
EXPLORE_STATES = {
    # filters applied: the selected filters above the results, the counts redrawn, a group's rest shown
    "filters applied, laptop": ({"width": 1280, "height": 800}, EXPLORE_FILTERED, ".atlas-x__more"),
    # the phone's filter panel open over the page, every group's rest shown
    "filter panel open, phone": ({"width": 390, "height": 844}, EXPLORE_FILTERED, "#atlas-filter-toggle"),
    "no match, phone": ({"width": 390, "height": 844}, "explore/?themes=urgent-and-emergency-care&regions=wales", None),
}


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
@pytest.mark.parametrize("state", list(EXPLORE_STATES))
def test_axe_finds_no_violation_in_explores_states(new_context, axe_source, state, scheme):
    viewport, path, click = EXPLORE_STATES[state]
    phone = viewport["width"] < 600
    page = new_context(color_scheme=scheme, viewport=viewport, is_mobile=phone, has_touch=phone).new_page()
    page.goto(path)
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", SCHEMES[scheme])
    expect(page.locator("#atlas-x")).to_have_attribute("data-state", "ready")
    if click == "#atlas-filter-toggle":
        page.locator(click).click()
        expect(page.locator("#atlas-filters")).to_have_attribute("role", "dialog")
    if click:
        for button in page.locator(".atlas-x__more").all():
            button.click()
        # Back at the top: Material's "Back to top" button, shown while scrolling up, floats over the content.
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(300)
    if "filters applied" in state or "panel" in state:
        expect(page.locator("#atlas-chips button")).to_have_count(3)
    _assert_axe_passes(page, axe_source, f"explore, {state} ({scheme})")


@pytest.mark.parametrize("name", list(STRUCTURE_PAGES))
def test_language_skip_link_and_heading_levels(page, name):
    page.goto(STRUCTURE_PAGES[name])
    assert page.locator("html").get_attribute("lang") == "en"

    skip = page.locator("a.md-skip")
    expect(skip).to_have_count(1)
    target = skip.get_attribute("href")
    assert target and target.startswith("#"), target
    expect(page.locator(target)).to_have_count(1)
    # The skip link is the first thing a keyboard reaches, and it shows when it does.
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()

    levels = page.locator("article").first.evaluate(
        "article => Array.from(article.querySelectorAll('h1,h2,h3,h4,h5,h6'))"
        ".map(h => [Number(h.tagName[1]), h.textContent.trim()])"
    )
    assert levels, "the article has no heading"
    assert levels[0][0] == 1, f"the article starts with {levels[0]}, not an h1"
    assert sum(1 for level, _ in levels if level == 1) == 1, f"more than one h1: {levels}"
    for (before, before_text), (level, text) in itertools.pairwise(levels):
        assert level <= before + 1, f"heading level skips from h{before} {before_text!r} to h{level} {text!r}"


BUTTONS = {
    "home": ("", "article a.md-button"),
    "explore": (EXPLORE_FILTERED, "#atlas-clear, #atlas-chips button, .atlas-x__more, #atlas-filters summary"),
}


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
@pytest.mark.parametrize("name", list(BUTTONS))
@pytest.mark.parametrize("state", ["focus", "hover"])
def test_buttons_keep_their_contrast_when_focused_or_hovered(new_context, axe_source, name, scheme, state):
    """Material repaints a focused or hovered button in the accent colours; its text must stay readable."""
    path, selector = BUTTONS[name]
    page = new_context(color_scheme=scheme).new_page()
    page.goto(path)
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", SCHEMES[scheme])
    page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")
    buttons = page.locator(selector)
    expect(buttons.first).to_be_visible()
    page.add_script_tag(content=axe_source)
    for i in range(buttons.count()):
        button = buttons.nth(i)
        if state == "focus":
            button.focus()
        else:
            button.hover()
        result = button.evaluate(
            "(el) => axe.run(el, {runOnly: {type: 'rule', values: ['color-contrast']}})"
        )
        violations = result["violations"]
        assert not violations, f"{selector} on {name} ({scheme}, {state}):\n{_describe(violations)}"
        assert result["passes"], f"axe did not check the contrast of {selector} on {name}: {result['incomplete']}"


def test_nhs_blue_stays_the_light_schemes_primary_colour(new_context):
    page = new_context(color_scheme="light").new_page()
    page.goto("")
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "default")
    primary = page.evaluate("getComputedStyle(document.body).getPropertyValue('--md-primary-fg-color').trim()")
    assert primary.lower() == "#005eb8"
    expect(page.locator(".md-header")).to_have_css("background-color", "rgb(0, 94, 184)")
