"""How a build treats invalid, draft and archived cases, and hostile but valid content."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from conftest import MINIMAL_CASE, SCHEMAS
from learning_atlas.contract.checker import check_paths
from learning_atlas.contract.schema import load_case_schema
from site_engine import build_site

VALID = MINIMAL_CASE.read_text(encoding="utf-8")
PNG = b"\x89PNG\r\n\x1a\n" + bytes(24)
INVALID = VALID.replace("region: north-west", "region: North West")


def test_strict_build_fails_with_the_check_messages_and_builds_nothing(atlas_project, tmp_path):
    config = atlas_project({"good-case.md": VALID, "bad-case.md": INVALID})
    site = tmp_path / "site"
    site.mkdir()
    (site / "previous.html").write_text("the last good build")
    done = build_site(config, site, "--strict")
    assert done.returncode != 0
    # the region error (the two cases are also near copies: that warning falls on the one written last)
    expected = next(p.gnu() for p in check_paths([tmp_path / "cases"], load_case_schema(SCHEMAS)).problems if p.key == "region")
    assert "region: 'North West' is not a region; did you mean 'north-west'?" in expected
    assert expected in done.stderr
    assert [p.name for p in site.iterdir()] == ["previous.html"], "a failed build must leave site/ as it was"


def test_non_strict_build_warns_skips_the_invalid_case_and_builds_the_rest(atlas_project, tmp_path):
    config = atlas_project({"good-case.md": VALID, "bad-case.md": INVALID})
    site = tmp_path / "site"
    done = build_site(config, site)
    assert done.returncode == 0, done.stderr
    # Our line, logged as a warning (the strict build of the same cases fails on it); not MkDocs' label.
    assert "bad-case.md:6:1: error: region:" in done.stderr
    assert (site / "cases/good-case/index.html").exists()
    assert not (site / "cases/bad-case").exists()


def test_invalid_cases_fail_option(atlas_project, tmp_path):
    config = atlas_project({"good-case.md": VALID, "bad-case.md": INVALID}, invalid_cases="fail")
    assert build_site(config, tmp_path / "site").returncode != 0


def test_unreadable_cases_never_crash_a_build(atlas_project, tmp_path):
    config = atlas_project({"good-case.md": VALID, "binary-case.md": "\x00\x01", "laughs-case.md": "---\na: &a [1]\nb: [*a, *a]\n---\n"})
    done = build_site(config, tmp_path / "site")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr


def test_drafts_are_not_built_and_archived_cases_are_marked(atlas_project, tmp_path):
    draft = VALID.replace("consent_confirmed: true", "consent_confirmed: true\nstatus: draft")
    archived = VALID.replace("consent_confirmed: true", "consent_confirmed: true\nstatus: archived")
    config = atlas_project({"draft-case.md": draft, "archived-case.md": archived, "good-case.md": VALID})
    site = tmp_path / "site"
    assert build_site(config, site, "--strict").returncode == 0
    assert not (site / "cases/draft-case").exists()
    page = BeautifulSoup((site / "cases/archived-case/index.html").read_text(), "html.parser")
    assert "Archived." in page.select_one(".atlas-banner--archived").get_text()
    listing = BeautifulSoup((site / "regions/north-west/index.html").read_text(), "html.parser")
    current = [a["href"] for a in listing.select(".atlas-cards")[0].select(".atlas-card__title a")]
    assert current == ["../../cases/good-case/"]
    archived_links = [a["href"] for a in listing.select(".atlas-archived .atlas-card__title a")]
    assert archived_links == ["../../cases/archived-case/"]


def test_case_assets_are_copied_and_links_rewritten(atlas_project, tmp_path):
    text = VALID.replace("over two months.", "over two months.\n  ![Falls chart](asset-case/chart.png)")
    config = atlas_project({"asset-case.md": text}, assets={"asset-case/chart.png": PNG})
    site = tmp_path / "site"
    assert build_site(config, site, "--strict").returncode == 0
    assert (site / "cases/asset-case/chart.png").read_bytes() == PNG
    page = BeautifulSoup((site / "cases/asset-case/index.html").read_text(), "html.parser")
    assert page.select_one("img[alt='Falls chart']")["src"] == "chart.png"


def test_strings_from_a_case_are_escaped_everywhere(atlas_project, tmp_path):
    """Valid but awkward text: markup in a title, quotes in a link address, ampersands."""
    text = (
        VALID.replace("title: Daily safety huddles on an example surgical ward",
                      'title: "Huddles & <b>bold</b> \\"quotes\\" on ward 7"')
        .replace("consent_confirmed: true", 'consent_confirmed: true\nlinks:\n  - title: A "quoted" & odd title\n'
                 '    url: https://example.org/a"onmouseover="alert(1)')
    )
    config = atlas_project({"awkward-case.md": text})
    site = tmp_path / "site"
    done = build_site(config, site, "--strict")
    assert done.returncode == 0, done.stderr
    for page in [site / "cases/awkward-case/index.html", site / "index.html", site / "regions/north-west/index.html",
                 site / "explore/index.html"]:
        soup = BeautifulSoup(page.read_text(), "html.parser")
        assert not soup.select("main b"), page
        assert all(not attr.startswith("on") for tag in soup.find_all(True) for attr in tag.attrs), page
    soup = BeautifulSoup((site / "cases/awkward-case/index.html").read_text(), "html.parser")
    assert soup.select_one("h1").get_text() == 'Huddles & <b>bold</b> "quotes" on ward 7'
    link = soup.select_one(".atlas-links a")
    assert link["href"] == 'https://example.org/a%22onmouseover=%22alert(1)' or '"' in link["href"]
    assert link.get_text() == 'A "quoted" & odd title'


def _related(site, slug):
    page = BeautifulSoup((site / f"cases/{slug}/index.html").read_text(), "html.parser")
    return [a["href"] for a in page.select(".atlas-related .atlas-card__title a")]


def test_related_lists_from_the_index_are_stable_and_never_self_or_draft(atlas_project, tmp_path):
    from conftest import CASES

    # Eight of the sample's cases, without their builds_on: the cases they name may not be among them.
    cases = {p.name: re.sub(r"^builds_on:\n(?:[ -].*\n)*", "", p.read_text(encoding="utf-8"), flags=re.MULTILINE)
             for p in sorted(CASES.glob("*.md"))[:8]}
    first = sorted(cases)[0]
    cases["zz-draft-copy.md"] = cases[first].replace("consent_confirmed: true", "consent_confirmed: true\nstatus: draft")
    config = atlas_project(cases)
    one, two = tmp_path / "one", tmp_path / "two"
    assert build_site(config, one, "--strict").returncode == 0
    assert (tmp_path / ".atlas/index").is_dir() and (tmp_path / ".atlas/key-terms.json").is_file()
    assert build_site(config, two, "--strict").returncode == 0
    for name in cases:
        slug = name[:-3]
        if slug == "zz-draft-copy":
            continue
        related = _related(one, slug)
        assert related == _related(two, slug)
        assert f"../../cases/{slug}/" not in related
        assert "../../cases/zz-draft-copy/" not in related


def test_a_damaged_index_does_not_stop_the_build(atlas_project, tmp_path):
    config = atlas_project({"good-case.md": VALID, "other-case.md": VALID.replace("Daily safety", "Weekly safety")})
    assert build_site(config, tmp_path / "one").returncode == 0
    for file in (tmp_path / ".atlas/index").iterdir():
        file.write_bytes(b"garbage")
    (tmp_path / ".atlas/key-terms.json").write_text("{not json")
    done = build_site(config, tmp_path / "two", "--strict")
    assert done.returncode == 0, done.stderr
    assert _related(tmp_path / "two", "good-case") == ["../../cases/other-case/"]


def test_related_lists_can_be_switched_off(atlas_project, tmp_path):
    config = atlas_project(
        {"good-case.md": VALID, "other-case.md": VALID.replace("Daily safety", "Weekly safety")}, related="none"
    )
    assert build_site(config, tmp_path / "site", "--strict").returncode == 0
    assert _related(tmp_path / "site", "good-case") == []
    assert not (tmp_path / ".atlas" / "index").exists(), "no index is built when related lists are off"


def test_a_rebuild_replaces_the_last_site_and_keeps_hidden_files(atlas_project, tmp_path):
    config = atlas_project({"good-case.md": VALID})
    site = tmp_path / "site"
    site.mkdir()
    (site / "stale-page.html").write_text("from a build long ago")
    (site / ".nojekyll").write_text("")
    assert build_site(config, site, "--strict").returncode == 0
    assert build_site(config, site, "--strict").returncode == 0
    assert not (site / "stale-page.html").exists()
    assert (site / ".nojekyll").exists()
    assert not [p for p in tmp_path.iterdir() if ".atlas-build-" in p.name]
    assert (site / "cases/good-case/index.html").exists() and (site / "pagefind/pagefind.js").exists()


def test_without_an_editors_address_in_mkdocs_yml_the_submit_page_names_none(atlas_project, tmp_path):
    """No extra.editors_email: the form offers no email (tests/browser/test_submit.py follows the one set)."""
    config = atlas_project({"good-case.md": VALID})
    done = build_site(config, tmp_path / "site", "--strict")
    assert done.returncode == 0, done.stderr
    root = BeautifulSoup((tmp_path / "site/submit/index.html").read_text(), "html.parser").select_one("#atlas-submit")
    assert root["data-editors"] == ""
    assert root["data-site-name"] == "Test atlas"


def test_titles_are_a_typed_option_that_refuses_a_page_it_does_not_know(atlas_project, tmp_path):
    config = atlas_project({"good-case.md": VALID}, titles="{themes: Topics, submit: Share your work}")
    done = build_site(config, tmp_path / "site", "--strict")
    assert done.returncode == 0, done.stderr
    page = BeautifulSoup((tmp_path / "site/themes/index.html").read_text(), "html.parser")
    assert page.select_one("h1").get_text() == "Topics"
    assert BeautifulSoup((tmp_path / "site/submit/index.html").read_text(), "html.parser").select_one("h1").get_text() \
        == "Share your work"
    config = atlas_project({"good-case.md": VALID}, titles="{themse: Topics}")
    done = build_site(config, tmp_path / "site", "--strict")
    assert done.returncode != 0
    assert "'themse' is not a page the atlas titles" in done.stderr and "Traceback" not in done.stderr
