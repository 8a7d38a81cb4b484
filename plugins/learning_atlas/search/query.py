"""A search as asked: the request, Whoosh's query language with our field names, dates, and facets.

:func:`parse_query` reads a query (``theme:patient-safety region:london "learning lessons"``,
``published:[2019 TO 2021]``) or raises :class:`~learning_atlas.search.errors.QueryError` saying
what to change; :func:`parse_date_bound` reads a date bound; :func:`resolve_filters` names every
facet, in the query and in the request's filters, by its slug.

Errors name what is at fault as the query wrote it (``published:2019-13``) or by the request's
field (``since``, ``themes``); a front end that calls the fields something else (the command line's
``--since``) puts its own names in, so none of its option names live here.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import difflib
import logging
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain
from typing import Any

from whoosh import qparser
from whoosh import query as wq
from whoosh.fields import DATETIME, NUMERIC, Schema
from whoosh.qparser import syntax as qsyntax
from whoosh.util.times import datetime_to_long

from learning_atlas.contract.validation import vocabulary_message
from learning_atlas.contract.vocabularies import Term, Vocabulary
from learning_atlas.search.documents import INDEX_SCHEMA, as_datetime, index_schema, keywords
from learning_atlas.search.errors import QueryError, describe
from learning_atlas.search.scoring import FastPhrase

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

TEXT_FIELDS = ("title", "summary", "body")
"""The fields a word without a ``field:`` prefix is looked for in."""
FIELD_ALIASES = {
    "theme": ["themes"],
    "setting": ["settings"],
    "region": ["regions"],
    "commitment": ["commitments"],
    "organisation": ["organisations", "organization", "organizations", "org"],
    "lead": ["lead_role", "role"],
}
"""Other names a query may use for a field (``themes:`` for ``theme:``)."""

MAX_QUERY_CHARS = 1000
"""A longer query is refused: no editor types one, and Whoosh's parser is slow on them."""
MAX_QUERY_DEPTH = 16
"""Brackets nested deeper than this are refused."""
SORTS = ("relevance", "newest")
"""The orders a search can give its hits in."""


@dataclass
class SearchRequest:
    """A search as an editor asks it: a query in Whoosh's language, filters, order and size."""

    query: str
    themes: tuple[str, ...] = ()
    settings: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    commitments: tuple[str, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None
    sort: str = "relevance"
    limit: int = 10

    def filters(self) -> list[tuple[str, str]]:
        """``(field, value)`` of every filter; a hit must match them all."""
        pairs = [("theme", v) for v in self.themes] + [("setting", v) for v in self.settings]
        pairs += [("region", v) for v in self.regions] + [("commitment", str(v)) for v in self.commitments]
        pairs += [("organisation", keywords([v]).lower()) for v in self.organisations]
        return pairs


# --- Dates ---------------------------------------------------------------------------------------


DATE_FIELDS = ("published", "updated")
"""The date fields a query can search: ``published:2021``, ``updated:[2020-06 TO 2021]``."""
_DATE_FORMS = "YYYY, YYYY-MM or YYYY-MM-DD"


def parse_date_bound(text: str, *, end: bool = False) -> dt.date:
    """``2019``, ``2019-06`` or ``2019-06-30`` as a date: the first day of the period, or its last if ``end``.

    Raises :class:`QueryError` saying what to write for anything else, a date that does not exist
    (``2019-02-30``, ``2021-13``) included; the message does not name the field or option, so the
    caller puts its name first (``--since: '2019-13' is not a date; ...``).
    """
    match = re.fullmatch(r"\s*([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?\s*", text or "")
    try:
        if match is None:
            raise ValueError(text)
        year, month, day = (int(part) if part is not None else None for part in match.groups())
        if day is not None:
            return dt.date(year, month, day)  # type: ignore[arg-type]
        if month is not None:
            return dt.date(year, month, calendar.monthrange(year, month)[1] if end else 1)
        return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)  # type: ignore[arg-type]
    except ValueError:
        raise QueryError(f"{text!r} is not a date; write {_DATE_FORMS}, e.g. 2021-06-30") from None


class _BadValue(ValueError):
    """A date or year in a query that cannot be read; the message says what to write."""


def _period(text: str) -> tuple[dt.datetime, dt.datetime]:
    """The first and last moment of the period a date names (``2019`` is the whole year)."""
    try:
        first, last = parse_date_bound(text), parse_date_bound(text, end=True)
    except QueryError as exc:
        raise _BadValue(str(exc)) from None
    return as_datetime(first), as_datetime(last) + dt.timedelta(days=1, microseconds=-1)


