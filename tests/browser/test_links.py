"""Every internal link of the built site resolves to a file of the site (no browser needed)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import pytest

pytestmark = pytest.mark.browser

# Attributes that point at another resource of the site.
LINK_ATTRIBUTES = {"href", "src"}
# Material's search worker and its language files are only there when the search plugin writes them.
OPTIONAL_PREFIXES = ("assets/javascripts/workers/", "assets/javascripts/lunr/")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, int]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in LINK_ATTRIBUTES and value is not None:
                self.links.append((tag, value.strip(), self.getpos()[0]))
            elif name == "srcset" and value:
                for candidate in value.split(","):
                    if candidate.strip():
                        self.links.append((tag, candidate.strip().split()[0], self.getpos()[0]))


def _base_path(site: Path) -> str:
    """The path the site is served under: site_url's, which the home page's canonical link gives
    (GitHub Pages serves a project's site at /<repository>/); "/" when it has none."""
    home = (site / "index.html").read_text(encoding="utf-8")
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', home)
    return urlsplit(canonical.group(1)).path if canonical else "/"


def _target(site: Path, page: Path, link: str, base: str = "/") -> PurePosixPath | None:
    """The site path a link points at, or None when it leaves the site or only names a fragment.

    A path from the server's root (MkDocs writes them on 404.html) is read under ``base``, the path
    the site is served under; one outside it is broken."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or not parts.path:
        return None  # http(s), mailto:, tel:, data:, protocol-relative, "#fragment", "?query"
    path = unquote(parts.path)
    if path.startswith("/"):
        if not (path + "/").startswith(base):
            return PurePosixPath("..", path.lstrip("/"))
        resolved = PurePosixPath(path.removeprefix(base.rstrip("/")).lstrip("/"))
    else:
        resolved = PurePosixPath(page.parent.relative_to(site).as_posix()) / path
    # Normalise "." and ".." by hand: a link that climbs out of the site is broken too.
    out: list[str] = []
    for part in resolved.parts:
        if part in ("", "."):
            continue
        if part == "..":
            if not out:
                return PurePosixPath("..", *resolved.parts)
            out.pop()
        else:
            out.append(part)
    return PurePosixPath(*out)


def _exists(site: Path, target: PurePosixPath, link: str) -> bool:
    if target.parts and target.parts[0] == "..":
        return False
    path = site.joinpath(*target.parts)
    if urlsplit(link).path.endswith("/") or path.is_dir():
        return (path / "index.html").is_file()
    return path.is_file()


def test_every_internal_link_resolves(built_site):
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 20, f"only {len(pages)} pages built"
    broken = []
    checked = 0
    base = _base_path(built_site)
    for page in pages:
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for tag, link, line in parser.links:
            target = _target(built_site, page, link, base)
            if target is None:
                continue
            checked += 1
            if _exists(built_site, target, link):
                continue
            if target.as_posix().startswith(OPTIONAL_PREFIXES):
                continue
            broken.append(f"{page.relative_to(built_site)}:{line}: <{tag}> {link} -> /{target}")
    assert checked > 500, f"only {checked} internal links found: is the parser reading the pages?"
    assert not broken, f"{len(broken)} broken internal link(s):\n" + "\n".join(broken)


def test_the_link_check_sees_a_broken_link(tmp_path):
    """The checker itself: a missing page, a missing file and a climb out of the site are reported."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text("", encoding="utf-8")
    page = tmp_path / "a" / "index.html"
    assert _exists(tmp_path, _target(tmp_path, page, "./"), "./")
    assert _exists(tmp_path, _target(tmp_path, page, "../a/"), "../a/")
    assert _exists(tmp_path, _target(tmp_path, page, "/a/index.html#x"), "/a/index.html#x")
    assert not _exists(tmp_path, _target(tmp_path, page, "../b/"), "../b/")
    assert not _exists(tmp_path, _target(tmp_path, page, "missing.css"), "missing.css")
    assert not _exists(tmp_path, _target(tmp_path, page, "../../a/"), "../../a/")
    # Served under /atlas/ (a GitHub Pages project site): paths from the root must be under it.
    assert _exists(tmp_path, _target(tmp_path, page, "/atlas/a/", "/atlas/"), "/atlas/a/")
    assert _exists(tmp_path, _target(tmp_path, page, "/atlas/a", "/atlas/"), "/atlas/a")
    assert not _exists(tmp_path, _target(tmp_path, page, "/a/", "/atlas/"), "/a/")
    assert not _exists(tmp_path, _target(tmp_path, page, "/atlasx/a/", "/atlas/"), "/atlasx/a/")
    for external in ("https://example.org/", "mailto:x@example.org", "#top", "//cdn.example.org/x.js"):
        assert _target(tmp_path, page, external) is None


def test_a_missing_address_gets_the_sites_404_page_with_its_styles(page, base_url):
    """Served as GitHub Pages serves it (under site_url's path, /atlas/), a missing address gets the
    site's 404.html, whose links MkDocs writes from the server's root: its stylesheets load."""
    failed = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type != "document" else None)
    response = page.goto("no-such-page/")
    assert response.status == 404
    assert page.locator("h1").first.inner_text().strip() == "Page not found"
    assert page.evaluate("document.styleSheets.length") >= 3
    assert page.locator(".md-header").evaluate("e => getComputedStyle(e).position") in ("sticky", "fixed")
    assert not failed, failed
    assert page.goto(base_url.split("/atlas/")[0] + "/").url == base_url  # the root leads to the site
