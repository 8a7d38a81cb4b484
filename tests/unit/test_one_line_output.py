"""``atlas check``'s text and GitHub formats print one line per problem whatever a file name or key holds."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from conftest import SCHEMAS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from learning_atlas.contract.problems import Problem, Severity, one_line

HYPOTHESIS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

BREAKERS = "\n\r\t\x0b\x0c\x1b\x1c\x1d\x1e\x7f\x85\u2028\u2029\u202e"
"""Characters that end a line for some reader (str.splitlines, a terminal, an editor) or hide what follows."""


@pytest.mark.parametrize("raw, shown", [
    ("a\nb", "a\\nb"),
    ("a\rb", "a\\rb"),
    ("a\tb", "a\\tb"),
    ("\x1b[31mred", "\\x1b[31mred"),
    ("x\x85y", "x\\x85y"),
    ("x\u2028y\u2029z", "x\\u2028y\\u2029z"),
    ("\u202eevil", "\\u202eevil"),
    ("bad\udcffname", "bad\\udcffname"),
    ("plain ünïcode 😀", "plain ünïcode 😀"),
])
def test_one_line_escapes_what_would_break_a_line(raw, shown):
    assert one_line(raw) == shown


@given(st.text(alphabet=st.characters(blacklist_categories=()), max_size=40) | st.text(alphabet=BREAKERS + "ab\\"))
def test_one_line_is_always_one_printable_line(text):
    shown = one_line(text)
    assert len(shown.splitlines()) <= 1
    assert not any(char in shown for char in BREAKERS)
    shown.encode("utf-8")  # no lone surrogate left to fail a terminal


def test_a_problem_line_escapes_path_key_and_message():
    problem = Problem(Path("cases/a\nb.md"), 3, 1, Severity.ERROR, "x\u2028y", "bad\rvalue")
    assert problem.gnu() == "cases/a\\nb.md:3:1: error: x\\u2028y: bad\\rvalue"
    assert problem.to_json()["file"] == "cases/a\nb.md" and problem.to_json()["key"] == "x\u2028y"


_name_parts = st.text(alphabet=BREAKERS + "abc-", min_size=1, max_size=12)
_key_parts = st.text(alphabet=BREAKERS + "abc_\u00e9", min_size=1, max_size=12)


def _yaml_key(key: str) -> str:
    return json.dumps(key)  # a JSON string is a YAML double-quoted scalar: every character escaped


@HYPOTHESIS
@given(name=_name_parts, key=_key_parts)
def test_text_and_github_formats_print_one_line_per_problem(run_line, minimal_text, name, key):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.md"
        path.write_text(minimal_text.replace("---\n", f"---\n{_yaml_key(key)}: 1\n", 1), encoding="utf-8")
        rows = json.loads(run_line(["check", "--format", "json", "--schemas", str(SCHEMAS), folder]).stdout)
        assert rows and all(row["file"] == str(path) for row in rows)  # JSON keeps the real values
        assert any(row["key"] == key for row in rows)
        for output_format in ("text", "github"):
            result = run_line(["check", "--format", output_format, "--schemas", str(SCHEMAS), folder])
            lines = result.stdout.splitlines()
            assert len(lines) == len(rows) + 1, result.stdout  # a line per problem, then the summary
            assert not any(char in line for line in lines for char in BREAKERS)


@pytest.mark.skipif(os.uname().sysname == "Darwin", reason="macOS refuses file names that are not UTF-8")
def test_a_file_name_that_is_not_utf8_prints_in_every_format(run_line, minimal_text, tmp_path):
    (tmp_path / os.fsdecode(b"bad\xffname.md")).write_text(minimal_text, encoding="utf-8")
    for output_format in ("text", "github"):
        out = run_line(["check", "--format", output_format, "--schemas", str(SCHEMAS), str(tmp_path)]).stdout
        assert "bad\\udcffname.md" in out
    out = run_line(["check", "--format", "json", "--schemas", str(SCHEMAS), str(tmp_path)]).stdout
    out.encode("utf-8")
    assert json.loads(out)[0]["file"] == os.fsdecode(bytes(tmp_path) + b"/bad\xffname.md")


def test_atlas_index_notes_a_skipped_file_on_one_line(run_line, atlas):
    (atlas / "bad\nname\u2028.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    result = run_line(["index", "--cases", str(atlas)])
    notes = [line for line in result.stderr.splitlines() if "skipped" in line]
    assert len(notes) == 1 and "bad\\nname\\u2028.md:1:1: skipped" in notes[0]
