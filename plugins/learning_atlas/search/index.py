"""The atlas's search index: a Whoosh index of the cases, kept up to date incrementally, and searched.

The index lives in a cache folder (by default ``.atlas/index`` beside ``cases/``)
and is never the source of truth: it can be deleted at any time and is rebuilt.

*Updating.* :func:`update_index` hashes every case file (the file's bytes with
the schema's and the index layout's versions), compares the hashes with the
``content_hash`` stored in the index, and re-indexes only the cases that
changed; deleted (or now invalid) cases are removed. A small state file beside
the Whoosh files records the index layout's version (a change rebuilds the
index) and each file's size and modification time, so an unchanged file is not
even read again. A one-case edit is one small commit that adds a one-document
segment and rewrites no big one (small segments are folded together once there
are ten); a full build adds every case through one writer and one commit.
Every write happens under an exclusive ``flock`` on ``<index>.lock`` next to the
folder, so two processes never write at once, and a reader opens the index under
a shared one; a damaged, half-written or stuck index is rebuilt with a warning,
never a crash.

*Searching.* :class:`AtlasSearcher` holds one Whoosh searcher and its caches
for many queries: Whoosh's query language with our own field names
(``theme:patient-safety region:london "learning lessons"``,
``published:[2019 TO 2021]``), facet filters, sorting, highlighted snippets,
facet counts over every hit, and a did-you-mean when nothing is found.

Whoosh is pure Python, so three things are engineered for speed: one fused
analyser (:class:`AtlasAnalyzer`) instead of a chain of four generators, BM25F
scoring from per-segment arrays of field lengths instead of a column look-up
per posting, and phrase matching by set arithmetic on the decoded positions
(:class:`FastPhrase`) instead of Whoosh's span objects.
"""

from __future__ import annotations

import calendar
import contextlib
import dataclasses
import datetime as dt
import difflib
import errno
import fcntl
import hashlib
import heapq
import json
import logging
import os
import pickle
import re
import shutil
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, chain, islice
from pathlib import Path
from typing import Any

import whoosh
from whoosh import highlight, qparser, scoring
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.analysis import STOP_WORDS, Token, Tokenizer
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.formats import Positions
from whoosh.lang.porter import stem as porter_stem
from whoosh.matching import ListMatcher, NullMatcher
from whoosh.qparser import syntax as qsyntax
from whoosh.system import _INT_SIZE, pack_uint
from whoosh.util.numeric import byte_to_length
from whoosh.util.times import datetime_to_long
from whoosh.writing import LockError

from learning_atlas.contract.atlas_folders import find_schema_dir
from learning_atlas.contract.case import ADDING_VALUE_PARTS, SECTIONS, Case
from learning_atlas.contract.checker import check_paths
from learning_atlas.contract.loader import CASE_SUFFIX, LoadedCase
from learning_atlas.contract.problems import one_line
from learning_atlas.contract.schema import load_case_schema, schema_files
from learning_atlas.contract.validation import vocabulary_message
from learning_atlas.contract.vocabularies import Term, Vocabulary

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

LAYOUT_VERSION = 1
"""The version of the index's field layout: change it whenever :func:`index_schema` or the
documents change, and every existing index is rebuilt on its next update."""

DEFAULT_INDEX_DIR = Path(".atlas") / "index"
"""Where the index lives, relative to the project root (the folder that holds ``cases/``)."""

STATE_FILE = "atlas-index.json"
INDEX_NAME = "MAIN"
DEFAULT_LOCK_TIMEOUT = 120.0
"""Seconds to wait for another process's update (a full build of 5,000 cases took about 20 s here)."""
WHOOSH_LOCK_TIMEOUT = 5.0
"""Seconds to wait for Whoosh's own write lock, which only a stuck foreign process can hold."""

FACET_FIELDS = ("theme", "setting", "region")
"""The facets whose counts over all hits a search reports."""
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

_BUILD_BATCH = 250
"""Cases loaded and added per batch during a full build, which bounds the memory a build needs."""
_REBUILD_SHARE = 0.5
"""When more than this share of the indexed cases changed, a fresh build is faster than updates."""
_DELETED_SHARE = 0.3
"""When more than this share of the index's documents are deleted ones, the index is rebuilt."""
_SMALL_SEGMENT_DOCS = 200
_MAX_SEGMENTS = 10
_RACY_NS = 2_000_000_000
"""A file modified this close to the last scan is hashed again: its time stamp may not show a second edit."""

