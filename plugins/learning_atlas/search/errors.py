"""The search package's errors: what a caller of the index and of ``atlas search`` must deal with.

Every message is plain English and says what to do. :class:`IndexDamaged` is the package's own: an
update answers it with a rebuild and the searcher with a :class:`SearchIndexError`, so it never
reaches a caller.
"""

from __future__ import annotations


class SearchIndexError(Exception):
    """The index cannot be built or opened for a reason the user must deal with (message in plain English)."""


class IndexUsageError(SearchIndexError):
    """The paths given do not make sense (no cases folder, an index folder full of other files)."""


class IndexBusyError(SearchIndexError):
    """Another process held the index's lock for longer than the timeout."""


class QueryError(ValueError):
    """A search that cannot be run as written; the message says what to change."""


class IndexDamaged(Exception):
    """The index on disk cannot be used and must be rebuilt (carries the reason). Never leaves the package."""


def describe(exc: BaseException) -> str:
    """An exception as a short note: its type and the first line of its message."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
