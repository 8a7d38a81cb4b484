"""What the ``atlas`` commands share: one ``--cases`` option, its old spelling still read."""

from __future__ import annotations

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
