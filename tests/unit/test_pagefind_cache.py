"""PagefindCache: an index is reused only for the very same records, and only as this cache wrote it."""

from __future__ import annotations

import os

from learning_atlas.processes.committed import committed_files
from learning_atlas.site.pagefind_records import PagefindCache

RECORDS = [("ward-a", "<h1>Ward A</h1>"), ("ward-b", "<h1>Ward B</h1>")]


def _index(folder, text="index"):
    (folder / "fragment").mkdir(parents=True)
    (folder / "pagefind-entry.json").write_text('{"version": "1"}')
    (folder / "fragment" / "a.pf_fragment").write_text(text)
    return folder


def test_any_change_to_any_record_or_their_order_makes_a_new_key(tmp_path):
    cache = PagefindCache(tmp_path)
    key = cache.key(RECORDS)
    assert key == cache.key(list(RECORDS))
    assert key != cache.key([RECORDS[0], ("ward-b", "<h1>Ward B.</h1>")])
    assert key != cache.key(list(reversed(RECORDS)))
    assert key != cache.key([("ward-a<h1>Ward A</h1>", ""), RECORDS[1]])  # no two record lists run together
    assert cache.key([("a", "\udcff")])  # text that is not valid UTF-8 still has a key


def test_an_index_kept_is_restored_exactly(tmp_path):
    cache = PagefindCache(tmp_path / "cache")
    key = cache.key(RECORDS)
    assert not cache.restore(key, tmp_path / "site" / "pagefind")
    assert not (tmp_path / "site" / "pagefind").exists()
    cache.keep(key, _index(tmp_path / "built"))
    assert cache.restore(key, tmp_path / "site" / "pagefind")
    assert (tmp_path / "site/pagefind/fragment/a.pf_fragment").read_text() == "index"


def test_an_index_is_hard_linked_into_the_site_and_one_changed_there_in_place_is_refused(tmp_path):
    cache = PagefindCache(tmp_path / "cache")
    key = cache.key(RECORDS)
    cache.keep(key, _index(tmp_path / "built"))
    assert cache.restore(key, tmp_path / "site" / "pagefind")
    fragment = tmp_path / "site/pagefind/fragment/a.pf_fragment"
    assert fragment.stat().st_nlink == 2 and not (tmp_path / "site/pagefind" / PagefindCache.MANIFEST).exists()
    with open(fragment, "a") as out:  # a tool that edits the published site in place
        out.write(" changed")
    assert not cache.restore(key, tmp_path / "again" / "pagefind")
    assert not (tmp_path / "again").exists() and not (tmp_path / "cache" / key).exists()


def test_an_index_is_copied_where_hard_links_cannot_be_made(tmp_path, monkeypatch):
    cache = PagefindCache(tmp_path / "cache")
    key = cache.key(RECORDS)
    cache.keep(key, _index(tmp_path / "built"))

    def no_links(source, target):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", no_links)
    assert cache.restore(key, tmp_path / "site" / "pagefind")
    fragment = tmp_path / "site/pagefind/fragment/a.pf_fragment"
    assert fragment.read_text() == "index" and fragment.stat().st_nlink == 1


def test_an_entry_with_a_file_it_did_not_list_or_without_its_list_is_refused(tmp_path):
    cache = PagefindCache(tmp_path / "cache")
    key = cache.key(RECORDS)
    cache.keep(key, _index(tmp_path / "built"))
    (tmp_path / "cache" / key / "fragment" / "extra.pf_fragment").write_text("planted")
    assert not cache.restore(key, tmp_path / "site" / "pagefind")
    cache.keep(key, _index(tmp_path / "built-again"))
    (tmp_path / "cache" / key / PagefindCache.MANIFEST).write_text("not JSON")
    assert not cache.restore(key, tmp_path / "site" / "pagefind")
    assert not (tmp_path / "site").exists()


def test_an_entry_with_a_link_is_refused_removed_and_what_it_points_to_left_alone(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the site")
    cache = PagefindCache(tmp_path / "cache")
    key = cache.key(RECORDS)
    entry = _index(tmp_path / "cache" / key)
    os.symlink(secret, entry / "fragment" / "b.pf_fragment")
    assert not cache.restore(key, tmp_path / "site" / "pagefind")
    assert not (tmp_path / "site" / "pagefind").exists()
    assert not entry.exists() and secret.read_text() == "not for the site"
    os.symlink(tmp_path, tmp_path / "cache" / key)  # the entry itself a link
    assert not cache.restore(key, tmp_path / "site" / "pagefind")
    assert tmp_path.is_dir() and secret.exists()


def test_only_the_latest_indexes_are_kept(tmp_path):
    cache = PagefindCache(tmp_path / "cache")
    keys = [cache.key([("case", str(n))]) for n in range(PagefindCache.KEEP + 2)]
    for n, key in enumerate(keys):
        cache.keep(key, _index(tmp_path / f"built-{n}", str(n)))
        os.utime(tmp_path / "cache" / key, (n, n))  # kept one after another
    cache.keep(keys[-1], _index(tmp_path / "again"))
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == sorted(keys[-PagefindCache.KEEP:])


def test_a_cache_that_cannot_be_written_is_only_slower(tmp_path):
    (tmp_path / "cache").write_text("a file where the folder should be")
    cache = PagefindCache(tmp_path / "cache" / "pagefind")
    cache.keep(cache.key(RECORDS), _index(tmp_path / "built"))  # no exception
    assert not cache.restore(cache.key(RECORDS), tmp_path / "site")


def test_committed_files_are_found_only_in_a_repository(tmp_path):
    import subprocess

    assert committed_files(tmp_path / ".atlas") == []
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("/.atlas/\n")
    (tmp_path / ".atlas" / "cache").mkdir(parents=True)
    (tmp_path / ".atlas" / "cache" / "entry.json").write_text("{}")
    assert committed_files(tmp_path / ".atlas" / "cache") == []
    subprocess.run(["git", "-C", str(tmp_path), "add", "--force", ".atlas"], check=True)
    assert committed_files(tmp_path / ".atlas" / "cache") == [".atlas/cache/entry.json"]
    assert committed_files(tmp_path / ".atlas" / "index") == []  # a folder that does not exist
