"""Fixtures for tests of the built site: the sample atlas built once, and small atlases built to order."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from site_helpers import run_mkdocs

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    """The sample atlas, built with --strict."""
    site = tmp_path_factory.mktemp("sample") / "site"
    done = run_mkdocs(ROOT / "mkdocs.yml", site, "--strict")
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


@pytest.fixture
def atlas_project(tmp_path):
    """Make a small atlas project in tmp_path: ``make(cases={name: text})`` returns its mkdocs.yml."""

    def make(cases: dict[str, str], assets: dict[str, bytes] | None = None, **options: str) -> Path:
        cases_dir = tmp_path / "cases"
        cases_dir.mkdir(exist_ok=True)
        for name, text in cases.items():
            (cases_dir / name).write_text(text, encoding="utf-8")
        for name, data in (assets or {}).items():
            target = cases_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        docs = tmp_path / "docs"
        docs.mkdir(exist_ok=True)
        (docs / "index.md").write_text("---\ntemplate: atlas/home.html\n---\n\n# Test atlas\n")
        extra = "".join(f"      {k}: {v}\n" for k, v in options.items())
        config = tmp_path / "mkdocs.yml"
        config.write_text(
            "site_name: Test atlas\nsite_url: https://atlas.example.org/\n"
            "repo_url: https://github.com/example/atlas\nedit_uri: edit/main/docs/\n"
            "theme:\n  name: material\n  language: en\n"
            f"plugins:\n  - search\n  - atlas:\n      schemas_dir: {ROOT / 'schemas'}\n{extra}"
        )
        return config

    return make
