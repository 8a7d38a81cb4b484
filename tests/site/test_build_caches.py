"""Caches of earlier builds: a build that reuses them writes the same site, and a committed cache is refused."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from conftest import MINIMAL_CASE
from site_engine import build_site
from site_helpers import comparable_site, describe_differences

VALID = MINIMAL_CASE.read_text(encoding="utf-8")


def _cases(count: int) -> dict[str, str]:
    title = "title: Daily safety huddles on an example surgical ward"
    return {f"ward-{n}.md": VALID.replace(title, f"title: Daily safety huddles on ward {n}") for n in range(count)}


def test_a_build_with_pagefinds_index_from_the_cache_is_the_same_site(atlas_project, tmp_path):
    config = atlas_project(_cases(3))
    cache = tmp_path / ".atlas" / "cache" / "pagefind"
    first = build_site(config, tmp_path / "first", "--strict")
    assert first.returncode == 0, first.stderr
    assert len(list(cache.iterdir())) == 1, "the first build keeps its index"
    second = build_site(config, tmp_path / "second", "--strict")
    assert second.returncode == 0, second.stderr
    sites = comparable_site(tmp_path / "first"), comparable_site(tmp_path / "second")
    assert sites[0] == sites[1], describe_differences(*sites, ("first", "second"))
    # An edit makes new records: Pagefind runs again, and the index is that of a build without a cache.
    case = tmp_path / "cases" / "ward-1.md"
    case.write_text(case.read_text().replace("Daily safety huddles on ward 1", "Daily safety huddles on ward one"))
    assert build_site(config, tmp_path / "edited", "--strict").returncode == 0
    shutil.rmtree(tmp_path / ".atlas" / "cache")
    assert build_site(config, tmp_path / "uncached", "--strict").returncode == 0
    sites = comparable_site(tmp_path / "edited"), comparable_site(tmp_path / "uncached")
    assert sites[0] == sites[1], describe_differences(*sites, ("edited", "uncached"))
    assert b"ward one" in sites[0]["cases/ward-1/index.html"]


def test_a_damaged_article_cache_is_made_again_and_the_site_is_the_same(atlas_project, tmp_path):
    config = atlas_project(_cases(2))
    assert build_site(config, tmp_path / "first", "--strict").returncode == 0
    articles = tmp_path / ".atlas" / "cache" / "articles.json"
    kept = json.loads(articles.read_text())
    assert len(kept) == 2
    damaged = {key: ["<script>alert(1)</script>", [{"level": "two"}]] for key in kept}  # wrong shape: ignored
    for text in (json.dumps(damaged), "[" * 100000, "not json", json.dumps([1, 2])):
        articles.write_text(text)
        done = build_site(config, tmp_path / "again", "--strict")
        assert done.returncode == 0, done.stderr
        sites = comparable_site(tmp_path / "first"), comparable_site(tmp_path / "again")
        assert sites[0] == sites[1], describe_differences(*sites, ("first", "again"))
    assert json.loads(articles.read_text()).keys() == kept.keys()


def test_damaged_compiled_templates_are_compiled_again(atlas_project, tmp_path):
    config = atlas_project(_cases(2))
    assert build_site(config, tmp_path / "first", "--strict").returncode == 0
    compiled = sorted((tmp_path / ".atlas" / "cache" / "templates").iterdir())
    assert compiled, "the first build keeps its compiled templates"
    for number, path in enumerate(compiled):
        path.write_bytes([b"", b"\x00" * 40, b"not marshal data at all"][number % 3])
    done = build_site(config, tmp_path / "again", "--strict")
    assert done.returncode == 0, done.stderr
    sites = comparable_site(tmp_path / "first"), comparable_site(tmp_path / "again")
    assert sites[0] == sites[1], describe_differences(*sites, ("first", "again"))


def test_a_cache_committed_to_the_repository_stops_the_build(atlas_project, tmp_path):
    config = atlas_project(_cases(1))
    assert build_site(config, tmp_path / "site").returncode == 0
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("/.atlas/\n/site/\n")
    subprocess.run(["git", "-C", str(tmp_path), "add", "--force", ".atlas/cache"], check=True)
    done = build_site(config, tmp_path / "site")
    assert done.returncode != 0
    assert ".atlas/cache (cache_dir) holds files committed to the repository" in done.stderr
    assert "git rm -r --cached .atlas/cache" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("parallel", ["true", "false"])
def test_builds_over_the_old_site_are_the_same_site_through_edits(atlas_project, tmp_path, parallel):
    """The site a build replaces is kept in the cache and written over by the next (reuse_old_site)."""
    cases = _cases(55)  # enough for the pages to be drawn ahead, whose citation files are written there
    config = atlas_project(cases, assets={"ward-1/report.txt": b"the ward's report\n"}, parallel_pages=parallel)
    reference = tmp_path / "reference.yml"  # its own caches, and the old site deleted as MkDocs does
    reference.write_text(config.read_text().replace("  - atlas:\n", "  - atlas:\n      reuse_old_site: false\n"
                                                    "      cache_dir: .reference/cache\n      index_dir: .reference/index\n"))
    site, spare = tmp_path / "site", tmp_path / ".atlas" / "cache" / "old-site"

    def same_as_a_fresh_build(step: str) -> None:
        done = build_site(config, site)
        assert done.returncode == 0, done.stderr
        fresh = tmp_path / f"fresh-{step}"
        assert build_site(reference, fresh).returncode == 0
        sites = comparable_site(site), comparable_site(fresh)
        assert sites[0] == sites[1], describe_differences(*sites, (step, "fresh"))

    same_as_a_fresh_build("first")
    same_as_a_fresh_build("unchanged")
    assert spare.is_dir(), "the replaced site is kept for the next build"
    inode = (spare / "cases" / "ward-7" / "index.html").stat().st_ino
    case = tmp_path / "cases" / "ward-7.md"
    case.write_text(case.read_text().replace("Daily safety huddles on ward 7", "Daily safety huddles on ward seven"))
    (tmp_path / "cases" / "ward-2.md").unlink()
    (tmp_path / "cases" / "ward-3.md").rename(tmp_path / "cases" / "ward-three.md")
    (tmp_path / "cases" / "ward-1" / "report.txt").unlink()
    (tmp_path / "cases" / "ward-4" / "notes").mkdir(parents=True)
    (tmp_path / "cases" / "ward-4" / "notes" / "minutes.txt").write_text("minutes\n")
    same_as_a_fresh_build("edited")
    page = site / "cases" / "ward-7" / "index.html"
    assert page.stat().st_ino == inode and b"ward seven" in page.read_bytes(), "written over, not made anew"
    assert not (site / "cases" / "ward-2").exists() and not (site / "cases" / "ward-2.bib").exists()
    assert (site / "pagefind" / "pagefind-entry.json").stat().st_nlink == 1  # Pagefind ran: an edit
    case.write_text("---\ntitle: [not, a, title]\n---\n")  # invalid: skipped with a warning
    same_as_a_fresh_build("invalid")
    assert not (site / "cases" / "ward-7").exists()
    same_as_a_fresh_build("again")
    entry = site / "pagefind" / "pagefind-entry.json"
    assert entry.stat().st_nlink == 2, "linked from Pagefind's cache"
    # A --dirty build writes in the site itself, over its links into the cache: never through them. (Its
    # pages are not a fresh build's: MkDocs leaves unmodified pages unread, so the nav lacks their titles.)
    done = build_site(config, site, "--dirty")
    assert done.returncode == 0, done.stderr
    same_as_a_fresh_build("after dirty")
    assert entry.stat().st_nlink >= 2, "the cache's index was not written over: it is still linked from there"
