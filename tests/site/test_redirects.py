"""Renamed cases: a page at each old address in ``redirect_from`` sends readers to the case."""

from __future__ import annotations

from urllib.parse import urljoin

from bs4 import BeautifulSoup
from conftest import MINIMAL_CASE
from site_engine import build_site

VALID = MINIMAL_CASE.read_text(encoding="utf-8")
RENAMED = VALID.replace(
    "title: Daily safety huddles on an example surgical ward",
    'title: "Huddles <b>& \\"friends\\"</b>"',
).replace("consent_confirmed: true", "consent_confirmed: true\nredirect_from:\n  - old-huddles\n  - older-huddles")


def test_each_old_address_redirects_to_the_renamed_case(atlas_project, tmp_path):
    config = atlas_project({"new-huddles.md": RENAMED})
    site = tmp_path / "site"
    done = build_site(config, site, "--strict")
    assert done.returncode == 0, done.stderr
    for old in ("old-huddles", "older-huddles"):
        page = BeautifulSoup((site / "cases" / old / "index.html").read_text(encoding="utf-8"), "html.parser")
        refresh = page.select_one('meta[http-equiv="refresh"]')["content"]
        assert refresh == "0; url=../new-huddles/"
        old_url = f"https://atlas.example.org/cases/{old}/"
        target = urljoin(old_url, refresh.split("url=", 1)[1])
        assert target == "https://atlas.example.org/cases/new-huddles/"
        assert page.select_one('link[rel="canonical"]')["href"] == target
        assert page.select_one('meta[name="robots"]')["content"] == "noindex"
        assert page.select_one("html")["lang"] == "en"
        link = page.select_one("body a")
        assert link["href"] == "../new-huddles/"
        assert link.get_text() == 'Huddles <b>& "friends"</b>', "the title is text, never markup"
        assert page.select_one("body b") is None
    assert (site / "cases" / "new-huddles" / "index.html").exists()


def test_redirect_pages_are_not_case_pages(atlas_project, tmp_path):
    """An old address is not listed in the sitemap, open data, or reader search."""
    config = atlas_project({"new-huddles.md": RENAMED})
    site = tmp_path / "site"
    assert build_site(config, site, "--strict").returncode == 0
    assert "old-huddles" not in (site / "sitemap.xml").read_text()
    assert "old-huddles" not in (site / "cases.json").read_text()
    assert not any("old-huddles" in path.read_text() for path in (site / "explore").rglob("*.json"))


def test_a_redirect_that_clashes_with_a_case_fails_the_build(atlas_project, tmp_path):
    clash = RENAMED.replace("  - old-huddles\n", "  - other-case\n")
    other = VALID.replace("title: Daily safety huddles on an example surgical ward", "title: Another huddle case")
    config = atlas_project({"new-huddles.md": clash, "other-case.md": other})
    done = build_site(config, tmp_path / "site", "--strict")
    assert done.returncode != 0
    assert "other-case" in done.stderr and "redirect_from" in done.stderr
