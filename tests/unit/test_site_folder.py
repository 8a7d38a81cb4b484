"""The site folder changes only when a build succeeds: staging, publishing, discarding, leftovers."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from learning_atlas.processes.background import process_start_time
from learning_atlas.site.site_folder import StagedSite, remove_abandoned_staging


def _tree(folder):
    return {
        str(p.relative_to(folder)): p.read_text() if p.is_file() else None
        for p in sorted(folder.rglob("*"))
    }


def _old_site(tmp_path):
    site = tmp_path / "site"
    (site / "cases" / "a").mkdir(parents=True)
    (site / "cases" / "a" / "index.html").write_text("old page")
    (site / "index.html").write_text("old home")
    (site / ".git").mkdir()
    (site / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages")
    return site


def test_publish_puts_the_new_site_in_place_and_keeps_hidden_entries(tmp_path):
    site = _old_site(tmp_path)
    staged = StagedSite(site)
    assert staged.staging.parent == tmp_path and staged.staging.name.startswith(".atlas-build-")
    (staged.staging / "index.html").write_text("new home")
    staged.publish()
    staged.wait()
    assert _tree(site) == {".git": None, ".git/HEAD": "ref: refs/heads/gh-pages", "index.html": "new home"}
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_discard_leaves_the_site_as_it_was(tmp_path):
    site = _old_site(tmp_path)
    before = _tree(site)
    staged = StagedSite(site)
    (staged.staging / "index.html").write_text("half a site")
    staged.discard()
    assert _tree(site) == before
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_first_build_makes_the_site_folder(tmp_path):
    staged = StagedSite(tmp_path / "out" / "site")
    (staged.staging / "index.html").write_text("home")
    staged.publish()
    assert _tree(tmp_path / "out" / "site") == {"index.html": "home"}


def test_a_file_where_the_site_folder_should_be_is_refused_not_removed(tmp_path):
    (tmp_path / "site").write_text("not a folder")
    staged = StagedSite(tmp_path / "site")
    with pytest.raises(OSError):
        staged.publish()
    staged.discard()
    assert (tmp_path / "site").read_text() == "not a folder"


def test_staging_left_by_a_killed_build_is_removed_but_not_a_running_builds(tmp_path):
    namespace = os.readlink("/proc/self/ns/pid").strip("pid:[]")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    left = tmp_path / f".atlas-build-{int(dead.stdout)}-12345-{namespace}-abcd"
    (left / "cases").mkdir(parents=True)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        start = process_start_time(sleeper.pid)
        running = tmp_path / f".atlas-build-{sleeper.pid}-{start}-{namespace}-efgh"
        running.mkdir()
        reused = tmp_path / f".atlas-build-{sleeper.pid}-1-{namespace}-ijkl"  # same pid, another process's start
        reused.mkdir()
        unrelated = tmp_path / ".site.something-else"
        unrelated.mkdir()
        removed = remove_abandoned_staging(tmp_path / "site")
        assert sorted(removed) == sorted([left, reused])
        assert running.is_dir() and unrelated.is_dir() and not left.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_our_own_staging_is_never_abandoned(tmp_path):
    staged = StagedSite(tmp_path / "site")
    assert remove_abandoned_staging(tmp_path / "site") == []
    assert staged.staging.is_dir()
    staged.discard()
    assert os.listdir(tmp_path) == []
