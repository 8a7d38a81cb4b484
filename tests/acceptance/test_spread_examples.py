"""Learning that spreads: each negative example of ``builds_on`` between cases and of a learning
collection fails with its one expected problem; each positive example passes.

``builds-on/<name>/`` are small atlases of three cases; ``collections/negative/*.yaml`` are checked
one at a time against the cases in ``collections/cases/``.
"""

from __future__ import annotations

import pytest
import yaml
from conftest import ACCEPTANCE

BUILDS_ON = ACCEPTANCE / "builds-on"
COLLECTIONS = ACCEPTANCE / "collections"
BUILDS_ON_EXPECTED: dict[str, str] = yaml.safe_load((BUILDS_ON / "expected.yaml").read_text(encoding="utf-8"))
COLLECTIONS_EXPECTED: dict[str, str] = yaml.safe_load(
    (COLLECTIONS / "expected-negative.yaml").read_text(encoding="utf-8")
)


def test_every_example_has_an_expectation():
    assert sorted(p.name for p in BUILDS_ON.iterdir() if p.is_dir() and p.name != "positive") == sorted(BUILDS_ON_EXPECTED)
    assert sorted(p.name for p in (COLLECTIONS / "negative").iterdir()) == sorted(COLLECTIONS_EXPECTED)


@pytest.mark.parametrize("name", sorted(BUILDS_ON_EXPECTED))
def test_builds_on_negative_atlas(run_line, name):
    folder = BUILDS_ON / name
    result = run_line(["check", str(folder)])
    lines = result.output.splitlines()
    expected = BUILDS_ON_EXPECTED[name]
    assert lines[:-1] == [f"{folder}/{expected}"]
    is_error = ": error: " in expected
    assert result.exit_code == (1 if is_error else 0)
    assert lines[-1] == f"3 cases checked: 1 {'error' if is_error else 'warning'} in 1 file"


def test_builds_on_positive_atlas(run_line):
    result = run_line(["check", str(BUILDS_ON / "positive")])
    assert result.output == "3 cases checked: no problems found\n"
    assert result.exit_code == 0


@pytest.mark.parametrize("name", sorted(COLLECTIONS_EXPECTED))
def test_collection_negative_example(run_line, name):
    path = COLLECTIONS / "negative" / name
    result = run_line(["check", str(COLLECTIONS / "cases"), str(path)])
    lines = result.output.splitlines()
    expected = COLLECTIONS_EXPECTED[name]
    assert lines[:-1] == [f"{path}:{expected}"]
    is_error = ": error: " in expected
    assert result.exit_code == (1 if is_error else 0)
    assert lines[-1] == f"3 cases and 1 collection checked: 1 {'error' if is_error else 'warning'} in 1 file"


@pytest.mark.parametrize("path", sorted((COLLECTIONS / "positive").glob("*.yaml")), ids=lambda p: p.name)
def test_collection_positive_example(run_line, path):
    result = run_line(["check", str(COLLECTIONS / "cases"), str(path)])
    assert result.output == "3 cases and 1 collection checked: no problems found\n"
    assert result.exit_code == 0


def test_a_collections_folder_alone_is_checked_against_the_cases_beside_it(run_line, tmp_path):
    """``atlas check collections`` reads the cases in ``cases/`` beside the folder: what the collections name."""
    import shutil

    shutil.copytree(COLLECTIONS / "cases", tmp_path / "cases")
    shutil.copytree(COLLECTIONS / "positive", tmp_path / "collections")
    result = run_line(["check", str(tmp_path / "collections")])
    assert result.output == "3 cases and 1 collection checked: no problems found\n"