_WHOOSH_FILE = re.compile(rf"^(_?{INDEX_NAME}_.*|{INDEX_NAME}\.tmp.*)$")
"""What Whoosh writes in the folder: ``_MAIN_<n>.toc``, ``MAIN_<id>.seg``, ``MAIN_WRITELOCK``, ``MAIN.tmp``."""


# --- Errors ------------------------------------------------------------------------------------


class SearchIndexError(Exception):
    """The index cannot be built or opened for a reason the user must deal with (message in plain English)."""


class IndexUsageError(SearchIndexError):
    """The paths given do not make sense (no cases folder, an index folder full of other files)."""


class IndexBusyError(SearchIndexError):
    """Another process held the index's lock for longer than the timeout."""


class QueryError(ValueError):
    """A search that cannot be run as written; the message says what to change."""


class _Damaged(Exception):
    """The index on disk cannot be used and must be rebuilt (carries the reason)."""


# --- Analysis ----------------------------------------------------------------------------------

_WORD = re.compile(r"\w+(?:\.?\w+)*")
_STOPS = frozenset(STOP_WORDS)
_STEMS: dict[str, str] = {}
_STEM_CACHE_LIMIT = 200_000


def _stem(word: str) -> str:
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
            matches = ((i, m.group(), m.start(), m.end()) for i, m in enumerate(_WORD.finditer(value)))
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
                    text = _stem(text)
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
        for index, word in enumerate(_WORD.findall(value)):
            text = word.lower()
            if len(text) < minsize or text in stops:
                continue
            if first:
                pos, first = index, False
            else:
                pos += 1
            if stemming:
                text = stems.get(text) or _stem(text)
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


def _text_field(*, stem: bool, stored: bool, field_boost: float = 1.0) -> TEXT:
    """A TEXT field analysed by :class:`AtlasAnalyzer`, with positions for phrases, in the fast format."""
    text_field = TEXT(analyzer=AtlasAnalyzer(stem=stem), field_boost=field_boost, stored=stored)
    text_field.format = AtlasPositions(field_boost=field_boost)
    return text_field


# --- The field layout --------------------------------------------------------------------------


def index_schema() -> Schema:
    """The index's fields. Any change here needs :data:`LAYOUT_VERSION` raised."""
    return Schema(
        slug=ID(unique=True, stored=True, sortable=True),
        title=_text_field(stem=False, stored=True, field_boost=3.0),
        summary=_text_field(stem=False, stored=True),
        body=_text_field(stem=True, stored=True),
        organisation=KEYWORD(commas=True, lowercase=True, scorable=True, stored=True),
        lead=_text_field(stem=False, stored=False),
        theme=KEYWORD(commas=True, stored=True),
        setting=KEYWORD(commas=True, stored=True),
        region=KEYWORD(commas=True, stored=True),
        commitment=KEYWORD(commas=True, stored=True),
        published=DATETIME(stored=True, sortable=True),
        updated=DATETIME(stored=True, sortable=True),
        status=ID(stored=True),
        year=NUMERIC(int, stored=True),
        content_hash=ID(stored=True, sortable=True),
    )


_SCHEMA = index_schema()

_MARKDOWN_NOISE = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images: keep the alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links: keep the text
    (re.compile(r"(?m)^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)"), ""),  # headings, quotes, bullets
    (re.compile(r"(?m)^\s*\|?\s*:?-{3,}.*$"), ""),  # table rules
    (re.compile(r"\s*\|\s*"), " · "),  # table cells
    (re.compile(r"(\*\*|__|\*|`)"), ""),  # emphasis and code marks
    (re.compile(r"[ \t]+"), " "),
]


_MARKDOWN_HINT = re.compile(r"[*_`\[|#>]|^\s*(?:[-+]|\d+[.)])\s|[ \t]{2}", re.MULTILINE)


def plain_text(markdown: str) -> str:
    """Markdown as readable plain text for indexing and snippets: marks, bullets and table rules removed."""
    text = markdown
    if not _MARKDOWN_HINT.search(text):
        return text.strip()
    for pattern, replacement in _MARKDOWN_NOISE:
        text = pattern.sub(replacement, text)
    return re.sub(r"\n{3,}", "\n\n", text).strip(" ·\n")


def _section_text(value: Any) -> str:
    if isinstance(value, dict):
        return "\n\n".join(_section_text(value.get(key, "")) for key, _ in ADDING_VALUE_PARTS if value.get(key))
    return plain_text(str(value)) if value else ""


def case_body_text(case: Case) -> str:
    """Everything of a case the body field holds: each section, the free body, and the measures' labels."""
    parts = [_section_text(case.sections.get(key)) for key, _ in SECTIONS]
    parts.append(plain_text(case.body))
    parts.extend(measure.label for measure in case.measures)
    return "\n\n".join(part for part in parts if part)


