"""Bringing the index up to date: only the cases that changed are checked and indexed again.

:func:`update_index` hashes every case file (the file's bytes with the schema's fingerprint),
compares the hashes with the ``content_hash`` stored in the index, and re-indexes only the cases
that changed; deleted (or now invalid) cases are removed, and a case that cannot be indexed is
reported as the :class:`~learning_atlas.contract.problems.Problem` that keeps it out. The state file
records each file's size and modification time, so an unchanged file is not even read again. A
one-case edit is one small commit that adds a one-document segment and rewrites no big one (small
segments are folded together once there are ten); a full build adds every case through one writer
and one commit. A damaged, half-written or stuck index is rebuilt with a warning, never a crash.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import whoosh
from whoosh import index as whoosh_index
from whoosh.writing import LockError

from learning_atlas.contract.case import Case
from learning_atlas.contract.checker import check_paths
from learning_atlas.contract.loader import CASE_SUFFIX, LoadedCase
from learning_atlas.contract.problems import Problem, Severity
from learning_atlas.contract.schema import CaseSchema
from learning_atlas.search.documents import INDEX_SCHEMA, LAYOUT_VERSION, case_document, content_hash, schema_fingerprint
from learning_atlas.search.errors import IndexDamaged, IndexUsageError, SearchIndexError, describe
from learning_atlas.search.store import (
    DEFAULT_LOCK_TIMEOUT,
    INDEX_NAME,
    WHOOSH_LOCK_TIMEOUT,
    clear_folder,
    index_lock,
    indexed_hashes,
    open_checked,
    prepare_folder,
    read_state,
    write_state,
)

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

SKIPPED = "skipped, not indexed"
"""What ``atlas index`` says of a case it left out, where a problem's severity would be:
``problem.gnu(SKIPPED)`` for each problem of :attr:`IndexReport.skipped`."""

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


# --- Finding what changed ----------------------------------------------------------------------


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


def _state_files(files: Sequence[_CaseFile]) -> dict[str, list]:
    """What the state file keeps of each case file, by slug, for :func:`_scan` to read back:
    ``[size, modification time, inode, content hash]``."""
    return {f.slug: [*f.stat, f.hash] for f in files if f.stat is not None}


# --- Updating ----------------------------------------------------------------------------------


@dataclass
class IndexReport:
    """What an update did: the slugs added, updated, removed and unchanged, and what went wrong."""

    index_dir: Path
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    """One problem for each case left out of the index (printed with ``gnu(SKIPPED)``)."""
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
    index_dir: Path,
    case_schema: CaseSchema,
    *,
    rebuild: bool = False,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    whoosh_lock_timeout: float = WHOOSH_LOCK_TIMEOUT,
    today: dt.date | None = None,
) -> IndexReport:
    """Bring the index of ``cases_dir`` up to date and say what changed.

    ``index_dir`` is the index's folder (:func:`~learning_atlas.search.store.default_index_dir`
    gives the usual one) and ``case_schema`` the loaded schema the cases are checked against.
    Only cases whose content hash changed are checked and indexed again; cases
    deleted (or now invalid) are removed; invalid cases are skipped, each with a
    problem in :attr:`IndexReport.skipped`. A missing, damaged or outdated index
    is built afresh (a damaged or stuck one with a warning). Raises
    :class:`IndexUsageError` for paths that make no sense, :class:`IndexBusyError`
    when another process holds the lock too long, and :class:`SearchIndexError`
    when the folder cannot be written.
    """
    started = time.perf_counter()
    cases_dir = Path(cases_dir)
    if not cases_dir.is_dir():
        raise IndexUsageError(f"{cases_dir}: is not a folder of case studies (expected e.g. 'cases/')")
    index_dir = Path(index_dir)
    report = IndexReport(index_dir=index_dir)
    prepare_folder(index_dir)
    fingerprint = schema_fingerprint(case_schema)
    try:
        with index_lock(index_dir, timeout=lock_timeout):
            prepare_folder(index_dir)  # again, now that nobody else is writing
            _update_locked(cases_dir, index_dir, case_schema, fingerprint, rebuild, whoosh_lock_timeout, today, report)
    except OSError as exc:
        raise SearchIndexError(f"{exc.filename or index_dir}: cannot write the search index: {exc.strerror or exc}") from None
    report.seconds = time.perf_counter() - started
    return report


def _update_locked(
    cases_dir: Path,
    index_dir: Path,
    case_schema: CaseSchema,
    fingerprint: str,
    rebuild: bool,
    whoosh_lock_timeout: float,
    today: dt.date | None,
    report: IndexReport,
) -> None:
    scanned_ns = time.time_ns()
    state = read_state(index_dir)
    files = _scan(cases_dir, state, fingerprint)
    ix = None
    reason = "asked to rebuild it" if rebuild else _outdated(index_dir, state)
    if reason is None:
        try:
            ix = open_checked(index_dir)
            indexed = indexed_hashes(ix)
            if ix.doc_count_all() and ix.doc_count() < (1 - _DELETED_SHARE) * ix.doc_count_all():
                reason = "most of its space held deleted cases"
        except IndexDamaged as exc:  # its folder and state file were there, so this is damage, not a first run
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
            _update_in_place(ix, changed, gone, indexed, case_schema, whoosh_lock_timeout, today, report)
        except IndexDamaged as exc:
            report.warn(f"{index_dir}: the search index could not be updated, so it was rebuilt: {exc}")
            reason = str(exc)
            indexed = {}
            report.added, report.updated, report.removed, report.skipped = [], [], [], []
            report.unchanged = []
    if reason is not None:
        _build_fresh(index_dir, files, indexed, case_schema, today, report)
        report.rebuilt = reason
    write_state(index_dir, _state_files(files), fingerprint, scanned_ns)


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
    files: Sequence[_CaseFile], case_schema: CaseSchema, today: dt.date | None, report: IndexReport
) -> list[tuple[_CaseFile, dict[str, Any] | None]]:
    """Check the files and turn each valid case into its document; invalid ones are noted and given None."""
    if not files:
        return []
    result = check_paths([f.path for f in files], case_schema, today=today)
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
    problem = _skip_problem(file.path, case)
    if problem is not None:
        report.skipped.append(problem)
        return None
    assert case is not None
    try:
        return case_document(Case.from_loaded(case), file.hash)
    except Exception as exc:  # noqa: BLE001 - a case the checker passed but the model cannot read
        report.skipped.append(
            Problem(file.path, 1, 1, Severity.ERROR, "", f"could not be indexed: {describe(exc)}", "index.unindexable")
        )
        return None


def _skip_problem(path: Path, case: LoadedCase | None) -> Problem | None:
    """The problem that keeps a case out of the index, or None when it can be indexed.

    A file the check could not read is ``index.unreadable``; an invalid case is its first error, as the
    check found it (key, place, rule), with how many more it has.
    """
    if case is None:
        return Problem(path, 1, 1, Severity.ERROR, "", "could not be read", "index.unreadable")
    errors = [p for p in case.problems if p.is_error]
    if not errors:
        return None
    first, more = errors[0], len(errors) - 1
    extra = f" (and {more} more error{'s' if more > 1 else ''}: run 'atlas check {path}')" if more else ""
    return Problem(path, first.line, first.column, first.severity, first.key, first.message + extra, first.rule)


def _writer(ix: whoosh_index.FileIndex, timeout: float, *, limitmb: int) -> Any:
    try:
        return ix.writer(procs=1, limitmb=limitmb, timeout=timeout)
    except LockError:
        raise IndexDamaged(
            f"Whoosh's write lock was held for more than {timeout:g} s by a process that is not an atlas command"
        ) from None


def _update_in_place(
    ix: whoosh_index.FileIndex,
    changed: Sequence[_CaseFile],
    gone: Sequence[str],
    indexed: dict[str, str],
    case_schema: CaseSchema,
    whoosh_lock_timeout: float,
    today: dt.date | None,
    report: IndexReport,
) -> None:
    """Re-index the changed cases and delete the gone ones in one small commit that rewrites no big segment."""
    loaded = _load_documents(changed, case_schema, today, report)
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
    except IndexDamaged:
        raise
    except Exception as exc:  # noqa: BLE001 - a write that fails half-way: rebuild rather than crash
        with contextlib.suppress(Exception):
            writer.cancel()
        raise IndexDamaged(f"writing failed ({describe(exc)})") from None
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
    case_schema: CaseSchema,
    today: dt.date | None,
    report: IndexReport,
) -> None:
    """Build the index afresh: clear the folder, then check and add the cases in batches, one commit."""
    clear_folder(index_dir)
    report.added, report.updated, report.removed, report.skipped = [], [], [], []
    report.unchanged = []
    ix = whoosh_index.create_in(str(index_dir), INDEX_SCHEMA, indexname=INDEX_NAME)
    writer = _writer(ix, WHOOSH_LOCK_TIMEOUT, limitmb=256)
    try:
        for start in range(0, len(files), _BUILD_BATCH):
            for file, doc in _load_documents(files[start : start + _BUILD_BATCH], case_schema, today, report):
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
