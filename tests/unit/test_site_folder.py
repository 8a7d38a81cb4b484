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


# --- writing over the site the last build replaced (the spare) -------------------------------


def _clock_past(folder, changed: int) -> None:
    """Return once the file system's clock is past the change time ``changed`` (a coarse clock ticks every few ms)."""
    probe = folder / ".probe"
    for _ in range(100000):
        probe.write_text("tick")
        if probe.stat().st_ctime_ns > changed:
            break
    probe.unlink()


def _spare(tmp_path, files):
    spare = tmp_path / "cache" / "old-site"
    for path, text in files.items():
        (spare / path).parent.mkdir(parents=True, exist_ok=True)
        (spare / path).write_text(text)
    # As between two builds: the files of the site replaced are older than anything the next build writes.
    _clock_past(tmp_path, max((p.lstat().st_ctime_ns for p in spare.rglob("*")), default=0))
    return spare


def _build(staged, written):
    for path, text in written.items():
        (staged.staging / path).parent.mkdir(parents=True, exist_ok=True)
        with open(staged.staging / path, "w") as out:  # as MkDocs writes: over a file that is there
            out.write(text)


def test_files_written_again_keep_their_inodes_and_the_site_is_exactly_the_new_one(tmp_path):
    spare = _spare(tmp_path, {"index.html": "old home", "cases/a/index.html": "old a", "cases/a.bib": "old bib",
                              "cases/gone/index.html": "a deleted case", "cases/gone.bib": "its citation"})
    inode = (spare / "cases/a/index.html").stat().st_ino
    site = _old_site(tmp_path)
    staged = StagedSite(site, spare)
    new = {"index.html": "new home", "cases/a/index.html": "new a", "cases/a.bib": "new bib", "cases/b/index.html": "b"}
    assert staged.carry_over(new) == 3
    assert not spare.exists()
    assert not (staged.staging / "cases" / "gone").exists() and not (staged.staging / "cases" / "gone.bib").exists()
    _build(staged, new)
    assert (staged.staging / "cases/a/index.html").stat().st_ino == inode
    staged.publish()
    staged.wait()
    assert _tree(site) == {".git": None, ".git/HEAD": "ref: refs/heads/gh-pages", "cases": None, "cases/a": None,
                           "cases/b": None, **new}
    assert _tree(spare) == {"cases": None, "cases/a": None, "cases/a/index.html": "old page",
                            "index.html": "old home"}  # the site replaced, for the next build


def test_a_carried_file_the_build_did_not_write_is_removed_with_its_empty_folders(tmp_path):
    spare = _spare(tmp_path, {"index.html": "old", "drafts/page/index.html": "an old draft", "feed.xml": "old"})
    staged = StagedSite(tmp_path / "site", spare)
    # The build meant to write the draft and the feed (MkDocs lists them) but left them out after all.
    assert staged.carry_over(["index.html", "drafts/page/index.html", "feed.xml"]) == 3
    _build(staged, {"index.html": "new"})
    staged.publish()
    assert _tree(tmp_path / "site") == {"index.html": "new"}


def test_a_file_written_again_with_the_same_bytes_is_kept(tmp_path):
    spare = _spare(tmp_path, {"same.txt": "same"})
    staged = StagedSite(tmp_path / "site", spare)
    assert staged.carry_over(["same.txt"]) == 1
    _build(staged, {"same.txt": "same"})
    staged.publish()
    assert _tree(tmp_path / "site") == {"same.txt": "same"}


def test_links_folders_in_the_way_and_hard_links_in_the_spare_are_removed_never_written_through(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("not the site's")
    spare = _spare(tmp_path, {"cases/a/index.html/x": "a folder where a page goes", "cases/b": "a file where a folder goes"})
    os.symlink(outside, spare / "linked.html")
    os.link(outside, spare / "hard.html")
    os.symlink(tmp_path, spare / "folder-link")
    staged = StagedSite(tmp_path / "site", spare)
    written = {"cases/a/index.html": "a", "cases/b/index.html": "b", "linked.html": "page", "hard.html": "page",
               "folder-link/index.html": "page"}
    assert staged.carry_over(written) == 0
    _build(staged, written)
    staged.publish()
    assert _tree(tmp_path / "site") == {"cases": None, "cases/a": None, "cases/b": None, "folder-link": None, **written}
    assert outside.read_text() == "not the site's" and (tmp_path / "outside.txt").stat().st_nlink == 1


def test_a_spare_that_is_a_link_or_a_file_is_never_followed(tmp_path):
    target = tmp_path / "elsewhere"
    (target / "cases").mkdir(parents=True)
    (target / "cases" / "keep.html").write_text("not ours")
    (tmp_path / "cache").mkdir()
    os.symlink(target, tmp_path / "cache" / "old-site")
    staged = StagedSite(tmp_path / "site", tmp_path / "cache" / "old-site")
    assert staged.carry_over(["cases/keep.html"]) == 0
    assert (target / "cases" / "keep.html").read_text() == "not ours"
    assert os.listdir(staged.staging) == []
    staged.discard()


def test_without_a_spare_the_old_site_is_kept_as_one_and_a_failed_build_loses_only_the_spare(tmp_path):
    site = _old_site(tmp_path)
    spare = tmp_path / "cache" / "old-site"
    staged = StagedSite(site, spare)
    assert staged.carry_over(["index.html"]) == 0  # no spare yet: a first build
    _build(staged, {"index.html": "new"})
    staged.publish()
    assert _tree(spare) == {"cases": None, "cases/a": None, "cases/a/index.html": "old page", "index.html": "old home"}
    failed = StagedSite(site, spare)
    assert failed.carry_over(["index.html"]) == 1
    failed.discard()
    assert not spare.exists() and _tree(site)["index.html"] == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "site"]