def _keywords(values: Iterable[object]) -> str:
    """Comma-separated keywords; a comma inside a value (an organisation's name) becomes a space."""
    return ",".join(" ".join(str(v).replace(",", " ").split()) for v in values)


def _as_datetime(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)


def case_document(case: Case, content_hash: str) -> dict[str, Any]:
    """The index document of a case."""
    doc: dict[str, Any] = {
        "slug": case.slug,
        "title": case.title,
        "summary": case.summary,
        "body": case_body_text(case),
        "organisation": _keywords(case.organisations),
        "lead": case.lead_role,
        "theme": _keywords(case.themes),
        "setting": _keywords(case.settings),
        "region": _keywords([case.region]),
        "commitment": _keywords(case.commitments),
        "published": _as_datetime(case.published),
        "status": case.status,
        "year": case.year,
        "content_hash": content_hash,
    }
    if case.updated:
        doc["updated"] = _as_datetime(case.updated)
    return doc


# --- Finding what changed ----------------------------------------------------------------------


def default_index_dir(cases_dir: Path) -> Path:
    """``.atlas/index`` in the project root, the folder that holds ``cases_dir``."""
    return cases_dir.resolve().parent / DEFAULT_INDEX_DIR


def schema_fingerprint(schema_dir: Path) -> str:
    """A hash of the schema and vocabularies: when they change, every case is checked and indexed again."""
    digest = hashlib.sha1(f"layout {LAYOUT_VERSION}\n".encode())
    for path in schema_files(schema_dir):
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"(missing)")
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def content_hash(data: bytes, fingerprint: str) -> str:
    """The hash that decides whether a case is indexed again: its bytes, with the schema's fingerprint."""
    return hashlib.sha1(fingerprint.encode() + b"\0" + data).hexdigest()


@dataclass(frozen=True)
class _CaseFile:
    folder: Path
    name: str
    hash: str
    stat: tuple[int, int, int] | None

    @property
    def slug(self) -> str:
        return self.name[: -len(CASE_SUFFIX)]

    @property
    def path(self) -> Path:
        return self.folder / self.name


def _case_names(cases_dir: Path) -> list[str]:
    """The case files' names in a folder, as ``atlas check`` finds them (``*.md``, not hidden), sorted."""
    with os.scandir(cases_dir) as entries:
        return sorted(
            entry.name
            for entry in entries
            if entry.name.endswith(CASE_SUFFIX) and not entry.name.startswith(".") and entry.is_file()
        )


def _scan(cases_dir: Path, state: dict[str, Any] | None, fingerprint: str) -> list[_CaseFile]:
    """Every case file with its content hash; a file whose size and time stamp are as last seen is not read.

    Plain strings and ``os.stat`` rather than ``Path`` objects: at 5,000 cases that is most of the time
    an up-to-date check takes.
    """
    cache: dict[str, list] = {}
    trusted_before = 0
    if state and state.get("fingerprint") == fingerprint and isinstance(state.get("files"), dict):
        cache = state["files"]
        trusted_before = int(state.get("scanned_ns", 0)) - _RACY_NS
    folder = os.fspath(cases_dir)
    found = []
    for name in _case_names(cases_dir):
        full = os.path.join(folder, name)
        try:
            st = os.stat(full)
        except OSError:
            continue  # deleted while we looked
        stamp = (st.st_size, st.st_mtime_ns, st.st_ino)
        known = cache.get(name[: -len(CASE_SUFFIX)])
        if isinstance(known, list) and len(known) == 4 and tuple(known[:3]) == stamp and stamp[1] < trusted_before:
            found.append(_CaseFile(cases_dir, name, str(known[3]), stamp))
            continue
        try:
            with open(full, "rb") as handle:
                digest = content_hash(handle.read(), fingerprint)
        except OSError:
            digest, stamp = "(unreadable)", None
        found.append(_CaseFile(cases_dir, name, digest, stamp))
    return found


# --- The cache folder: state file, lock, opening ----------------------------------------------


def _state_path(index_dir: Path) -> Path:
    return index_dir / STATE_FILE


