"""The explore page: faceted filtering (OR within a group, AND across groups), sorting and paging with the
state in the address; a page that arrives drawn (the script moves nothing); the filters' layout on a
laptop and a phone.

Most tests read the sample atlas (15 cases, one page). Paging, sorting and archived cases are tested on
a synthetic atlas of 45 cases (three pages of 20), three of them archived, built once for this module.
"""

from __future__ import annotations

import json
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import ROOT as REPO
from playwright.sync_api import expect
from site_engine import build_site
from site_server import serve_site
from synthetic import generate

from learning_atlas.site.explore import PAGE_SIZE

pytestmark = pytest.mark.browser

# Two themes whose union is larger than either, and a region that narrows that union without emptying it.
THEME_A = "patient-safety"
THEME_B = "learning-from-incidents"
REGION = "midlands"
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = {"laptop": LAPTOP, "phone": PHONE}
SYNTHETIC_CASES = 45
NOT_LOCAL = re.compile(r"^(?!http://127\.0\.0\.1[:/]).*")  # as the browser conftest: never the network
ARCHIVED = (4, 17, 30)  # synthetic cases given status: archived


def _current(cases):
    return [c for c in cases if c["status"] != "archived"]


def _slugs(cases, *, themes=(), regions=()):
    """What the explore page should show: OR within a facet, AND across facets, archived ones left out."""
    return {
        c["slug"]
        for c in _current(cases)
        if (not themes or set(themes) & set(c["themes"])) and (not regions or c["region"] in regions)
    }


def _newest(cases):
    """Newest first, as the atlas orders cases: publication date, then slug, both descending."""
    return [c["slug"] for c in sorted(cases, key=lambda c: (c["published"], c["slug"]), reverse=True)]


def _shown_list(page) -> list[str]:
    return page.locator("#atlas-results > li").evaluate_all("items => items.map(li => li.dataset.slug)")


def _shown(page) -> set[str]:
    return set(_shown_list(page))


def _ready(page):
    """Wait until the script has drawn (or found nothing to draw) the state the address asks for."""
    expect(page.locator("#atlas-x")).to_have_attribute("data-state", "ready")


def _wait_for_results(page, expected: set[str]):
    """Wait until the list shows as many results as expected (the status line says so), then read them."""
    n = len(expected)
    expect(page.locator("#atlas-result-count")).to_have_text(re.compile(rf"^{n} case stud(y|ies)\b"))
    expect(page.locator("#atlas-results > li")).to_have_count(min(n, PAGE_SIZE))
    return _shown(page)


def _query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def _checked(page, facet: str) -> set[str]:
    return set(
        page.locator(f'#atlas-explore input[name="{facet}"]:checked').evaluate_all("boxes => boxes.map(b => b.value)")
    )


def _phone(new_context, **kwargs):
    return new_context(viewport=PHONE, is_mobile=True, has_touch=True, **kwargs).new_page()


# --- filtering, the address and the list without JavaScript -------------------------------------------


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
    _ready(page)
    assert _wait_for_results(page, everything) == everything

    # One theme: exactly the cases with it.
    page.locator(f"#f-themes-{THEME_A}").check()
    assert _wait_for_results(page, only_a) == only_a
    assert _query(page) == {"themes": [THEME_A]}
    # The heading holds the count; a live region beside it (not inside: HTML allows no status in a
    # heading) says the new count to screen readers.
    expect(page.locator("#atlas-result-status[role=status]")).to_have_text(f"{len(only_a)} case studies")

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


