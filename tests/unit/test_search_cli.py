"""``atlas index`` and ``atlas search``: output, exit status, and no traceback whatever the input."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from conftest import CASES, help_text_is_our_own
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

NORTH_STAFFORDSHIRE = [
    "learning-lessons-framework-north-staffordshire",
    "learning-lessons-sessions-and-bulletins-north-staffordshire",
]


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index folder for the real sample atlas (built by the first search that uses it)."""
    return tmp_path_factory.mktemp("sample-index") / "index"


@pytest.fixture
def search(run_line, sample_index):
    """Run ``atlas search`` on the real sample atlas."""

    def run(*args: str):
        return run_line(["search", *args, "--cases", str(CASES), "--index", str(sample_index)])

    return run


CASE_COUNT = len(list(CASES.glob("*.md")))


@pytest.mark.parametrize("command", [["index"], ["search"]])
def test_every_new_command_has_help(run_line, command):
    result = run_line(command + ["--help"])
    assert result.exit_code == 0
    assert help_text_is_our_own(result.output, command), result.output


def test_the_search_help_lists_the_fields_and_exit_statuses(run_line):
    text = run_line(["search", "--help"]).output
    for word in ("theme:", "setting:", "region:", "commitment:", "organisation:", "published:", "--json", "--sort"):
        assert word in text
    assert "1 nothing found" in text


def test_the_sort_choices_are_the_engines():
    from learning_atlas.cli import cli
    from learning_atlas.search.query import SORTS

    (sort,) = [param for param in cli.commands["search"].params if param.name == "sort"]
    assert tuple(sort.type.choices) == SORTS


# --- atlas index --------------------------------------------------------------------------------


def test_index_builds_then_reports_nothing_changed(run_line, atlas):
    first = run_line(["index", "--cases", str(atlas)])
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith(f"{CASE_COUNT} added, 0 updated, 0 removed, 0 unchanged in ")
    assert (atlas.parent / ".atlas" / "index").is_dir()
    second = run_line(["index", "--cases", str(atlas)])
    assert second.exit_code == 0
    assert second.stdout.startswith(f"0 added, 0 updated, 0 removed, {CASE_COUNT} unchanged in ")
    assert second.stdout.rstrip().endswith(" s")


def test_index_defaults_to_cases_here(run_line, atlas, monkeypatch):
    monkeypatch.chdir(atlas.parent)
    result = run_line(["index"])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{CASE_COUNT} added")


def test_index_reports_an_edit_and_a_deletion(run_line, atlas):
    run_line(["index", "--cases", str(atlas)])
    with (atlas / "digital-care-home-cwtch-wales.md").open("a", encoding="utf-8") as handle:
        handle.write("\nAn added sentence.\n")
    (atlas / "somerset-digital-platform-for-improvers.md").unlink()
    result = run_line(["index", "--cases", str(atlas)])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"0 added, 1 updated, 1 removed, {CASE_COUNT - 2} unchanged in ")


def test_index_rebuild_and_a_custom_index_folder(run_line, atlas, tmp_path):
    index_dir = tmp_path / "elsewhere" / "idx"
    assert run_line(["index", "--cases", str(atlas), "--index", str(index_dir)]).exit_code == 0
    result = run_line(["index", "--cases", str(atlas), "--index", str(index_dir), "--rebuild"])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{CASE_COUNT} added")
    assert "built the index afresh: asked to rebuild it" in result.stderr
    assert not (atlas.parent / ".atlas").exists()


