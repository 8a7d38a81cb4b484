"""The site folder changes only when a build succeeds: the build writes into a staging folder beside it.

MkDocs empties ``site/`` and writes the new site into it; a build that fails
part-way (an invalid case, a warning under ``--strict``, a crash) would leave
half a site. :class:`StagedSite` gives MkDocs a fresh hidden folder beside the
site folder instead; when the build has succeeded, :meth:`StagedSite.publish`
swaps the two in one step (``renameat2(RENAME_EXCHANGE)`` on Linux, two renames
elsewhere), keeps the old site's hidden entries (a ``.git`` of a deployment, as
MkDocs keeps them) and deletes the old site in the background. On failure
:meth:`StagedSite.discard` removes the staging folder and ``site/`` is as it
was. Staging folders left by a build that was killed are removed by the next.

Given a ``spare`` folder (in the build caches), the site a build replaces is kept there
instead of deleted, and the next build writes over its files (:meth:`StagedSite.carry_over`):
a file written again keeps its inode, where deleting a site and making every file and folder
anew costs the file system far more (on ext4 without a journal, each new inode is looked for
past every inode deleted in the last minutes, so a build after a larger one crawled). Only
what the build writes again is carried: the rest is removed first, and a carried file the
build did not write after all is removed before the site is published, so the site is
exactly what a build into an empty folder gives.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import stat
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from learning_atlas.processes.background import lower_priority, make_temp_folder, remove_leftovers
from learning_atlas.processes.cache_files import remove_entry

STAGING_PURPOSE = "build"
"""The word in a staging folder's name: ``.atlas-build-<pid>-<start time>-<pid namespace>-<random>``."""

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def remove_abandoned_staging(site: Path) -> list[Path]:
    """Remove staging folders beside ``site`` left by builds that were killed; return what was removed."""
    return [path for path in remove_leftovers([site.parent]) if path.name.startswith(f".atlas-{STAGING_PURPOSE}-")]


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step where the system can (Linux 3.15+, glibc 2.28+); False if it cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


class StagedSite:
    """A build written into a staging folder beside the site folder, put in place only on success."""

    def __init__(self, site: Path, spare: Path | None = None) -> None:
        self.site = site
        self.spare = spare if spare is None or not _overlap(site, spare) else None  # never the site itself
        self.removed = remove_abandoned_staging(site)
        site.parent.mkdir(parents=True, exist_ok=True)
        self.staging = make_temp_folder(STAGING_PURPOSE, site.parent, hidden=True)
        self._deleting: threading.Thread | None = None
        self._carried: dict[str, tuple[int, int]] = {}  # path: (inode, change time) when carried over

    def carry_over(self, will_write: Iterable[str]) -> int:
        """Make the spare site the staging folder, keeping only the files at ``will_write`` that can be written over.

        ``will_write`` are the site paths (``cases/a/index.html``) the build is about to write;
        call this while the staging folder is still empty. A file is kept only if it is a regular,
        non-empty file with no other link, this user's, with the mode a new file gets, and older
        than the carrying; a folder only if it is this user's with a new folder's mode. Everything
        else (another file, a link, a folder where a file will be) is removed now, so the build
        never writes through a link nor trips over a folder, and the site has the modes a build
        into an empty folder gives. Returns how many files were carried over; 0 when there is no
        spare or it cannot be used (another file system, another build took it). Raises OSError
        only if the staging folder could not be made empty again after a failure.
        """
        if self.spare is None:
            return 0
        try:
            if os.listdir(self.staging):
                return 0
            os.rename(self.spare, self.staging)  # in place of the empty staging folder; a link or a file is refused
        except OSError:
            return 0
        files = set(will_write)
        folders = {parent for path in files for parent in _parents(path)}
        mask = _umask()
        keep = _Keep(files, folders, os.getuid(), 0o666 & ~mask, 0o777 & ~mask, _change_time_now(self.staging))
        try:
            for name in os.listdir(self.staging):
                self._prune(name, keep)
        except OSError:
            self._clear()
            return 0
        return len(self._carried)

    def _prune(self, path: str, keep: "_Keep") -> None:
        full = os.path.join(self.staging, path)
        info = os.lstat(full)
        if stat.S_ISDIR(info.st_mode):
            if path in keep.folders and info.st_uid == keep.owner and stat.S_IMODE(info.st_mode) == keep.folder_mode:
                for name in os.listdir(full):
                    self._prune(f"{path}/{name}", keep)
            else:
                shutil.rmtree(full)
        elif (path in keep.files and stat.S_ISREG(info.st_mode) and info.st_nlink == 1 and info.st_size > 0
              and info.st_uid == keep.owner and stat.S_IMODE(info.st_mode) == keep.file_mode
              and info.st_ctime_ns < keep.before):
            self._carried[path] = (info.st_ino, info.st_ctime_ns)
        else:  # not written again, or not a plain file of its own (a link: never written through)
            os.unlink(full)

    def _clear(self) -> None:
        """Empty the staging folder again (a carry-over that failed part-way); OSError if it cannot be."""
        self._carried.clear()
        for name in os.listdir(self.staging):
            remove_entry(self.staging / name)
        if os.listdir(self.staging):
            raise OSError(f"{self.staging}: the last site's files could not be removed from the staging folder")

    def _remove_unwritten(self) -> None:
        """Remove the carried files the build did not write after all.

        Writing a file changes its change time, so one the build did not write still has the
        inode and change time it was carried with (only files changed before the carrying, as
        the file system tells times, were carried)."""
        carried, self._carried = self._carried, {}
        for path, (inode, changed) in carried.items():
            full = os.path.join(self.staging, path)
            try:
                info = os.lstat(full)
            except OSError:
                continue
            if info.st_ino == inode and info.st_ctime_ns == changed:
                os.unlink(full)
                _remove_empty_parents(self.staging, path)

    def publish(self) -> None:
        """Put the staged site in place of the old one, keeping the old one's hidden entries.

        The old site becomes the spare of the next build, if there is a spare folder."""
        self._remove_unwritten()
        if self.site.is_dir() and not self.site.is_symlink():
            for name in os.listdir(self.site):
                if name.startswith(".") and not (self.staging / name).exists():
                    os.rename(self.site / name, self.staging / name)
            if _exchange(self.staging, self.site):
                old_site, holder = self.staging, self.staging
            else:
                holder = make_temp_folder(STAGING_PURPOSE, self.site.parent, hidden=True)
                os.rename(self.site, holder / "site")
                os.rename(self.staging, self.site)
                old_site = holder / "site"
            self.staging = holder
            if not self._keep_as_spare(old_site):
                self._delete_in_background(holder)
            elif holder != old_site:
                os.rmdir(holder)
        elif self.site.exists() or self.site.is_symlink():
            raise OSError(f"{self.site} is not a folder")
        else:
            os.rename(self.staging, self.site)

    def discard(self) -> None:
        """Remove the staging folder: the build failed, and the site folder stays as it was."""
        shutil.rmtree(self.staging, ignore_errors=True)

    def _keep_as_spare(self, old_site: Path) -> bool:
        """Keep the old site as the spare, if there is a spare folder and no spare yet; False if not kept."""
        if self.spare is None or os.path.lexists(self.spare):
            return False
        try:
            self.spare.parent.mkdir(parents=True, exist_ok=True)
            os.rename(old_site, self.spare)
            return True
        except OSError:
            return False

    def _delete_in_background(self, folder: Path) -> None:
        def delete() -> None:
            lower_priority()
            shutil.rmtree(folder, ignore_errors=True)

        # Not a daemon: the process waits for it before exiting, so nothing is left behind.
        self._deleting = threading.Thread(target=delete, name="atlas-remove-old-site")
        self._deleting.start()

    def wait(self) -> None:
        """Wait until the old site is gone (tests; the process waits for it anyway)."""
        if self._deleting is not None:
            self._deleting.join()


