"""Searching the index: :class:`AtlasSearcher`, its results with highlighted snippets and facet
counts, the did-you-mean when nothing is found, and :func:`search_cases`, the one call for the
command line.

One searcher serves many queries: one Whoosh searcher, the cached parser, and caches built once per
searcher (each document's facets, the sort columns). Every hit is scored in one pass, for the facet
counts over all of them; the best are then chosen in C.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
import logging
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Any

from whoosh import highlight
from whoosh import query as wq

from learning_atlas.contract.schema import CaseSchema
from learning_atlas.search.analysis import WORD, stem_word
from learning_atlas.search.documents import INDEX_SCHEMA
from learning_atlas.search.errors import IndexBusyError, IndexDamaged, QueryError, SearchIndexError, describe
from learning_atlas.search.query import SearchRequest, clean_query, filter_query, parse_query
from learning_atlas.search.scoring import AtlasBM25F
from learning_atlas.search.store import DEFAULT_LOCK_TIMEOUT, index_lock, open_checked
from learning_atlas.search.updating import IndexReport, update_index

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

FACET_FIELDS = ("theme", "setting", "region")
"""The facets whose counts over all hits a search reports."""


@dataclass
class Snippet:
    """A piece of a case's text around its matches; ``marks`` are the ``(start, end)`` of each match in ``text``."""

    field: str
    text: str
    marks: list[tuple[int, int]]

    def marked(self, before: str = "[[", after: str = "]]") -> str:
        """The text with every match wrapped, e.g. ``the [[Learning Lessons]] framework``."""
        out, last = [], 0
        for start, end in self.marks:
            out += [self.text[last:start], before, self.text[start:end], after]
            last = end
        out.append(self.text[last:])
        return "".join(out)


@dataclass
class SearchHit:
    """One case found."""

    slug: str
    title: str
    score: float | None
    published: dt.date | None
    status: str
    snippet: Snippet | None

    def to_json(self) -> dict[str, Any]:
        """The hit for ``--json``: the snippet as plain text, with its marks as ``[start, end]`` pairs."""
        return {
            "slug": self.slug,
            "title": self.title,
            "score": round(self.score, 4) if self.score is not None else None,
            "published": self.published.isoformat() if self.published else None,
            "status": self.status,
            "snippet": self.snippet.text if self.snippet else None,
            "snippet_field": self.snippet.field if self.snippet else None,
            "snippet_marks": [list(m) for m in self.snippet.marks] if self.snippet else [],
        }


@dataclass
class SearchResults:
    """What a search found: the hits shown, how many there are in all, facet counts over all of them."""

    request: SearchRequest
    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The results for ``--json``: hits, total, facet counts and suggestion."""
        return {
            "query": self.request.query,
            "total": self.total,
            "shown": len(self.hits),
            "sort": self.request.sort,
            "hits": [hit.to_json() for hit in self.hits],
            "facets": self.facets,
            "suggestion": self.suggestion,
            "seconds": round(self.seconds, 4),
        }


# --- Snippets -------------------------------------------------------------------------------------


class _SnippetFormatter(highlight.Formatter):
    """Turns Whoosh's best fragment into a :class:`Snippet`: plain text and the places of the matches."""

    def __init__(self, fieldname: str) -> None:
        self.fieldname = fieldname

    def format(self, fragments: list, replace: bool = False) -> Snippet | None:  # type: ignore[override]
        if not fragments:
            return None
        fragment = fragments[0]
        text, start = fragment.text, fragment.startchar
        end = fragment.endchar
        lead = "… " if start > 0 else ""
        tail = " …" if end < len(text) else ""
        body = " ".join(text[start:end].split())
        marks = []
        # re-find each matched token in the collapsed text, in order
        cursor = 0
        for token in fragment.matches:
            word = " ".join(text[token.startchar : token.endchar].split())
            where = body.find(word, cursor)
            if where < 0:
                continue
            marks.append((len(lead) + where, len(lead) + where + len(word)))
            cursor = where + len(word)
        return Snippet(self.fieldname, lead + body + tail, _merge_marks(marks, lead + body + tail))

    def __call__(self, text: str, fragments: list) -> Snippet | None:  # type: ignore[override]
        return self.format(fragments)


