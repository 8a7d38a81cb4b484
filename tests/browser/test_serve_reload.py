"""``atlas serve`` in Chromium: a saved case reloads the page a reader is on, at the same place.

The page reloads (MkDocs' live reload); a script the server adds to each page keeps the
scroll position across that reload, and only across a reload. A saved text is shown by the fast
render first; then only the pages whose files the rebuild changed reload, so a reader on a page
the save did not change is left alone.
"""

from __future__ import annotations

import time

import pytest
from serve_helpers import atlas_serve, copy_sample_atlas, wait_until

pytestmark = pytest.mark.browser


def _quiet(log, seconds: float = 2.5) -> bool:
    """True when the server has written nothing for ``seconds`` (no build under way)."""
    return time.time() - log.stat().st_mtime >= seconds


def test_a_save_shows_on_the_open_page_at_the_same_scroll_position(tmp_path, browser):
    root = copy_sample_atlas(tmp_path / "atlas")
    case = max((root / "cases").glob("*.md"), key=lambda p: p.stat().st_size)  # a long page
    log = tmp_path / "serve.log"
    with atlas_serve(root, log) as (base, process):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        try:
            page = context.new_page()
            page.goto(base + f"cases/{case.stem}/")
            page.wait_for_load_state("load")
            page.evaluate("window.scrollTo(0, 900)")
            page.wait_for_function("Math.abs(window.scrollY - 900) < 2")
            with case.open("a", encoding="utf-8") as f:
                f.write("\nA sentence saved while the page was open: zqreloaded.\n")
            page.wait_for_function("document.body && document.body.innerText.includes('zqreloaded')", timeout=120_000)
            # A build may follow (Explore, related lists), reloading the page again: each reload keeps the place.
            wait_until(lambda: _quiet(log), 120, "the builds to end")
            page.wait_for_load_state("load")
            page.wait_for_function("Math.abs(window.scrollY - 900) < 2", timeout=15_000)
            # Following a link to another page starts at its top, as usual.
            page.goto(base + "about/")
            assert page.evaluate("window.scrollY") == 0
            assert process.poll() is None
        finally:
            context.close()


def test_a_saved_text_reloads_its_own_page_and_not_a_page_it_does_not_change(tmp_path, browser):
    root = copy_sample_atlas(tmp_path / "atlas")
    case = sorted((root / "cases").glob("*.md"))[2]
    log = tmp_path / "serve.log"
    with atlas_serve(root, log) as (base, process):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        try:
            edited, other = context.new_page(), context.new_page()
            loads = {"edited": 0, "other": 0}
            edited.on("load", lambda _: loads.__setitem__("edited", loads["edited"] + 1))
            other.on("load", lambda _: loads.__setitem__("other", loads["other"] + 1))
            edited.goto(base + f"cases/{case.stem}/")
            other.goto(base + "about/")
            wait_until(lambda: _quiet(log), 120, "the first builds to end")
            with case.open("a", encoding="utf-8") as f:
                f.write("\nA sentence saved while two pages were open: zqtwopages.\n")
            edited.wait_for_function("document.body && document.body.innerText.includes('zqtwopages')", timeout=120_000)
            assert "atlas serve: showed" in log.read_text()  # the fast render showed it
            wait_until(lambda: _quiet(log), 120, "the builds to end")
            other.wait_for_timeout(500)
            assert loads["other"] == 1, "a page the save did not change was reloaded"
            assert loads["edited"] >= 2
            # Saved again as it is: nothing changed, so nothing reloads.
            shown, before = log.read_text().count("atlas serve: showed"), dict(loads)
            case.write_text(case.read_text(encoding="utf-8"), encoding="utf-8")
            wait_until(lambda: log.read_text().count("atlas serve: showed") > shown, 60, "the unchanged save")
            wait_until(lambda: _quiet(log), 120, "the builds to end")
            edited.wait_for_timeout(500)
            assert loads == before, "a save that changed nothing reloaded a page"
            assert process.poll() is None
        finally:
            context.close()
