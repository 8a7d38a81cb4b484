"""Phrase matching and BM25F scoring, as Whoosh does them, only quicker.

:class:`FastPhrase` matches a phrase by set arithmetic on the decoded positions instead of Whoosh's
span objects, and :class:`AtlasBM25F` scores from per-segment arrays of field lengths instead of a
column look-up per posting; both give Whoosh's own hits and scores.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Iterable
from itertools import accumulate
from typing import Any

from whoosh import query as wq
from whoosh import scoring
from whoosh.formats import Positions
from whoosh.matching import ListMatcher, NullMatcher
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length

from learning_atlas.search.analysis import AtlasPositions
from learning_atlas.search.errors import describe

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

def _decode_positions(fmt: Any, value: bytes) -> Iterable[int]:
    if type(fmt) in (Positions, AtlasPositions):
        data = value[_INT_SIZE:]
        if not data.endswith(b"."):
            data += b"."
        return accumulate(pickle.loads(data))
    return fmt.decode_positions(value)


def _postings(reader: Any, fieldname: str, text: str) -> dict[int, bytes]:
    matcher = reader.postings(fieldname, text)
    found = {}
    while matcher.is_active():
        found[matcher.id()] = matcher.value()
        matcher.next()
    return found


class FastPhrase(wq.Phrase):
    """A phrase query (``"learning lessons"``) matched by set arithmetic on decoded word positions.

    Whoosh's own phrase matcher builds a span object per position and was the
    slowest part of searching (about 0.7 s at 5,000 cases); this one intersects
    the documents holding every word, then checks each document's positions
    with sets. It scores a document by BM25 with the phrase's frequency as the
    term frequency. A phrase with a slop (``"a b"~3``) uses Whoosh's matcher.
    """

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        """The documents holding the phrase, scored, as a list matcher (Whoosh's matcher for a slop)."""
        fieldname, words = self.fieldname, list(self.words)
        schema = searcher.schema
        if self.slop != 1 or len(words) < 2 or fieldname not in schema:
            return super().matcher(searcher, context)
        fieldobj = schema[fieldname]
        if not fieldobj.format or not fieldobj.format.supports("positions"):
            # a keyword field (organisation:"a, b"): every value must be there
            return wq.And([wq.Term(fieldname, word) for word in words]).matcher(searcher, context)
        reader = searcher.reader()
        if any((fieldname, word) not in reader for word in words):
            return NullMatcher()
        ids, scores = self._matches(searcher, reader, fieldname, words, fieldobj.format)
        if not ids:
            return NullMatcher()
        return ListMatcher(ids, weights=scores)

    def _matches(self, searcher: Any, reader: Any, fieldname: str, words: list[str], fmt: Any) -> tuple[list, list]:
        order = sorted(range(len(words)), key=lambda i: reader.doc_frequency(fieldname, words[i]))
        postings = {i: _postings(reader, fieldname, words[i]) for i in order}
        candidates = set(postings[order[0]])
        for i in order[1:]:
            candidates.intersection_update(postings[i])
            if not candidates:
                return [], []
        parent = searcher.get_parent()
        idf = sum(parent.idf(fieldname, word) for word in set(words))
        norms = _norms_for(searcher, fieldname)
        k1 = _BM25_K1
        scale = idf * (k1 + 1) * fmt.field_boost * self.boost
        ids, scores = [], []
        for docnum in sorted(candidates):
            starts = set(_decode_positions(fmt, postings[order[0]][docnum]))
            first = order[0]
            starts = {p - first for p in starts}
            for i in order[1:]:
                starts.intersection_update(p - i for p in _decode_positions(fmt, postings[i][docnum]))
                if not starts:
                    break
            if starts:
                tf = len(starts)
                norm = norms[docnum] if norms is not None else k1
                ids.append(docnum)
                scores.append(scale * tf / (tf + norm))
        return ids, scores


_BM25_B = 0.75
_BM25_K1 = 1.2
_LENGTH_TABLE = [byte_to_length(b) for b in range(256)]


def _segment_lengths(reader: Any, fieldname: str) -> list[int]:
    """Every document's length in a field (as Whoosh stores it, one byte each), for one segment reader."""
    count = reader.doc_count_all()
    perdoc = getattr(reader, "_perdoc", None)
    try:  # the lengths column read in one go: ~50x faster than a call per document
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is not None:
            table = _LENGTH_TABLE
            return [table[b] for b in column]
    except Exception as exc:  # noqa: BLE001 - another codec: fall back on the public API
        log.debug("reading %s lengths per document: %s", fieldname, describe(exc))
    return [reader.doc_field_length(d, fieldname, 0) or 0 for d in range(count)]


def _norms_for(searcher: Any, fieldname: str) -> list[float] | None:
    weighting = searcher.weighting
    if isinstance(weighting, AtlasBM25F):
        return weighting.norms(searcher, fieldname)
    return None


class AtlasBM25F(scoring.BM25F):
    """BM25F whose length normalisation comes from per-segment arrays computed once per searcher.

    Whoosh's scorer looks up the field length in a column for every posting it
    scores; with the arrays a term's score is one multiply and one divide.
    """

    def __init__(self) -> None:
        super().__init__(B=_BM25_B, K1=_BM25_K1)
        self._norms: dict[tuple[int, str], tuple[Any, list[float]]] = {}

    def supports_block_quality(self) -> bool:
        """No: every hit is scored anyway, for the facet counts."""
        return False

    def norms(self, searcher: Any, fieldname: str) -> list[float]:
        """``K1 * (1 - B + B * length / average length)`` for every document of the searcher's segment."""
        reader = searcher.reader()
        key = (id(reader), fieldname)
        cached = self._norms.get(key)
        if cached is None or cached[0] is not reader:
            average = searcher.get_parent().avg_field_length(fieldname) or 1.0
            k1, b = self.K1, self.B
            lengths = _segment_lengths(reader, fieldname)
            cached = (reader, [k1 * ((1 - b) + b * length / average) for length in lengths])
            self._norms[key] = cached
        return cached[1]

    def scorer(self, searcher: Any, fieldname: str, text: Any, qf: int = 1) -> Any:
        """The scorer of one term in one segment (Whoosh's weight scorer for a field without lengths)."""
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        return _FastBM25Scorer(self, searcher, fieldname, text)


class _FastBM25Scorer(scoring.BaseScorer):
    def __init__(self, model: AtlasBM25F, searcher: Any, fieldname: str, text: Any) -> None:
        idf = searcher.get_parent().idf(fieldname, text)
        self.scale = idf * (model.K1 + 1)
        self.norms = model.norms(searcher, fieldname)

    def supports_block_quality(self) -> bool:
        return False

    def max_quality(self) -> float:
        return self.scale

    def block_quality(self, matcher: Any) -> float:
        return self.scale

    def score(self, matcher: Any) -> float:
        weight = matcher.weight()
        return self.scale * weight / (weight + self.norms[matcher.id()])