def test_selected_filters_are_removable_tags_and_clear_all_clears_them(page, cases_data):
    page.goto(f"explore/?themes={THEME_A}&themes={THEME_B}&regions={REGION}")
    _ready(page)
    chips = page.locator("#atlas-chips button")
    expect(chips).to_have_count(3)
    expect(page.locator("#atlas-selected")).to_be_visible()
    expect(chips.first).to_have_accessible_name("Remove filter: Patient safety")

    # Removing one tag unchecks its filter and keeps the others; focus goes to the next tag.
    chips.first.click()
    expected = _slugs(cases_data, themes=[THEME_B], regions=[REGION])
    assert _wait_for_results(page, expected) == expected
    assert _query(page) == {"themes": [THEME_B], "regions": [REGION]}
    assert _checked(page, "themes") == {THEME_B}
    expect(chips).to_have_count(2)
    expect(chips.first).to_be_focused()

    # "Clear all filters" empties them and brings back the list the page arrived with.
    page.locator("#atlas-clear").click()
    everything = _slugs(cases_data)
    assert _wait_for_results(page, everything) == everything
    assert urlsplit(page.url).query == "" and page.url.endswith("/explore/")
    expect(page.locator("#atlas-selected")).to_be_hidden()
    expect(page.locator("#results")).to_be_focused()


def test_without_javascript_every_case_is_listed(new_context, cases_data):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("explore/")
    expect(page.locator("#atlas-explore")).to_be_hidden()
    expect(page.locator(".atlas-x__nojs a[href$='/themes/']")).to_be_visible()  # links to browse by instead
    shown = _shown(page)
    assert shown == {c["slug"] for c in _current(cases_data)}
    # Each entry links to its case page.
    hrefs = page.locator("#atlas-results > li h3 > a").evaluate_all("links => links.map(a => a.href)")
    assert len(hrefs) == len(shown) and all(re.search(r"/cases/[a-z0-9-]+/$", h) for h in hrefs), hrefs


# --- a page that arrives drawn ----------------------------------------------------------------------

LAYOUT_SHIFTS = """
window.__shifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) window.__shifts.push({
      value: entry.value,
      sources: (entry.sources || []).map((s) => s.node ? (s.node.id || s.node.className || s.node.nodeName) : "?"),
    });
  }
}).observe({ type: "layout-shift", buffered: true });
"""


def _slow(route):
    """The script and its data arrive late, as on a slow connection: the page must not move when they do."""
    time.sleep(0.3)
    route.continue_()


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize("path", [
    "explore/", f"explore/?themes={THEME_A}&themes={THEME_B}&regions={REGION}", f"explore/?themes={THEME_A}&regions={REGION}",
])
def test_the_page_arrives_drawn_and_nothing_moves(new_context, viewport, path):
    """Layout shift (Chromium's layout-shift entries, summed) is at most 0.1 while the page loads; the
    first result is in the first screen."""
    context = new_context(viewport=VIEWPORTS[viewport], is_mobile=viewport == "phone", has_touch=viewport == "phone")
    context.add_init_script(LAYOUT_SHIFTS)
    context.route(re.compile(r".*/(explore\.js|explore/data/.*)$"), _slow)
    page = context.new_page()
    page.goto(path)
    _ready(page)
    page.wait_for_timeout(500)
    shifts = page.evaluate("window.__shifts")
    total = sum(s["value"] for s in shifts)
    assert total <= 0.1, f"layout shift {total:.3f} on {path} ({viewport}): {shifts}"
    first = page.locator("#atlas-results > li").first.bounding_box()
    height = VIEWPORTS[viewport]["height"]
    assert first and first["y"] + first["height"] <= height, f"the first result is at {first} ({viewport}, {height} px high)"


def test_the_script_shows_at_load_what_the_server_drew(new_context, page):
    """The counts, the result count and the list without JavaScript are those the script shows."""
    def read(p):
        return {
            "counts": p.locator("#atlas-explore [data-count]").all_inner_texts(),
            "status": p.locator("#atlas-result-count").inner_text(),
            "list": _shown_list(p),
            "cards": p.locator("#atlas-results > li").evaluate_all("items => items.map(li => li.innerText)"),
        }
    plain = new_context(java_script_enabled=False).new_page()
    plain.goto("explore/")
    page.goto("explore/")
    _ready(page)
    assert read(page) == read(plain)


# --- the filters: no option hidden in a scroll box, on a laptop and on a phone --------------------------

