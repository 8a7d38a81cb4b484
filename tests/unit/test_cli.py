"""The command line: help, version, formats and exit status."""

from __future__ import annotations

import json
import os

import pytest
from conftest import ACCEPTANCE, CASES, MINIMAL_CASE, help_text_is_our_own
from learning_atlas import __version__

NEGATIVE = ACCEPTANCE / "negative"


def test_version(run_line):
    result = run_line(["--version"])
    assert result.output == f"atlas, version {__version__}\n"


@pytest.mark.parametrize("command", [[], ["check"], ["schema"]])
def test_every_command_has_help(run_line, command):
    result = run_line(command + ["--help"])
    assert result.exit_code == 0
    assert help_text_is_our_own(result.output, command), result.output


def test_bad_option_is_a_usage_error(run_line):
    assert run_line(["check", "--nope"]).exit_code == 2
    assert run_line(["check", "--format", "xml", str(CASES)]).exit_code == 2


def test_missing_path_is_a_usage_error(run_line):
    result = run_line(["check", "no/such/folder"])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_default_path_is_cases(run_line, monkeypatch):
    """With no paths, the cases folder, and the learning collections beside it."""
    monkeypatch.chdir(CASES.parent)
    result = run_line(["check"])
    assert result.exit_code == 0
    collections = len(list((CASES.parent / "collections").glob("*.yaml")))
    assert f"cases and {collections} collection{'s' * (collections != 1)} checked: no problems found" in result.output


def test_no_cases_folder_is_a_usage_error(run_line, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run_line(["check"]).exit_code == 2


def test_json_format(run_line):
    path = NEGATIVE / "schema-setting-vocabulary.md"
    result = run_line(["check", "--format", "json", str(path)])
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    assert rows == [
        {
            "file": str(path),
            "line": 8,
            "column": 5,
            "severity": "error",
            "key": "settings[0]",
            "message": "'Acute' is not a care setting; did you mean 'acute'?",
            "rule": "schema.enum",
        }
    ]


def test_github_format_escapes_annotations(run_line):
    path = NEGATIVE / "schema-setting-vocabulary.md"
    result = run_line(["check", "--format", "github", str(path)])
    first = result.output.splitlines()[0]
    assert first == (
        f"::error file={path},line=8,col=5,title=atlas check%3A settings[0]::"
        "'Acute' is not a care setting; did you mean 'acute'?"
    )


def test_other_files_are_checked_after_one_fails(run_line):
    result = run_line(["check", str(NEGATIVE / "file-binary.md"), str(MINIMAL_CASE), str(NEGATIVE / "yaml-alias.md")])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "3 cases checked: 2 errors in 2 files"


def test_summary_counts_warnings_without_failing(run_line):
    result = run_line(["check", str(NEGATIVE / "privacy-email.md"), str(NEGATIVE / "privacy-phone.md")])
    assert result.exit_code == 0
    # The two examples are copies of one case with a line changed, so one is also a near copy.
    assert result.output.splitlines()[-1] == "2 cases checked: 3 warnings in 2 files"


def test_schema_export_to_file(run_line, tmp_path):
    target = tmp_path / "case.schema.json"
    result = run_line(["schema", "--output", str(target)])
    assert result.exit_code == 0
    assert json.loads(target.read_text())["properties"]["region"]["enum"][0] == "east-of-england"


def test_broken_vocabulary_is_reported_not_raised(run_line, tmp_path):
    import shutil

    from conftest import SCHEMAS

    schemas = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, schemas)
    vocab = schemas / "vocabularies" / "settings.yaml"
    vocab.write_text(vocab.read_text().replace("- slug: community", "- slug: acute"), encoding="utf-8")
    result = run_line(["check", "--schemas", str(schemas), str(MINIMAL_CASE)])
    assert result.exit_code == 2  # the atlas's schemas folder is at fault, not a case: a usage error
    assert "settings.yaml" in result.stderr and "'acute' is listed twice" in result.stderr
    assert os.path.exists(MINIMAL_CASE)


def test_checking_outside_an_atlas_says_where_the_schemas_should_be(run_line, tmp_path, monkeypatch, minimal_text):
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "minimal-valid-case.md").write_text(minimal_text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run_line(["check", "cases"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "schemas:1:1: error: is not a folder: the case schema and vocabularies live in the atlas's schemas/ "
        "folder; run atlas in the atlas's folder (or below it), or give --schemas DIRECTORY"
    )
