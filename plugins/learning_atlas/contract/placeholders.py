"""The placeholder text ``atlas new`` writes into a case's prose fields, and the check that finds it.

A placeholder is any line of a front-matter text that starts with ``TODO:``
(any case, after leading spaces). ``atlas new`` starts every field it cannot
fill with one, and ``atlas check`` reports each text that still holds one as
an error on the placeholder's line, so a scaffolded case cannot be published
before it is written.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Iterator

from learning_atlas.contract.front_matter import FrontMatter
from learning_atlas.contract.problems import Problem, Severity, format_key_path

MARKER = "TODO:"
"""What starts every placeholder; a line of front-matter text starting with it is one."""

MARKER_LINE = re.compile(r"^[ \t]*todo:", re.IGNORECASE | re.MULTILINE)

WANTED: dict[str, str] = {
    "summary": "one or two plain sentences saying what changed and what it achieved, "
    "shown on cards and in search results (40 to 400 characters, no Markdown)",
    "leading_change": "who led the change, in which role, and what it achieved "
    "(Markdown, at least 50 characters)",
    "where_to_look": "the problem or opportunity, and the evidence or policy behind it "
    "(Markdown), or delete the field: it is optional",
    "what_to_change": "what the team set out to change, and why (Markdown, at least 50 characters)",
    "how_to_change": "how the change was made, step by step (Markdown, at least 50 characters)",
    "adding_value.better_outcomes": "how outcomes improved, with figures where you have them "
    "(at least 20 characters), or delete it: adding value needs one of its three parts, not all",
    "adding_value.better_experience": "how the experience of patients, families or staff improved "
    "(at least 20 characters), or delete it: adding value needs one of its three parts, not all",
    "adding_value.better_use_of_resources": "how time, money or other resources were used better "
    "(at least 20 characters), or delete it: adding value needs one of its three parts, not all",
    "challenges": "the challenges met and the lessons learnt for teams doing the same elsewhere "
    "(Markdown), or delete the field: it is optional",
}
"""What each field ``atlas new`` leaves a placeholder in should hold: the placeholder's text and the check's hint."""

PROSE_FIELDS = tuple(key for key in WANTED if key != "summary")
"""The Markdown fields ``atlas new`` can leave a placeholder in, as dotted key paths."""


def placeholder_text(key: str, *, width: int = 76) -> str:
    """The placeholder for the field at dotted ``key``: ``TODO: replace this with …``, wrapped for a block."""
    text = f"{MARKER} replace this with {WANTED[key]}."
    return "\n".join(textwrap.wrap(text, width=width)) + "\n"


def placeholder_problems(fm: FrontMatter, path: Path) -> Iterator[Problem]:
    """An error for each front-matter text that still holds a placeholder, on the placeholder's line."""
    for parts, text in fm.strings:
        match = MARKER_LINE.search(text)
        if match is None:
            continue
        key = format_key_path(parts)
        wanted = WANTED.get(key, "the real text")
        yield Problem(
            path, fm.text_line(parts, match.start()), fm.position(parts)[1], Severity.ERROR, key,
            f"still holds the placeholder text from 'atlas new'; replace it with {wanted}",
            "placeholder",
        )
