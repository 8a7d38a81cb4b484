"""The explore page: faceted filtering (OR within a group, AND across groups) with its state in the URL."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Two themes whose union is larger than either, and a region that narrows that union without emptying it.
THEME_A = "patient-safety"
THEME_B = "learning-from-incidents"
REGION = "midlands"


def _current(cases):
    return [c for c in cases if c["status"] != "archived"]


def _slugs(cases, *, themes=(), regions=()):
    """What the explore page should show: OR within a facet, AND across facets, archived ones left out."""
    return {
        c["slug"]
        for c in _current(cases)
        if (not themes or set(themes) & set(c["themes"])) and (not regions or c["region"] in regions)
    }


def _shown(page) -> set[str]:
    return set(page.locator("#atlas-results > li").evaluate_all("items => items.map(li => li.dataset.slug)"))


def _wait_for_results(page, expected: set[str]):
    """Wait until the list shows as many results as expected (the status line says so), then read them."""
    n = len(expected)
    expect(page.locator("#atlas-result-count")).to_have_text(
        re.compile(rf"^{n} case stud(y|ies)\b")
    )
    expect(page.locator("#atlas-results > li")).to_have_count(n)
    return _shown(page)


def _query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def _checked(page, facet: str) -> set[str]:
    return set(
        page.locator(f'#atlas-explore input[name="{facet}"]:checked').evaluate_all(
            "boxes => boxes.map(b => b.value)"
        )
    )


def test_filters_combine_and_live_in_the_url(page, cases_data):
    only_a = _slugs(cases_data, themes=[THEME_A])
    a_or_b = _slugs(cases_data, themes=[THEME_A, THEME_B])
    narrowed = _slugs(cases_data, themes=[THEME_A, THEME_B], regions=[REGION])
    everything = _slugs(cases_data)
    # The sample data must make each step observable.
    assert only_a and only_a < everything, "the sample cases no longer make THEME_A a filter"
    assert only_a < a_or_b, "the sample cases no longer make THEME_B widen THEME_A"
    assert narrowed and narrowed < a_or_b, "the sample cases no longer make REGION narrow the themes"

    page.goto("explore/")
    form = page.locator("#atlas-explore")
    expect(form).to_be_visible()
    assert _wait_for_results(page, everything) == everything

    # One theme: exactly the cases with it.
    page.locator(f"#f-themes-{THEME_A}").check()
    assert _wait_for_results(page, only_a) == only_a
    assert _query(page) == {"themes": [THEME_A]}

    # A second theme in the same group widens (OR).
    page.locator(f"#f-themes-{THEME_B}").check()
    assert _wait_for_results(page, a_or_b) == a_or_b
    assert _query(page) == {"themes": [THEME_A, THEME_B]}

    # The live counts are numbers, and they say what checking the option would give.
    counts = page.locator("#atlas-explore [data-count]").all_inner_texts()
    assert counts and all(re.fullmatch(r"\(\d+\)", c.strip()) for c in counts), counts
    region_count = page.locator(f'label[for="f-regions-{REGION}"] [data-count]').inner_text()
    assert region_count.strip() == f"({len(narrowed)})"

    # A region narrows (AND across groups).
    page.locator(f"#f-regions-{REGION}").check()
    assert _wait_for_results(page, narrowed) == narrowed
    assert _query(page) == {"themes": [THEME_A, THEME_B], "regions": [REGION]}

    # Reloading keeps the choices and the results.
    page.reload()
    expect(form).to_be_visible()
    assert _wait_for_results(page, narrowed) == narrowed
    assert _checked(page, "themes") == {THEME_A, THEME_B}
    assert _checked(page, "regions") == {REGION}

    # Back restores the state before the region was chosen.
    page.go_back()
    assert _wait_for_results(page, a_or_b) == a_or_b
    assert _query(page) == {"themes": [THEME_A, THEME_B]}
    assert _checked(page, "themes") == {THEME_A, THEME_B}
    assert _checked(page, "regions") == set()

    # And once more: back to a single theme.
    page.go_back()
    assert _wait_for_results(page, only_a) == only_a
    assert _checked(page, "themes") == {THEME_A}


def test_shared_address_opens_with_the_filters_applied(page, cases_data):
    expected = _slugs(cases_data, themes=[THEME_B], regions=[REGION])
    assert expected, "the sample cases no longer match THEME_B in REGION"
    page.goto(f"explore/?themes={THEME_B}&regions={REGION}")
    expect(page.locator("#atlas-explore")).to_be_visible()
    assert _wait_for_results(page, expected) == expected
    assert _checked(page, "themes") == {THEME_B}
    assert _checked(page, "regions") == {REGION}


def test_without_javascript_every_case_is_listed(new_context, cases_data):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("explore/")
    expect(page.locator("#atlas-explore")).to_be_hidden()
    shown = _shown(page)
    assert len(shown) == len(cases_data)
    assert shown == {c["slug"] for c in cases_data}
    # Each entry links to its case page.
    hrefs = page.locator("#atlas-results > li > a").evaluate_all("links => links.map(a => a.href)")
    assert all(re.search(r"/cases/[a-z0-9-]+/$", h) for h in hrefs), hrefs
