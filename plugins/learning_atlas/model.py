"""The atlas as objects: a :class:`Case` per valid case file, and the :class:`Atlas` that indexes them.

Free of MkDocs: any site engine (or a script) can build the same atlas.
"""

from __future__ import annotations

import collections
import datetime as dt
import heapq
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from .loader import LoadedCase
from .vocabularies import FRONT_MATTER_KEYS, VOCABULARY_NAMES, Term, Vocabulary

SECTIONS = (
    ("leading_change", "Leading change"),
    ("where_to_look", "Where to look"),
    ("what_to_change", "What to change"),
    ("how_to_change", "How to change"),
    ("adding_value", "Adding value"),
    ("challenges", "Challenges and lessons learnt for implementation"),
)
"""The structured sections, in the contract's order, with their headings."""

ADDING_VALUE_PARTS = (
    ("better_outcomes", "Better outcomes"),
    ("better_experience", "Better experience"),
    ("better_use_of_resources", "Better use of resources"),
)
DIMENSIONS = (("outcomes", "Better outcomes"), ("experience", "Better experience"), ("resources", "Better use of resources"))

FACET_WEIGHTS = {"themes": 3.0, "settings": 2.0, "regions": 1.0, "commitments": 0.5, "organisations": 2.0}
"""How much each kind of shared facet makes two cases related."""


def slugify(text: str) -> str:
    """A URL slug for any text: ASCII lower-case words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-") or "organisation"


@dataclass(frozen=True)
class Measure:
    """An impact figure."""

    label: str
    value: float | int
    dimension: str
    unit: str | None = None
    baseline: float | int | None = None
    period: str | None = None


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass
class Case:
    """A valid case study, with its fields typed and its dates as dates."""

    slug: str
    source: Path
    title: str
    summary: str
    organisations: tuple[str, ...]
    region: str
    settings: tuple[str, ...]
    themes: tuple[str, ...]
    commitments: tuple[int, ...]
    published: dt.date
    updated: dt.date | None
    review_by: dt.date | None
    status: str
    lead_role: str
    lead_name: str | None
    sections: dict[str, Any]
    measures: tuple[Measure, ...]
    contact: dict[str, str]
    links: tuple[Link, ...]
    redirect_from: tuple[str, ...]
    body: str
    related: list["Case"] = field(default_factory=list, repr=False)

    @classmethod
    def from_loaded(cls, loaded: LoadedCase) -> "Case":
        """Build a case from a loaded file that has no errors."""
        data = loaded.data
        lead = data["lead"]
        return cls(
            slug=loaded.slug,
            source=loaded.path,
            title=data["title"].strip(),
            summary=" ".join(data["summary"].split()),
            organisations=tuple(o.strip() for o in data["organisations"]),
            region=data["region"],
            settings=tuple(data["settings"]),
            themes=tuple(data["themes"]),
            commitments=tuple(int(c) for c in data.get("commitments", ())),
            published=dt.date.fromisoformat(data["published"]),
            updated=dt.date.fromisoformat(data["updated"]) if data.get("updated") else None,
            review_by=dt.date.fromisoformat(data["review_by"]) if data.get("review_by") else None,
            status=data.get("status", "published"),
            lead_role=lead["role"].strip(),
            lead_name=(lead.get("name") or "").strip() or None,
            sections={key: data[key] for key, _ in SECTIONS if key in data},
            measures=tuple(Measure(**m) for m in data.get("measures", ())),
            contact=dict(data["contact"]),
            links=tuple(Link(**link) for link in data.get("links", ())),
            redirect_from=tuple(data.get("redirect_from", ())),
            body=loaded.body,
        )

    @property
    def year(self) -> int:
        return self.published.year

    @property
    def latest(self) -> dt.date:
        return self.updated or self.published

    @property
    def is_archived(self) -> bool:
        return self.status == "archived"

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    def terms(self, vocabulary: str) -> tuple:
        """The case's slugs for a vocabulary name (``regions`` gives a one-item tuple)."""
        if vocabulary == "regions":
            return (self.region,)
        return getattr(self, FRONT_MATTER_KEYS[vocabulary])

    def measures_by_dimension(self) -> list[tuple[str, str, list[Measure]]]:
        """``(dimension, heading, measures)`` for each part of the triple aim that has figures."""
        groups = []
        for key, heading in DIMENSIONS:
            found = [m for m in self.measures if m.dimension == key]
            if found:
                groups.append((key, heading, found))
        return groups


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
        key_terms: Mapping[str, Sequence[tuple[str, float]]] | None = None,
        relate: bool = True,
    ) -> None:
        """``key_terms`` (slug to weighted terms, from the search index) blends text similarity
        into related cases; without it they come from shared facets alone. With ``relate=False``
        the related lists are left empty until :meth:`relate` is called."""
        self.vocabularies = vocabularies
        self.cases = sorted(cases, key=lambda c: (c.published, c.slug), reverse=True)
        self.by_slug = {case.slug: case for case in self.cases}
        self.organisation_slugs = self._organisation_slugs()
        self.listings: dict[str, list[Listing]] = {
            name: self._term_listings(name) for name in VOCABULARY_NAMES
        }
        self.listings["organisations"] = self._organisation_listings()
        self.listings["years"] = self._year_listings()
        self.related_count = related_count
        for case in self.cases:
            case.related = []
        if relate:
            self.relate(key_terms)

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
        return [RelateEntry(c.slug, tuple(_facet_keys(c)), not c.is_draft and not c.is_archived) for c in self.cases]

    def apply_related(self, related: Mapping[str, Sequence[str]]) -> None:
        """Set each case's related list from slugs (slugs not in this atlas are passed over)."""
        for case in self.cases:
            others = (self.by_slug.get(slug) for slug in related.get(case.slug, ()))
            case.related = [other for other in others if other is not None][: self.related_count]


