"""The search index: incremental updates, recovery from damage and locks, and the query language.

Index tests work on a copy of the sample atlas in ``tmp_path``; query tests
search the real sample atlas in ``cases/`` through an index in a temporary folder.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import CASES, MINIMAL_CASE, ROOT, SCHEMAS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from learning_atlas.contract.atlas_folders import find_schema_dir
from learning_atlas.contract.case import Case
from learning_atlas.contract.checker import check_paths
from learning_atlas.contract.schema import load_case_schema
from learning_atlas.search import documents, store, updating
from learning_atlas.search.analysis import AtlasAnalyzer, AtlasPositions
from learning_atlas.search.errors import IndexBusyError, IndexUsageError, QueryError
from learning_atlas.search.query import SearchRequest, parse_date_bound, parse_query
from learning_atlas.search.scoring import FastPhrase
from learning_atlas.search.searcher import AtlasSearcher
from learning_atlas.search.store import index_lock
from learning_atlas.search.updating import update_index
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer
from whoosh.formats import Positions
from whoosh.scoring import BM25F

NORTH_STAFFORDSHIRE = [
    "learning-lessons-framework-north-staffordshire",
    "learning-lessons-sessions-and-bulletins-north-staffordshire",
]


def _sample_cases() -> list[Case]:
    result = check_paths([CASES], load_case_schema(SCHEMAS))
    return [Case.from_loaded(c) for c in result.cases if not c.has_errors]


SAMPLE = _sample_cases()


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory):
    """One searcher over the index of the real sample atlas, reused by every query test."""
    index_dir = tmp_path_factory.mktemp("sample") / "index"
    report = update_index(CASES, index_dir, load_case_schema(SCHEMAS))
    assert not report.skipped and not report.warnings
    with AtlasSearcher(index_dir) as opened:
        yield opened


def _index_dir(cases: Path) -> Path:
    return cases.parent / ".atlas" / "index"


def _update(cases: Path, index_dir: Path | None = None, **options):
    """``update_index`` as ``atlas index`` calls it: the atlas's own schema and, unless given, its ``.atlas/index``."""
    return update_index(cases, index_dir or _index_dir(cases), load_case_schema(find_schema_dir(cases)), **options)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _append(path: Path, words: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"\n{words}\n")


def _slugs(results) -> list[str]:
    return [hit.slug for hit in results.hits]


# --- Building and updating ----------------------------------------------------------------------


def test_first_update_builds_the_index_and_the_next_changes_nothing(atlas):
    first = _update(atlas)
    assert sorted(first.added) == sorted(c.slug for c in SAMPLE)
    assert first.rebuilt == "there is no index yet" and not first.warnings
    assert (_index_dir(atlas) / store.STATE_FILE).is_file()
    second = _update(atlas)
    assert second.rebuilt is None
    assert (second.added, second.updated, second.removed) == ([], [], [])
    assert len(second.unchanged) == len(SAMPLE)
    assert second.summary().startswith(f"0 added, 0 updated, 0 removed, {len(SAMPLE)} unchanged in ")


def test_editing_one_case_reindexes_only_that_case(atlas):
    _update(atlas)
    path = atlas / "digital-care-home-cwtch-wales.md"
    _edit(path, "Digital Care Home Cwtch", "Digital Care Home Cwtch zebrafish")
    report = _update(atlas)
    assert report.updated == ["digital-care-home-cwtch-wales"]
    assert report.added == [] and report.removed == []
    assert len(report.unchanged) == len(SAMPLE) - 1
    assert report.summary().startswith(f"0 added, 1 updated, 0 removed, {len(SAMPLE) - 1} unchanged")
    with AtlasSearcher(_index_dir(atlas)) as searcher:
        assert _slugs(searcher.search(SearchRequest("zebrafish"))) == ["digital-care-home-cwtch-wales"]
        assert searcher.doc_count == len(SAMPLE)