OPTIONS = """
() => Array.from(document.querySelectorAll('#atlas-explore input[type=checkbox]')).map((box) => {
  const label = document.querySelector(`label[for="${box.id}"]`);
  let scroller = null;
  for (let a = label.parentElement; a && a !== document.body; a = a.parentElement) {
    const style = getComputedStyle(a);
    const full = a.getBoundingClientRect().height >= window.innerHeight - 1;  // the phone's panel is the screen
    if (/(auto|scroll|hidden)/.test(style.overflowY) && a.scrollHeight > a.clientHeight + 1 && !full) {
      scroller = a.id || a.className;
    }
  }
  const rest = box.closest('[id^="atlas-rest-"]');
  const button = rest && document.querySelector(`[aria-controls="${rest.id}"]`);
  return {
    id: box.id, visible: label.checkVisibility() && label.getBoundingClientRect().height > 0, scroller,
    showAll: button ? { text: button.textContent.trim(), expanded: button.getAttribute('aria-expanded'),
                        visible: button.checkVisibility() } : null,
  };
})
"""


def _check_options(page):
    options = page.evaluate(OPTIONS)
    assert len(options) > 40
    assert not [o for o in options if o["scroller"]], "options inside a scroll box"
    for option in options:
        if option["visible"]:
            continue
        show_all = option["showAll"]
        assert show_all and show_all["visible"] and show_all["expanded"] == "false", option
        assert re.fullmatch(r"Show all \d+ [a-z ]+", show_all["text"]), option
    assert [o for o in options if not o["visible"]], "no group folds behind a Show all button"
    for button in page.locator(".atlas-x__more").all():
        button.click()
        expect(button).to_have_attribute("aria-expanded", "true")
        expect(button).to_have_text(re.compile(r"^Show fewer "))
    assert all(o["visible"] for o in page.evaluate(OPTIONS)), "an option is still hidden after Show all"


def test_every_option_shows_or_is_behind_show_all_on_a_laptop(new_context):
    page = new_context(viewport=LAPTOP).new_page()
    page.goto("explore/")
    _ready(page)
    expect(page.locator("#atlas-filter-toggle")).to_be_hidden()
    expect(page.locator("#atlas-explore")).to_be_visible()
    filters, results = page.locator("#atlas-filters").bounding_box(), page.locator("#atlas-results").bounding_box()
    assert filters["x"] + filters["width"] <= results["x"], "the filters are not in a column left of the results"
    _check_options(page)


def test_the_phone_shows_results_first_and_a_filter_button_that_opens_the_filters(new_context, cases_data):
    page = _phone(new_context)
    page.goto("explore/")
    _ready(page)
    toggle = page.locator("#atlas-filter-toggle")
    panel = page.locator("#atlas-filters")
    expect(panel).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_have_accessible_name("Filter")

    toggle.click()
    expect(panel).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(panel).to_have_attribute("role", "dialog")
    expect(page.locator("#atlas-filters-title")).to_be_focused()
    _check_options(page)

    # Tab and Shift+Tab stay inside the open panel.
    for key in ["Tab"] * 80 + ["Shift+Tab"] * 5:
        page.keyboard.press(key)
        assert page.evaluate("!!document.activeElement.closest('#atlas-filters')"), f"{key} left the panel"

    # Escape closes it and gives focus back to the button.
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()

    # A choice made in the panel: the button counts it, the panel's own button shows the results.
    toggle.click()
    page.locator(f"#f-themes-{THEME_A}").check()
    expected = _slugs(cases_data, themes=[THEME_A])
    done = page.locator("#atlas-filters-done")
    expect(done).to_have_text(f"Show {len(expected)} case stud{'y' if len(expected) == 1 else 'ies'}")
    # The results' status line is behind the modal panel: the panel's own says the count.
    expect(page.locator("#atlas-filters [role=status]")).to_have_text(f"{len(expected)} case studies")
    done.click()
    expect(panel).to_be_hidden()
    expect(page.locator("#results")).to_be_focused()
    expect(toggle).to_have_accessible_name("Filter (1)")
    assert _wait_for_results(page, expected) == expected


SIDEWAYS = """
() => {
  const width = document.documentElement.clientWidth;
  const over = Array.from(document.querySelectorAll('.md-content *')).filter((el) => {
    if (el.closest('.atlas-x__vh') || !el.checkVisibility()) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && (r.right > width + 0.5 || r.left < -0.5);
  }).map((el) => el.id || el.className || el.nodeName);
  return { width, scrollWidth: document.scrollingElement.scrollWidth, over: over.slice(0, 10) };
}
"""


