"""atlas check on paths that are not case files: pipes, devices, unreadable folders, the same path twice."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import MINIMAL_CASE, SCHEMAS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

VALID = MINIMAL_CASE.read_text(encoding="utf-8")


def _check(run_line, *paths):
    result = run_line(["check", "--format", "json", "--schemas", str(SCHEMAS), *map(str, paths)])
    return result.exit_code, json.loads(result.stdout)


def test_a_named_pipe_is_an_error_not_a_hang(run_line, tmp_path):
    pipe = tmp_path / "waiting-case.md"
    os.mkfifo(pipe)
    status, problems = _check(run_line, pipe)  # opening a pipe for reading would wait for a writer forever
    assert status == 1 and [(p["file"], p["rule"]) for p in problems] == [(str(pipe), "file.not-regular")]


def test_a_pipe_inside_the_cases_folder_is_an_error_and_the_rest_is_checked(run_line, tmp_path):
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "good-case.md").write_text(VALID)
    os.mkfifo(cases / "waiting-case.md")
    status, problems = _check(run_line, cases)
    assert status == 1
    assert [(Path(p["file"]).name, p["rule"]) for p in problems] == [("waiting-case.md", "file.not-regular")]


@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero", "/dev/urandom"])
def test_a_device_is_an_error(run_line, device):
    status, problems = _check(run_line, Path(device))
    assert status == 1 and [(p["file"], p["rule"]) for p in problems] == [(device, "file.not-regular")]


def test_an_unreadable_folder_is_an_error_line(run_line, tmp_path, monkeypatch):
    cases = tmp_path / "cases"
    cases.mkdir()
    real_scandir = os.scandir

    def refuse(path="."):  # tests run as root here, which reads any folder: refuse as the system would
        if Path(path) == cases:
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refuse)
    result = run_line(["check", "--schemas", str(SCHEMAS), str(cases)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == f"{cases}:1:1: error: cannot be read: Permission denied"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spellings=st.lists(st.sampled_from(["cases", "./cases", "cases/", "cases/./", "F", "./F", "cases/../F"]),
                          min_size=1, max_size=6))
def test_the_same_case_given_any_number_of_ways_is_checked_once(run_line, tmp_path_factory, spellings):
    root = tmp_path_factory.mktemp("atlas")
    cases = root / "cases"
    cases.mkdir()
    (cases / "good-case.md").write_text(VALID)
    paths = [s.replace("F", "cases/good-case.md") for s in spellings]
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = run_line(["check", "--schemas", str(SCHEMAS), *paths])
    finally:
        os.chdir(cwd)
    assert result.output == "1 case checked: no problems found\n"  # not "slug already used", not a near copy
