"""The atlas as objects: every :class:`~learning_atlas.contract.case.Case` of a build, and the listings and
related cases derived from them.

Free of MkDocs: any site engine (or a script) can build the same atlas.
"""

from __future__ import annotations

import collections
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from learning_atlas.contract.case import Case
from learning_atlas.contract.learning_collections import LoadedCollection
from learning_atlas.contract.vocabularies import VOCABULARY_NAMES, Term, Vocabulary
from learning_atlas.search.related import RelateEntry, facet_keys, related_slugs
from learning_atlas.site.learning_collections import Collection, build_collections, collections_by_case
from learning_atlas.site.lineage import Lineage


def slugify(text: str) -> str:
    """A URL slug for any text: ASCII lower-case words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-") or "organisation"


@dataclass
class Listing:
    """A page listing cases: one per vocabulary term, organisation and year."""

    kind: str
    key: str
    label: str
    description: str
    cases: list[Case]

    @property
    def current(self) -> list[Case]:
        """The default view: every case but the archived ones."""
        return [c for c in self.cases if not c.is_archived]

    @property
    def archived(self) -> list[Case]:
        return [c for c in self.cases if c.is_archived]

    @property
    def url(self) -> str:
        return f"{self.kind}/{self.key}/"


class Atlas:
    """Every case of a build, newest first, with the listings and related cases derived from them."""

    def __init__(
        self,
        cases: Iterable[Case],
        vocabularies: dict[str, Vocabulary],
        *,
        related_count: int = 5,
        relate: bool = True,
        collections: Iterable[LoadedCollection] = (),
    ) -> None:
        """Related cases come from shared facets; with ``relate=False`` the lists are left empty until
        :meth:`relate` or :meth:`apply_related` (lists made from the search index's key terms) fills them.

        The cases' lineage (``builds_on`` both ways) and the learning ``collections`` (as ``atlas
        check`` read them) are resolved here, once per build."""
        self.vocabularies = vocabularies
        self.cases = sorted(cases, key=lambda c: (c.published, c.slug), reverse=True)
        self.by_slug = {case.slug: case for case in self.cases}
        self.organisation_slugs = self._organisation_slugs()
        self.listings: dict[str, list[Listing]] = {
            name: self._term_listings(name) for name in VOCABULARY_NAMES
        }
        self.listings["organisations"] = self._organisation_listings()
        self.listings["years"] = self._year_listings()
        self.lineage = Lineage.of(self.cases)
        addresses = {old: case for case in self.cases for old in case.redirect_from}
        self.collections: list[Collection] = build_collections(collections, {**addresses, **self.by_slug})
        self.in_collections = collections_by_case(self.collections)
        self.related_count = related_count
        for case in self.cases:
            case.related = []
        if relate:
            self.relate()

    @property
    def published(self) -> list[Case]:
        """Cases in listings' default view (not archived), newest first."""
        return [c for c in self.cases if not c.is_archived]

    def organisation_slug(self, name: str) -> str:
        return self.organisation_slugs[name]

    def term(self, vocabulary: str, slug: Any) -> Term | None:
        return self.vocabularies[vocabulary].term(slug)

    def _term_listings(self, name: str) -> list[Listing]:
        members: dict[str, list[Case]] = collections.defaultdict(list)
        for case in self.cases:
            for slug in case.terms(name):
                members[str(slug)].append(case)
        return [
            Listing(name, term.key, term.label, term.description, members.get(term.key, []))
            for term in self.vocabularies[name].terms
        ]

    def _organisation_slugs(self) -> dict[str, str]:
        names = sorted({org for case in self.cases for org in case.organisations}, key=str.lower)
        slugs: dict[str, str] = {}
        used: set[str] = set()
        for name in names:
            base = slug = slugify(name)
            counter = 2
            while slug in used:
                slug = f"{base}-{counter}"
                counter += 1
            used.add(slug)
            slugs[name] = slug
        return slugs

    def _organisation_listings(self) -> list[Listing]:
        members: dict[str, list[Case]] = collections.defaultdict(list)
        for case in self.cases:
            for org in case.organisations:
                members[org].append(case)
        return [
            Listing("organisations", self.organisation_slugs[name], name, "", members[name])
            for name in sorted(members, key=str.lower)
        ]

    def _year_listings(self) -> list[Listing]:
        members: dict[int, list[Case]] = collections.defaultdict(list)
        for case in self.cases:
            members[case.year].append(case)
        return [Listing("years", str(year), str(year), "", members[year]) for year in sorted(members, reverse=True)]

    def relate(self, key_terms: Mapping[str, Sequence[tuple[str, float]]] | None = None) -> None:
        """Fill every case's related list (see :func:`related_slugs`), by shared facets and key terms."""
        self.apply_related(related_slugs(self.relate_entries(), key_terms or {}, self.related_count))

    def relate_entries(self) -> list["RelateEntry"]:
        """What relating needs of each case, newest first: small enough to send to another process."""
        return [RelateEntry(c.slug, tuple(facet_keys(c)), not c.is_draft and not c.is_archived) for c in self.cases]

    def apply_related(self, related: Mapping[str, Sequence[str]]) -> None:
        """Set each case's related list from slugs (slugs not in this atlas are passed over)."""
        for case in self.cases:
            others = (self.by_slug.get(slug) for slug in related.get(case.slug, ()))
            case.related = [other for other in others if other is not None][: self.related_count]
