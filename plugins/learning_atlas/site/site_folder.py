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
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import threading
from pathlib import Path

from learning_atlas.processes.background import lower_priority, make_temp_folder, remove_leftovers

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

    def __init__(self, site: Path) -> None:
        self.site = site
        self.removed = remove_abandoned_staging(site)
        site.parent.mkdir(parents=True, exist_ok=True)
        self.staging = make_temp_folder(STAGING_PURPOSE, site.parent, hidden=True)
        self._deleting: threading.Thread | None = None

    def publish(self) -> None:
        """Put the staged site in place of the old one, keeping the old one's hidden entries."""
        if self.site.is_dir() and not self.site.is_symlink():
            for name in os.listdir(self.site):
                if name.startswith(".") and not (self.staging / name).exists():
                    os.rename(self.site / name, self.staging / name)
            if not _exchange(self.staging, self.site):
                old = make_temp_folder(STAGING_PURPOSE, self.site.parent, hidden=True)
                os.rename(self.site, old / "site")
                os.rename(self.staging, self.site)
                self.staging = old
            self._delete_in_background(self.staging)
        elif self.site.exists() or self.site.is_symlink():
            raise OSError(f"{self.site} is not a folder")
        else:
            os.rename(self.staging, self.site)

    def discard(self) -> None:
        """Remove the staging folder: the build failed, and the site folder stays as it was."""
        shutil.rmtree(self.staging, ignore_errors=True)

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
