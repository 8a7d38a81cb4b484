"""What the ``atlas`` commands share: one ``--cases`` option (its old spelling still read), and one
way out when the schemas folder is missing or broken: its problems on standard error, exit 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import MINIMAL_CASE, SCHEMAS

NEW_CASE = [
    "new", "--no-input", "--title", "Daily safety huddles on a surgical ward",
    "--organisation", "Example Hospitals NHS Foundation Trust", "--region", "north-west", "--setting", "acute",
    "--theme", "patient-safety", "--published", "2021-03-15", "--lead-role", "Ward Sister",
    "--contact-name", "Ward 7 team", "--contact-email", "ward7@example.org", "--consent-confirmed",
]

COMMANDS_WITH_CASES = {
    "index": ["index"],
    "search": ["search", "huddle"],
    "report": ["report", "--today", "2024-06-01"],
    "new": NEW_CASE,
}
"""A command line of each command that takes a cases folder, without its ``--cases``."""


@pytest.fixture
def small_atlas(tmp_path: Path) -> Path:
    """An atlas of one valid case with its own schemas; returns its cases folder."""
    cases = tmp_path / "cases"
    cases.mkdir()
    shutil.copy(MINIMAL_CASE, cases / MINIMAL_CASE.name)
    shutil.copytree(SCHEMAS, tmp_path / "schemas")
    return cases


@pytest.fixture
def broken_schemas(tmp_path: Path) -> Path:
    """A copy of the schemas folder whose settings vocabulary lists one slug twice."""
    schemas = tmp_path / "broken-schemas"
    shutil.copytree(SCHEMAS, schemas)
    vocab = schemas / "vocabularies" / "settings.yaml"
    vocab.write_text(vocab.read_text().replace("- slug: community", "- slug: acute"), encoding="utf-8")
    return schemas


# --- one --cases --------------------------------------------------------------------------------


@pytest.mark.parametrize("command", sorted(COMMANDS_WITH_CASES))
@pytest.mark.parametrize("spelling", ["--cases", "--cases-dir"])
def test_every_command_takes_cases_and_its_old_spelling(run_line, small_atlas, command, spelling):
    words = COMMANDS_WITH_CASES[command]
    result = run_line([*words, spelling, str(small_atlas)])
    assert result.exit_code in (0, 1), result.output  # atlas search exits 1 when nothing matches
    assert "Traceback" not in result.output
    if command == "new":
        assert (small_atlas / "daily-safety-huddles-on-a-surgical-ward.md").is_file()
    if command == "index":
        assert result.stdout.startswith("1 added")


@pytest.mark.parametrize("command", sorted(COMMANDS_WITH_CASES))
def test_help_shows_cases_and_not_its_old_spelling(run_line, command):
    text = run_line([command, "--help"]).output
    assert "--cases DIRECTORY" in text
    assert "--cases-dir" not in text


def test_the_old_spelling_is_named_as_the_new_in_errors(run_line, tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("", encoding="utf-8")
    result = run_line(["report", "--cases-dir", str(a_file)])
    assert result.exit_code == 2
    assert "'--cases'" in result.output and "--cases-dir" not in result.output


@pytest.mark.parametrize("command", sorted(COMMANDS_WITH_CASES))
def test_no_cases_folder_here_names_the_cases_option(run_line, tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    result = run_line(COMMANDS_WITH_CASES[command])
    assert result.exit_code == 2
    assert "no cases folder at cases: run this in the atlas's folder or give --cases DIR" in result.output


# --- one way out when the schema cannot be loaded -----------------------------------------------


def _command_lines(cases: Path) -> dict[str, list[str]]:
    lines = {name: [*words, "--cases", str(cases)] for name, words in COMMANDS_WITH_CASES.items()}
    lines["check"] = ["check", str(cases)]
    lines["schema"] = ["schema"]
    return lines


ALL_COMMANDS = sorted([*COMMANDS_WITH_CASES, "check", "schema"])


@pytest.mark.parametrize("command", ALL_COMMANDS)
def test_a_broken_schemas_folder_is_exit_2_with_its_problems_on_stderr(run_line, small_atlas, broken_schemas,
                                                                       command):
    result = run_line([*_command_lines(small_atlas)[command], "--schemas", str(broken_schemas)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith(str(broken_schemas)) for line in lines), lines
    assert any("settings.yaml" in line and "'acute' is listed twice" in line for line in lines), lines
    assert result.stdout == ""
    assert not list(small_atlas.glob("daily-*.md"))  # atlas new wrote nothing
    assert not (small_atlas.parent / ".atlas").exists()  # atlas index and search built nothing


@pytest.mark.parametrize("command", ALL_COMMANDS)
def test_no_schemas_folder_is_exit_2_saying_where_it_should_be(run_line, small_atlas, monkeypatch, command):
    shutil.rmtree(small_atlas.parent / "schemas")
    monkeypatch.chdir(small_atlas.parent)
    result = run_line(_command_lines(Path("cases"))[command])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        "schemas:1:1: error: is not a folder: the case schema and vocabularies live in the atlas's schemas/ "
        "folder; run atlas in the atlas's folder (or below it), or give --schemas DIRECTORY"
    ]


def test_check_json_on_a_broken_schemas_folder_is_still_a_json_array(run_line, broken_schemas):
    result = run_line(["check", "--format", "json", "--schemas", str(broken_schemas), str(MINIMAL_CASE)])
    assert result.exit_code == 2
    rows = json.loads(result.stdout)
    assert rows and all(row["severity"] == "error" and row["file"].startswith(str(broken_schemas)) for row in rows)
    assert any("'acute' is listed twice" in row["message"] for row in rows)
    assert len(result.stderr.splitlines()) == len(rows)


def test_check_github_on_a_broken_schemas_folder_annotates_the_schema_lines(run_line, broken_schemas):
    result = run_line(["check", "--format", "github", "--schemas", str(broken_schemas), str(MINIMAL_CASE)])
    assert result.exit_code == 2
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::error file=")]
    assert annotations and any("settings.yaml" in line for line in annotations)