def _date_range(start: str | None, end: str | None, startexcl: bool, endexcl: bool) -> tuple[int | None, int | None]:
    """A date range's bounds as Whoosh's numbers: each bound is the whole period written, and a bound
    written with ``{`` or ``}`` (or ``>`` and ``<``) leaves its period out."""
    first = _period(start) if start is not None else None
    last = _period(end) if end is not None else None
    if first is not None and last is not None and first[0] > last[1]:
        raise _BadValue(f"{start} is after {end}; swap them")
    low = high = None
    if first is not None:
        low = datetime_to_long(first[1]) + 1 if startexcl else datetime_to_long(first[0])
    if last is not None:
        high = datetime_to_long(last[0]) - 1 if endexcl else datetime_to_long(last[1])
    return low, high


def _year(text: str) -> str:
    if re.fullmatch(r"\s*[0-9]{4}\s*", text):
        return text.strip()
    raise _BadValue(f"{text!r} is not a year; write four digits, e.g. year:2021")


class _QueryDate(DATETIME):
    """``published`` and ``updated`` as the query parser reads them (the index keeps Whoosh's ``DATETIME``).

    A value is a period written YYYY, YYYY-MM or YYYY-MM-DD and matches each of its days; a range runs
    from its start's first day to its end's last. Whoosh's own reading takes any run of digits
    (``20211`` as 2021), ignores ``{}``, and fails with bare exceptions on anything else.
    """

    def parse_query(self, fieldname: str, qstring: str, boost: float = 1.0) -> wq.Query:
        """The days of the period ``qstring`` names (``*``: any date); raises :class:`_BadValue` when it names none."""
        if qstring == "*":
            return wq.Every(fieldname, boost=boost)
        return self.parse_range(fieldname, qstring, qstring, False, False, boost=boost)

    def parse_range(
        self, fieldname: str, start: str | None, end: str | None, startexcl: bool, endexcl: bool, boost: float = 1.0
    ) -> wq.Query:
        """The days from ``start`` to ``end`` (either may be open); raises :class:`_BadValue` for a bad bound."""
        low, high = _date_range(start, end, startexcl, endexcl)
        return wq.NumericRange(fieldname, low, high, boost=boost)


class _QueryYear(NUMERIC):
    """``year`` as the query parser reads it: four digits, and a range whose start is not after its end."""

    def parse_query(self, fieldname: str, qstring: str, boost: float = 1.0) -> wq.Query:
        """The cases of one year (``*``: any year); raises :class:`_BadValue` for anything but four digits."""
        return super().parse_query(fieldname, qstring if qstring == "*" else _year(qstring), boost=boost)

    def parse_range(
        self, fieldname: str, start: str | None, end: str | None, startexcl: bool, endexcl: bool, boost: float = 1.0
    ) -> wq.Query:
        """The cases of a range of years (either end may be open)."""
        low = _year(start) if start is not None else None
        high = _year(end) if end is not None else None
        if low is not None and high is not None and int(low) > int(high):
            raise _BadValue(f"{low} is after {high}; swap them")
        return super().parse_range(fieldname, low, high, startexcl, endexcl, boost=boost)


# --- Parsing ------------------------------------------------------------------------------------


def _query_schema() -> Schema:
    """The index's fields as the query parser reads them: dates and years by :class:`_QueryDate` and
    :class:`_QueryYear`, which store and compare exactly as the index's own fields."""
    schema = index_schema()
    for name in DATE_FIELDS:
        schema.remove(name)
        schema.add(name, _QueryDate(stored=True, sortable=True))
    schema.remove("year")
    schema.add("year", _QueryYear(int, stored=True))
    return schema


_HOW_TO_WRITE = {
    "year": "write a year as four digits, e.g. year:2021, or a range such as year:[2019 TO 2021]",
    **{
        name: f"write a date as {_DATE_FORMS}, or a range such as {name}:[2019 TO 2021]"
        for name in DATE_FIELDS
    },
}
"""What to write in each field whose values are read, not matched as words: quoted phrases and patterns
(``published:"2019"``, ``year:20*``) cannot be read there."""


def _syntax_nodes(node: qsyntax.SyntaxNode) -> Iterator[qsyntax.SyntaxNode]:
    yield node
    for child in getattr(node, "nodes", None) or ():
        yield from _syntax_nodes(child)