def _read_state(index_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(_state_path(index_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _write_state(index_dir: Path, files: Sequence[_CaseFile], fingerprint: str, scanned_ns: int) -> None:
    """Write the state file atomically (a temporary file renamed over it)."""
    state = {
        "layout": LAYOUT_VERSION,
        "whoosh": whoosh.versionstring(),
        "fingerprint": fingerprint,
        "scanned_ns": scanned_ns,
        "files": {f.slug: [*f.stat, f.hash] for f in files if f.stat is not None},
    }
    target = _state_path(index_dir)
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(state, separators=(",", ":")), encoding="utf-8")
    os.replace(temporary, target)


def lock_path(index_dir: Path) -> Path:
    """The lock file of an index: beside its folder, so clearing the folder never removes a held lock."""
    return index_dir.parent / f"{index_dir.name}.lock"


@contextlib.contextmanager
def index_lock(index_dir: Path, *, shared: bool = False, timeout: float = DEFAULT_LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the index's lock: exclusive to write, shared to open for reading.

    The lock is ``flock`` on ``<index>.lock``, which the kernel releases when its
    holder dies, so a lock file left by a killed process never blocks anyone.
    Raises :class:`IndexBusyError` after ``timeout`` seconds.
    """
    path = lock_path(index_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise SearchIndexError(f"{path}: cannot create the search index's lock file: {exc.strerror or exc}") from None
    try:
        _acquire(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX, timeout, path)
        if not shared:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _acquire(fd: int, mode: int, timeout: float, path: Path) -> None:
    deadline = time.monotonic() + timeout
    delay = 0.01
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise SearchIndexError(f"{path}: cannot lock the search index: {exc.strerror or exc}") from None
        if time.monotonic() >= deadline:
            holder = _lock_holder(path)
            raise IndexBusyError(
                f"{path}: the search index is being updated by another process{holder} and it did not finish "
                f"within {timeout:g} s; try again when it has"
            )
        time.sleep(delay)
        delay = min(delay * 2, 0.2)


def _lock_holder(path: Path) -> str:
    try:
        pid = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (process {pid})" if pid.isdigit() else ""


def _is_index_folder(index_dir: Path) -> bool:
    """True when the folder is empty or holds only what an atlas index holds (so it may be cleared)."""
    names = [entry.name for entry in index_dir.iterdir()]
    return all(name == STATE_FILE or name.startswith(STATE_FILE + ".") or _WHOOSH_FILE.match(name) for name in names)


def _prepare_folder(index_dir: Path) -> None:
    """Refuse an index path that is a file or a folder of other things: a rebuild would delete them."""
    if index_dir.exists() and not index_dir.is_dir():
        raise IndexUsageError(f"{index_dir}: is a file, not a folder; give a folder for the search index")
    if index_dir.is_dir() and not _is_index_folder(index_dir):
        raise IndexUsageError(
            f"{index_dir}: holds files that are not a search index; give an empty or new folder for the index "
            "(it is rebuilt at will, so it must hold nothing else)"
        )


def _clear_folder(index_dir: Path) -> None:
    """Empty the index folder (it holds only index files: see :func:`_prepare_folder`)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    for entry in index_dir.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()


def _open_checked(index_dir: Path) -> whoosh_index.FileIndex:
    """Open the index and read enough of it to know it is whole; raises :class:`_Damaged` if not."""
    try:
        if not whoosh_index.exists_in(str(index_dir), indexname=INDEX_NAME):
            raise _Damaged("its table of contents is missing")
        ix = whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME, schema=_SCHEMA)
        with ix.reader() as reader:
            reader.doc_count_all()
            _probe(reader)
    except _Damaged:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a damaged file raises, the cure is a rebuild
        raise _Damaged(f"it could not be read ({_describe(exc)})") from None
    return ix


def _probe(reader: Any) -> None:
    """Touch every part of every segment once: stored fields, columns, lexicon and postings."""
    for segment_reader, _ in reader.leaf_readers():
        count = segment_reader.doc_count_all()
        list(segment_reader.column_reader("content_hash"))
        if count:
            segment_reader.stored_fields(count - 1)
        for fieldname in ("title", "body", "theme"):
            for term in segment_reader.lexicon(fieldname):
                segment_reader.postings(fieldname, term).all_ids()
                break


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _indexed_hashes(ix: whoosh_index.FileIndex) -> dict[str, str]:
    """Slug to content hash of every live document, read from the two columns (no stored fields)."""
    with ix.reader() as reader:
        slugs = list(reader.column_reader("slug", translate=False))
        hashes = list(reader.column_reader("content_hash", translate=False))
        return {slugs[d].decode("utf-8"): hashes[d].decode("ascii") for d in reader.all_doc_ids()}


# --- Updating ----------------------------------------------------------------------------------


@dataclass
class Skipped:
    """A case file left out of the index because it has errors."""

    path: Path
    line: int
    column: int
    message: str
    more: int = 0

    def note(self) -> str:
        """``cases/x.md:8:5: skipped: settings[0]: ... (and 2 more errors: run 'atlas check cases/x.md')``."""
        extra = ""
        if self.more:
            extra = f" (and {self.more} more error{'s' if self.more > 1 else ''}: run 'atlas check {self.path}')"
        return one_line(f"{self.path}:{self.line}:{self.column}: skipped, not indexed: {self.message}{extra}")


@dataclass
class IndexReport:
    """What an update did: the slugs added, updated, removed and unchanged, and what went wrong."""

    index_dir: Path
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rebuilt: str | None = None
    """Why the index was built afresh, or None when it was updated in place."""
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        """True when the update added, updated or removed a case."""
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        """``3 added, 1 updated, 0 removed, 996 unchanged in 0.4 s`` (and how many were skipped)."""
        counts = (
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.removed)} removed, {len(self.unchanged)} unchanged"
        )
        if self.skipped:
            counts += f", {len(self.skipped)} skipped"
        seconds = f"{self.seconds:.2f}" if self.seconds < 1 else f"{self.seconds:.1f}"
        return f"{counts} in {seconds} s"

    def warn(self, message: str) -> None:
        """Record a warning for the caller, and log it."""
        self.warnings.append(message)
        log.warning(message)


