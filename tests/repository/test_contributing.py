"""CONTRIBUTING.md, the site's guide that includes its sections, and the pull-request template: in
order, alike on GitHub and on the site, and linking to what exists."""

from __future__ import annotations

import re
import unicodedata

import markdown
from bs4 import BeautifulSoup
from repository_files import ROOT, github_html, mkdocs_config, section

CONTRIBUTING = ROOT / "CONTRIBUTING.md"
SITE_GUIDE = ROOT / "docs" / "contributing.md"
PR_TEMPLATE = ROOT / ".github" / "PULL_REQUEST_TEMPLATE.md"


# --- the pull-request template ----------------------------------------------------------------


def test_pull_request_template_has_the_governance_checklist_and_the_review():
    text = PR_TEMPLATE.read_text(encoding="utf-8")
    items = [m.lower() for m in re.findall(r"^- \[ \] (.+)$", text, re.MULTILINE)]
    for words in (("consent", "consent_confirmed: true"), ("patient-identifiable", "nhs number"), ("traced", "source")):
        assert any(all(w in item for w in words) for item in items), words
    review = section(github_html(text), "What the reviewer will check")
    assert "atlas check" in " ".join(e.get_text() for e in review)


# --- CONTRIBUTING.md and the site's guide -----------------------------------------------------


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading (and Python-Markdown's toc, for the headings we write)."""
    text = unicodedata.normalize("NFKC", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(markdown_text: str) -> set[str]:
    return {_slug(h.get_text()) for h in github_html(markdown_text).find_all(re.compile("^h[1-6]$"))}


_SECTION = re.compile(r"--8<-- \[start:([a-z][-_0-9a-z]*)\][^\n]*\n(.*?)\n[^\n]*--8<-- \[end:\1\]", re.DOTALL)
_INCLUDE = re.compile(r'^--8<-- "CONTRIBUTING\.md:([a-z][-_0-9a-z]*)"$', re.MULTILINE)
_REFERENCE_USE = re.compile(r"\]\[([^\]]+)\]")
_REFERENCE_DEFINITION = re.compile(r"^\[([^\]]+)\]: (\S+)$", re.MULTILINE)


def _shared_sections() -> dict[str, str]:
    return dict(_SECTION.findall(CONTRIBUTING.read_text(encoding="utf-8")))


def _site_guide_as_built() -> str:
    """docs/contributing.md with CONTRIBUTING.md's sections put in, as pymdownx.snippets does."""
    sections = _shared_sections()
    return _INCLUDE.sub(lambda m: sections[m.group(1)], SITE_GUIDE.read_text(encoding="utf-8"))


def test_contributing_gives_the_three_ways_in_order_then_what_happens_next():
    headings = [h.get_text(strip=True) for h in github_html(CONTRIBUTING.read_text(encoding="utf-8")).find_all(["h2", "h3"])]
    order = [
        "Before you start",
        "1. The form on the site",
        "2. The GitHub website",
        "3. Git on your own computer",
        "What happens after you open a pull request",
        "Changing or renaming a published case study",
    ]
    assert [h for h in headings if h in order] == order


def test_site_guide_includes_every_shared_section_of_contributing_once():
    config = mkdocs_config()
    extensions = [next(iter(e)) if isinstance(e, dict) else e for e in config["markdown_extensions"]]
    assert "pymdownx.snippets" in extensions
    snippets = next(e for e in config["markdown_extensions"] if isinstance(e, dict) and "pymdownx.snippets" in e)
    assert snippets["pymdownx.snippets"]["check_paths"] is True, "a missing section must fail the build"
    included = _INCLUDE.findall(SITE_GUIDE.read_text(encoding="utf-8"))
    assert sorted(included) == sorted(_shared_sections()) and len(set(included)) == len(included)


def test_shared_sections_links_are_defined_in_both_files():
    used = {label for text in _shared_sections().values() for label in _REFERENCE_USE.findall(text)}
    for path in (CONTRIBUTING, SITE_GUIDE):
        defined = dict(_REFERENCE_DEFINITION.findall(path.read_text(encoding="utf-8")))
        assert used <= set(defined), (path.name, used - set(defined))


def test_shared_sections_render_alike_on_github_and_on_the_site():
    """Python-Markdown (the site) nests lists by 4 spaces, GitHub by the marker's width: the
    shared text must give both the same lists, tables and headings."""

    def shape(soup: BeautifulSoup) -> list[tuple[str, int]]:
        tags = soup.find_all(["ol", "ul", "li", "table", "h2", "h3", "h4"])
        return [(t.name, len(t.find_parents(["ol", "ul"]))) for t in tags]

    for name, text in _shared_sections().items():
        site = BeautifulSoup(markdown.markdown(text, extensions=["tables", "toc"], tab_length=4), "html.parser")
        assert shape(site) == shape(github_html(text)), name


def test_contributing_links_lead_to_files_and_pages_that_exist():
    config = mkdocs_config()
    site_url, repo_url = config["site_url"].rstrip("/") + "/", config["repo_url"].rstrip("/") + "/"
    text = CONTRIBUTING.read_text(encoding="utf-8")
    pages = {str(page) for page in _nav_pages(config["nav"])}
    links = [a["href"] for a in github_html(text).find_all("a", href=True)]
    assert links
    for link in links:
        target, _, fragment = link.partition("#")
        if link.startswith("#"):
            assert fragment in _anchors(text), link
        elif link.startswith(site_url):
            path = target.removeprefix(site_url).strip("/")
            assert f"{path}/index.md" in pages or f"{path}.md" in pages, f"{link}: no such page on the site"
        elif link.startswith(repo_url):
            kind, branch, path = target.removeprefix(repo_url).split("/", 2)
            assert (kind, branch) in {("tree", "main"), ("blob", "main"), ("new", "main")}, link
            assert (ROOT / path).exists(), link
        elif re.match(r"https?://", link):
            continue  # elsewhere on the web
        else:
            file = ROOT / target
            assert file.exists(), link
            if fragment:
                source = _site_guide_as_built() if file == SITE_GUIDE else file.read_text(encoding="utf-8")
                assert fragment in _anchors(source), link


def _nav_pages(nav) -> list[str]:
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, dict):
        return [p for value in nav.values() for p in _nav_pages(value)]
    return [p for item in nav for p in _nav_pages(item)]
