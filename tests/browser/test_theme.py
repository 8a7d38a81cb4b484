"""The site-wide layer, as a reader meets it: every kind of page loads everything from the site itself,
with no failed request, no console error and no sideways scrolling at 320 px; the header and footer
hold what they should; the home page is built as the issue asks; the colour scheme follows the device.

The site is served here under site_url's path (/atlas/), as GitHub Pages serves it, so that the 404
page, whose addresses start from the server's root, is read as readers get it.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
CASE = "cases/learning-lessons-framework-north-staffordshire/"
# One page of every kind the site has: Markdown pages and each template's.
PAGES = {
    "home": "",
    "explore": "explore/",
    "section": "themes/",
    "term": "themes/patient-safety/",
    "organisation": "organisations/north-staffordshire-combined-healthcare-nhs-trust/",
    "year": "years/2022/",
    "case": CASE,
    "about": "about/",
    "case-format": "case-format/",
    "contributing": "contributing/",
    "submit": "submit/",
    "accessibility": "accessibility/",
    "privacy": "privacy/",
    "not-found": "404.html",
}


@pytest.fixture(scope="module")
def site_root(base_url: str) -> str:
    """The built site's URL, ending in "/": served under site_url's path (/atlas/) by tests/site_server.py."""
    assert urlsplit(base_url).path == "/" + urlsplit(_config()["site_url"]).path.strip("/") + "/"
    return base_url


def _config() -> dict:
    class Loader(yaml.SafeLoader):
        pass

    # mkdocs.yml's own tags: !ENV [NAME, default] is the default here, !relative is a path.
    Loader.add_constructor("!ENV", lambda loader, node: loader.construct_sequence(node)[-1])
    Loader.add_constructor("!relative", lambda loader, node: ".")
    return yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)


class Reader:
    """A page in a fresh context that records every request, failure and console error."""

    def __init__(self, browser, site_root: str, **options):
        self.host = urlsplit(site_root).netloc
        self.context = browser.new_context(**options)
        self.context.set_default_timeout(15_000)
        self.requests: list[str] = []
        self.problems: list[str] = []
        # Nothing may leave the machine: a request to another host is recorded, then refused.
        self.context.route(re.compile(r"^(?!http://127\.0\.0\.1[:/]).*"), lambda route: route.abort())
        self.page = self.context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url} ({r.failure})"))
        self.page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"script error: {e}"))

    def open(self, url: str):
        self.page.goto(url, wait_until="networkidle")
        return self.page

    def elsewhere(self) -> list[str]:
        return [u for u in self.requests if not u.startswith("data:") and urlsplit(u).netloc != self.host]

    def close(self):
        self.context.close()


@pytest.fixture
def reader(browser, site_root):
    readers = []

    def make(**options) -> Reader:
        readers.append(Reader(browser, site_root, **options))
        return readers[-1]

    yield make
    for r in readers:
        r.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_loads_only_from_the_site_without_errors(reader, site_root, name, scheme):
    r = reader(color_scheme=scheme)
    page = r.open(site_root + PAGES[name])
    expect(page.locator("footer.atlas-footer")).to_have_count(1)
    assert r.requests, "no request recorded"
    assert r.elsewhere() == [], f"{name} asked another host for: {r.elsewhere()}"
    assert r.problems == [], f"{name}:\n" + "\n".join(r.problems)


def test_searching_loads_only_from_the_site(reader, site_root):
    """The header's search (Pagefind) fetches its script, WebAssembly and index from the site."""
    r = reader(viewport={"width": 1280, "height": 800})
    page = r.open(site_root + PAGES["term"])
    page.locator("#atlas-search-input").fill("huddles")
    expect(page.locator("#atlas-search-results li").first).to_be_visible()
    assert any("/pagefind/" in u for u in r.requests)
    assert r.elsewhere() == [] and r.problems == [], r.elsewhere() + r.problems


def test_feed_links_stay_in_the_page_and_no_sitemap_is_fetched(reader, site_root):
    """Material fetched sitemap.xml beside every <link rel=alternate>: a 404 beside a listing's feed."""
    for path in (PAGES["home"], PAGES["term"]):
        r = reader()
        page = r.open(site_root + path)
        feed = page.locator('link[rel~="alternate"][type="application/atom+xml"]')
        expect(feed).to_have_count(1)
        assert not any(u.endswith("sitemap.xml") for u in r.requests), r.requests


@pytest.mark.parametrize("name", list(PAGES))
def test_no_sideways_scrolling_at_320_px(reader, site_root, name):
    r = reader(viewport={"width": 320, "height": 640})
    page = r.open(site_root + PAGES[name])
    width, scrolled = page.evaluate(
        "() => { window.scrollTo(10000, window.scrollY); const r = [document.documentElement.scrollWidth, window.scrollX];"
        " window.scrollTo(0, 0); return r; }"
    )
    assert (width, scrolled) == (320, 0), f"{name} is {width} px wide at 320 px"


