"""Learning collections on the site: each a reading list of the build's cases, with the editors' notes.

Made from the collections ``atlas check`` read (:mod:`learning_atlas.contract.learning_collections`):
a collection with errors is left out, as an invalid case is; an entry naming a case that is not in the
build (a draft, or a case skipped as invalid) is passed over, and an old slug leads to its case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from learning_atlas.contract.case import Case
from learning_atlas.contract.learning_collections import LoadedCollection


@dataclass(frozen=True)
class CollectionEntry:
    """A case of a collection, and the note on why to read it."""

    case: Case
    note: str


@dataclass
class Collection:
    """A learning collection: its title, purpose and cases in reading order."""

    slug: str
    title: str
    purpose: str
    entries: list[CollectionEntry]

    @property
    def url(self) -> str:
        return f"collections/{self.slug}/"

    @property
    def feed(self) -> str:
        return f"collections/{self.slug}/feed.xml"

    @property
    def cases(self) -> list[Case]:
        return [entry.case for entry in self.entries]

    @property
    def archived(self) -> list[Case]:
        """Its cases that have been archived since they were gathered (the editors' report lists them)."""
        return [case for case in self.cases if case.is_archived]


def build_collections(loaded: Iterable[LoadedCollection], cases: Mapping[str, Case]) -> list[Collection]:
    """The collections of a build, A to Z by title; ``cases`` maps slugs, old ones too, to the build's cases."""
    out = []
    for collection in loaded:
        if collection.has_errors:
            continue
        data = collection.data
        entries, seen = [], set()
        for entry in data["cases"]:
            case = cases.get(entry["case"])
            if case is None or case.slug in seen:
                continue
            seen.add(case.slug)
            entries.append(CollectionEntry(case, " ".join(entry["note"].split())))
        out.append(Collection(collection.slug, " ".join(data["title"].split()), data["purpose"].strip(), entries))
    return sorted(out, key=lambda c: (c.title.casefold(), c.slug))


def collections_by_case(collections: Iterable[Collection]) -> dict[str, list[Collection]]:
    """Slug -> the collections that hold the case, A to Z."""
    found: dict[str, list[Collection]] = {}
    for collection in collections:
        for case in collection.cases:
            found.setdefault(case.slug, []).append(collection)
    return found
