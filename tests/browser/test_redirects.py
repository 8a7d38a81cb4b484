"""A reader who follows an old link to a renamed case lands on the case, at the same section."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from site_engine import build_site

REPO = Path(__file__).resolve().parents[2]
ACCEPTANCE_CASE = REPO / "tests" / "acceptance" / "positive" / "minimal-valid-case.md"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def renamed_site(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("renamed")
    (root / "cases").mkdir()
    text = ACCEPTANCE_CASE.read_text(encoding="utf-8").replace(
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
    assert done.returncode == 0, done.stderr
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_an_old_link_lands_on_the_renamed_case_at_the_same_section(browser, renamed_site):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{renamed_site}cases/old-name/#how-to-change")
        page.wait_for_url(f"{renamed_site}cases/new-name/#how-to-change")
        assert page.locator("h1").first.inner_text().strip()
        assert page.locator("#how-to-change").count() == 1
    finally:
        context.close()


def test_an_old_link_works_without_javascript(browser, renamed_site):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{renamed_site}cases/old-name/")
        page.wait_for_url(f"{renamed_site}cases/new-name/")
    finally:
        context.close()
