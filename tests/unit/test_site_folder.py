"""Emptying the site folder in the background: the old files go, hidden ones stay, nothing is left behind."""

from __future__ import annotations

from learning_atlas.site_folder import TRASH_PREFIX, FolderEmptying


def test_visible_entries_and_old_trash_go_hidden_entries_stay(tmp_path):
    site = tmp_path / "site"
    (site / "cases" / "a").mkdir(parents=True)
    (site / "cases" / "a" / "index.html").write_text("old page")
    (site / "index.html").write_text("old home")
    (site / ".git").mkdir()
    (site / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages")
    (site / f"{TRASH_PREFIX}left-by-a-killed-build").mkdir()
    emptying = FolderEmptying.start(site)
    assert emptying is not None
    assert sorted(p.name for p in site.iterdir() if not p.name.startswith(TRASH_PREFIX)) == [".git"]
    emptying.wait()
    assert [p.name for p in site.iterdir()] == [".git"]
    assert (site / ".git" / "HEAD").read_text() == "ref: refs/heads/gh-pages"


def test_nothing_to_do_for_an_empty_or_missing_folder(tmp_path):
    assert FolderEmptying.start(tmp_path / "missing") is None
    (tmp_path / "empty").mkdir()
    assert FolderEmptying.start(tmp_path / "empty") is None
    assert list((tmp_path / "empty").iterdir()) == []


def test_a_file_where_the_folder_should_be_is_left_alone(tmp_path):
    (tmp_path / "site").write_text("not a folder")
    assert FolderEmptying.start(tmp_path / "site") is None
    assert (tmp_path / "site").read_text() == "not a folder"
