"""Every negative example fails with its one expected problem; every positive example passes."""

from __future__ import annotations

import re

import pytest
import yaml
from conftest import ACCEPTANCE, CASES

NEGATIVE = ACCEPTANCE / "negative"
POSITIVE = ACCEPTANCE / "positive"
EXPECTED: dict[str, str] = yaml.safe_load((ACCEPTANCE / "expected-negative.yaml").read_text(encoding="utf-8"))
LIBRARY_WORDS = "{libyaml}"


def _matches(line: str, expected: str) -> bool:
    """``line`` is ``expected``, where ``{libyaml}`` stands for some words of the YAML library's own."""
    pattern = "(?:[^;]+)".join(re.escape(part) for part in expected.split(LIBRARY_WORDS))
    return re.fullmatch(pattern, line) is not None


def test_every_negative_file_has_an_expectation():
    files = sorted(p.name for p in NEGATIVE.glob("*.md"))
    assert files == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_negative_example(run_line, name):
    path = NEGATIVE / name
    result = run_line(["check", str(path)])
    lines = result.output.splitlines()
    assert len(lines) == 2 and _matches(lines[0], f"{path}:{EXPECTED[name]}"), (lines, EXPECTED[name])
    is_error = ": error: " in EXPECTED[name]
    assert result.exit_code == (1 if is_error else 0)
    kind = "error" if is_error else "warning"
    assert lines[-1] == f"1 case checked: 1 {kind} in 1 file"


@pytest.mark.parametrize("path", sorted(POSITIVE.glob("*.md")), ids=lambda p: p.name)
def test_positive_example(run_line, path):
    result = run_line(["check", str(path)])
    assert result.output == "1 case checked: no problems found\n"
    assert result.exit_code == 0


def test_positive_folder_with_bom_and_crlf(run_line):
    raw = (POSITIVE / "bom-and-crlf.md").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    result = run_line(["check", str(POSITIVE)])
    assert result.exit_code == 0, result.output


def test_sample_atlas_passes(run_line):
    result = run_line(["check", str(CASES)])
    assert result.exit_code == 0, result.output
    count = len(list(CASES.glob("*.md")))
    assert count >= 12
    assert result.output == f"{count} cases checked: no problems found\n"


def test_whole_negative_folder_checks_every_file(run_line):
    result = run_line(["check", str(NEGATIVE)])
    assert result.exit_code == 1
    # Every example is a copy of one case with one rule broken, so most are also near copies of another.
    lines = [line for line in result.output.splitlines()[:-1] if "reads as a near copy of" not in line]
    assert len(lines) == len(EXPECTED)
    errors = sum(": error: " in v for v in EXPECTED.values())
    near_copies = len(result.output.splitlines()) - 1 - len(EXPECTED)
    warnings = len(EXPECTED) - errors + near_copies
    assert result.output.splitlines()[-1].startswith(f"{len(EXPECTED)} cases checked: {errors} errors, {warnings} warnings in ")
