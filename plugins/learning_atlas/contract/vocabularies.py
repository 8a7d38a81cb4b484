"""The controlled vocabularies a case is filed under, read from ``schemas/vocabularies/``."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

VOCABULARY_NAMES = ("regions", "settings", "themes", "commitments")
"""Every vocabulary, in the order the site lists them; each name is also its front-matter key."""

FRONT_MATTER_KEYS = {"regions": "region", "settings": "settings", "themes": "themes", "commitments": "commitments"}
"""The front-matter key each vocabulary fills (``region`` takes one term, the others a list)."""


@dataclass(frozen=True)
class Term:
    """One term of a vocabulary: the slug written in front matter, its label and description."""

    slug: str | int
    label: str
    description: str

    @property
    def key(self) -> str:
        """The slug as text, as used in URLs and data files."""
        return str(self.slug)


@dataclass(frozen=True)
class Vocabulary:
    """A named list of terms, such as the care settings."""

    name: str
    label: str
    singular: str
    description: str
    terms: tuple[Term, ...]
    path: Path

    @property
    def slugs(self) -> list[str | int]:
        return [term.slug for term in self.terms]

    def term(self, slug: str | int) -> Term | None:
        for term in self.terms:
            if term.slug == slug or term.key == str(slug):
                return term
        return None

    def named(self, text: object) -> Term | None:
        """The term ``text`` names by its slug or its label, in any case and spacing (``Patient  SAFETY``); or None."""
        wanted = " ".join(str(text).split()).lower()
        for term in self.terms:
            if wanted in (term.key.lower(), " ".join(term.label.split()).lower()):
                return term
        return None

    def suggest(self, value: object) -> str | int | None:
        """The term a near-miss value was probably meant to be, matched on slug and label."""
        text = str(value).strip().lower()
        slugged = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
        for term in self.terms:
            if slugged == term.key or text == term.label.lower():
                return term.slug
        candidates = {term.key: term.slug for term in self.terms}
        candidates.update({term.label.lower(): term.slug for term in self.terms})
        match = difflib.get_close_matches(slugged, list(candidates), n=1, cutoff=0.75) or difflib.get_close_matches(
            text, list(candidates), n=1, cutoff=0.75
        )
        return candidates[match[0]] if match else None