def update_index(
    cases_dir: Path,
    index_dir: Path | None = None,
    *,
    schema_dir: Path | None = None,
    rebuild: bool = False,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    whoosh_lock_timeout: float = WHOOSH_LOCK_TIMEOUT,
    today: dt.date | None = None,
) -> IndexReport:
    """Bring the index of ``cases_dir`` up to date and say what changed.

    Only cases whose content hash changed are checked and indexed again; cases
    deleted (or now invalid) are removed; invalid cases are skipped, each with a
    note. A missing, damaged or outdated index is built afresh (a damaged or
    stuck one with a warning). Raises :class:`IndexUsageError` for paths that
    make no sense, :class:`IndexBusyError` when another process holds the lock
    too long, and :class:`SearchIndexError` when the folder cannot be written.
    """
    started = time.perf_counter()
    cases_dir = Path(cases_dir)
    if not cases_dir.is_dir():
        raise IndexUsageError(f"{cases_dir}: is not a folder of case studies (expected e.g. 'cases/')")
    index_dir = Path(index_dir) if index_dir is not None else default_index_dir(cases_dir)
    schema_dir = schema_dir or find_schema_dir(cases_dir)
    report = IndexReport(index_dir=index_dir)
    _prepare_folder(index_dir)
    fingerprint = schema_fingerprint(schema_dir)
    try:
        with index_lock(index_dir, timeout=lock_timeout):
            _prepare_folder(index_dir)  # again, now that nobody else is writing
            _update_locked(cases_dir, index_dir, schema_dir, fingerprint, rebuild, whoosh_lock_timeout, today, report)
    except OSError as exc:
        raise SearchIndexError(f"{exc.filename or index_dir}: cannot write the search index: {exc.strerror or exc}") from None
    report.seconds = time.perf_counter() - started
    return report


def _update_locked(
    cases_dir: Path,
    index_dir: Path,
    schema_dir: Path,
    fingerprint: str,
    rebuild: bool,
    whoosh_lock_timeout: float,
    today: dt.date | None,
    report: IndexReport,
) -> None:
    scanned_ns = time.time_ns()
    state = _read_state(index_dir)
    files = _scan(cases_dir, state, fingerprint)
    ix = None
    reason = "asked to rebuild it" if rebuild else _outdated(index_dir, state)
    if reason is None:
        try:
            ix = _open_checked(index_dir)
            indexed = _indexed_hashes(ix)
            if ix.doc_count_all() and ix.doc_count() < (1 - _DELETED_SHARE) * ix.doc_count_all():
                reason = "most of its space held deleted cases"
        except _Damaged as exc:  # its folder and state file were there, so this is damage, not a first run
            reason = str(exc)
            report.warn(f"{index_dir}: the search index was damaged, so it was rebuilt: {reason}")
            ix = None
    elif reason == _NO_STATE:
        report.warn(f"{index_dir}: the search index had lost its state file, so it was rebuilt")
    if ix is None:
        indexed = {}
    changed = [f for f in files if indexed.get(f.slug) != f.hash]
    on_disk = {f.slug for f in files}
    gone = sorted(set(indexed) - on_disk)
    report.unchanged = sorted(f.slug for f in files if indexed.get(f.slug) == f.hash)
    if ix is not None and reason is None and len(changed) + len(gone) > max(50, _REBUILD_SHARE * len(indexed)):
        reason = "most cases changed, so a fresh build is quicker"
    if reason is None and ix is not None:
        try:
            _update_in_place(ix, changed, gone, indexed, schema_dir, whoosh_lock_timeout, today, report)
        except _Damaged as exc:
            report.warn(f"{index_dir}: the search index could not be updated, so it was rebuilt: {exc}")
            reason = str(exc)
            indexed = {}
            report.added, report.updated, report.removed, report.skipped = [], [], [], []
            report.unchanged = []
    if reason is not None:
        _build_fresh(index_dir, files, indexed, schema_dir, today, report)
        report.rebuilt = reason
    _write_state(index_dir, files, fingerprint, scanned_ns)


