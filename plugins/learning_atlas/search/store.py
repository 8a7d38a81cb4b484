"""The index's cache folder: where it is, its state file, its lock, and opening it whole or not at all.

The folder (by default ``.atlas/index`` beside ``cases/``) holds only the Whoosh files and the state
file, so it can be cleared for a rebuild; it is a cache, never the source of truth. Every write
happens under an exclusive ``flock`` on ``<index>.lock`` next to the folder, so two processes never
write at once, and a reader opens the index under a shared one.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import whoosh
from whoosh import index as whoosh_index

from learning_atlas.processes.cache_files import remove_entry
from learning_atlas.search.documents import INDEX_SCHEMA, LAYOUT_VERSION
from learning_atlas.search.errors import IndexBusyError, IndexDamaged, IndexUsageError, SearchIndexError, describe

DEFAULT_INDEX_DIR = Path(".atlas") / "index"
"""Where the index lives, relative to the project root (the folder that holds ``cases/``)."""

STATE_FILE = "atlas-index.json"
INDEX_NAME = "MAIN"
DEFAULT_LOCK_TIMEOUT = 120.0
"""Seconds to wait for another process's update (a full build of 5,000 cases took about 20 s here)."""
WHOOSH_LOCK_TIMEOUT = 5.0
"""Seconds to wait for Whoosh's own write lock, which only a stuck foreign process can hold."""

_WHOOSH_FILE = re.compile(rf"^(_?{INDEX_NAME}_.*|{INDEX_NAME}\.tmp.*)$")
"""What Whoosh writes in the folder: ``_MAIN_<n>.toc``, ``MAIN_<id>.seg``, ``MAIN_WRITELOCK``, ``MAIN.tmp``."""


def default_index_dir(cases_dir: Path) -> Path:
    """``.atlas/index`` in the project root, the folder that holds ``cases_dir``."""
    return cases_dir.resolve().parent / DEFAULT_INDEX_DIR


# --- The state file -----------------------------------------------------------------------------


def _state_path(index_dir: Path) -> Path:
    return index_dir / STATE_FILE


def read_state(index_dir: Path) -> dict[str, Any] | None:
    """The state file's contents, or None when it is missing or unreadable."""
    try:
        data = json.loads(_state_path(index_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def write_state(index_dir: Path, files: dict[str, list], fingerprint: str, scanned_ns: int) -> None:
    """Write the state file atomically (a temporary file renamed over it): the layout's and Whoosh's
    versions, the schema's fingerprint, when the cases were scanned, and ``files`` (what the update
    knows of each case file, by slug)."""
    state = {
        "layout": LAYOUT_VERSION,
        "whoosh": whoosh.versionstring(),
        "fingerprint": fingerprint,
        "scanned_ns": scanned_ns,
        "files": files,
    }
    target = _state_path(index_dir)
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(state, separators=(",", ":")), encoding="utf-8")
    os.replace(temporary, target)


# --- The lock -------------------------------------------------------------------------------------


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


# --- The folder and opening the index -------------------------------------------------------------


def _is_index_folder(index_dir: Path) -> bool:
    """True when the folder is empty or holds only what an atlas index holds (so it may be cleared)."""
    names = [entry.name for entry in index_dir.iterdir()]
    return all(name == STATE_FILE or name.startswith(STATE_FILE + ".") or _WHOOSH_FILE.match(name) for name in names)


def prepare_folder(index_dir: Path) -> None:
    """Refuse an index path that is a file or a folder of other things: a rebuild would delete them."""
    if index_dir.exists() and not index_dir.is_dir():
        raise IndexUsageError(f"{index_dir}: is a file, not a folder; give a folder for the search index")
    if index_dir.is_dir() and not _is_index_folder(index_dir):
        raise IndexUsageError(
            f"{index_dir}: holds files that are not a search index; give an empty or new folder for the index "
            "(it is rebuilt at will, so it must hold nothing else)"
        )


def clear_folder(index_dir: Path) -> None:
    """Empty the index folder (it holds only index files: see :func:`prepare_folder`)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    for entry in index_dir.iterdir():
        remove_entry(entry)


def open_checked(index_dir: Path) -> whoosh_index.FileIndex:
    """Open the index and read enough of it to know it is whole; raises :class:`IndexDamaged` if not."""
    try:
        if not whoosh_index.exists_in(str(index_dir), indexname=INDEX_NAME):
            raise IndexDamaged("its table of contents is missing")
        ix = whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME, schema=INDEX_SCHEMA)
        with ix.reader() as reader:
            reader.doc_count_all()
            _probe(reader)
    except IndexDamaged:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a damaged file raises, the cure is a rebuild
        raise IndexDamaged(f"it could not be read ({describe(exc)})") from None
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


def indexed_hashes(ix: whoosh_index.FileIndex) -> dict[str, str]:
    """Slug to content hash of every live document, read from the two columns (no stored fields)."""
    with ix.reader() as reader:
        slugs = list(reader.column_reader("slug", translate=False))
        hashes = list(reader.column_reader("content_hash", translate=False))
        return {slugs[d].decode("utf-8"): hashes[d].decode("ascii") for d in reader.all_doc_ids()}
