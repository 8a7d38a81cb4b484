"""The near-duplicate warning: a copied case is flagged, naming the original; the sample atlas has no false alarm."""

from __future__ import annotations

import os
import re
import shutil

import pytest
from conftest import CASES

ORIGINAL = CASES / "learning-lessons-framework-north-staffordshire.md"


def _copy_with_edits(text: str) -> str:
    text = re.sub(r"^title: .*$", "title: A new title for an old story about learning lessons", text, count=1, flags=re.M)
    sentences = [m.end() - 1 for m in re.finditer(r"\.\s+[A-Z]", text)]
    assert len(sentences) >= 8
    # Edit a few sentences: change words at three places in the prose.
    for position in sentences[2:5]:
        text = text[:position] + "Indeed, in a slightly different telling, " + text[position:]
    return text


def _set_dates(text: str, published: str, updated: str | None = None) -> str:
    text = re.sub(r"^published: .*$", f"published: {published}", text, count=1, flags=re.M)
    text = re.sub(r"^updated: .*\n", "", text, flags=re.M)
    if updated:
        text = text.replace(f"published: {published}\n", f"published: {published}\nupdated: {updated}\n", 1)
    return text


def _near_copy_warnings(run_line, folder):
    result = run_line(["check", str(folder)])
    assert result.exit_code == 0, result.output
    return [line for line in result.output.splitlines() if "near copy" in line]


@pytest.fixture
def pair(tmp_path):
    """A folder holding the original (``a-…``, first by name) and an edited copy (``z-…``)."""
    folder = tmp_path / "cases"
    folder.mkdir()
    text = ORIGINAL.read_text(encoding="utf-8")
    return folder, folder / "a-the-first-by-name.md", folder / "z-the-last-by-name.md", text


def _write(path, text, mtime):
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(mtime, mtime))


@pytest.mark.parametrize("newer_first_by_name", [True, False])
def test_the_warning_is_on_the_newer_case_by_published_date(run_line, pair, newer_first_by_name):
    folder, first, last, text = pair
    newer, older = (first, last) if newer_first_by_name else (last, first)
    # the file times say the opposite: the case's own dates decide
    _write(newer, _copy_with_edits(_set_dates(text, "2022-05-01")), mtime=1_000_000_000_000_000_000)
    _write(older, _set_dates(text, "2019-01-10"), mtime=1_600_000_000_000_000_000)
    (warning,) = _near_copy_warnings(run_line, folder)
    assert warning.startswith(f"{newer}:1:1: warning: reads as a near copy of {older} ")


@pytest.mark.parametrize("newer_first_by_name", [True, False])
def test_with_the_same_published_date_the_later_update_is_newer(run_line, pair, newer_first_by_name):
    folder, first, last, text = pair
    newer, older = (first, last) if newer_first_by_name else (last, first)
    _write(newer, _copy_with_edits(_set_dates(text, "2020-01-01", updated="2021-06-01")), mtime=1_000_000_000_000_000_000)
    _write(older, _set_dates(text, "2020-01-01"), mtime=1_600_000_000_000_000_000)
    (warning,) = _near_copy_warnings(run_line, folder)
    assert warning.startswith(f"{newer}:1:1: warning: reads as a near copy of {older} ")


@pytest.mark.parametrize("newer_first_by_name", [True, False])
def test_with_the_same_dates_the_file_modified_last_is_newer(run_line, pair, newer_first_by_name):
    folder, first, last, text = pair
    newer, older = (first, last) if newer_first_by_name else (last, first)
    _write(newer, _copy_with_edits(_set_dates(text, "2020-01-01")), mtime=1_600_000_000_000_000_000)
    _write(older, _set_dates(text, "2020-01-01"), mtime=1_000_000_000_000_000_000)
    (warning,) = _near_copy_warnings(run_line, folder)
    assert warning.startswith(f"{newer}:1:1: warning: reads as a near copy of {older} ")


def test_with_everything_equal_the_later_name_is_newer(run_line, pair):
    folder, first, last, text = pair
    _write(first, _set_dates(text, "2020-01-01"), mtime=1_000_000_000_000_000_000)
    _write(last, _copy_with_edits(_set_dates(text, "2020-01-01")), mtime=1_000_000_000_000_000_000)
    (warning,) = _near_copy_warnings(run_line, folder)
    assert warning.startswith(f"{last}:1:1: warning: reads as a near copy of {first} ")


def test_the_sample_atlas_has_no_false_alarm(run_line):
    result = run_line(["check", str(CASES)])
    assert "near copy" not in result.output


def test_cases_on_the_same_subject_are_not_copies(run_line, tmp_path):
    folder = tmp_path / "cases"
    folder.mkdir()
    for name in ("learning-lessons-framework-north-staffordshire.md",
                 "learning-lessons-sessions-and-bulletins-north-staffordshire.md"):
        shutil.copy(CASES / name, folder / name)
    assert "near copy" not in run_line(["check", str(folder)]).output