_NO_STATE = "its state file is missing or unreadable"


def _outdated(index_dir: Path, state: dict[str, Any] | None) -> str | None:
    """Why the index must be built afresh before it is used, judging by its state file; None if it need not."""
    if not index_dir.is_dir() or not any(index_dir.iterdir()):
        return "there is no index yet"
    if state is None:
        return _NO_STATE
    if state.get("layout") != LAYOUT_VERSION:
        return f"its field layout changed (version {state.get('layout')!r} to {LAYOUT_VERSION})"
    if state.get("whoosh") != whoosh.versionstring():
        return f"Whoosh changed version ({state.get('whoosh')} to {whoosh.versionstring()})"
    return None


def _load_documents(
    files: Sequence[_CaseFile], schema_dir: Path, today: dt.date | None, report: IndexReport
) -> list[tuple[_CaseFile, dict[str, Any] | None]]:
    """Check the files and turn each valid case into its document; invalid ones are noted and given None."""
    if not files:
        return []
    result = check_paths([f.path for f in files], load_case_schema(schema_dir), today=today)
    if not result.cases and result.problems:  # the schema itself is broken: nothing can be checked
        first = result.problems[0]
        raise SearchIndexError(f"{first.path}:{first.line}:{first.column}: {first.message}")
    by_path = {case.path: case for case in result.cases}
    loaded = []
    for file in files:
        case = by_path.get(file.path)
        loaded.append((file, _document_or_note(file, case, report)))
    return loaded


def _document_or_note(file: _CaseFile, case: LoadedCase | None, report: IndexReport) -> dict[str, Any] | None:
    if case is None:
        report.skipped.append(Skipped(file.path, 1, 1, "could not be read"))
        return None
    errors = [p for p in case.problems if p.is_error]
    if errors:
        first = errors[0]
        message = f"{first.key}: {first.message}" if first.key else first.message
        report.skipped.append(Skipped(file.path, first.line, first.column, message, len(errors) - 1))
        return None
    try:
        return case_document(Case.from_loaded(case), file.hash)
    except Exception as exc:  # noqa: BLE001 - a case the checker passed but the model cannot read
        report.skipped.append(Skipped(file.path, 1, 1, f"could not be indexed: {_describe(exc)}"))
        return None


def _writer(ix: whoosh_index.FileIndex, timeout: float, *, limitmb: int) -> Any:
    try:
        return ix.writer(procs=1, limitmb=limitmb, timeout=timeout)
    except LockError:
        raise _Damaged(
            f"Whoosh's write lock was held for more than {timeout:g} s by a process that is not an atlas command"
        ) from None


def _update_in_place(
    ix: whoosh_index.FileIndex,
    changed: Sequence[_CaseFile],
    gone: Sequence[str],
    indexed: dict[str, str],
    schema_dir: Path,
    whoosh_lock_timeout: float,
    today: dt.date | None,
    report: IndexReport,
) -> None:
    """Re-index the changed cases and delete the gone ones in one small commit that rewrites no big segment."""
    loaded = _load_documents(changed, schema_dir, today, report)
    if not loaded and not gone:
        return
    writer = _writer(ix, whoosh_lock_timeout, limitmb=64)
    try:
        for slug in gone:
            writer.delete_by_term("slug", slug)
            report.removed.append(slug)
        for file, doc in loaded:
            if doc is None:
                if file.slug in indexed:  # it was valid, now it is not: take it out
                    writer.delete_by_term("slug", file.slug)
                    report.removed.append(file.slug)
            elif file.slug in indexed:
                writer.update_document(**doc)
                report.updated.append(file.slug)
            else:
                writer.add_document(**doc)
                report.added.append(file.slug)
        writer.commit(mergetype=_merge_small_segments)
    except _Damaged:
        raise
    except Exception as exc:  # noqa: BLE001 - a write that fails half-way: rebuild rather than crash
        with contextlib.suppress(Exception):
            writer.cancel()
        raise _Damaged(f"writing failed ({_describe(exc)})") from None
    for names in (report.added, report.updated, report.removed):
        names.sort()