def _as_written(node: qsyntax.SyntaxNode, text: str) -> str:
    """``published:[2019 TO 2021]``: a value's field and the value as the query wrote it."""
    shown = text[node.startchar : node.endchar] if node.startchar is not None else ""
    if isinstance(node, (qsyntax.RangeNode, qsyntax.WordNode)):
        operator = re.search(r"[<>=]*$", text[: node.startchar or 0]).group()  # published:>=2019
        return f"{node.fieldname}:{operator}{shown}"
    value = getattr(node, "text", None)
    if value is not None and value not in shown:  # Whoosh misplaces a prefix: its span is the '*' alone
        shown = f"{value}*" if isinstance(node, qparser.PrefixPlugin.PrefixNode) else str(value)
    return f"{node.fieldname}:{shown}"


def _check_values(nodes: qsyntax.SyntaxNode, text: str, schema: Schema) -> None:
    """Raise :class:`QueryError` for a date or year in the query that cannot be read, naming it as written."""
    for node in _syntax_nodes(nodes):
        name = getattr(node, "fieldname", None)
        if name not in _HOW_TO_WRITE:
            continue
        try:
            if isinstance(node, qsyntax.RangeNode):
                schema[name].parse_range(name, node.start, node.end, node.startexcl, node.endexcl)
            elif isinstance(node, qsyntax.WordNode) or getattr(node, "text", None) == "*":
                schema[name].parse_query(name, node.text)
            else:  # a phrase, a prefix or a pattern
                raise _BadValue(_HOW_TO_WRITE[name])
        except _BadValue as exc:
            raise QueryError(f"{_as_written(node, text)}: {exc}") from None