@pytest.mark.parametrize("width", [320, 390, 768, 1280])
def test_the_header_fits(reader, site_root, width):
    """The site's name, the colour switch and the search box share the header without overlapping."""
    r = reader(viewport={"width": width, "height": 800})
    page = r.open(site_root + PAGES["case"])
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('.md-header__inner > *')]
             .map(e => [e.className, e.getBoundingClientRect().toJSON()])
             .filter(([, b]) => b.width > 0 && b.height > 0)"""
    )
    assert any("atlas-header__title" in name for name, _ in boxes), boxes
    for (a, box_a), (b, box_b) in zip(boxes, boxes[1:]):
        assert box_a["right"] <= box_b["left"] + 0.5, f"{a!r} overlaps {b!r} at {width} px"
    assert boxes[-1][1]["right"] <= width, boxes[-1]
    title = page.locator(".atlas-header__title")
    assert title.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), "the site's name is cut off"


@pytest.mark.parametrize("width", [960, 1100, 1280, 1600])
def test_the_search_placeholder_fits(reader, site_root, width):
    r = reader(viewport={"width": width, "height": 800})
    page = r.open(site_root + PAGES["home"])
    box = page.locator("#atlas-search-input")
    placeholder = box.get_attribute("placeholder")
    assert placeholder
    # Typed into the box, the placeholder's words take the room the placeholder has.
    fits = box.evaluate("(e, text) => { e.value = text; const fits = e.scrollWidth <= e.clientWidth; e.value = ''; return fits; }",
                        placeholder)
    assert fits, f"{placeholder!r} does not fit the search box at {width} px"


@pytest.mark.parametrize("name", ["home", "case", "not-found"])
def test_the_footer_has_the_pages_about_the_site_and_no_repository_widget(reader, site_root, name):
    config = _config()
    r = reader()
    page = r.open(site_root + PAGES[name])
    footer = page.locator("footer.atlas-footer")
    for label, path in [("Accessibility statement", "accessibility/"), ("Privacy", "privacy/"), ("About the atlas", "about/")]:
        link = footer.get_by_role("link", name=label, exact=True)
        expect(link).to_have_count(1)
        assert link.evaluate("a => a.href") == site_root + path
    contact = footer.get_by_role("link", name="Contact the editors")
    email = (config.get("extra") or {}).get("editors_email")
    expected = f"mailto:{email}" if email else config["repo_url"].rstrip("/") + "/issues"
    assert contact.get_attribute("href") == expected
    expect(footer.get_by_role("link", name=re.compile("on GitHub"))).to_have_attribute("href", config["repo_url"])
    expect(footer).to_contain_text(config["copyright"])
    expect(footer).to_contain_text("MIT licence")
    # Material's repository widget, which asked the GitHub API for stars and forks, is gone.
    expect(page.locator(".md-source, [data-md-component=source]")).to_have_count(0)


def test_the_home_page(reader, site_root, cases_data):
    r = reader(viewport={"width": 1280, "height": 800})
    page = r.open(site_root)
    article = page.locator("article")
    expect(article.locator("h1")).to_have_text("Shared Learning Atlas")
    expect(article.locator(".atlas-lead")).to_contain_text("case studies")
    # No sidebars: the content takes the page's width.
    expect(page.locator(".md-sidebar--primary")).to_be_hidden()
    expect(page.locator(".md-sidebar--secondary")).to_be_hidden()
    # A search box with a visible label, which without JavaScript opens Explore.
    form = page.locator("form#atlas-home-search")
    expect(form.get_by_label("Search the case studies")).to_be_visible()
    assert form.evaluate("f => new URL(f.action).pathname") == urlsplit(site_root).path + "explore/"
    # The counts.
    current = [c for c in cases_data if c["status"] != "archived"]
    expect(article.locator(".atlas-stats")).to_contain_text(f"{len(current)} case studies")
    # Ways in: themes, care settings and regions as cards, each term with its count.
    cards = article.locator("ul.atlas-ways > li.atlas-way")
    expect(cards).to_have_count(3)
    for card, field in zip(cards.all(), ["themes", "settings", "region"]):
        for term in card.locator(".atlas-way__terms > li").all():
            slug = term.locator("a").get_attribute("href").rstrip("/").split("/")[-1]
            count = sum(1 for c in current if slug in (c[field] if isinstance(c[field], list) else [c[field]]))
            assert term.locator(".atlas-way__count").inner_text().split()[0] == str(count), slug
    # The newest case studies, and an invitation to share one.
    newest = page.locator("section[aria-labelledby=newest-case-studies]")
    expect(newest.locator("h2")).to_have_text("Newest case studies")
    titles = {c["title"] for c in sorted(current, key=lambda c: c["published"], reverse=True)[:6]}
    for title in titles:
        expect(newest.get_by_role("link", name=title, exact=True)).to_have_count(1)
    share = page.locator("section[aria-labelledby=share-your-work]")
    expect(share.get_by_role("link", name="Submit a case study")).to_have_attribute("href", "./submit/")


def test_the_home_search_box_opens_the_header_search(reader, site_root):
    for width in (1280, 390):
        r = reader(viewport={"width": width, "height": 800})
        page = r.open(site_root)
        page.get_by_label("Search the case studies").fill("huddles")
        page.locator("#atlas-home-search button").click()
        expect(page.locator("#__search")).to_be_checked()
        expect(page.locator("#atlas-search-input")).to_have_value("huddles")
        expect(page.locator("#atlas-search-input")).to_be_focused()
        expect(page.locator("#atlas-search-results li").first).to_be_visible()
        assert r.problems == [], r.problems


def test_the_home_search_box_without_javascript_opens_explore(reader, site_root):
    r = reader(java_script_enabled=False)
    page = r.open(site_root)
    page.get_by_label("Search the case studies").fill("huddles")
    page.locator("#atlas-home-search button").click()
    page.wait_for_url("**/explore/?q=huddles")
    expect(page.locator("h1")).to_have_count(1)


@pytest.mark.parametrize("name,navigation,toc", [
    ("home", False, False), ("term", False, False), ("case", False, True), ("section", True, False),
    ("about", False, True), ("contributing", False, True), ("submit", True, False), ("not-found", False, False),
])
def test_sidebars_only_where_they_hold_something(reader, site_root, name, navigation, toc):
    """At 1280 px the table of contents shows where it lists two headings or more, else the menu's
    sidebar in a section with other pages (Browse, Contribute); never both, never an empty column."""
    r = reader(viewport={"width": 1280, "height": 800})
    page = r.open(site_root + PAGES[name])
    for selector, shown in ((".md-sidebar--primary", navigation), (".md-sidebar--secondary", toc)):
        if shown:
            expect(page.locator(selector)).to_be_visible()
        else:
            expect(page.locator(selector)).to_be_hidden()


def test_the_menu_on_a_phone_works_with_the_keyboard(reader, site_root):
    """Material's menu is a label the keyboard cannot reach, and its closed drawer's links took the focus
    off the screen: the menu is a button, the closed drawer is out of the way."""
    r = reader(viewport={"width": 390, "height": 800})
    page = r.open(site_root)
    drawer_link = page.locator(".md-sidebar--primary").get_by_role("link", name="Explore", exact=True)
    expect(drawer_link).to_be_hidden()
    for _ in range(12):  # the keyboard never lands off the screen, nor under the open search
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.getBoundingClientRect().right") > 0
        if page.evaluate("document.activeElement.id") == "atlas-home-q":
            expect(page.locator("#__search")).not_to_be_checked()
    page.locator("body").focus()
    button = page.get_by_role("button", name="Menu")
    expect(button).to_have_attribute("aria-expanded", "false")
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(drawer_link).to_be_visible()
    expect(page.locator(".md-sidebar--primary .md-nav__link").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(button).to_be_focused()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(drawer_link).to_be_hidden()


def test_the_colour_scheme_follows_the_device_until_the_reader_chooses(reader, site_root):
    r = reader(color_scheme="light")
    page = r.open(site_root)
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "default")
    page.emulate_media(color_scheme="dark")
    page.goto(site_root + "about/")
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
    page.emulate_media(color_scheme="light")
    page.goto(site_root)
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "default")
    # The switch goes from the device's scheme to light, then dark, and the choice is kept.
    page.locator("form[data-md-component=palette] label:not([hidden])").click()
    page.locator("form[data-md-component=palette] label:not([hidden])").click()
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
    page.goto(site_root + "about/")
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")


def test_headings_are_bold_and_dark_in_arial(reader, site_root):
    r = reader(color_scheme="light")
    page = r.open(site_root + PAGES["about"])
    h1 = page.locator("article h1")
    expect(h1).to_have_css("font-weight", "700")
    expect(h1).to_have_css("color", "rgb(33, 43, 50)")  # NHS Black
    assert h1.evaluate("e => getComputedStyle(e).fontFamily").startswith("Arial")


def test_the_not_found_page(reader, site_root):
    r = reader()
    page = r.open(site_root + "404.html")
    expect(page.locator("article h1")).to_have_text("Page not found")
    explore = page.locator("article").get_by_role("link", name=re.compile("Explore"))
    assert explore.evaluate("a => a.href") == site_root + "explore/"
    assert r.problems == [], r.problems


def test_a_table_wider_than_the_screen_can_be_scrolled_with_the_keyboard(reader, site_root, axe_source):
    r = reader(viewport={"width": 390, "height": 800})
    page = r.open(site_root + "case-format/")
    wide = page.locator(".md-typeset__scrollwrap[tabindex='0'][role=region]")
    expect(wide.first).to_be_visible()
    page.add_script_tag(content=axe_source)
    result = page.evaluate("() => axe.run(document, {runOnly: {type: 'rule', values: ['scrollable-region-focusable']}})")
    assert result["violations"] == [] and result["passes"], result["violations"]
