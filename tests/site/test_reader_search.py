"""Reader search: Pagefind indexes a record of each case, written while the site is built."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

from bs4 import BeautifulSoup
from conftest import MINIMAL_CASE, SCHEMAS
from learning_atlas.contract.case import Case
from learning_atlas.contract.checker import check_paths
from learning_atlas.contract.schema import load_case_schema
from learning_atlas.site.model import Atlas
from learning_atlas.site.pagefind_records import PagefindRun, ReaderSearchError, record_html
from site_engine import build_site

ROOT = Path(__file__).resolve().parents[2]
VALID = MINIMAL_CASE.read_text(encoding="utf-8")


def _atlas(cases_dir: Path) -> Atlas:
    result = check_paths([cases_dir], load_case_schema(SCHEMAS))
    return Atlas([Case.from_loaded(c) for c in result.cases], load_case_schema(ROOT / "schemas").vocabularies)


def test_a_record_holds_what_the_case_page_shows_escaped(tmp_path):
    hostile = VALID.replace("title: Daily safety huddles on an example surgical ward",
                            'title: "Huddles <img src=x onerror=alert(1)> & \\"quotes\\""')
    (tmp_path / "hostile-case.md").write_text(hostile, encoding="utf-8")
    atlas = _atlas(tmp_path)
    case = atlas.cases[0]
    record = BeautifulSoup(record_html(case, atlas, "<p>The article.</p>"), "html.parser")
    assert record.find("img") is None, "a title is text, never markup"
    assert record.select_one("[data-pagefind-meta=title]").get_text() == case.title
    assert record.select_one("[data-pagefind-body]")["data-pagefind-sort"] == f"published:{case.published.isoformat()}"
    filters = {(s["data-pagefind-filter"], s.get_text()) for s in record.select("[data-pagefind-filter]")}
    assert ("region", atlas.term("regions", case.region).label) in filters
    assert {name for name, _ in filters} == {"theme", "setting", "region"}
    assert "The article." in record.get_text()
    assert case.organisations[0] in record.get_text()
    assert f"Led by{case.lead_role}" in record.get_text()  # the key facts' row; the page's article has no byline


def test_pagefind_indexes_the_records_and_cleans_up(tmp_path):
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "good-case.md").write_text(VALID, encoding="utf-8")
    atlas = _atlas(tmp_path / "cases")
    run = PagefindRun.start(atlas, {"good-case": "<p>Safety huddle article.</p>"}, tmp_path / "out")
    run.wait()
    assert not run.records_dir.exists()
    entry = json.loads((tmp_path / "out" / "pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] == 1
    fragments = list((tmp_path / "out" / "fragment").iterdir())
    fragment = json.loads(zlib.decompress(fragments[0].read_bytes()[:], wbits=31)[len(b"pagefind_dcd"):])
    assert fragment["url"] == "/cases/good-case/"


def test_a_failed_pagefind_is_one_clear_error(tmp_path):
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "good-case.md").write_text(VALID, encoding="utf-8")
    atlas = _atlas(tmp_path / "cases")
    blocker = tmp_path / "out"
    blocker.write_text("a file where the index folder should go")
    run = PagefindRun.start(atlas, {}, blocker / "pagefind")
    try:
        run.wait()
    except ReaderSearchError as exc:
        assert "Pagefind could not index" in str(exc)
    else:
        raise AssertionError("Pagefind cannot write under a file; wait() must say so")
    assert not run.records_dir.exists()


def test_the_built_site_has_the_reader_search_index(atlas_project, tmp_path):
    config = atlas_project({"good-case.md": VALID})
    site = tmp_path / "site"
    done = build_site(config, site, "--strict")
    assert done.returncode == 0, done.stderr
    assert (site / "pagefind" / "pagefind.js").exists()
    assert (site / "cases" / "good-case" / "index.html").exists()


def test_records_that_cannot_be_written_are_one_clear_error(tmp_path, monkeypatch):
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "good-case.md").write_text(VALID, encoding="utf-8")
    atlas = _atlas(tmp_path / "cases")

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("learning_atlas.site.pagefind_records.record_html", disk_full)
    run = PagefindRun.start(atlas, {}, tmp_path / "out")
    try:
        run.wait()
    except ReaderSearchError as exc:
        assert "could not be written" in str(exc) and "No space left" in str(exc)
    else:
        raise AssertionError("a record that cannot be written must be reported")
    assert not run.records_dir.exists() and run.process is None


def test_cancel_stops_pagefind_and_removes_the_records(tmp_path):
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "good-case.md").write_text(VALID, encoding="utf-8")
    run = PagefindRun.start(_atlas(tmp_path / "cases"), {}, tmp_path / "out")
    run.cancel()
    assert not run.records_dir.exists()
    assert run.process is None or run.process.returncode is not None
