"""How the index reads text: one fused analyser, Porter stems, and the positions format it feeds.

:class:`AtlasAnalyzer` gives exactly the tokens of Whoosh's ``StemmingAnalyzer`` (or
``StandardAnalyzer``) in one pass instead of a chain of four generators, and
:class:`AtlasPositions` writes Whoosh's own ``Positions`` postings from it without Token objects:
Whoosh is pure Python, and this is most of the time indexing takes. :func:`text_field` is a text
field of the index analysed this way.
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh.analysis import STOP_WORDS, Token, Tokenizer
from whoosh.fields import TEXT
from whoosh.formats import Positions
from whoosh.lang.porter import stem as porter_stem
from whoosh.system import pack_uint

WORD = re.compile(r"\w+(?:\.?\w+)*")
"""A word, as the analyser finds them (Whoosh's default pattern)."""
_STOPS = frozenset(STOP_WORDS)
_STEMS: dict[str, str] = {}
_STEM_CACHE_LIMIT = 200_000


def stem_word(word: str) -> str:
    """The Porter stem of a lower-case word (cached: a case repeats its words)."""
    stemmed = _STEMS.get(word)
    if stemmed is None:
        if len(_STEMS) > _STEM_CACHE_LIMIT:
            _STEMS.clear()
        stemmed = _STEMS[word] = porter_stem(word)
    return stemmed


class AtlasAnalyzer(Tokenizer):
    """Whoosh's standard analysis in one pass: words, lower case, stop words, and (optionally) Porter stems.

    It yields exactly the tokens of ``StemmingAnalyzer()`` (``StandardAnalyzer()``
    when ``stem`` is false), including renumbered positions after stop words,
    ``removestops=False`` and ``nomorph``, about twice as fast: Whoosh spends
    much of its indexing time running its chain of four generators per word.
    """

    def __init__(self, stem: bool = True, minsize: int = 2) -> None:
        self.stem = stem
        self.minsize = minsize
        self.is_morph = stem

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AtlasAnalyzer) and (self.stem, self.minsize) == (other.stem, other.minsize)

    def __hash__(self) -> int:
        return hash((AtlasAnalyzer, self.stem, self.minsize))

    def __repr__(self) -> str:
        return f"AtlasAnalyzer(stem={self.stem})"

    def has_morph(self) -> bool:
        """True when it stems (Whoosh then knows indexed words may differ from typed ones)."""
        return self.stem

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        no_morph = kwargs.pop("nomorph", False) or kwargs.pop("no_morph", False) or not self.stem
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        token.boost = 1.0
        minsize, stops = self.minsize, _STOPS
        if not tokenize:
            matches: Iterable[tuple[int, str, int, int]] = [(0, value, 0, len(value))]
        else:
            matches = ((i, m.group(), m.start(), m.end()) for i, m in enumerate(WORD.finditer(value)))
        pos: int | None = None
        for index, original, start, end in matches:
            text = original.lower()
            stopped = len(text) < minsize or text in stops
            if stopped:
                if removestops:
                    continue
                token.stopped = True
                if positions:
                    token.pos = start_pos + index
            else:
                token.stopped = False
                if positions:
                    pos = start_pos + index if pos is None else pos + 1
                    token.pos = pos
                if not no_morph:
                    text = stem_word(text)
            token.text = text
            if keeporiginal:
                token.original = original
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token

    def positions(self, value: str) -> dict[str, list[int]]:
        """Each indexed word of ``value`` with its positions: what ``__call__`` yields, without Token objects."""
        found: dict[str, list[int]] = {}
        stops, minsize, stems = _STOPS, self.minsize, _STEMS
        stemming = self.stem
        pos = -1
        first = True
        for index, word in enumerate(WORD.findall(value)):
            text = word.lower()
            if len(text) < minsize or text in stops:
                continue
            if first:
                pos, first = index, False
            else:
                pos += 1
            if stemming:
                text = stems.get(text) or stem_word(text)
            places = found.get(text)
            if places is None:
                found[text] = [pos]
            else:
                places.append(pos)
        return found


class AtlasPositions(Positions):
    """Whoosh's ``Positions`` posting format, fed by :meth:`AtlasAnalyzer.positions` in one pass.

    The postings it writes are byte for byte those of ``Positions``; only the
    work of turning text into them is quicker.
    """

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[tuple[str, int, float, bytes]]:
        """``(word, frequency, weight, encoded positions)`` for each word of ``value``, as ``Positions`` gives."""
        if not isinstance(value, str) or not isinstance(analyzer, AtlasAnalyzer):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost = self.field_boost
        for word, places in analyzer.positions(value).items():
            deltas = [b - a for a, b in zip([0, *places], places)]
            yield word, len(places), len(places) * boost, pack_uint(len(deltas)) + pickle.dumps(deltas, 2)


def text_field(*, stem: bool, stored: bool, field_boost: float = 1.0) -> TEXT:
    """A TEXT field analysed by :class:`AtlasAnalyzer`, with positions for phrases, in the fast format."""
    field = TEXT(analyzer=AtlasAnalyzer(stem=stem), field_boost=field_boost, stored=stored)
    field.format = AtlasPositions(field_boost=field_boost)
    return field
