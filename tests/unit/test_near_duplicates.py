"""The near-duplicate warning: a copied case is flagged, naming the original; the sample atlas has no false alarm."""

from __future__ import annotations

import re
import shutil

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


def test_a_copy_with_a_new_title_and_edited_sentences_is_flagged(run_line, tmp_path):
    folder = tmp_path / "cases"
    folder.mkdir()
    shutil.copy(ORIGINAL, folder / ORIGINAL.name)
    copy = folder / "a-copied-case.md"
    copy.write_text(_copy_with_edits(ORIGINAL.read_text(encoding="utf-8")), encoding="utf-8")
    result = run_line(["check", str(folder)])
    warnings = [line for line in result.output.splitlines() if "near copy" in line]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"{folder / ORIGINAL.name}:1:1: warning: reads as a near copy of {copy}")
    assert result.exit_code == 0


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
