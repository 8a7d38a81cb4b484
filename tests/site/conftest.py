"""Fixtures for tests of the built site: the sample atlas built once, and small atlases built to order."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from site_engine import build_site

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    """The sample atlas, built with --strict."""
    site = tmp_path_factory.mktemp("sample") / "site"
    done = build_site(ROOT / "mkdocs.yml", site, "--strict")
    assert done.returncode == 0, done.stderr
    return site


@pytest.fixture
def soup_of(sample_site):
    def load(path: str) -> BeautifulSoup:
        file = sample_site / path
        if file.is_dir() or path.endswith("/"):
            file = file / "index.html"
        return BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")

    return load