def _merge_small_segments(writer: Any, segments: list) -> list:
    """Whoosh merge policy: leave big segments alone; fold small ones into the new segment when there are many.

    A one-case edit therefore writes a one-document segment and rewrites
    nothing else, while the number of segments (and so query time) stays bounded.
    """
    from whoosh.reading import SegmentReader

    if len(segments) < _MAX_SEGMENTS:
        return segments
    by_size = sorted(segments, key=lambda s: s.doc_count_all())
    merge, total = [], 0
    for segment in by_size:
        if total + segment.doc_count_all() > _SMALL_SEGMENT_DOCS and len(merge) >= 2:
            break
        merge.append(segment)
        total += segment.doc_count_all()
    for segment in merge:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in merge]


def _build_fresh(
    index_dir: Path,
    files: Sequence[_CaseFile],
    indexed: dict[str, str],
    schema_dir: Path,
    today: dt.date | None,
    report: IndexReport,
) -> None:
    """Build the index afresh: clear the folder, then check and add the cases in batches, one commit."""
    _clear_folder(index_dir)
    report.added, report.updated, report.removed, report.skipped = [], [], [], []
    report.unchanged = []
    ix = whoosh_index.create_in(str(index_dir), _SCHEMA, indexname=INDEX_NAME)
    writer = _writer(ix, WHOOSH_LOCK_TIMEOUT, limitmb=256)
    try:
        for start in range(0, len(files), _BUILD_BATCH):
            for file, doc in _load_documents(files[start : start + _BUILD_BATCH], schema_dir, today, report):
                if doc is None:
                    continue
                writer.add_document(**doc)
                if file.slug not in indexed:
                    report.added.append(file.slug)
                elif indexed[file.slug] == file.hash:
                    report.unchanged.append(file.slug)
                else:
                    report.updated.append(file.slug)
        now = {*report.added, *report.updated, *report.unchanged}
        report.removed = sorted(set(indexed) - now)
        writer.commit(optimize=False)
    except BaseException:
        with contextlib.suppress(Exception):
            writer.cancel()
        raise
    for names in (report.added, report.updated, report.unchanged):
        names.sort()


# --- Searching: the request and its answer -----------------------------------------------------


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
        pairs += [("organisation", _keywords([v]).lower()) for v in self.organisations]
        return pairs


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


# --- Searching: parsing ------------------------------------------------------------------------


DATE_FIELDS = ("published", "updated")
"""The date fields a query can search: ``published:2021``, ``updated:[2020-06 TO 2021]``."""
_DATE_FORMS = "YYYY, YYYY-MM or YYYY-MM-DD"


def parse_date_bound(text: str, *, end: bool = False) -> dt.date:
    """``2019``, ``2019-06`` or ``2019-06-30`` as a date: the first day of the period, or its last if ``end``.

    Raises ``ValueError`` saying what to write for anything else, a date that does not exist
    (``2019-02-30``, ``2021-13``) included.
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
        raise ValueError(f"{text!r} is not a date; write {_DATE_FORMS}, e.g. 2021-06-30") from None


def date_option(option: str, text: str | None, *, end: bool = False) -> dt.date | None:
    """``--since``/``--until``'s value as a date (see :func:`parse_date_bound`); :class:`QueryError` naming the option."""
    if text is None:
        return None
    try:
        return parse_date_bound(text, end=end)
    except ValueError as exc:
        raise QueryError(f"{option}: {exc}") from None


class _BadValue(ValueError):
    """A date or year in a query that cannot be read; the message says what to write."""


def _period(text: str) -> tuple[dt.datetime, dt.datetime]:
    """The first and last moment of the period a date names (``2019`` is the whole year)."""
    try:
        first, last = parse_date_bound(text), parse_date_bound(text, end=True)
    except ValueError as exc:
        raise _BadValue(str(exc)) from None
    return _as_datetime(first), _as_datetime(last) + dt.timedelta(days=1, microseconds=-1)


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


_KNOWN_FIELDS = {name: name for name in _SCHEMA.names()}
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
        log.debug("query %r: %s", text, _describe(exc))
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


def _filter_query(request: SearchRequest) -> wq.Query | None:
    parts: list[wq.Query] = [wq.Term(name, value) for name, value in request.filters()]
    if request.since or request.until:
        start = _as_datetime(request.since) if request.since else None
        end = _as_datetime(request.until) + dt.timedelta(days=1, microseconds=-1) if request.until else None
        parts.append(wq.DateRange("published", start, end))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


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