_KNOWN_FIELDS = {name: name for name in INDEX_SCHEMA.names()}
_KNOWN_FIELDS.update({alias: name for name, aliases in FIELD_ALIASES.items() for alias in aliases})
_FIELD_PREFIX = re.compile(r"(?<![\w.\-/:])([A-Za-z_][\w\-]*):(?=[^\s:/)\]}])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_OPENERS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = {")": "(", "]": "[", "}": "{"}
_RANGE_BRACKETS = frozenset("[{")
"""A range may mix them: ``[a TO b}`` includes a and leaves b out."""


def clean_query(text: str) -> str:
    """The query with control and direction-override characters removed; raises :class:`QueryError` if unusable."""
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        raise QueryError("the query is not valid text (it holds bytes that are not UTF-8); type it again")
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", text)).strip()
    if not text:
        raise QueryError("the query is empty: give some words to search for, or '*' for every case")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is {len(text):,} characters long; keep it under {MAX_QUERY_CHARS:,}")
    _check_balance(text)
    _check_field_names(text)
    return text


def _outside_quotes(text: str) -> Iterator[tuple[int, str]]:
    inside = False
    for index, char in enumerate(text):
        if char == '"':
            inside = not inside
        elif not inside:
            yield index, char


def _check_balance(text: str) -> None:
    if text.count('"') % 2:
        raise QueryError('the query opens a phrase with " but never closes it: put a " after the phrase\'s last word')
    stack: list[str] = []
    for _, char in _outside_quotes(text):
        if char in _OPENERS:
            stack.append(char)
            if len(stack) > MAX_QUERY_DEPTH:
                raise QueryError(f"the query nests brackets more than {MAX_QUERY_DEPTH} deep; simplify it")
        elif char in _CLOSERS:
            opener = _CLOSERS[char]
            if not stack or not (stack[-1] == opener or {stack[-1], opener} <= _RANGE_BRACKETS):
                expected = "'[' or '{'" if opener in _RANGE_BRACKETS else repr(opener)
                raise QueryError(f"the query has a {char!r} with no matching {expected} before it")
            stack.pop()
    if stack:
        raise QueryError(f"the query opens {stack[-1]!r} but never closes it with {_OPENERS[stack[-1]]!r}")


_EMPTY_FIELD = re.compile(r"(?<![\w.\-/:])([A-Za-z_][\w\-]*):(?=\s|$|[)\]}])")


def _check_field_names(text: str) -> None:
    visible = dict(_outside_quotes(text))
    outside = "".join(visible.get(index, "x") for index in range(len(text)))  # quoted text: opaque
    for match in _EMPTY_FIELD.finditer(outside):
        if match.group(1).lower() in _KNOWN_FIELDS:
            name = match.group(1)
            raise QueryError(f"'{name}:' has nothing after the colon: give a value, e.g. {name}:<value> with no space")
    for match in _FIELD_PREFIX.finditer(outside):
        name = match.group(1)
        if name.lower() not in _KNOWN_FIELDS:
            close = difflib.get_close_matches(name.lower(), list(_KNOWN_FIELDS), n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}:'?" if close else ""
            fields = ", ".join(sorted(set(_KNOWN_FIELDS.values()) - {"content_hash"}))
            raise QueryError(f"'{name}:' is not a field you can search{hint} (fields: {fields})")


def _build_parser() -> qparser.QueryParser:
    parser = qparser.MultifieldParser(list(TEXT_FIELDS), _query_schema(), phraseclass=FastPhrase)
    parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
    parser.add_plugin(qparser.GtLtPlugin())
    return parser


_PARSER: qparser.QueryParser | None = None


def query_parser() -> qparser.QueryParser:
    """The query parser (built once): default fields title, summary, body; our field names and aliases."""
    global _PARSER
    if _PARSER is None:
        _PARSER = _build_parser()
    return _PARSER


_OPERATORS_HINT = (
    "check that AND, OR, NOT, ANDNOT, ANDMAYBE and REQUIRE each stand between words, that < and > follow a field "
    "(published:>=2019), and that every bracket and quote is closed"
)


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_query(text: str) -> wq.Query:
    """Parse a query written in Whoosh's language with our field names; raises :class:`QueryError`."""
    text = clean_query(text)
    if text == "*":
        return wq.Every()
    parser = query_parser()
    try:
        nodes = parser.process(text)
        _check_values(nodes, text, parser.schema)
        raw = nodes.query(parser) or wq.NullQuery
    except QueryError:
        raise
    except RecursionError:
        raise QueryError("the query is too deeply nested; simplify it") from None
    except Exception as exc:  # noqa: BLE001 - Whoosh's parser fails in many ways (even assertions) on odd input
        log.debug("query %r: %s", text, describe(exc))
        raise QueryError(f"the query could not be read as written; {_OPERATORS_HINT}") from None
    errors = [leaf.error for leaf in chain([raw], raw.leaves()) if getattr(leaf, "error", None)]
    if errors:
        raise QueryError(f"part of the query could not be read ({errors[0]}); {_OPERATORS_HINT}")
    parsed = raw.normalize()
    if parsed is wq.NullQuery or isinstance(parsed, type(wq.NullQuery)):
        raise QueryError(
            f"the query {_shorten(text)!r} has nothing to search for (only stop words, operators or symbols); "
            "give some words, a phrase in quotes or a field such as theme:patient-safety"
        )
    return parsed


def filter_query(request: SearchRequest) -> wq.Query | None:
    """The request's filters and date bounds as one Whoosh query a hit must match, or None if it has none."""
    parts: list[wq.Query] = [wq.Term(name, value) for name, value in request.filters()]
    if request.since or request.until:
        start = as_datetime(request.since) if request.since else None
        end = as_datetime(request.until) + dt.timedelta(days=1, microseconds=-1) if request.until else None
        parts.append(wq.DateRange("published", start, end))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


# --- Facets -------------------------------------------------------------------------------------


FACET_VOCABULARIES = {"theme": "themes", "setting": "settings", "region": "regions", "commitment": "commitments"}
"""The query's fields (and the options) whose values are vocabulary terms."""


def _labels_starting(vocabulary: Vocabulary, word: str) -> list[Term]:
    """The terms whose label has more than one word and starts with the word ``word``."""
    first = word.lower() + " "
    return [term for term in vocabulary.terms if " ".join(term.label.split()).lower().startswith(first)]


def _completed_label(candidates: list[Term], word: str, following: str) -> Term | None:
    """The term whose label is ``word`` and then the words that follow it in the query, if one is."""
    rest = " ".join(following.split()).lower()
    for term in candidates:
        tail = " ".join(term.label.split()).lower()[len(word) + 1 :]
        if rest == tail or rest.startswith(tail + " "):
            return term
    return None


def _facet_problem(
    vocabulary: Vocabulary, value: str, *, where: str, spell: Callable[[str], str], following: str = ""
) -> str:
    """Why ``value`` names no term of ``vocabulary``, and how to write the term meant.

    ``where`` names the value (``theme:patient``, ``--theme``), ``spell`` writes a value as the query or
    option would (``theme:patient-safety``). ``following`` is the query's text after the value: in ``theme:patient safety`` the
    parser reads ``safety`` as a word of its own, so a label of several words is named with its slug.
    """
    candidates = _labels_starting(vocabulary, value)
    meant = _completed_label(candidates, value, following)
    if meant is not None:
        shown = " ".join([where, *following.split()[: len(meant.label.split()) - 1]])
        in_quotes = f'"{meant.label}"'
        return (
            f"{shown}: the {vocabulary.singular} {meant.label!r} is written {spell(meant.key)} or {spell(in_quotes)} "
            f"(without quotes only {value!r} is read as the {vocabulary.singular})"
        )
    if candidates:
        listed = ", ".join(f"{spell(term.key)} for {term.label!r}" for term in candidates)
        return f"{where}: {value!r} is not a {vocabulary.singular}; write {listed}"
    return f"{where}: {vocabulary_message(vocabulary, value)}"


def _facet_term(vocabulary: Vocabulary, value: str, *, where: str, spell: Callable[[str], str],
                following: str = "") -> Term:
    """The term a facet value names by slug or label (any case); :class:`QueryError` saying how to write it."""
    term = vocabulary.named(value)
    if term is None:
        raise QueryError(_facet_problem(vocabulary, value, where=where, spell=spell, following=following))
    return term


def resolve_facets(text: str, vocabularies: dict[str, Vocabulary]) -> str:
    """The query with each facet value written as a label (``theme:"Patient safety"``, ``region:London``)
    rewritten as its slug; raises :class:`QueryError` for a value that names no term, saying how to write it.

    Patterns and ranges (``theme:patient*``) are left as written. A query that cannot be parsed is
    returned as it is, for :func:`parse_query` to report.
    """
    text = clean_query(text)
    parser = query_parser()
    try:
        nodes = parser.process(text)
    except Exception:  # noqa: BLE001 - parse_query says what is wrong with it
        return text
    replacements = []
    for node in _syntax_nodes(nodes):
        name = getattr(node, "fieldname", None) or ""
        vocabulary = vocabularies.get(FACET_VOCABULARIES.get(name, ""))
        if vocabulary is None or not isinstance(node, (qsyntax.WordNode, qparser.PhrasePlugin.PhraseNode)):
            continue
        if vocabulary.term(node.text) is not None:
            continue
        term = _facet_term(
            vocabulary, node.text, where=f"{name}:{text[node.startchar : node.endchar]}",
            spell=lambda written, name=name: f"{name}:{written}", following=text[node.endchar :],
        )
        replacements.append((node.startchar, node.endchar, term.key))
    for start, end, slug in sorted(replacements, reverse=True):
        text = text[:start] + slug + text[end:]
    return text


def resolve_filters(
    request: SearchRequest, vocabularies: dict[str, Vocabulary], *, names: Mapping[str, str] | None = None
) -> SearchRequest:
    """The request with every facet, in the query and in the filters, named by its slug (a label, in any
    case, names its term); raises :class:`QueryError` for a value that names no term, a reversed date
    range, an unknown sort or a limit below 1.

    An error names the request's field by ``names`` (the command line gives its options:
    ``{"themes": "--theme", "since": "--since", ...}``), or by the field's own name when ``names`` has
    none for it; a term is spelt as the name followed by the slug (``--theme patient-safety``).
    """
    names = names or {}

    def name(field: str) -> str:
        return names.get(field, field)

    facets = {"themes": "theme", "settings": "setting", "regions": "region", "commitments": "commitment"}
    changes: dict[str, Any] = {"query": resolve_facets(request.query, vocabularies)}
    for attribute, facet in facets.items():
        vocabulary = vocabularies.get(FACET_VOCABULARIES[facet])
        if vocabulary is None:
            continue
        where = name(attribute)
        changes[attribute] = tuple(
            _facet_term(vocabulary, str(value), where=where, spell=lambda written, where=where: f"{where} {written}").key
            for value in getattr(request, attribute)
        )
    if request.since and request.until and request.since > request.until:
        raise QueryError(f"{name('since')} {request.since} is after {name('until')} {request.until}; swap them")
    if request.sort not in SORTS:
        raise QueryError(f"{name('sort')}: {request.sort!r} is not one of {', '.join(SORTS)}")
    if request.limit < 1:
        raise QueryError(f"{name('limit')} must be at least 1")
    return dataclasses.replace(request, **changes)