def test_nothing_goes_sideways_at_320_px(new_context):
    page = new_context(viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True).new_page()
    page.goto(f"explore/?themes={THEME_A}&themes={THEME_B}&regions={REGION}")
    _ready(page)
    for state in ("results", "panel"):
        if state == "panel":
            page.locator("#atlas-filter-toggle").click()
            for button in page.locator(".atlas-x__more").all():
                button.click()
        found = page.evaluate(SIDEWAYS)
        assert found["scrollWidth"] <= found["width"] and not found["over"], (state, found)


def test_no_script_error_and_no_failed_request(new_context, base_url):
    page = _phone(new_context)
    problems = []
    page.on("pageerror", lambda error: problems.append(f"error: {error}"))
    page.on("console", lambda m: problems.append(f"console: {m.text}")
            if m.type == "error" and m.location.get("url", "").startswith(base_url) else None)
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}") if r.url.startswith(base_url) else None)
    page.goto(f"explore/?themes={THEME_A}")
    _ready(page)
    page.locator("#atlas-filter-toggle").click()
    page.locator(f"#f-regions-{REGION}").check()
    page.keyboard.press("Escape")
    _ready(page)
    assert problems == []


# --- paging, sorting and archived cases, on a synthetic atlas of three pages ------------------------------


@pytest.fixture(scope="module")
def paged(tmp_path_factory):
    """A synthetic atlas of 45 cases (three pages), three archived, built and served; yields (URL, cases)."""
    root = tmp_path_factory.mktemp("explore-paged")
    for index, path in enumerate(generate(root / "cases", SYNTHETIC_CASES, seed=7)):
        if index in ARCHIVED:
            path.write_text(path.read_text(encoding="utf-8").replace("\npublished:", "\nstatus: archived\npublished:", 1),
                            encoding="utf-8")
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("---\ntemplate: atlas/home.html\n---\n\n# Paged atlas\n")
    (root / "mkdocs.yml").write_text(
        "site_name: Paged atlas\nsite_url: https://atlas.example.org/\ntheme:\n  name: material\n  language: en\n"
        "  font: false\n"
        f"plugins:\n  - search\n  - atlas:\n      schemas_dir: {REPO / 'schemas'}\n      related: facets\n"
        "      reader_search: material\n"
    )
    done = build_site(root / "mkdocs.yml", root / "site", "--strict")
    assert done.returncode == 0, done.stderr
    cases = json.loads((root / "site" / "cases.json").read_text(encoding="utf-8"))["cases"]
    assert sum(c["status"] == "archived" for c in cases) == len(ARCHIVED)
    with serve_site(root / "site") as url:
        yield url, cases


@pytest.fixture
def paged_context(browser, paged):
    contexts = []

    def make(**kwargs):
        context = browser.new_context(base_url=paged[0], **kwargs)
        context.set_default_timeout(15_000)
        context.route(NOT_LOCAL, lambda route: route.abort())
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def test_without_javascript_plain_links_page_through_every_case(paged_context, paged):
    _, cases = paged
    page = paged_context(java_script_enabled=False).new_page()
    page.goto("explore/")
    seen = []
    while True:
        seen += _shown_list(page)
        following = page.locator("#atlas-pages a[rel=next]")
        if not following.count():
            break
        following.click()
    assert seen == _newest(_current(cases))
    assert page.url.endswith(f"/explore/page/{-(-len(seen) // PAGE_SIZE)}/")
    expect(page.locator("#atlas-pages [aria-current=page]")).to_have_text("3")