def write_over(path: str, data: bytes) -> None:
    """Make the file at ``path`` hold exactly ``data``, writing over a file already there in place.

    For the files the build writes itself into a site folder, most of them carried over from the
    last site (:meth:`StagedSite.carry_over`) and most of those unchanged. A file that already holds
    ``data`` is only touched (its change time then says the build wrote it), so nothing is written
    to the disk again; any other is written from its start and cut to length after. Not emptied
    first, as ``open(path, "wb")`` would: ext4 writes a file emptied and written again out to the
    disk as soon as it is closed, one file at a time. Never through a link (``O_NOFOLLOW``).
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    try:
        size = os.fstat(fd).st_size
        if size == len(data) and _read_all(fd, size) == data:
            os.utime(fd)
            return
        view = memoryview(data)
        offset = 0
        while offset < len(view):
            offset += os.pwrite(fd, view[offset:], offset)
        if size > len(data):
            os.ftruncate(fd, len(data))
    finally:
        os.close(fd)


def _read_all(fd: int, size: int) -> bytes:
    chunks = []
    offset = 0
    while offset < size:
        chunk = os.pread(fd, size - offset, offset)
        if not chunk:
            break
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def _overlap(one: Path, other: Path) -> bool:
    """Whether one of the two folders is, or holds, the other."""
    a, b = one.resolve(), other.resolve()
    return a == b or a in b.parents or b in a.parents


def _parents(path: str) -> list[str]:
    """The folders ``path`` lies in: ``a``, ``a/b`` for ``a/b/c.html``."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


class _Keep(NamedTuple):
    """What :meth:`StagedSite.carry_over` keeps of the spare site."""

    files: set[str]
    folders: set[str]
    owner: int
    file_mode: int
    folder_mode: int
    before: int  # files changed since (as the file system tells times) are not carried


def _umask() -> int:
    """This process's umask, read without changing it (Linux), else set and put back."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _change_time_now(folder: Path) -> int:
    """The change time the file system gives a file written now (its clock, its precision)."""
    fd, name = tempfile.mkstemp(prefix=".atlas-now-", dir=folder)
    try:
        os.write(fd, b"now")
        return os.fstat(fd).st_ctime_ns
    finally:
        os.close(fd)
        os.unlink(name)


def _remove_empty_parents(root: Path, path: str) -> None:
    for parent in reversed(_parents(path)):
        try:
            os.rmdir(os.path.join(root, parent))
        except OSError:
            return