def test_an_unchanged_file_is_not_read_again(atlas, monkeypatch):
    _update(atlas)
    state = json.loads((_index_dir(atlas) / store.STATE_FILE).read_text())
    state["scanned_ns"] = time.time_ns() + 10**10  # as if the last scan were long after every edit
    (_index_dir(atlas) / store.STATE_FILE).write_text(json.dumps(state))
    hashed: list[bytes] = []
    original = updating.content_hash
    monkeypatch.setattr(updating, "content_hash", lambda data, fingerprint: hashed.append(data) or original(data, fingerprint))
    report = _update(atlas)
    assert len(report.unchanged) == len(SAMPLE)
    assert hashed == []
    _append(atlas / "digital-care-home-cwtch-wales.md", "A new sentence.")
    assert _update(atlas).updated == ["digital-care-home-cwtch-wales"]
    assert len(hashed) == 1


def test_deleting_a_case_removes_it(atlas):
    _update(atlas)
    (atlas / "somerset-digital-platform-for-improvers.md").unlink()
    report = _update(atlas)
    assert report.removed == ["somerset-digital-platform-for-improvers"]
    assert report.added == [] and report.updated == []
    with AtlasSearcher(_index_dir(atlas)) as searcher:
        assert searcher.search(SearchRequest("slug:somerset-digital-platform-for-improvers")).total == 0
        assert searcher.doc_count == len(SAMPLE) - 1


def test_a_new_case_is_added(atlas):
    _update(atlas)
    shutil.copy(MINIMAL_CASE, atlas / "a-new-case-study.md")
    report = _update(atlas)
    assert report.added == ["a-new-case-study"]
    assert len(report.unchanged) == len(SAMPLE)


def test_an_invalid_case_is_skipped_with_a_one_line_note(atlas):
    _update(atlas)
    path = atlas / "digital-care-home-cwtch-wales.md"
    _edit(path, "region: wales", "region: atlantis")
    (atlas / "Not A Slug.md").write_text("no front matter at all\n", encoding="utf-8")
    report = _update(atlas)
    assert report.removed == ["digital-care-home-cwtch-wales"]  # it was indexed while valid
    notes = {s.path.name: s.gnu(updating.SKIPPED) for s in report.skipped}
    assert set(notes) == {"digital-care-home-cwtch-wales.md", "Not A Slug.md"}
    region_note = notes["digital-care-home-cwtch-wales.md"]
    assert "\n" not in region_note and "skipped, not indexed" in region_note and "atlantis" in region_note
    assert region_note.startswith(f"{path}:")
    assert report.summary().endswith(" s") and ", 2 skipped in " in report.summary()


