"""``atlas new --collection``: start a learning collection, ``collections/<slug>.yaml``.

The file is written with the title and purpose given (the purpose left as a placeholder when not),
and the cases given, each with a placeholder note; ``atlas check`` reports every placeholder
(a line starting ``TODO:``) as an error until it is replaced, as it does for a new case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from learning_atlas.contract.learning_collections import COLLECTION_SUFFIX
from learning_atlas.contract.loader import CASE_SUFFIX
from learning_atlas.contract.placeholders import MARKER
from learning_atlas.editors.new_case import quote

PURPOSE_PLACEHOLDER = f"{MARKER} say what the collection is for, for example the pre-reading for a learning session"
NOTE_PLACEHOLDER = f"{MARKER} say in a sentence or two why to read this case"
CASE_PLACEHOLDER = "replace-with-a-case-slug"


@dataclass
class CollectionAnswers:
    """What ``atlas new --collection`` was told: the title, slug, purpose and cases."""

    title: str = ""
    slug: str = ""
    purpose: str = ""
    cases: list[str] = field(default_factory=list)


def case_slugs(cases_dir: Path) -> list[str]:
    """The slugs of the cases in ``cases_dir``, A to Z (for the did-you-mean of a case given)."""
    return sorted(path.name[: -len(CASE_SUFFIX)] for path in cases_dir.glob(f"*{CASE_SUFFIX}"))


def collection_path(collections_dir: Path, slug: str) -> Path:
    return collections_dir / f"{slug}{COLLECTION_SUFFIX}"


def render_collection(answers: CollectionAnswers) -> str:
    """The collection file's text: YAML with a comment on each part, every text quoted."""
    purpose = answers.purpose.strip() or PURPOSE_PLACEHOLDER
    lines = [
        "# A learning collection: a reading list of case studies for a learning event (docs/collections.md).",
        "# Check it with: atlas check collections",
        f"title: {quote(' '.join(answers.title.split()))}",
        f"purpose: {quote(purpose)}",
        "# The cases in reading order: each a case's slug (its file name in cases/ without .md), and why to read it.",
        "cases:",
    ]
    for slug in answers.cases or [CASE_PLACEHOLDER]:
        lines.append(f"  - case: {slug}")
        lines.append(f"    note: {quote(NOTE_PLACEHOLDER)}")
    return "\n".join(lines) + "\n"
