"""The Explore page's pages and data, free of MkDocs.

Without JavaScript, Explore is a paged list of the current (not archived) case studies, newest
first: ``explore/`` is its first page and ``explore/page/N/`` the others (:func:`explore_pages`),
each linking to the next with plain links. The page's script refines that list in place from
compact data (:func:`explore_data`):

- ``explore/data/index.json``: for every term of every facet (and "Taken up by others", the cases
  some other case builds on), a bitset of the cases that have it
  (bit *i* is the *i*-th case, newest first, as :class:`~learning_atlas.site.model.Atlas` orders
  them), the archived cases' bitset, the cases in title order, and the terms' labels. Filtering
  and counting are then a few thousand word operations, whatever the number of cases.
- ``explore/data/<version>/cards-N.json``: the cards of cases ``N * CHUNK_SIZE`` onwards, in the
  same order: the script fetches only the chunks holding the cases on the page it shows. The
  folder is named by a hash of the data, so a chunk is never mixed with an index of another build.

At 5,000 cases the index is about 70 KB and a chunk about 5 KB, where one list of every case with
its labels would be about 1 MB.
"""

from __future__ import annotations

import base64
import hashlib
import json
import unicodedata
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from learning_atlas.contract.case import Case
from learning_atlas.site.model import Atlas, Listing

PAGE_SIZE = 20
"""Cases on a page of results, with JavaScript or without."""
CHUNK_SIZE = 25
"""Cases in a chunk of cards (``cards-N.json``)."""
FACETS = ("themes", "settings", "regions", "commitments")
"""The vocabularies Explore filters on, in the order the filters show them."""
UPTAKE = "uptake"
"""Explore's filter that is not a vocabulary: "Taken up by others", the cases another case builds on."""
TAKEN_UP = ("taken-up", "Taken up by others")
"""The uptake filter's one option: its value in the address and its label."""
SIGNAL_FACET = "signal"
"""One more group of filters, after the vocabularies': what a case's measures over time show."""
SIGNAL_TERMS = (("improvement", "Shows a signal of improvement"),)
"""Its one option: a case with a measure whose series shows a signal of improvement after the change."""
INDEX_PATH = "explore/data/index.json"

FLAG_ARCHIVED = 1
FLAG_DRAFT = 2


def page_path(number: int) -> str:
    """Where page ``number`` of the list is, in the site: ``explore/`` or ``explore/page/N/``."""
    return "explore/" if number == 1 else f"explore/page/{number}/"


@dataclass
class ExplorePage(Listing):
    """A page of Explore's list: a listing of kind ``explore`` whose key is its number."""

    first: int = 0
    """The position of its first case in the whole list (0 on the first page)."""
    total: int = 0
    """The current cases: the list's length over all its pages."""
    archived: int = 0
    """The archived cases, which the list leaves out."""
    counts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    """Current cases by facet and term: what each filter gives before any is chosen (counted once,
    one mapping shared by every page)."""

    @property
    def number(self) -> int:
        return int(self.key)

    @property
    def url(self) -> str:
        return page_path(self.number)


def explore_pages(atlas: Atlas, size: int = PAGE_SIZE) -> list[ExplorePage]:
    """The pages of the list readers see first: current cases, newest first, ``size`` a page.

    There is always a first page, empty or not.
    """
    current = atlas.published
    count = max(1, -(-len(current) // size))
    counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    for case in current:
        for name in FACETS:
            for key in case.terms(name):
                counts[name][str(key)] = counts[name].get(str(key), 0) + 1
    counts[UPTAKE] = {TAKEN_UP[0]: sum(1 for case in current if atlas.lineage.built_on_by.get(case.slug))}
    counts[SIGNAL_FACET] = {key: sum(1 for c in current if c.signal == key) for key, _ in SIGNAL_TERMS}
    return [
        ExplorePage("explore", str(n), f"Page {n} of {count}", "", current[(n - 1) * size: n * size],
                    first=(n - 1) * size, total=len(current),
                    archived=len(atlas.cases) - len(current), counts=counts)
        for n in range(1, count + 1)
    ]


def _bits(indices: Sequence[int], count: int) -> str:
    """Base64 of a little-endian bitset of ``count`` bits (padded to whole 32-bit words), ``indices`` set."""
    value = 0
    for i in indices:
        value |= 1 << i
    words = max(1, -(-count // 32))
    return base64.b64encode(value.to_bytes(words * 4, "little")).decode("ascii")


def title_key(case: Case) -> tuple[str, str]:
    """How "Title, A to Z" orders cases: accents and case ignored, then the slug (kept on the case:
    ``atlas serve`` keeps a case's object while its file is unchanged)."""
    known = case.__dict__.get("_title_key")
    if known is None:
        known = case.__dict__["_title_key"] = _title_key(case)
    return known


def _title_key(case: Case) -> tuple[str, str]:
    folded = unicodedata.normalize("NFKD", case.title)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).casefold()
    return (" ".join(folded.split()), case.slug)


def card_row(case: Case) -> list:
    """What a result's card shows: slug, title, organisations, date, region, themes and flags."""
    flags = (FLAG_ARCHIVED if case.is_archived else 0) | (FLAG_DRAFT if case.is_draft else 0)
    return [case.slug, case.title, list(case.organisations), case.published.isoformat(), case.region,
            list(case.themes), flags]


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def explore_data(atlas: Atlas) -> dict[str, str]:
    """Every data file of the Explore page's script, by its path in the site (see the module's doc)."""
    cases = atlas.cases
    count = len(cases)
    chunks = [
        _dumps([card_row(c) for c in cases[start: start + CHUNK_SIZE]])
        for start in range(0, count, CHUNK_SIZE)
    ]
    version = hashlib.sha256("\n".join(chunks).encode("utf-8")).hexdigest()[:12]
    members: dict[str, dict[str, list[int]]] = {name: {} for name in FACETS}
    for i, case in enumerate(cases):
        for name in FACETS:
            for key in case.terms(name):
                members[name].setdefault(str(key), []).append(i)
    facets = {
        name: [
            [term.key, term.label, _bits(members[name].get(term.key, ()), count)]
            for term in atlas.vocabularies[name].terms
        ]
        for name in FACETS
    }
    taken_up = [i for i, case in enumerate(cases) if atlas.lineage.built_on_by.get(case.slug)]
    facets[UPTAKE] = [[TAKEN_UP[0], TAKEN_UP[1], _bits(taken_up, count)]]
    facets[SIGNAL_FACET] = [
        [key, label, _bits([i for i, c in enumerate(cases) if c.signal == key], count)] for key, label in SIGNAL_TERMS
    ]
    title_order = sorted(range(count), key=lambda i: title_key(cases[i]))
    index = {
        "version": version,
        "count": count,
        "pageSize": PAGE_SIZE,
        "chunkSize": CHUNK_SIZE,
        "cards": f"{version}/cards-",
        "facets": facets,
        "archived": _bits([i for i, c in enumerate(cases) if c.is_archived], count),
        "titleOrder": title_order,
    }
    files = {INDEX_PATH: _dumps(index)}
    for n, chunk in enumerate(chunks):
        files[f"explore/data/{version}/cards-{n}.json"] = chunk
    return files