def _merge_marks(marks: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Join marks separated only by spaces, so a phrase is marked once: ``[[learning lessons]]``."""
    merged: list[tuple[int, int]] = []
    for start, end in marks:
        if merged and not text[merged[-1][1] : start].strip():
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _wanted_leaves(q: wq.Query) -> Iterator[wq.Query]:
    """The query's leaves a hit matched, so not those under a NOT."""
    if isinstance(q, wq.Not):
        return
    if q.is_leaf():
        yield q
        return
    for child in q.children():
        yield from _wanted_leaves(child)


_FRAGMENTER = highlight.ContextFragmenter(maxchars=240, surround=70)
_SNIPPET_FIELDS = ("summary", "body")


def make_snippet(fieldname: str, text: str, words: frozenset[str]) -> Snippet | None:
    """Whoosh's best fragment of ``text`` around ``words`` (the field's analysed terms), or None."""
    if not text or not words:
        return None
    analyzer = INDEX_SCHEMA[fieldname].analyzer
    return highlight.highlight(
        text, words, analyzer, _FRAGMENTER, _SnippetFormatter(fieldname), top=1, order=highlight.SCORE
    )


def _plain_snippet(fieldname: str, text: str, limit: int = 200) -> Snippet | None:
    if not text:
        return None
    clipped = " ".join(text.split())
    if len(clipped) > limit:
        clipped = clipped[:limit].rsplit(" ", 1)[0] + " …"
    return Snippet(fieldname, clipped, [])


# --- Did you mean ---------------------------------------------------------------------------------


def _distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (with adjacent transpositions) between two short words."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


_MIN_CORRECTED = 4
"""Words shorter than this are not corrected: too many words are two edits from them."""


def _closest_terms(reader: Any, sources: Iterable[tuple[str, str]]) -> str | None:
    """The term nearest to any ``(field, text)`` in its field's lexicon: fewest edits, then most documents."""
    candidates: dict[str, tuple[int, int]] = {}
    for fieldname, text in sources:
        if fieldname not in reader.schema or not text:
            continue
        for suggestion in reader.terms_within(fieldname, text, 2, prefix=1):
            if suggestion == text:
                continue
            rank = (_distance(text, suggestion), -reader.doc_frequency(fieldname, suggestion))
            if suggestion not in candidates or rank < candidates[suggestion]:
                candidates[suggestion] = rank
    if not candidates:
        return None
    return min(candidates, key=lambda s: (*candidates[s], s))


def _leaf_tokens(parsed: wq.Query) -> Iterator[Any]:
    """The tokens of the query's leaves, as ``Query.all_tokens`` gives them, but none for a range: Whoosh's
    ``TermRange`` (``theme:>x``) fails to list its own, and a range holds no word to correct anyway."""
    for leaf in parsed.leaves():
        try:
            tokens = list(leaf.tokens())
        except AttributeError:
            continue
        yield from tokens


def _has_words(reader: Any, token: Any) -> bool:
    """True when a query token is a word of its field, which a spelling can correct (not a date or a number)."""
    schema = reader.schema
    return isinstance(token.text, str) and token.fieldname in schema and not schema[token.fieldname].self_parsing()


_STEM_SAMPLE_DOCS = 20
"""How many cases' text is read to find the words written for a stem."""


def _body_word(reader: Any, typed: str, stems: Iterable[str]) -> str | None:
    """The word written in the cases' text that is nearest ``typed`` among those whose stem is the body's
    stem nearest the typed word's: the body is indexed by stems (``huddl``), which are not words to offer."""
    stem = _closest_terms(reader, [("body", text) for text in stems])
    if stem is None:
        return None
    counts: Counter[str] = Counter()
    for docnum in islice(reader.postings("body", stem).all_ids(), _STEM_SAMPLE_DOCS):
        for written in WORD.findall(reader.stored_fields(docnum).get("body", "")):
            word = written.lower()
            if word[:1] == stem[:1] and stem_word(word) == stem:
                counts[word] += 1
    return min(counts, key=lambda w: (_distance(typed, w), -counts[w], w)) if counts else None


# --- The searcher ---------------------------------------------------------------------------------


class AtlasSearcher:
    """An open index, searched many times: one Whoosh searcher, the cached parser, and per-searcher caches.

    Use it as a context manager, or call :meth:`close`.
    """

    def __init__(self, index_dir: Path, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> None:
        self.index_dir = Path(index_dir)
        with index_lock(self.index_dir, shared=True, timeout=lock_timeout):
            try:
                self._ix = open_checked(self.index_dir)
                self._weighting = AtlasBM25F()
                self._searcher = self._ix.searcher(weighting=self._weighting)
            except IndexDamaged as exc:
                raise SearchIndexError(f"{self.index_dir}: the search index cannot be used: {exc}") from None
        self._facet_table: list[tuple[tuple[str, str], ...]] | None = None
        self._published: list[Any] | None = None
        self._slugs: list[str] | None = None

    def close(self) -> None:
        """Close the Whoosh searcher and its files."""
        self._searcher.close()

    def __enter__(self) -> AtlasSearcher:  # noqa: PYI034 - Python 3.10 has no typing.Self
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def doc_count(self) -> int:
        """How many cases the index holds."""
        return self._searcher.doc_count()

    def search(self, request: SearchRequest) -> SearchResults:
        """Run a search; raises :class:`QueryError` for a query that cannot be run as written."""
        started = time.perf_counter()
        parsed = parse_query(request.query)
        filters = filter_query(request)
        full = wq.Require(parsed, filters) if filters is not None else parsed
        try:
            if request.sort == "newest":
                hit_ids, top = self._newest(full, request.limit)
            else:
                hit_ids, top = self._by_relevance(full, request.limit)
        except wq.QueryError as exc:
            raise QueryError(f"the query cannot be run: {exc}") from None
        hits = self._hits(top, parsed)
        suggestion = None if hit_ids else self.suggest(request, parsed)
        results = SearchResults(request, len(hit_ids), hits, self._facet_counts(hit_ids), suggestion)
        results.seconds = time.perf_counter() - started
        return results

    def count(self, request: SearchRequest) -> int:
        """How many cases a request finds (no scoring, no snippets)."""
        parsed = parse_query(request.query)
        filters = filter_query(request)
        full = wq.Require(parsed, filters) if filters is not None else parsed
        return sum(1 for _ in self._searcher.docs_for_query(full))

    def _by_relevance(self, q: wq.Query, limit: int) -> tuple[list[int], list[tuple[float | None, int]]]:
        """Score every hit in one pass over Whoosh's matchers, then take the best ``limit`` (in C).

        Every hit is visited anyway, for the facet counts, so Whoosh's
        block-skipping collector has nothing to skip; a plain loop keeping every
        hit, with the top N chosen at the end, does the same work with less
        bookkeeping per hit.
        """
        searcher = self._searcher
        context = searcher.context()
        hit_ids: list[int] = []
        scores: list[float] = []
        for subsearcher, offset in searcher.leaf_searchers():
            matcher = q.matcher(subsearcher, context).replace(0)
            is_active, next_, id_, score = matcher.is_active, matcher.next, matcher.id, matcher.score
            while is_active():
                hit_ids.append(id_() + offset)
                scores.append(score())
                next_()
        best = heapq.nlargest(limit, zip(scores, (-d for d in hit_ids)))
        return hit_ids, [(score, -negative) for score, negative in best]

    def _newest(self, q: wq.Query, limit: int) -> tuple[list[int], list[tuple[float | None, int]]]:
        hit_ids = list(self._searcher.docs_for_query(q))
        published, slugs = self._sort_columns()
        newest = heapq.nsmallest(limit, hit_ids, key=lambda d: (-published[d], slugs[d]))
        return hit_ids, [(None, docnum) for docnum in newest]

    def _sort_columns(self) -> tuple[list[int], list[str]]:
        if self._published is None or self._slugs is None:
            reader = self._searcher.reader()
            self._published = [value or 0 for value in reader.column_reader("published", translate=False)]
            self._slugs = list(reader.column_reader("slug"))
        return self._published, self._slugs

    def _hits(self, top: list[tuple[float | None, int]], parsed: wq.Query) -> list[SearchHit]:
        words = self._highlight_words(parsed) if top else {}
        hits = []
        for score, docnum in top:
            stored = self._searcher.stored_fields(docnum)
            published = stored.get("published")
            hits.append(
                SearchHit(
                    slug=stored.get("slug", ""),
                    title=stored.get("title", ""),
                    score=score,
                    published=published.date() if isinstance(published, dt.datetime) else None,
                    status=stored.get("status", ""),
                    snippet=self._snippet(stored, words),
                )
            )
        return hits

    def _highlight_words(self, parsed: wq.Query) -> dict[str, frozenset[str]]:
        found: dict[str, set[str]] = {}
        reader = self._searcher.reader()
        for leaf in _wanted_leaves(parsed):
            if leaf.field() not in _SNIPPET_FIELDS:
                continue
            try:  # a prefix or wildcard stands for the words of the index it expands to
                terms = list(leaf.expanded_terms(reader, phrases=True))
            except Exception as exc:  # noqa: BLE001 - highlighting is a nicety; a leaf it cannot expand is left out
                log.debug("no highlights for %r: %s", leaf, describe(exc))
                continue
            for fieldname, text in terms:
                word = text.decode("utf-8") if isinstance(text, bytes) else text
                if fieldname in _SNIPPET_FIELDS and (fieldname, word) in reader:
                    found.setdefault(fieldname, set()).add(word)
        return {name: frozenset(words) for name, words in found.items()}

    @staticmethod
    def _snippet(stored: dict[str, Any], words: dict[str, frozenset[str]]) -> Snippet | None:
        for fieldname in _SNIPPET_FIELDS:
            if words.get(fieldname):
                snippet = make_snippet(fieldname, stored.get(fieldname, ""), words[fieldname])
                if snippet is not None and snippet.marks:
                    return snippet
        return _plain_snippet("summary", stored.get("summary", ""))

    def _facet_counts(self, hit_ids: Sequence[int]) -> dict[str, dict[str, int]]:
        table = self._facets()
        counts = Counter(chain.from_iterable(table[d] for d in hit_ids))
        facets: dict[str, dict[str, int]] = {name: {} for name in FACET_FIELDS}
        for (name, value), count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            facets[name][value] = count
        return facets

    def _facets(self) -> list[tuple[tuple[str, str], ...]]:
        """Each document's ``(facet, value)`` pairs, built once per searcher from the facets' postings."""
        if self._facet_table is None:
            reader = self._searcher.reader()
            lists: list[list[tuple[str, str]]] = [[] for _ in range(reader.doc_count_all())]
            for name in FACET_FIELDS:
                for value in reader.field_terms(name):
                    pair = (name, value)
                    for docnum in reader.postings(name, value).all_ids():
                        lists[docnum].append(pair)
            self._facet_table = [tuple(pairs) for pairs in lists]
        return self._facet_table

    def suggest(self, request: SearchRequest, parsed: wq.Query | None = None) -> str | None:
        """A corrected query that finds something ("did you mean"), from the index's own words; or None."""
        parsed = parsed if parsed is not None else parse_query(request.query)
        text = clean_query(request.query)
        reader = self._searcher.reader()
        replacements: dict[tuple[int, int], str] = {}
        for (start, end), tokens in self._unknown_words(parsed, reader).items():
            original = text[start:end]
            if len(original) < _MIN_CORRECTED:
                continue
            best = self._best_correction(original, tokens, reader)
            if best is not None and best != original.lower():
                replacements[(start, end)] = best
        if not replacements:
            return None
        corrected = text
        for (start, end), word in sorted(replacements.items(), reverse=True):
            corrected = corrected[:start] + word + corrected[end:]
        try:
            found = self.count(dataclasses.replace(request, query=corrected))
        except QueryError:
            return None
        return corrected if found else None

    @staticmethod
    def _unknown_words(parsed: wq.Query, reader: Any) -> dict[tuple[int, int], list[Any]]:
        """The query's words (by their place in the query text) that no field they were looked for in holds."""
        by_place: dict[tuple[int, int], list[Any]] = {}
        for token in _leaf_tokens(parsed):
            if token.startchar is None or token.endchar is None:
                continue
            by_place.setdefault((token.startchar, token.endchar), []).append(token)
        unknown = {}
        for place, tokens in by_place.items():
            if not any((t.fieldname, t.text) in reader for t in tokens if t.fieldname in reader.schema):
                unknown[place] = tokens
        return unknown

    @staticmethod
    def _best_correction(original: str, tokens: list[Any], reader: Any) -> str | None:
        """The closest word of the index: unstemmed fields first, then the field's own terms (for keywords)."""
        word = original.lower()
        fields = {t.fieldname for t in tokens}
        prose = {"title", "summary", "body", "lead"}
        sources = [("title", word), ("summary", word)] if fields & {"title", "summary", "body"} else []
        if "lead" in fields:
            sources.append(("lead", word))
        sources += [(t.fieldname, t.text) for t in tokens if t.fieldname not in prose and _has_words(reader, t)]
        best = _closest_terms(reader, sources)
        if best is None and "body" in fields:  # last resort: the body, whose index holds stems
            best = _body_word(reader, word, [t.text for t in tokens if t.fieldname == "body"])
        return best


# --- One call for the command line -------------------------------------------------------------


def search_cases(
    cases_dir: Path,
    index_dir: Path,
    case_schema: CaseSchema,
    request: SearchRequest,
    *,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> tuple[SearchResults, IndexReport | None, list[str]]:
    """Update the index quietly, then search it: the results, the update's report and any warnings.

    The index is ``cases_dir``'s at ``index_dir``, its cases checked against ``case_schema`` (see
    :func:`~learning_atlas.search.updating.update_index`). If another process is updating the index,
    the search runs on the index as it is (with a warning). A search that trips over a damaged index
    rebuilds it and runs again.
    """
    parse_query(request.query)  # a malformed query is reported before any indexing work
    warnings_: list[str] = []
    report: IndexReport | None = None
    try:
        report = update_index(cases_dir, index_dir, case_schema, lock_timeout=lock_timeout)
        warnings_ += report.warnings
    except IndexBusyError as exc:
        warnings_.append(f"{exc}; searching the index as it is")
    for attempt in (1, 2):
        try:
            with AtlasSearcher(index_dir, lock_timeout=lock_timeout) as searcher:
                return searcher.search(request), report, warnings_
        except (QueryError, SearchIndexError):
            raise
        except Exception as exc:  # noqa: BLE001 - a damaged index found mid-search: rebuild it once
            if attempt == 2:
                raise SearchIndexError(f"{index_dir}: the search index failed twice: {describe(exc)}") from None
            message = f"{index_dir}: the search index failed ({describe(exc)}), so it was rebuilt"
            log.warning(message)
            warnings_.append(message)
            report = update_index(cases_dir, index_dir, case_schema, rebuild=True, lock_timeout=lock_timeout)
    raise AssertionError("unreachable")
