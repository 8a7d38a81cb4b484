"""Related case studies: shared facets blended with shared key terms, for every case of an atlas.

A pure function over small entries (:class:`RelateEntry`), so the lists can be made in the
process that holds the search index's key terms, or in the build itself from facets alone.
"""

from __future__ import annotations

import collections
import heapq
from dataclasses import dataclass
from operator import itemgetter
from typing import Mapping, Sequence

from learning_atlas.contract.case import Case

FACET_WEIGHTS = {"themes": 3.0, "settings": 2.0, "regions": 1.0, "commitments": 0.5, "organisations": 2.0}
"""How much each kind of shared facet makes two cases related."""


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


def facet_keys(case: Case) -> list[tuple[str, str]]:
    """The facets a case is related by: ``(kind, key)`` for each theme, setting, region, commitment, organisation."""
    keys = [("themes", t) for t in case.themes] + [("settings", s) for s in case.settings]
    keys.append(("regions", case.region))
    keys += [("commitments", str(c)) for c in case.commitments]
    keys += [("organisations", o) for o in case.organisations]
    return keys