def test_a_schema_change_reindexes_every_case(atlas):
    _update(atlas)
    themes = atlas.parent / "schemas" / "vocabularies" / "themes.yaml"
    themes.write_text(themes.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    report = _update(atlas)
    assert sorted(report.updated) == sorted(c.slug for c in SAMPLE)
    assert report.unchanged == []


# --- Recovery -----------------------------------------------------------------------------------


def test_a_deleted_index_folder_is_rebuilt(atlas):
    _update(atlas)
    shutil.rmtree(atlas.parent / ".atlas")
    report = _update(atlas)
    assert len(report.added) == len(SAMPLE)
    assert report.rebuilt == "there is no index yet" and report.warnings == []


def _only(folder: Path, pattern: str) -> Path:
    (found,) = folder.glob(pattern)
    return found


@pytest.mark.parametrize("pattern", ["MAIN_*.seg", "_MAIN_*.toc"])
def test_a_truncated_index_file_is_rebuilt_with_a_warning(atlas, pattern, caplog):
    _update(atlas)
    damaged = _only(_index_dir(atlas), pattern)
    damaged.write_bytes(damaged.read_bytes()[: damaged.stat().st_size // 2])
    report = _update(atlas)
    assert report.rebuilt is not None
    assert len(report.warnings) == 1 and "damaged" in report.warnings[0]
    assert str(_index_dir(atlas)) in report.warnings[0]
    assert any("damaged" in r.getMessage() for r in caplog.records)
    with AtlasSearcher(_index_dir(atlas)) as searcher:
        assert searcher.doc_count == len(SAMPLE)
        assert _slugs(searcher.search(SearchRequest('"learning lessons"', limit=5)))


def test_a_garbage_segment_is_rebuilt_with_a_warning(atlas):
    _update(atlas)
    damaged = _only(_index_dir(atlas), "MAIN_*.seg")
    damaged.write_bytes(os.urandom(damaged.stat().st_size))
    report = _update(atlas)
    assert report.warnings and len(report.added) == len(SAMPLE)


def test_a_half_written_update_leaves_a_usable_index(atlas):
    """A writer killed before its commit leaves temporary files and no new TOC: the old index stands."""
    _update(atlas)
    index_dir = _index_dir(atlas)
    (index_dir / "MAIN.tmp").mkdir()
    (index_dir / "MAIN.tmp" / "leftover.pst").write_bytes(b"\0" * 100)
    (index_dir / "MAIN_abcdefgh12345678.seg").write_bytes(b"half a segment")
    _edit(atlas / "digital-care-home-cwtch-wales.md", "Digital Care Home Cwtch", "Digital Care Home Cwtch zebrafish")
    report = _update(atlas)
    assert report.updated == ["digital-care-home-cwtch-wales"] and not report.warnings


def test_an_unreadable_state_file_is_rebuilt_with_a_warning(atlas):
    _update(atlas)
    (_index_dir(atlas) / store.STATE_FILE).write_text("{not json", encoding="utf-8")
    report = _update(atlas)
    assert report.rebuilt and report.warnings and len(report.added) == len(SAMPLE)


def test_a_layout_version_change_rebuilds_the_index(atlas):
    _update(atlas)
    state_file = _index_dir(atlas) / store.STATE_FILE
    state = json.loads(state_file.read_text())
    state["layout"] = documents.LAYOUT_VERSION - 1  # an index written by an older version of the atlas
    state_file.write_text(json.dumps(state))
    report = _update(atlas)
    assert report.rebuilt and "layout" in report.rebuilt
    assert report.warnings == []
    assert len(report.unchanged) + len(report.added) == len(SAMPLE)
    assert json.loads(state_file.read_text())["layout"] == documents.LAYOUT_VERSION


def test_a_new_layout_version_in_the_code_rebuilds_the_index(atlas, monkeypatch):
    _update(atlas)
    monkeypatch.setattr(updating, "LAYOUT_VERSION", documents.LAYOUT_VERSION + 1)
    report = _update(atlas)
    assert report.rebuilt and "layout" in report.rebuilt


def test_stale_lock_files_left_by_a_killed_process_do_not_block(atlas):
    _update(atlas)
    index_dir = _index_dir(atlas)
    store.lock_path(index_dir).write_text("999999\n")  # our lock file, from a process long gone
    (index_dir / "MAIN_WRITELOCK").write_text("")  # Whoosh's
    _edit(atlas / "digital-care-home-cwtch-wales.md", "Digital Care Home Cwtch", "Digital Care Home Cwtch zebrafish")
    # Allowed no wait for either lock, it updates at once: neither leftover file is a lock held.
    report = _update(atlas, lock_timeout=0, whoosh_lock_timeout=0)
    assert report.updated == ["digital-care-home-cwtch-wales"] and not report.warnings and report.rebuilt is None


def test_a_whoosh_lock_held_by_a_stuck_process_is_broken_by_a_rebuild(atlas):
    _update(atlas)
    lock_file = _index_dir(atlas) / "MAIN_WRITELOCK"
    held = os.open(lock_file, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a hung foreign writer would
        _edit(atlas / "digital-care-home-cwtch-wales.md", "Digital Care Home Cwtch", "Digital Care Home Cwtch zebrafish")
        report = _update(atlas, whoosh_lock_timeout=0.2)
    finally:
        os.close(held)
    assert report.rebuilt and len(report.warnings) == 1 and "lock" in report.warnings[0]
    with AtlasSearcher(_index_dir(atlas)) as searcher:
        assert _slugs(searcher.search(SearchRequest("zebrafish"))) == ["digital-care-home-cwtch-wales"]


def test_an_update_waits_for_another_and_gives_up_with_a_clear_message(atlas):
    _update(atlas)
    busy = r"index\.lock: the search index is being updated by another process"
    with index_lock(_index_dir(atlas)), pytest.raises(IndexBusyError, match=busy):
        _update(atlas, lock_timeout=0.2)


def test_an_index_folder_holding_other_files_is_refused_and_left_alone(atlas):
    before = sorted(p.name for p in atlas.iterdir())
    with pytest.raises(IndexUsageError, match="not a search index"):
        _update(atlas, atlas, rebuild=True)
    assert sorted(p.name for p in atlas.iterdir()) == before


def test_a_missing_cases_folder_is_a_usage_error(tmp_path):
    with pytest.raises(IndexUsageError, match="is not a folder of case studies"):
        update_index(tmp_path / "nowhere", tmp_path / "index", load_case_schema(SCHEMAS))


_CONCURRENT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from learning_atlas.contract.schema import load_case_schema
    from learning_atlas.search.updating import update_index
    cases, rebuild = Path(sys.argv[1]), sys.argv[2] == "rebuild"
    for _ in range(3):
        update_index(cases, cases.parent / ".atlas" / "index", load_case_schema(cases.parent / "schemas"), rebuild=rebuild)
    print("ok")
    """
)


def test_processes_updating_at_once_do_not_corrupt_the_index(atlas):
    _update(atlas)
    for name in ("digital-care-home-cwtch-wales.md", "somerset-digital-platform-for-improvers.md"):
        _append(atlas / name, "Edited concurrently.")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _CONCURRENT, str(atlas), mode],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )
        for mode in ("update", "update", "rebuild", "update")
    ]
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        assert out.strip() == "ok"
    report = _update(atlas)
    assert len(report.unchanged) == len(SAMPLE) and not report.warnings and report.rebuilt is None
    with AtlasSearcher(_index_dir(atlas)) as searcher:
        assert searcher.doc_count == len(SAMPLE)
        every = searcher.search(SearchRequest("*", limit=100))
        assert sorted(_slugs(every)) == sorted(c.slug for c in SAMPLE)
        assert searcher.search(SearchRequest('"edited concurrently"')).total == 2


def test_many_one_case_edits_keep_the_segments_few(atlas):
    _update(atlas)
    path = atlas / "digital-care-home-cwtch-wales.md"
    for n in range(updating._MAX_SEGMENTS + 3):
        _append(path, f"Edition{n}.")
        assert _update(atlas).updated == ["digital-care-home-cwtch-wales"]
    segments = list(_index_dir(atlas).glob("MAIN_*.seg"))
    assert len(segments) <= updating._MAX_SEGMENTS
    with AtlasSearcher(_index_dir(atlas)) as searcher:
        assert searcher.doc_count == len(SAMPLE)
        assert searcher.search(SearchRequest(f"edition{updating._MAX_SEGMENTS + 2}")).total == 1


# --- Analysis and scoring are Whoosh's, only quicker ---------------------------------------------

_PATTERN = r"\w+(\.?\w+)*"
_TEXTS = [path.read_text(encoding="utf-8") for path in sorted(CASES.glob("*.md"))] + [
    "The ÉCOLE İstanbul 3.14 big-time under_score: a b c of the",
    "",
    "the of and",
    "vaccin*",
]


@pytest.mark.parametrize("stem", [True, False])
def test_the_fused_analyzer_gives_whooshs_tokens(stem):
    ours = AtlasAnalyzer(stem=stem)
    reference = StemmingAnalyzer(expression=_PATTERN) if stem else StandardAnalyzer(expression=_PATTERN)
    options = [{}, {"positions": True}, {"positions": True, "chars": True, "removestops": False},
               {"mode": "query"}, {"tokenize": False}, {"no_morph": True}]

    def tokens(analyzer, text, kwargs):
        return [(t.text, getattr(t, "pos", None), getattr(t, "startchar", None), t.stopped)
                for t in analyzer(text, **kwargs)]

    for text in _TEXTS:
        for kwargs in options:
            assert tokens(ours, text, kwargs) == tokens(reference, text, kwargs)
        assert sorted(AtlasPositions().word_values(text, ours)) == sorted(Positions().word_values(text, reference))


@pytest.mark.parametrize("phrase", ['"learning lessons"', '"learning from incidents"', '"health and care"',
                                    '"covid 19"', 'body:"patient safety"', 'title:"learning health system"'])
def test_fast_phrases_find_what_whooshs_phrases_find(searcher, phrase):
    ours = parse_query(phrase)
    theirs = ours.accept(lambda q: wq.Phrase(q.fieldname, q.words, slop=q.slop) if isinstance(q, FastPhrase) else q)
    with _whoosh_index(searcher).searcher() as whoosh:
        assert sorted(whoosh.docs_for_query(ours)) == sorted(whoosh.docs_for_query(theirs))
        assert list(whoosh.docs_for_query(ours))


def test_scores_are_whooshs_bm25f(searcher):
    ours = {hit.slug: hit.score for hit in searcher.search(SearchRequest("learning culture", limit=100)).hits}
    with _whoosh_index(searcher).searcher(weighting=BM25F()) as plain:
        query = parse_query("learning culture")
        theirs = {hit["slug"]: hit.score for hit in plain.search(query, limit=100)}
    assert len(ours) > 1 and ours.keys() == theirs.keys()
    for slug, score in theirs.items():
        assert ours[slug] == pytest.approx(score, rel=1e-6)


def _whoosh_index(searcher: AtlasSearcher):
    """The index the searcher reads, opened by Whoosh itself."""
    return whoosh_index.open_dir(str(searcher.index_dir), indexname=store.INDEX_NAME)


# --- The query language -------------------------------------------------------------------------


def test_fielded_phrase_query_finds_the_two_north_staffordshire_cases(searcher):
    results = searcher.search(SearchRequest('theme:learning-from-incidents "learning lessons"'))
    assert sorted(_slugs(results)) == NORTH_STAFFORDSHIRE
    assert results.total == 2


def test_plural_field_names_are_aliases(searcher):
    singular = searcher.search(SearchRequest("theme:learning-from-incidents region:midlands"))
    plural = searcher.search(SearchRequest("themes:learning-from-incidents regions:midlands"))
    assert sorted(_slugs(singular)) == sorted(_slugs(plural)) == NORTH_STAFFORDSHIRE


def test_hyphenated_slugs_match_only_as_whole_terms(searcher):
    expected = sorted(c.slug for c in SAMPLE if "learning-from-incidents" in c.themes)
    assert sorted(_slugs(searcher.search(SearchRequest("theme:learning-from-incidents", limit=50)))) == expected
    assert searcher.search(SearchRequest("theme:learning")).total == 0
    assert searcher.search(SearchRequest("theme:incidents")).total == 0


@pytest.mark.parametrize("field, attribute", [("theme", "themes"), ("setting", "settings"), ("region", "region")])
def test_every_facet_term_finds_exactly_its_cases(searcher, field, attribute):
    values = {v for c in SAMPLE for v in ([getattr(c, attribute)] if field == "region" else getattr(c, attribute))}
    for value in values:
        expected = sorted(c.slug for c in SAMPLE if value in (c.terms(attribute if field != "region" else "regions")))
        found = searcher.search(SearchRequest(f"{field}:{value}", limit=50))
        assert sorted(_slugs(found)) == expected, value


def test_organisation_is_its_whole_name_in_any_case(searcher):
    results = searcher.search(SearchRequest('organisation:"north staffordshire combined healthcare nhs trust"'))
    assert sorted(_slugs(results)) == NORTH_STAFFORDSHIRE
    assert searcher.search(SearchRequest("organisation:staffordshire")).total == 0


@pytest.mark.parametrize("query, first, last", [
    ("published:[2019 TO 2021]", dt.date(2019, 1, 1), dt.date(2021, 12, 31)),
    ("published:2018", dt.date(2018, 1, 1), dt.date(2018, 12, 31)),
    ("published:[2020-07 TO 2022-06-22]", dt.date(2020, 7, 1), dt.date(2022, 6, 22)),
    ("published:>2021", dt.date(2022, 1, 1), dt.date(9999, 12, 31)),
    ("year:[2013 TO 2018]", dt.date(2013, 1, 1), dt.date(2018, 12, 31)),
])
def test_date_ranges(searcher, query, first, last):
    expected = sorted(c.slug for c in SAMPLE if first <= c.published <= last)
    assert expected, "the sample atlas should have cases in the range"
    assert sorted(_slugs(searcher.search(SearchRequest(query, limit=50)))) == expected


def test_since_and_until_filter_on_the_published_date(searcher):
    request = SearchRequest("*", since=dt.date(2020, 7, 31), until=dt.date(2020, 7, 31), limit=50)
    expected = sorted(c.slug for c in SAMPLE if c.published == dt.date(2020, 7, 31))
    assert sorted(_slugs(searcher.search(request))) == expected


def test_facet_filters_narrow_and_combine(searcher):
    request = SearchRequest("learning", themes=("learning-from-incidents",), settings=("mental-health",), limit=50)
    results = searcher.search(request)
    assert sorted(_slugs(results)) == NORTH_STAFFORDSHIRE
    none = searcher.search(SearchRequest("learning", themes=("learning-from-incidents",), regions=("london",)))
    assert none.total == 0
    by_name = SearchRequest("*", organisations=("North Staffordshire Combined Healthcare NHS Trust",), limit=50)
    assert sorted(_slugs(searcher.search(by_name))) == NORTH_STAFFORDSHIRE
    commitment = sorted(c.slug for c in SAMPLE if 5 in c.commitments)
    assert sorted(_slugs(searcher.search(SearchRequest("*", commitments=("5",), limit=50)))) == commitment


def test_facet_counts_cover_every_hit_not_only_those_shown(searcher):
    results = searcher.search(SearchRequest("*", limit=1))
    assert len(results.hits) == 1 and results.total == len(SAMPLE)
    for field, attribute in (("theme", "themes"), ("setting", "settings")):
        expected: dict[str, int] = {}
        for case in SAMPLE:
            for value in getattr(case, attribute):
                expected[value] = expected.get(value, 0) + 1
        assert results.facets[field] == expected
    regions: dict[str, int] = {}
    for case in SAMPLE:
        regions[case.region] = regions.get(case.region, 0) + 1
    assert results.facets["region"] == regions
    assert list(results.facets["region"].values()) == sorted(regions.values(), reverse=True)


def test_phrases_need_the_words_in_order(searcher):
    assert searcher.search(SearchRequest('"learning lessons"')).total >= 2
    assert searcher.search(SearchRequest('"lessons learning"')).total < searcher.search(
        SearchRequest("lessons learning")
    ).total


def test_stop_words_inside_a_phrase_are_skipped(searcher):
    results = searcher.search(SearchRequest('"learning from incidents"'))
    assert set(NORTH_STAFFORDSHIRE) <= set(_slugs(results))


def test_stemming_finds_other_forms_of_a_word(searcher):
    assert searcher.search(SearchRequest("body:investigations")).total == searcher.search(
        SearchRequest("body:investigation")
    ).total > 0


def test_sort_newest_orders_by_published_date(searcher):
    results = searcher.search(SearchRequest("learning", sort="newest", limit=50))
    by_slug = {c.slug: c for c in SAMPLE}
    keys = [(-by_slug[h.slug].published.toordinal(), h.slug) for h in results.hits]
    assert keys == sorted(keys) and len(keys) > 3
    assert all(hit.score is None for hit in results.hits)


def test_relevance_puts_title_matches_first(searcher):
    results = searcher.search(SearchRequest("cwtch"))
    assert _slugs(results)[0] == "digital-care-home-cwtch-wales"
    assert [h.score for h in results.hits] == sorted((h.score for h in results.hits), reverse=True)


def test_snippets_mark_the_matches(searcher):
    results = searcher.search(SearchRequest('theme:learning-from-incidents "learning lessons"'))
    for hit in results.hits:
        assert hit.snippet is not None and hit.snippet.marks
        assert "[[Learning Lessons]]" in hit.snippet.marked()
        for start, end in hit.snippet.marks:
            assert hit.snippet.text[start:end].lower() == "learning lessons"


def test_did_you_mean_corrects_a_misspelt_word(searcher):
    results = searcher.search(SearchRequest("lessns"))
    assert results.total == 0 and results.hits == []
    assert results.suggestion == "lessons"


def test_did_you_mean_corrects_a_facet_value_and_keeps_the_rest(searcher):
    results = searcher.search(SearchRequest('theme:learning-from-incidnets "learning lessons"'))
    assert results.total == 0
    assert results.suggestion == 'theme:learning-from-incidents "learning lessons"'


def test_no_suggestion_when_nothing_close_finds_anything(searcher):
    results = searcher.search(SearchRequest("xqzvwk"))
    assert results.total == 0 and results.suggestion is None


def test_results_as_json_have_the_documented_shape(searcher):
    data = searcher.search(SearchRequest('"learning lessons"', limit=2)).to_json()
    json.dumps(data)
    assert set(data) == {"query", "total", "shown", "sort", "hits", "facets", "suggestion", "seconds"}
    assert data["shown"] == 2 and data["total"] >= 2
    hit = data["hits"][0]
    assert {"slug", "title", "score", "published", "snippet", "snippet_marks"} <= set(hit)
    dt.date.fromisoformat(hit["published"])
    assert set(data["facets"]) == {"theme", "setting", "region"}


# --- Hostile queries ----------------------------------------------------------------------------


@pytest.mark.parametrize("query, message", [
    ('"learning lessons', "never closes it"),
    ("(care", "never closes it"),
    ("care)", "no matching"),
    ("published:[2019 TO", "never closes it"),
    ("published:[20x9 TO 2021]", r"^published:\[20x9 TO 2021\]: '20x9' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD"),
    ("published:2019-02-30", r"^published:2019-02-30: '2019-02-30' is not a date"),
    ("year:abc care", r"^year:abc: 'abc' is not a year; write four digits"),
    ("themme:patient-safety", "did you mean 'theme:'"),
    ("theme: patient-safety", "nothing after the colon"),
    ("care " * 300, "characters long"),
    ("(" * 20 + "care" + ")" * 20, "deep"),
    ("NOT", "nothing to search for"),
    ("\u202e\u0301", "nothing to search for"),
    ("\udcff", "not valid text"),
    ("   ", "empty"),
])
def test_malformed_queries_raise_a_clear_query_error(searcher, query, message):
    with pytest.raises(QueryError, match=message):
        searcher.search(SearchRequest(query))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=120))
def test_any_text_gives_results_or_a_query_error(searcher, text):
    try:
        results = searcher.search(SearchRequest(text))
    except QueryError as exc:
        assert str(exc)
    else:
        assert results.total >= 0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet='ab "()[]{}:*?^~-+ANDORTtheme:published:2019', max_size=60))
def test_any_operator_soup_gives_results_or_a_query_error(searcher, text):
    try:
        searcher.search(SearchRequest(text))
    except QueryError as exc:
        assert str(exc)


@pytest.mark.parametrize("text, end, expected", [
    ("2019", False, dt.date(2019, 1, 1)),
    ("2019", True, dt.date(2019, 12, 31)),
    ("2020-02", True, dt.date(2020, 2, 29)),
    ("2019-12", True, dt.date(2019, 12, 31)),
    ("2021-06-30", False, dt.date(2021, 6, 30)),
])
def test_date_bounds(text, end, expected):
    assert parse_date_bound(text, end=end) == expected


@pytest.mark.parametrize("text", ["19", "2019-13", "2019-02-30", "yesterday", ""])
def test_bad_date_bounds(text):
    with pytest.raises(ValueError, match="YYYY"):
        parse_date_bound(text)
