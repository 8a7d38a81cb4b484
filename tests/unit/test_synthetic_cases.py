"""bench/synthetic.py writes valid cases, replaces only its own, and refuses a folder holding anything else."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CASES, ROOT, SCHEMAS
from learning_atlas.contract.checker import check_paths
from learning_atlas.contract.schema import load_case_schema
from synthetic import MARKER, ForeignFilesError, generate


def _contents(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``, by path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_it_writes_valid_cases_into_a_new_folder_with_its_marker(tmp_path):
    out = tmp_path / "new" / "cases"
    paths = generate(out, 3)
    assert sorted(p.name for p in out.iterdir()) == sorted([MARKER, *(p.name for p in paths)])
    result = check_paths([out], load_case_schema(SCHEMAS))
    assert len(result.cases) == 3 and [p.gnu() for p in result.problems if p.is_error] == []


def test_it_writes_into_an_empty_folder(tmp_path):
    assert len(generate(tmp_path, 2)) == 2


def test_it_replaces_its_own_earlier_cases(tmp_path):
    generate(tmp_path, 5)
    paths = generate(tmp_path, 2, seed=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([MARKER, *(p.name for p in paths)])


def test_it_refuses_a_copy_of_the_atlas_and_leaves_it_as_it_was(tmp_path):
    atlas = tmp_path / "cases"
    shutil.copytree(CASES, atlas)
    before = _contents(atlas)
    with pytest.raises(ForeignFilesError, match="did not write"):
        generate(atlas, 3)
    assert _contents(atlas) == before


def test_it_refuses_its_own_folder_once_another_file_is_added(tmp_path):
    generate(tmp_path, 3)
    (tmp_path / "my-own-case.md").write_text("mine\n", encoding="utf-8")
    before = _contents(tmp_path)
    with pytest.raises(ForeignFilesError, match="my-own-case.md"):
        generate(tmp_path, 3)
    assert _contents(tmp_path) == before


def test_it_refuses_files_named_as_its_own_without_its_marker(tmp_path):
    (tmp_path / "synthetic-case-00000.md").write_text("someone else's\n", encoding="utf-8")
    with pytest.raises(ForeignFilesError):
        generate(tmp_path, 1)
    assert _contents(tmp_path) == {"synthetic-case-00000.md": b"someone else's\n"}


def test_it_refuses_a_path_that_is_a_file(tmp_path):
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(ForeignFilesError, match="not a folder"):
        generate(tmp_path / "file", 1)


def test_the_command_line_refuses_with_exit_status_2_and_writes_nothing(tmp_path):
    atlas = tmp_path / "cases"
    shutil.copytree(CASES, atlas)
    before = _contents(atlas)
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "synthetic.py"), str(atlas), "3"],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and str(atlas) in done.stderr and done.stdout == ""
    assert _contents(atlas) == before
