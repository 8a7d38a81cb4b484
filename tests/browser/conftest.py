"""Fixtures of the browser tests: the sample atlas built once, served over HTTP, and Chromium.

The site is built from the repository's own ``mkdocs.yml`` and ``cases/`` with ``--strict``, into a
temporary directory, once per session, and served on a free port of 127.0.0.1 as GitHub Pages
serves it (``tests/site_server.py``): under site_url's path, ``/atlas/``, so that the addresses
MkDocs writes from the server's root (on ``404.html``) resolve, with the site's ``404.html`` for a
missing address, and gzip. Playwright drives Debian's Chromium (its own browser download does not
work here); every request to another host is aborted, so the tests never reach the network
(Material asks for Google Fonts and the GitHub API) and the pages behave as they would for a
reader offline from those.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from site_engine import build_site
from site_server import serve_site

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
RENAMED_CASE = REPO / "tests" / "acceptance" / "positive" / "minimal-valid-case.md"
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Anything not served by the test server: aborted, never fetched.
NOT_LOCAL = re.compile(r"^(?!http://127\.0\.0\.1[:/]).*")
# Pagefind's first query loads its WebAssembly and index: give assertions some room on a slow machine.
expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The sample atlas, built once with ``--strict`` from the repository's config."""
    out = tmp_path_factory.mktemp("atlas-site")
    result = build_site(REPO / "mkdocs.yml", out, "--strict")
    if result.returncode != 0:
        pytest.fail(f"the build with --strict failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    assert (out / "index.html").is_file(), "the build wrote no index.html"
    return out


@pytest.fixture(scope="session")
def base_url(built_site: Path):
    """The URL (ending in ``/``: ``http://127.0.0.1:PORT/atlas/``) at which the built atlas is served
    for the whole session; relative addresses (``page.goto("explore/")``) are read against it."""
    with serve_site(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def renamed_site(tmp_path_factory) -> Path:
    """A one-case atlas whose case was renamed from ``old-name`` to ``new-name``, built with
    ``--strict``: the sample atlas has no ``redirect_from``, so this is where a redirect page
    (``cases/old-name/index.html``) is built. Its ``site_url`` has no path: served from ``/``."""
    root = tmp_path_factory.mktemp("renamed")
    (root / "cases").mkdir()
    text = RENAMED_CASE.read_text(encoding="utf-8").replace(
        "consent_confirmed: true", "consent_confirmed: true\nredirect_from:\n  - old-name"
    )
    (root / "cases" / "new-name.md").write_text(text, encoding="utf-8")
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("---\ntemplate: atlas/home.html\n---\n\n# Renamed\n")
    (root / "mkdocs.yml").write_text(
        "site_name: Renamed\nsite_url: https://atlas.example.org/\ntheme:\n  name: material\n"
        f"plugins:\n  - atlas:\n      schemas_dir: {REPO / 'schemas'}\n      related: facets\n"
    )
    site = root / "site"
    done = build_site(root / "mkdocs.yml", site, "--strict")
    if done.returncode != 0:
        pytest.fail(f"the renamed atlas did not build ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    assert (site / "cases" / "old-name" / "index.html").is_file(), "the build wrote no redirect page"
    return site


@pytest.fixture(scope="session")
def cases_data(built_site: Path) -> list[dict]:
    """The site's own ``/cases.json``: every published case with its slug, title and facets."""
    data = json.loads((built_site / "cases.json").read_text(encoding="utf-8"))
    assert data["cases"], "cases.json lists no case"
    return data["cases"]


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Debian's Chromium, which Playwright, Lighthouse and pa11y all launch (with ``CHROMIUM_ARGS``)."""
    found = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
    if found is None:
        pytest.fail("Chromium is missing: run tests/browser/install-browser.sh (or apt-get install chromium)")
    return found


@pytest.fixture(scope="session")
def chromium_args() -> list[str]:
    """The switches every tool launches Chromium with: no sandbox (root), no GPU, no phoning home."""
    return list(CHROMIUM_ARGS)


@pytest.fixture(scope="session")
def browser(chromium_executable):
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_context(browser, base_url):
    """Open a fresh browser context (keyword arguments go to ``browser.new_context``); closed after the test."""
    contexts = []

    def make(**kwargs):
        context = browser.new_context(base_url=base_url, **kwargs)
        context.set_default_timeout(15_000)
        context.route(NOT_LOCAL, lambda route: route.abort())
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A page in a new context of its own: no state is shared between tests."""
    return new_context().new_page()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing at {AXE}: run tests/browser/install-browser.sh")
    # Another axe-core finds other violations: the tests hold for the version package-lock.json pins.
    locked = json.loads((HERE / "package-lock.json").read_text(encoding="utf-8"))["packages"]["node_modules/axe-core"]
    installed = json.loads((AXE.parent / "package.json").read_text(encoding="utf-8"))["version"]
    if installed != locked["version"]:
        pytest.fail(f"axe-core {installed} is installed, the lock pins {locked['version']}: "
                    "run tests/browser/install-browser.sh")
    return AXE.read_text(encoding="utf-8")