def resolve_filters(request: SearchRequest, vocabularies: dict[str, Vocabulary]) -> SearchRequest:
    """The request with every facet, in the query and in the options, named by its slug (a label, in any
    case, names its term); raises :class:`QueryError` for a value that names no term or a reversed date range."""
    options = {"themes": "theme", "settings": "setting", "regions": "region", "commitments": "commitment"}
    changes: dict[str, Any] = {"query": resolve_facets(request.query, vocabularies)}
    for attribute, option in options.items():
        vocabulary = vocabularies.get(FACET_VOCABULARIES[option])
        if vocabulary is None:
            continue
        flag = f"--{option}"
        changes[attribute] = tuple(
            _facet_term(vocabulary, str(value), where=flag, spell=lambda written, flag=flag: f"{flag} {written}").key
            for value in getattr(request, attribute)
        )
    if request.since and request.until and request.since > request.until:
        raise QueryError(f"--since {request.since} is after --until {request.until}; swap them")
    if request.sort not in SORTS:
        raise QueryError(f"--sort: {request.sort!r} is not one of {', '.join(SORTS)}")
    if request.limit < 1:
        raise QueryError("--limit must be at least 1")
    return dataclasses.replace(request, **changes)


# --- Searching: fast phrases and scoring -------------------------------------------------------


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
        log.debug("reading %s lengths per document: %s", fieldname, _describe(exc))
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


# --- Searching: snippets -----------------------------------------------------------------------


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


_FRAGMENTER = highlight.ContextFragmenter(maxchars=240, surround=70)
_SNIPPET_FIELDS = ("summary", "body")


def make_snippet(fieldname: str, text: str, words: frozenset[str]) -> Snippet | None:
    """Whoosh's best fragment of ``text`` around ``words`` (the field's analysed terms), or None."""
    if not text or not words:
        return None
    analyzer = _SCHEMA[fieldname].analyzer
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


# --- Searching: the searcher -------------------------------------------------------------------


def _wanted_leaves(q: wq.Query) -> Iterator[wq.Query]:
    """The query's leaves a hit matched, so not those under a NOT."""
    if isinstance(q, wq.Not):
        return
    if q.is_leaf():
        yield q
        return
    for child in q.children():
        yield from _wanted_leaves(child)


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
        for written in _WORD.findall(reader.stored_fields(docnum).get("body", "")):
            word = written.lower()
            if word[:1] == stem[:1] and _stem(word) == stem:
                counts[word] += 1
    return min(counts, key=lambda w: (_distance(typed, w), -counts[w], w)) if counts else None


class AtlasSearcher:
    """An open index, searched many times: one Whoosh searcher, the cached parser, and per-searcher caches.

    Use it as a context manager, or call :meth:`close`.
    """

    def __init__(self, index_dir: Path, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> None:
        self.index_dir = Path(index_dir)
        with index_lock(self.index_dir, shared=True, timeout=lock_timeout):
            try:
                self._ix = _open_checked(self.index_dir)
                self._weighting = AtlasBM25F()
                self._searcher = self._ix.searcher(weighting=self._weighting)
            except _Damaged as exc:
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
        filters = _filter_query(request)
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
        filters = _filter_query(request)
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
                log.debug("no highlights for %r: %s", leaf, _describe(exc))
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
    request: SearchRequest,
    *,
    index_dir: Path | None = None,
    schema_dir: Path | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> tuple[SearchResults, IndexReport | None, list[str]]:
    """Update the index quietly, then search it: the results, the update's report and any warnings.

    If another process is updating the index, the search runs on the index as
    it is (with a warning). A search that trips over a damaged index rebuilds
    it and runs again.
    """
    index_dir = Path(index_dir) if index_dir is not None else default_index_dir(Path(cases_dir))
    parse_query(request.query)  # a malformed query is reported before any indexing work
    warnings_: list[str] = []
    report: IndexReport | None = None
    try:
        report = update_index(cases_dir, index_dir, schema_dir=schema_dir, lock_timeout=lock_timeout)
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
                raise SearchIndexError(f"{index_dir}: the search index failed twice: {_describe(exc)}") from None
            message = f"{index_dir}: the search index failed ({_describe(exc)}), so it was rebuilt"
            log.warning(message)
            warnings_.append(message)
            report = update_index(cases_dir, index_dir, schema_dir=schema_dir, rebuild=True, lock_timeout=lock_timeout)
    raise AssertionError("unreachable")