@dataclass(frozen=True)
class RelateEntry:
    """A case as relating sees it: its slug, facet keys, and whether it may be related to."""

    slug: str
    facet_keys: tuple[tuple[str, str], ...]
    candidate: bool


def related_slugs(
    entries: Sequence[RelateEntry], key_terms: Mapping[str, Sequence[tuple[str, float]]], count: int
) -> dict[str, list[str]]:
    """The ``count`` most related candidates of each entry (entries newest first), as slugs.

    Shared facets (weighted by ``FACET_WEIGHTS``) are blended with shared key terms when
    given: each score is scaled by the best candidate's, then text counts ``TEXT_SHARE`` and
    facets the rest; ties go to the newer case. Never the case itself or a non-candidate (a
    draft or an archived case). Facet postings keep the newest ``_POSTING_LIMIT`` cases and
    counting is done by ``Counter.update`` (in C).
    """
    candidates = [entry.slug for entry in entries if entry.candidate]
    facet_index: dict[tuple[str, str], list[int]] = collections.defaultdict(list)
    term_index: dict[str, list[tuple[int, float]]] = collections.defaultdict(list)
    for position, entry in enumerate(e for e in entries if e.candidate):  # newest first
        for key in entry.facet_keys:
            postings = facet_index[key]
            if len(postings) < _POSTING_LIMIT:
                postings.append(position)
        for term, weight in key_terms.get(entry.slug, ()):
            term_index[term].append((position, weight))
    for term, postings in term_index.items():
        if len(postings) > _TERM_POSTING_LIMIT:
            term_index[term] = heapq.nlargest(_TERM_POSTING_LIMIT, postings, key=lambda item: (item[1], -item[0]))
    # Each posting list repeated as often as its facet weighs: one C-level count per key.
    weighted = {key: postings * _INTEGER_WEIGHTS[key[0]] for key, postings in facet_index.items()}
    position_of = {slug: position for position, slug in enumerate(candidates)}
    related: dict[str, list[str]] = {}
    for entry in entries:
        facets: collections.Counter[int] = collections.Counter()
        for key in entry.facet_keys:
            postings = weighted.get(key)
            if postings:
                facets.update(postings)
        text: dict[int, float] = collections.defaultdict(float)
        for term, weight in key_terms.get(entry.slug, ()):
            for position, other in term_index.get(term, ()):
                text[position] += weight * other
        own = position_of.get(entry.slug, -1)
        facets.pop(own, None)
        text.pop(own, None)
        related[entry.slug] = [candidates[p] for p in _blend(facets, text, 8 * count)[:count]]
    return related


TEXT_SHARE = 0.6
"""How much shared key terms count against shared facets when both are known."""


def _blend(facets: Mapping[int, float], text: Mapping[int, float], pool: int) -> list[int]:
    top_facet = max(facets.values(), default=0) or 1
    # A stable sort in C picks the pool (as Counter.most_common would, but faster); the pool is
    # then ordered with ties to the newer case.
    best = sorted(facets.items(), key=itemgetter(1), reverse=True)[:pool]
    best_facets = sorted((p for p, _ in best), key=lambda p: (-facets[p], p))
    if not text:
        return best_facets
    top_text = max(text.values()) or 1
    shortlist = set(best_facets) | set(heapq.nsmallest(pool, text, key=lambda p: (-text[p], p)))
    score = {
        p: TEXT_SHARE * text.get(p, 0.0) / top_text + (1 - TEXT_SHARE) * facets.get(p, 0) / top_facet
        for p in shortlist
    }
    return sorted(score, key=lambda p: (-round(score[p], 9), p))


_POSTING_LIMIT = 150
_TERM_POSTING_LIMIT = 32
"""A key term keeps the cases it weighs most in: adding up shared terms is the related lists' hot loop."""
_INTEGER_WEIGHTS = {kind: int(weight * 2) for kind, weight in FACET_WEIGHTS.items()}


def _facet_keys(case: Case) -> list[tuple[str, str]]:
    keys = [("themes", t) for t in case.themes] + [("settings", s) for s in case.settings]
    keys.append(("regions", case.region))
    keys += [("commitments", str(c)) for c in case.commitments]
    keys += [("organisations", o) for o in case.organisations]
    return keys