def test_invalid_cases_are_skipped_with_one_line_each(run_line, atlas):
    (atlas / "broken-case.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    (atlas / "empty-case.md").write_text("", encoding="utf-8")
    result = run_line(["index", "--cases", str(atlas)])
    assert result.exit_code == 0
    notes = [line for line in result.stderr.splitlines() if "skipped, not indexed" in line]
    assert len(notes) == 2
    assert any(line.startswith(str(atlas / "broken-case.md") + ":") for line in notes)
    assert "Traceback" not in result.output
    assert result.stdout.startswith(f"{CASE_COUNT} added, 0 updated, 0 removed, 0 unchanged, 2 skipped in ")


def test_index_warns_and_rebuilds_a_damaged_index(run_line, atlas):
    run_line(["index", "--cases", str(atlas)])
    (toc,) = (atlas.parent / ".atlas" / "index").glob("_MAIN_*.toc")
    toc.write_bytes(b"\x00garbage")
    result = run_line(["index", "--cases", str(atlas)])
    assert result.exit_code == 0
    assert "warning:" in result.stderr and "damaged" in result.stderr
    assert result.stdout.startswith(f"{CASE_COUNT} added")


@pytest.mark.parametrize("args", [["--cases", "no/such/folder"], ["--nope"]])
def test_index_usage_errors_exit_2(run_line, atlas, args):
    assert run_line(["index", *args]).exit_code == 2


def test_index_without_a_cases_folder_here_is_a_usage_error(run_line, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_line(["index"])
    assert result.exit_code == 2
    assert "no cases folder" in result.output


def test_index_refuses_a_folder_of_other_files(run_line, atlas):
    result = run_line(["index", "--cases", str(atlas), "--index", str(atlas)])
    assert result.exit_code == 2
    assert "not a search index" in result.output
    assert len(list(atlas.glob("*.md"))) == CASE_COUNT


# --- atlas search -------------------------------------------------------------------------------


def test_search_finds_with_our_field_names_and_marks_the_matches(search):
    result = search('theme:learning-from-incidents "learning lessons"')
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("2 cases match")
    for slug in NORTH_STAFFORDSHIRE:
        assert slug in result.stdout
    assert "[[Learning Lessons]]" in result.stdout
    assert "Themes: " in result.stdout and "Regions: midlands 2" in result.stdout


def test_search_query_may_be_several_arguments(search):
    result = search("theme:learning-from-incidents", "setting:mental-health")
    assert result.exit_code == 0
    assert result.stdout.startswith("2 cases match")


def test_nothing_found_exits_1_with_did_you_mean(search):
    result = search("lessns")
    assert result.exit_code == 1
    assert "No case matches 'lessns'." in result.stdout
    assert "Did you mean: lessons" in result.stdout


def test_json_output(search):
    result = search('"learning lessons"', "--json", "--limit", "1")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["total"] >= 2 and data["shown"] == 1 and len(data["hits"]) == 1
    hit = data["hits"][0]
    assert set(hit) >= {"slug", "title", "score", "published", "snippet"}
    assert isinstance(hit["score"], float) and hit["published"][:2] == "20"
    assert "Learning Lessons" in hit["snippet"] and "[[" not in hit["snippet"]
    start, end = hit["snippet_marks"][0]
    assert hit["snippet"][start:end] == "Learning Lessons"
    assert set(data["facets"]) == {"theme", "setting", "region"}
    assert sum(data["facets"]["region"].values()) == data["total"]
    assert data["suggestion"] is None


def test_json_output_when_nothing_is_found(search):
    result = search("lessns", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["total"] == 0 and data["hits"] == [] and data["suggestion"] == "lessons"


def test_facet_and_date_options_filter(search):
    by_facets = search("learning", "--theme", "learning-from-incidents", "--setting", "mental-health", "--json")
    assert sorted(h["slug"] for h in json.loads(by_facets.stdout)["hits"]) == NORTH_STAFFORDSHIRE
    by_org = search("*", "--organisation", "north staffordshire combined healthcare NHS trust", "--json")
    assert sorted(h["slug"] for h in json.loads(by_org.stdout)["hits"]) == NORTH_STAFFORDSHIRE
    by_date = json.loads(search("*", "--since", "2020-07", "--until", "2020-07", "--json", "--limit", "50").stdout)
    assert by_date["total"] > 0 and all(h["published"].startswith("2020-07") for h in by_date["hits"])
    newest = json.loads(search("learning", "--sort", "newest", "--json", "--limit", "50").stdout)
    dates = [h["published"] for h in newest["hits"]]
    assert dates == sorted(dates, reverse=True)
    assert search("learning", "--theme", "learning-from-incidents", "--region", "london").exit_code == 1


@pytest.mark.parametrize("args, message", [
    (["care", "--theme", "patient-safty"], "did you mean 'patient-safety'"),
    (["care", "--region", "atlantis"], "'atlantis' is not a region"),
    (["care", "--commitment", "99"], "is not a commitment"),
    (["care", "--since", "yesterday"], "not a date"),
    (["care", "--since", "2021", "--until", "2020"], "swap them"),
    (["care", "--sort", "oldest"], "oldest"),
    (["care", "--limit", "0"], "0"),
    (["care", "--nope"], "--nope"),  # the option at fault, whatever words Click puts around it
])
def test_bad_options_are_usage_errors(search, args, message):
    result = search(*args)
    assert result.exit_code == 2
    assert message in result.output


def test_search_without_a_query_is_a_usage_error(run_line):
    assert run_line(["search"]).exit_code == 2


@pytest.mark.parametrize("query", [
    '"learning lessons',
    "(care",
    "care)",
    "published:[2019 TO",
    "published:[20x9 TO 2021]",
    "published:2019-02-30",
    "themme:patient-safety",
    "theme:",
    "care " * 400,
    "(" * 40 + "care" + ")" * 40,
    "NOT",
    "AND OR",
    "\u202e\u0301",
    "\udcff\udcfe",
    "\x00\x01\x02",
    "😀🏥",
    ":",
    '"""',
    "care ANDNOT ANDNOT x",  # Whoosh's parser failed an assertion
    ">=2019",  # a comparison with no field: Whoosh's parser indexed past a list
    "published:[2019 TO 2021)",
])
def test_hostile_queries_exit_2_with_a_message_and_no_traceback(search, query):
    result = search(query)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


@pytest.mark.parametrize("query", [
    "x" * 900,
    "İstanbul ﷺ ℌ",
    "c*a*r*e*",
    "*care",
    "[care TO]",
    "care^999999999999999999999",
    "http://example.org/path",
    "organisation:\"a, b\"",
    "published:[2030 TO 2040]",
    "year:[2019 TO 2021]",
    "?",
    "published:[2019 TO 2021}",
    "zzz theme:>zzz",  # the did-you-mean once asked Whoosh's TermRange for words it cannot list
])
def test_odd_but_readable_queries_run(search, query):
    result = search(query)
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output


def test_search_updates_the_index_first(run_line, atlas):
    assert run_line(["search", "zebrafish", "--cases", str(atlas)]).exit_code == 1
    with (atlas / "digital-care-home-cwtch-wales.md").open("a", encoding="utf-8") as handle:
        handle.write("\nA zebrafish joined the session.\n")
    result = run_line(["search", "zebrafish", "--cases", str(atlas), "--json"])
    assert result.exit_code == 0
    assert [h["slug"] for h in json.loads(result.stdout)["hits"]] == ["digital-care-home-cwtch-wales"]
    assert result.stderr == ""  # the update is quiet


def test_search_rebuilds_a_damaged_index_with_a_warning(run_line, atlas):
    run_line(["index", "--cases", str(atlas)])
    (segment,) = (atlas.parent / ".atlas" / "index").glob("MAIN_*.seg")
    segment.write_bytes(segment.read_bytes()[:100])
    result = run_line(["search", "cwtch", "--cases", str(atlas)])
    assert result.exit_code == 0
    assert "warning:" in result.stderr and "damaged" in result.stderr
    assert "digital-care-home-cwtch-wales" in result.stdout


# --- Dates in a query and in --since/--until --------------------------------------------------


@pytest.mark.parametrize("query, message", [
    ("published:[zzz TO yyy]", "published:[zzz TO yyy]: 'zzz' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD"),
    ("published:[2019-02-30 TO 2021]", "published:[2019-02-30 TO 2021]: '2019-02-30' is not a date; write YYYY"),
    ("published:[2019 TO 2021-13-01]", "published:[2019 TO 2021-13-01]: '2021-13-01' is not a date"),
    ("published:[2021 TO 2019]", "published:[2021 TO 2019]: 2021 is after 2019; swap them"),
    ("published:{2021-06 TO 2021-01]", "2021-06 is after 2021-01; swap them"),
    ("published:[2019-02-30 TO]", "published:[2019-02-30 TO]: '2019-02-30' is not a date"),
    ("published:[TO 2019-02-30]", "'2019-02-30' is not a date"),
    ("published:2019-02-30", "published:2019-02-30: '2019-02-30' is not a date"),
    ("published:2021-13", "published:2021-13: '2021-13' is not a date"),
    ("published:2021-00", "'2021-00' is not a date"),
    ("published:0000", "'0000' is not a date"),
    ("published:20211", "published:20211: '20211' is not a date"),
    ("published:zzz care", "published:zzz: 'zzz' is not a date"),
    ("published:>2019-02-30", "published:>2019-02-30: '2019-02-30' is not a date"),
    ("published:<=yesterday", "published:<=yesterday: 'yesterday' is not a date"),
    ("care AND (published:2020 OR published:2o2o)", "published:2o2o: '2o2o' is not a date"),
    ("updated:[2021-02-29 TO 2022]", "updated:[2021-02-29 TO 2022]: '2021-02-29' is not a date"),
    ('published:"2019"', 'published:"2019": write a date as YYYY, YYYY-MM or YYYY-MM-DD, or a range'),
    ("published:201*", "published:201*: write a date as YYYY, YYYY-MM or YYYY-MM-DD"),
    ("year:zzz", "year:zzz: 'zzz' is not a year; write four digits, e.g. year:2021"),
    ("year:[a TO 2021]", "year:[a TO 2021]: 'a' is not a year"),
    ("year:[2021 TO 2019]", "year:[2021 TO 2019]: 2021 is after 2019; swap them"),
    ("year:20*", "year:20*: write a year as four digits"),
])
def test_a_date_that_cannot_be_read_names_the_field_and_what_to_write(search, query, message):
    result = search(query)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize("args, message", [
    (["--since", "2019-02-30"], "error: --since: '2019-02-30' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD"),
    (["--until", "2021-13"], "error: --until: '2021-13' is not a date"),
    (["--since", "zzz"], "error: --since: 'zzz' is not a date"),
    (["--since", "\x1b[31m"], "error: --since: '\\x1b[31m' is not a date"),
    (["--since", "2022", "--until", "2021"], "error: --since 2022-01-01 is after --until 2021-12-31; swap them"),
])
def test_a_bad_since_or_until_is_a_one_line_error(search, args, message):
    result = search("care", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message) and len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize("query, months", [
    ("published:[2020-07 TO 2020-07]", {"2020-07"}),
    ("published:2020-07", {"2020-07"}),
    ("published:{2019 TO 2021}", {"2020"}),
    ("published:>=2020 AND published:<2021", {"2020"}),
])
def test_date_ranges_find_what_they_say(search, query, months):
    hits = json.loads(search(query, "--json", "--limit", "50").stdout)["hits"]
    assert hits and all(any(h["published"].startswith(m) for m in months) for h in hits)


def test_any_date_and_any_year_find_every_case(search):
    for query in ("published:*", "year:*"):
        assert json.loads(search(query, "--json").stdout)["total"] == CASE_COUNT


def test_a_year_that_finds_nothing_exits_1(search):
    # the did-you-mean once tried to correct the year's number as a word, and the index was rebuilt twice
    result = search("year:1999")
    assert result.exit_code == 1 and result.stderr == ""


# --- Any query at all: exit 0, 1 or 2, never a traceback ---------------------------------------

_QUERY_PIECES = [
    "published:", "updated:", "year:", "theme:", "region:", "setting:", "commitment:", "title:", "body:", "nope:",
    "[", "]", "{", "}", "(", ")", '"', "'", " TO ", "TO", " ", " ", "AND ", "OR ", "NOT ", "*", "?", "~", "^2",
    ":", ">", "<", "=", "-", "2019", "2021", "-02-30", "-13", "-06", "0000", "20211", "zzz", "care", "huddle",
    "patient", "safety", "Patient safety", "north", "West", "\x00", "\n", "\t", "\u2028", "\u202e", "\udcff", "😀",
]
_DATEISH = st.one_of(
    st.dates().map(dt.date.isoformat),
    st.from_regex(r"[0-9]{1,5}(-[0-9]{1,3}){0,2}", fullmatch=True),
    st.text(max_size=12),
    st.just(""),
)
_queries = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(_QUERY_PIECES), max_size=14).map("".join),
    st.builds(
        lambda field, a, b, open_, close: f"{field}:{open_}{a} TO {b}{close}",
        st.sampled_from(["published", "updated", "year"]), _DATEISH, _DATEISH, st.sampled_from("[{"),
        st.sampled_from("]}"),
    ),
    st.builds(lambda field, op, a: f"{field}:{op}{a}", st.sampled_from(["published", "year"]),
              st.sampled_from(["", ">", "<", ">=", "<="]), _DATEISH),
)
_SEARCH_PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def search_query(run_line, sample_index):
    """Run ``atlas search [OPTIONS] -- QUERY`` on the sample atlas: the query is never read as an option."""

    def run(query: str, *options: str):
        return run_line(["search", "--cases", str(CASES), "--index", str(sample_index), *options, "--", query])

    return run


def _assert_answered(result):
    """Exit 0, 1 or 2; no traceback; our error is one line; the index was not rebuilt over a query."""
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    assert "failed" not in result.stderr and "rebuilt" not in result.stderr, result.stderr
    if result.exit_code == 2:
        assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1, result.stderr


@_SEARCH_PROPERTY
@given(query=_queries)
def test_any_query_exits_0_1_or_2_without_a_traceback(search_query, query):
    _assert_answered(search_query(query))


@_SEARCH_PROPERTY
@given(since=_DATEISH | st.text(max_size=20), until=_DATEISH | st.text(max_size=20))
def test_any_since_and_until_exit_0_1_or_2_without_a_traceback(search_query, since, until):
    _assert_answered(search_query("care", "--since", since, "--until", until))


@_SEARCH_PROPERTY
@given(option=st.sampled_from(["--theme", "--setting", "--region", "--commitment", "--organisation"]),
       value=st.text(max_size=40))
def test_any_facet_option_exits_0_1_or_2_without_a_traceback(search_query, option, value):
    _assert_answered(search_query("care", option, value))


# --- Did you mean: whole words as the cases write them ------------------------------------------

_CASE_WORDS = sorted({w for path in CASES.glob("*.md") for w in re.findall(r"[^\W\d_]+", path.read_text().lower())})
_LONG_WORDS = [w for w in _CASE_WORDS if len(w) >= 6]


def test_did_you_mean_offers_the_word_the_cases_write_not_its_stem(search):
    result = search("huddel")
    assert result.exit_code == 1
    assert "Did you mean: huddles" in result.stdout  # the body is indexed as the stem 'huddl'
    assert json.loads(search("huddel", "--json").stdout)["suggestion"] == "huddles"


def _misspell(word: str, where: int, how: str) -> str:
    i = where % (len(word) - 1)
    if how == "drop":
        return word[:i] + word[i + 1 :]
    if how == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + "q" + word[i + 1 :]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(word=st.sampled_from(_LONG_WORDS), where=st.integers(1, 40), how=st.sampled_from(["drop", "swap", "q"]))
def test_every_suggestion_is_made_of_words_the_cases_write(search_query, word, where, how):
    typo = _misspell(word, where, how)
    result = search_query(typo, "--json")
    suggestion = json.loads(result.stdout)["suggestion"] if result.stdout else None
    if suggestion is not None:
        assert suggestion.split() and all(w in _CASE_WORDS for w in suggestion.split()), suggestion


# --- Facets written as their labels -------------------------------------------------------------


def _slugs(result) -> list[str]:
    return sorted(hit["slug"] for hit in json.loads(result.stdout)["hits"])


@pytest.mark.parametrize("written, slug", [
    ('theme:"Patient safety"', "theme:patient-safety"),
    ("theme:'patient   SAFETY'", "theme:patient-safety"),
    ("theme:Patient-Safety", "theme:patient-safety"),
    ('setting:"Mental health"', "setting:mental-health"),
    ("region:London", "region:london"),
    ('region:"National (England-wide or UK-wide)"', "region:national"),
    ('commitment:"Commitment 4: High-value care"', "commitment:4"),
])
def test_a_facet_written_as_its_label_finds_the_term(search, written, slug):
    by_label, by_slug = search(written, "--json", "--limit", "50"), search(slug, "--json", "--limit", "50")
    assert by_label.exit_code == 0, by_label.output
    assert _slugs(by_label) == _slugs(by_slug) != []
    assert json.loads(by_label.stdout)["query"] == slug  # the results show the query as it was read


@pytest.mark.parametrize("option, label, slug", [
    ("--theme", "Patient safety", "patient-safety"),
    ("--setting", "mental HEALTH", "mental-health"),
    ("--region", "North West", "north-west"),
])
def test_a_facet_option_takes_the_label(search, option, label, slug):
    by_label = search("*", option, label, "--json", "--limit", "50")
    by_slug = search("*", option, slug, "--json", "--limit", "50")
    assert by_label.exit_code == by_slug.exit_code, by_label.output
    assert _slugs(by_label) == _slugs(by_slug)


@pytest.mark.parametrize("query, message", [
    ("theme:patient safety",
     'theme:patient safety: the theme \'Patient safety\' is written theme:patient-safety or theme:"Patient safety"'),
    ("region:North West care", "region:North West: the region 'North West' is written region:north-west"),
    ("setting:Mental health", "setting:Mental health: the care setting 'Mental health' is written setting:mental-health"),
    ("theme:patient", "theme:patient: 'patient' is not a theme; write theme:patient-safety for 'Patient safety', "
                      "theme:patient-and-public-involvement for 'Patient and public involvement'"),
    ("theme:patient-safty", "theme:patient-safty: 'patient-safty' is not a theme; did you mean 'patient-safety'?"),
    ('theme:"Patient safty"', "theme:\"Patient safty\": 'Patient safty' is not a theme; did you mean 'patient-safety'?"),
    ("region:atlantis", "region:atlantis: 'atlantis' is not a region; choose one of: east-of-england, london"),
    ("theme:zzz", "theme:zzz: 'zzz' is not a theme; see the list in schemas/vocabularies/themes.yaml"),
    ("commitment:99", "commitment:99: '99' is not a commitment; choose one of: 1, 2"),
])
def test_a_facet_that_names_no_term_says_how_to_write_it(search, query, message):
    result = search(query)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: {message}")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize("args, message", [
    (["--theme", "patient"], "error: --theme: 'patient' is not a theme; write --theme patient-safety for 'Patient"),
    (["--region", "north wst"], "error: --region: 'north wst' is not a region; did you mean 'north-west'?"),
])
def test_a_facet_option_that_names_no_term_says_how_to_write_it(search, args, message):
    result = search("care", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message)


def test_facet_patterns_are_left_as_written(search):
    result = search("theme:patient*", "--json", "--limit", "50")
    assert result.exit_code == 0 and json.loads(result.stdout)["query"] == "theme:patient*"
