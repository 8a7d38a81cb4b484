"""A reader who follows an old link to a renamed case lands on the case, at the same section."""

from __future__ import annotations

import pytest
from site_server import serve_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def renamed_url(renamed_site) -> str:
    with serve_site(renamed_site) as url:
        yield url


def test_an_old_link_lands_on_the_renamed_case_at_the_same_section(browser, renamed_url):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{renamed_url}cases/old-name/#how-to-change")
        page.wait_for_url(f"{renamed_url}cases/new-name/#how-to-change")
        assert page.locator("h1").first.inner_text().strip()
        assert page.locator("#how-to-change").count() == 1
    finally:
        context.close()


def test_an_old_link_works_without_javascript(browser, renamed_url):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{renamed_url}cases/old-name/")
        page.wait_for_url(f"{renamed_url}cases/new-name/")
    finally:
        context.close()
