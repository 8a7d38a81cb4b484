"""ProperDocs, the fork of MkDocs 1.6 that keeps its plugin API, builds the sample atlas as MkDocs does.

Each engine builds the repository's atlas (``mkdocs.yml``, ``cases/``) with ``--strict`` into a
folder of its own, and every file of the two sites is compared byte for byte, but for what two
builds may differ in: the generator tag that names the engine, the day of the build (the engines'
is fixed with ``SOURCE_DATE_EPOCH``; ``cases.json`` says its own), and Pagefind's file names and
order, which :func:`site_helpers.comparable_site` compares by content.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from site_engine import build_site
from site_helpers import comparable_site, describe_differences, site_differences

ROOT = Path(__file__).resolve().parents[2]
BUILD_DAY = "1767225600"
"""2026-01-01 as SOURCE_DATE_EPOCH: the engines' build date (the sitemap's lastmod), the same for both."""
GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')
GENERATED_ON = re.compile(rb'^\{"generated": "[0-9-]+"')
"""The first field of ``cases.json``: the day the atlas was built."""


def _site_built_by(engine: str, folder: Path) -> tuple[dict[str, object], set[bytes]]:
    """The site ``engine`` builds, comparable, without its generator tags; and those tags."""
    done = build_site(ROOT / "mkdocs.yml", folder / engine, "--strict", engine=engine,
                      env={**os.environ, "SOURCE_DATE_EPOCH": BUILD_DAY})
    assert done.returncode == 0, f"{engine} build --strict failed:\n{done.stderr}"
    files = comparable_site(folder / engine)
    generators: set[bytes] = set()
    for name, data in files.items():
        if name.endswith(".html"):
            generators.update(GENERATOR.findall(data))
            files[name] = GENERATOR.sub(b'<meta name="generator" content="">', data)
    files["cases.json"] = GENERATED_ON.sub(b'{"generated": ""', files["cases.json"])
    return files, generators


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, tuple[dict[str, object], set[bytes]]]:
    folder = tmp_path_factory.mktemp("engines")
    return {engine: _site_built_by(engine, folder) for engine in ("mkdocs", "properdocs")}


def test_properdocs_builds_every_file_mkdocs_builds_and_the_same_bytes(sites):
    (mkdocs, _), (properdocs, _) = sites["mkdocs"], sites["properdocs"]
    assert "cases/learning-lessons-framework-north-staffordshire/index.html" in mkdocs
    assert not site_differences(mkdocs, properdocs), describe_differences(mkdocs, properdocs, ("mkdocs", "properdocs"))


def test_each_engine_names_itself_in_one_generator_tag(sites):
    """What the comparison left out: one tag in each site, the engine's own."""
    (_, by_mkdocs), (_, by_properdocs) = sites["mkdocs"], sites["properdocs"]
    assert len(by_mkdocs) == 1 and len(by_properdocs) == 1
    assert by_mkdocs != by_properdocs
