"""Loaded and checked cases kept between builds of a long-running process (``atlas serve``), by content.

A case is loaded again only when its bytes, the schema or the date have changed: the key is the
file's path and a hash of its bytes, read just before loading and again just after, so a file
saved while it was being read is never cached under the wrong contents.

A full build keeps the cache on disk between builds (:meth:`CaseLoadCache.read`,
:meth:`CaseLoadCache.write`), with the atlas's code in its key
(:func:`~learning_atlas.processes.code_version.code_key`). The file is a pickle: it is only
ever read from the build caches' folder, which a build refuses to use when the repository
tracks it (:mod:`learning_atlas.processes.committed`), so it is written by this machine's
builds alone; one that cannot be read, or was written by other code, is ignored.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Callable, Hashable, Sequence

from learning_atlas.contract.loader import LoadedCase
from learning_atlas.contract.near_duplicates import NearDuplicateFinder
from learning_atlas.processes.cache_files import collector_paused, replace_file
from learning_atlas.processes.code_version import code_key
from learning_atlas.processes.parallel import parallel_map


def file_digest(path: Path) -> str | None:
    """A hash of the file's bytes, or None when it cannot be read (gone, say)."""
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    except OSError:
        return None


class CaseLoadCache:
    """Loaded cases remembered by (path, contents, ``key``) for the life of one process.

    ``key`` stands for everything else a load depends on: the schema's files and the date.
    Only the cases of the last :meth:`load_all` are kept, so memory follows the atlas.
    """

    def __init__(self) -> None:
        self._cases: dict[tuple[str, str, Hashable], LoadedCase] = {}
        self._digests: dict[str, tuple[tuple[int, ...], str]] = {}
        self.near_duplicates = NearDuplicateFinder()
        """The near-duplicate pairs of the last check, kept for the next."""
        self.hits = 0
        self.misses = 0
        self.changed = False
        """Whether the last :meth:`load_all` loaded or dropped a case (the file on disk is then out of date)."""

    @classmethod
    def read(cls, path: Path) -> "CaseLoadCache":
        """The cache a full build wrote to ``path``, or an empty one (none there, damaged, or older code)."""
        try:
            with collector_paused(), open(path, "rb") as file:
                version, cache = pickle.load(file)
            if version == code_key() and isinstance(cache, cls):
                cache.hits = cache.misses = 0
                return cache
        except Exception:  # noqa: BLE001 - any damage makes an empty cache: the build loads every case
            pass
        return cls()

    def write(self, path: Path) -> None:
        """Keep this cache in ``path`` for the next full build, if it changed; a failure only costs time."""
        if self.changed:
            replace_file(path, lambda file: pickle.dump((code_key(), self), file, protocol=pickle.HIGHEST_PROTOCOL),
                         errors=(pickle.PicklingError, RecursionError))

    def _digest(self, path: Path) -> str | None:
        """:func:`file_digest`, read again only when the file's status says it may have changed.

        The status includes the change time (set by any write, in nanoseconds here) and the inode
        (an editor that saves by renaming a new file into place gives a new one).
        """
        try:
            status = os.stat(path)
        except OSError:
            return None
        stamp = (status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)
        known = self._digests.get(str(path))
        if known is not None and known[0] == stamp:
            return known[1]
        digest = file_digest(path)
        if digest is not None:
            self._digests[str(path)] = (stamp, digest)
        return digest

    def load_all(
        self, paths: Sequence[Path], load: Callable[[Path], LoadedCase], *, key: Hashable, jobs: int = 1
    ) -> list[LoadedCase]:
        """``[load(path) for path in paths]``, loading (on ``jobs`` cores) only what is not cached."""
        keys = [(str(path), self._digest(path), key) for path in paths]
        found: dict[int, LoadedCase] = {}
        missing: list[int] = []
        for index, cache_key in enumerate(keys):
            case = self._cases.get(cache_key) if cache_key[1] is not None else None
            if case is None:
                missing.append(index)
            else:
                found[index] = case

        def load_and_digest(path: Path) -> tuple[LoadedCase, str | None]:
            return load(path), file_digest(path)

        fresh = parallel_map(load_and_digest, [paths[i] for i in missing], jobs=jobs)
        kept: dict[tuple[str, str, Hashable], LoadedCase] = {}
        for index, (case, after) in zip(missing, fresh):
            found[index] = case
            if keys[index][1] is not None and after == keys[index][1]:
                kept[keys[index]] = case  # unchanged while it was read
        for index, case in found.items():
            if index not in missing:
                kept[keys[index]] = case
        self.hits += len(paths) - len(missing)
        self.misses += len(missing)
        self.changed = bool(missing) or len(kept) != len(self._cases)
        self._cases = kept
        live = {cache_key[0] for cache_key in keys}
        self._digests = {name: value for name, value in self._digests.items() if name in live}
        return [found[index] for index in range(len(paths))]