def test_a_page_of_the_plain_list_is_the_servers_and_filters_go_back_to_explore(paged_context, paged):
    _, cases = paged
    context = paged_context()
    context.add_init_script(LAYOUT_SHIFTS)
    page = context.new_page()
    page.goto("explore/")
    _ready(page)
    page.locator("#atlas-pages a[rel=next]").click()
    page.wait_for_url("**/explore/page/2/")
    _ready(page)
    assert _shown_list(page) == _newest(_current(cases))[PAGE_SIZE: 2 * PAGE_SIZE]
    assert sum(s["value"] for s in page.evaluate("window.__shifts")) <= 0.1
    # A filter chosen here is shown on explore/ itself, where its address lives.
    choice = page.locator('[data-facet="themes"] .atlas-x__option:not(.atlas-x__option--empty) input:visible').first
    theme = choice.get_attribute("value")
    # click, not check: the click leaves this page, so there is no box left here to find checked.
    choice.click()
    page.wait_for_url(re.compile(rf"/explore/\?themes={theme}$"))
    _ready(page)
    expect(page.locator(f"#f-themes-{theme}")).to_be_checked()
    expected = _slugs(cases, themes=[theme])
    assert _wait_for_results(page, expected) == expected


def test_sorting_and_paging_with_the_script(paged_context, paged):
    _, cases = paged
    current = _current(cases)
    by_title = [c["slug"] for c in sorted(current, key=lambda c: (c["title"].casefold(), c["slug"]))]
    page = paged_context().new_page()
    page.goto("explore/")
    _ready(page)
    page.locator("#atlas-sort").select_option("title")
    page.wait_for_url("**/explore/?sort=title")
    expect(page.locator("#atlas-results > li").first).to_have_attribute("data-slug", by_title[0])
    assert _shown_list(page) == by_title[:PAGE_SIZE]

    page.locator("#atlas-pages a[rel=next]").click()
    page.wait_for_url("**/explore/?sort=title&page=2")
    expect(page.locator("#atlas-results > li").first).to_have_attribute("data-slug", by_title[PAGE_SIZE])
    assert _shown_list(page) == by_title[PAGE_SIZE: 2 * PAGE_SIZE]
    expect(page.locator("#atlas-pages [aria-current=page]")).to_have_text("2")
    expect(page.locator("#results")).to_be_focused()

    page.go_back()
    expect(page.locator("#atlas-results > li").first).to_have_attribute("data-slug", by_title[0])

    page.goto("explore/?sort=oldest&page=3")
    _ready(page)
    assert _shown_list(page) == list(reversed(_newest(current)))[2 * PAGE_SIZE:]


def test_cards_drawn_by_the_script_are_the_servers(paged_context):
    """Sorting away and back draws the first page again from the data: the same cards, to the character."""
    page = paged_context().new_page()
    page.goto("explore/")
    _ready(page)
    cards = "items => items.map(li => li.outerHTML)"
    served = page.locator("#atlas-results > li").evaluate_all(cards)
    served_pages = page.locator("#atlas-pages").inner_text()
    page.locator("#atlas-sort").select_option("oldest")
    page.wait_for_url("**/explore/?sort=oldest")
    page.locator("#atlas-sort").select_option("newest")
    page.wait_for_url(re.compile(r"/explore/$"))
    expect(page.locator("#atlas-results > li").first).to_have_attribute("data-slug", re.compile(r"."))
    _ready(page)
    assert page.locator("#atlas-results > li").evaluate_all(cards) == served
    assert page.locator("#atlas-pages").inner_text() == served_pages


def test_archived_cases_are_left_out_unless_asked_for(paged_context, paged):
    _, cases = paged
    page = paged_context().new_page()
    page.goto("explore/")
    _ready(page)
    current = _current(cases)
    expect(page.locator("#atlas-result-count")).to_have_text(f"{len(current)} case studies")
    expect(page.locator('label[for="atlas-archived"] [data-count]')).to_have_text(f"({len(ARCHIVED)})")
    page.locator("#atlas-archived").check()
    page.wait_for_url("**/explore/?archived=1")
    expect(page.locator("#atlas-result-count")).to_have_text(f"{len(cases)} case studies")
    expect(page.locator("#atlas-chips button")).to_have_accessible_name("Remove filter: Including archived")
    archived = [c["slug"] for c in cases if c["status"] == "archived"]
    newest = _newest(cases)
    first_archived = min(newest.index(slug) for slug in archived)
    if first_archived < PAGE_SIZE:
        card = page.locator(f'#atlas-results > li[data-slug="{newest[first_archived]}"]')
        expect(card.locator(".atlas-x__flag")).to_have_text("Archived")
