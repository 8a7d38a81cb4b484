"""``atlas index`` and ``atlas search``: output, exit status, and no traceback whatever the input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CASES, help_text_is_our_own

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
    from learning_atlas import cli, search_index

    assert cli._SORTS == search_index.SORTS


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
    "year:[2021 TO 2019]",
    "?",
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
