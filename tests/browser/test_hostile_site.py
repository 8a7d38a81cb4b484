"""A site built from hostile cases, read in a real Chromium: no script of theirs ever runs, wherever it is shown."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT as REPO
from hostile import write_hostile_atlas
from playwright.sync_api import expect
from site_engine import build_site
from site_server import serve_site

NOT_LOCAL = re.compile(r"^(?!http://127\.0\.0\.1[:/]).*")  # as the browser conftest: never the network

TRAP = """
(() => {
  window.__atlasRan = [];
  Object.defineProperty(window, "__atlasXss", {
    set(value) { window.__atlasRan.push("__atlasXss=" + value); },
    get() { return undefined; },
    configurable: false,
  });
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    window[name] = (...args) => { window.__atlasRan.push(name); };
  }
})();
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The hostile atlas (12 cases), built with --strict and served; yields (base URL, values by slug)."""
    root = tmp_path_factory.mktemp("hostile-browser")
    values = write_hostile_atlas(root / "cases", 12, seed=21)
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("---\ntemplate: atlas/home.html\n---\n\n# Hostile atlas\n")
    (root / "mkdocs.yml").write_text(
        "site_name: Hostile atlas\nsite_url: https://atlas.example.org/\nrepo_url: https://github.com/example/atlas\n"
        "theme:\n  name: material\n  language: en\n"
        f"plugins:\n  - search\n  - atlas:\n      schemas_dir: {REPO / 'schemas'}\n"
    )
    done = build_site(root / "mkdocs.yml", root / "site", "--strict")
    assert done.returncode == 0, done.stderr
    with serve_site(root / "site") as url:
        yield url, values


@pytest.fixture
def trapped(browser, hostile):
    base, _ = hostile
    context = browser.new_context(base_url=base)
    context.set_default_timeout(15_000)
    context.route(NOT_LOCAL, lambda route: route.abort())
    context.add_init_script(TRAP)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    yield page, dialogs
    context.close()


def _ran(page) -> list:
    return page.evaluate("window.__atlasRan")


def test_no_page_runs_a_cases_script(trapped, hostile):
    page, dialogs = trapped
    _, values = hostile
    paths = ["", "explore/", "organisations/", "regions/london/", "themes/patient-safety/", "submit/", "404.html"]
    paths += [f"cases/{slug}/" for slug in values] + [f"cases/{data['redirect_from'][0]}/" for data in values.values()][:3]
    for path in paths:
        page.goto(path)
        page.wait_for_load_state("load")
        page.mouse.move(200, 300)
        page.mouse.move(600, 500)
        assert _ran(page) == [] and dialogs == [], path


def test_each_case_page_shows_its_hostile_title_as_text(trapped, hostile):
    page, _ = trapped
    _, values = hostile
    for slug, data in list(values.items())[:6]:
        page.goto(f"cases/{slug}/")
        expect(page.locator("h1#atlas-case-title")).to_have_text(data["title"])
        assert page.title() == f"{data['title']} - Hostile atlas"
        assert page.locator("meta[http-equiv]").count() == 0
        assert page.url.endswith(f"/cases/{slug}/")  # no refresh took the reader elsewhere


def test_search_results_show_hostile_text_as_text(trapped, hostile):
    page, dialogs = trapped
    _, values = hostile
    marker = next(m.group() for d in values.values() for m in [re.search(r"(?<![A-Za-z0-9])zq\d{6}", d["title"])] if m)
    page.goto("")
    page.locator("#atlas-search-input").click()
    page.locator("#atlas-search-input").fill(marker[:8])
    results = page.locator("#atlas-search-results li")
    expect(results.first).to_be_visible()
    assert page.locator("#atlas-search-results *[onerror], #atlas-search-results script").count() == 0
    assert _ran(page) == [] and dialogs == []


def test_explore_lists_hostile_titles_as_text(trapped, hostile):
    page, dialogs = trapped
    _, values = hostile
    page.goto("explore/")
    expect(page.locator("#atlas-results li")).to_have_count(len(values))
    shown = set(page.locator("#atlas-results li a").all_inner_texts())
    assert {" ".join(d["title"].split()) for d in values.values()} == {" ".join(s.split()) for s in shown}
    page.locator("#atlas-explore input[type=checkbox]").first.check()
    assert _ran(page) == [] and dialogs == []


DRAFT_KEY = "atlas-submit-draft"
SCRIPTS = [
    "<img src=x onerror=" + "window.__atlasXss=1>",
    "<svg onload=window.__atlasXss=1>",
    "<script>window.__atlasXss=1</script>",
    "[x](javascript:window.__atlasXss=1)",
    "<a href=\"javascript:window.__atlasXss=1\">x</a>",
    "<iframe srcdoc=\"<script>parent.__atlasXss=1</script>\"></iframe>",
    "<details open ontoggle=window.__atlasXss=1>x</details>",
    "</textarea><img src=x onerror=window.__atlasXss=1>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__atlasXss=1>",
]


def test_the_submission_forms_preview_runs_nothing_typed_into_it(trapped):
    """Whatever a person types or pastes, valid or not, the preview shows it without running any of it."""
    page, dialogs = trapped
    payload = "\n\n".join(SCRIPTS)
    values = {
        "title": SCRIPTS[0] + " title", "summary": SCRIPTS[1] + " summary of the case for the preview",
        "organisations.0": SCRIPTS[2], "region": "london", "settings": ["acute"], "themes": ["patient-safety"],
        "published": "2021-03-15", "status": "published", "lead.role": SCRIPTS[4], "lead.name": SCRIPTS[5],
        "leading_change": payload, "what_to_change": payload, "how_to_change": payload,
        "adding_value.better_outcomes": payload, "measures.0.label": SCRIPTS[6], "measures.0.value": "3",
        "measures.0.unit": SCRIPTS[7], "measures.0.dimension": "outcomes", "contact.name": SCRIPTS[8],
        "contact.email": "team@example.org", "links.0.title": SCRIPTS[0], "links.0.url": "javascript:window.__atlasXss=1",
        "body": payload, "consent_confirmed": True,
    }
    draft = {"version": 1, "saved": "2026-01-05T10:30:00Z",
             "state": {"rows": {"organisations": 1, "measures": 1, "links": 1, "redirect_from": 0},
                       "slugEdited": False, "values": values}}
    page.goto("submit/")
    expect(page.locator("#atlas-submit")).to_have_attribute("data-ready", "true")
    page.evaluate("([key, draft]) => localStorage.setItem(key, JSON.stringify(draft))", [DRAFT_KEY, draft])
    page.reload()
    expect(page.locator("#atlas-submit")).to_have_attribute("data-ready", "true")
    page.click("#atlas-preview-button")
    preview = page.locator("#atlas-preview-page")
    expect(preview).to_contain_text("summary of the case for the preview")
    page.mouse.move(300, 400)
    page.wait_for_timeout(300)  # let any image error or toggle event fire, if one could
    handlers = preview.evaluate(
        "el => [...el.querySelectorAll('*')].flatMap(n => [...n.attributes].map(a => a.name)).filter(n => n.startsWith('on'))"
    )
    assert handlers == []
    assert preview.locator("script, iframe, style, svg, math").count() == 0
    hrefs = preview.evaluate("el => [...el.querySelectorAll('[href]')].map(n => n.getAttribute('href'))")
    assert not [h for h in hrefs if h.strip().lower().startswith("javascript")]
    assert _ran(page) == [] and dialogs == []
