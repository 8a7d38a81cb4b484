"""``atlas serve`` in Chromium: a saved case reloads the page a reader is on, at the same place.

The page reloads (MkDocs' live reload); a script the server adds to each page keeps the
scroll position across that reload, and only across a reload.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright
from serve_helpers import atlas_serve, copy_sample_atlas

pytestmark = pytest.mark.browser


def test_a_save_shows_on_the_open_page_at_the_same_scroll_position(tmp_path, chromium_executable, chromium_args):
    root = copy_sample_atlas(tmp_path / "atlas")
    case = max((root / "cases").glob("*.md"), key=lambda p: p.stat().st_size)  # a long page
    with atlas_serve(root, tmp_path / "serve.log") as (base, process), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_executable, args=chromium_args)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(base + f"cases/{case.stem}/")
            page.wait_for_load_state("load")
            page.evaluate("window.scrollTo(0, 900)")
            page.wait_for_function("Math.abs(window.scrollY - 900) < 2")
            with case.open("a", encoding="utf-8") as f:
                f.write("\nA sentence saved while the page was open: zqreloaded.\n")
            page.wait_for_function("document.body && document.body.innerText.includes('zqreloaded')", timeout=120_000)
            page.wait_for_load_state("load")
            page.wait_for_timeout(300)
            assert abs(page.evaluate("window.scrollY") - 900) < 2
            # Following a link to another page starts at its top, as usual.
            page.goto(base + "about/")
            assert page.evaluate("window.scrollY") == 0
            assert process.poll() is None
        finally:
            browser.close()