def test_write_over_leaves_exactly_the_new_bytes_and_marks_unchanged_files_written(tmp_path):
    from learning_atlas.site.site_folder import write_over

    path = tmp_path / "page.html"
    for data in (b"a longer first version", b"short", b"", b"", "répété".encode(), "répété".encode()):
        before = path.stat() if path.exists() else None
        if before is not None:
            _clock_past(tmp_path, before.st_ctime_ns)
        write_over(str(path), data)
        assert path.read_bytes() == data
        if before is not None:
            assert path.stat().st_ino == before.st_ino, "written over in place, not made anew"
            assert path.stat().st_ctime_ns != before.st_ctime_ns, "even an unchanged file is marked written"
    os.symlink(tmp_path / "elsewhere", tmp_path / "link.html")
    with pytest.raises(OSError):
        write_over(str(tmp_path / "link.html"), b"never through a link")
    assert not (tmp_path / "elsewhere").exists()


def test_an_empty_file_written_again_over_a_carried_one_is_kept(tmp_path):
    from learning_atlas.site.site_folder import write_over

    spare = _spare(tmp_path, {"empty.txt": ""})
    staged = StagedSite(tmp_path / "site", spare)
    assert staged.carry_over(["empty.txt"]) == 0  # an empty file is never carried: it is written anew
    write_over(str(staged.staging / "empty.txt"), b"")
    staged.publish()
    assert _tree(tmp_path / "site") == {"empty.txt": ""}


def test_a_spare_that_is_the_site_or_in_it_or_holds_it_is_never_used(tmp_path):
    site = _old_site(tmp_path)
    before = _tree(site)
    for spare in (site, site / "cases", tmp_path):
        staged = StagedSite(site, spare)
        assert staged.carry_over(["index.html", "cases/a/index.html"]) == 0
        staged.discard()
        assert _tree(site) == before


def test_files_changed_after_the_carrying_by_the_clock_or_not_as_a_new_file_would_be_are_not_carried(tmp_path, monkeypatch):
    from learning_atlas.site import site_folder

    spare = _spare(tmp_path, {"index.html": "old", "private.html": "old", "cases/a/index.html": "old"})
    (spare / "private.html").chmod(0o600)  # not the mode a build gives a new file
    (spare / "cases").chmod(0o700)
    staged = StagedSite(tmp_path / "site", spare)
    assert staged.carry_over(["index.html", "private.html", "cases/a/index.html"]) == 1
    assert sorted(os.listdir(staged.staging)) == ["index.html"]
    staged.discard()
    spare = _spare(tmp_path, {"index.html": "old"})
    monkeypatch.setattr(site_folder, "_change_time_now", lambda folder: 0)  # the clock put back since
    staged = StagedSite(tmp_path / "site2", spare)
    assert staged.carry_over(["index.html"]) == 0 and os.listdir(staged.staging) == []


def test_a_carry_over_that_fails_part_way_leaves_an_empty_staging_folder(tmp_path, monkeypatch):
    spare = _spare(tmp_path, {"index.html": "old", "cases/a/index.html": "old"})
    staged = StagedSite(tmp_path / "site", spare)

    def broken(self, path, keep):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(StagedSite, "_prune", broken)
    assert staged.carry_over(["index.html", "cases/a/index.html"]) == 0
    assert os.listdir(staged.staging) == []


def test_without_an_exchange_in_one_step_the_old_site_is_still_kept_whole_as_the_spare(tmp_path, monkeypatch):
    from learning_atlas.site import site_folder

    monkeypatch.setattr(site_folder, "_exchange", lambda a, b: False)
    site = _old_site(tmp_path)
    spare = tmp_path / "cache" / "old-site"
    staged = StagedSite(site, spare)
    _build(staged, {"index.html": "new"})
    staged.publish()
    assert _tree(site) == {".git": None, ".git/HEAD": "ref: refs/heads/gh-pages", "index.html": "new"}
    assert _tree(spare) == {"cases": None, "cases/a": None, "cases/a/index.html": "old page", "index.html": "old home"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "site"]
