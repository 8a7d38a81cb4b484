"""Emptying the site folder without making the build wait.

A site generator empties its output folder before each build; for an atlas of
thousands of case pages and a search index of thousands of chunks that is a few
thousand file deletions, over a second on some disks. :class:`FolderEmptying`
moves the folder's entries into a hidden folder inside it at once (a rename each)
and deletes them in a thread while the new site is built.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path

from .background import lower_priority

TRASH_PREFIX = ".atlas-old-"
"""Hidden folders of a previous build's files, inside the site folder, being deleted."""


class FolderEmptying:
    """The entries of a folder moved aside and being deleted in the background."""

    def __init__(self, trash: Path) -> None:
        self.trash = trash
        self._thread = threading.Thread(target=self._delete, name="atlas-empty-site", daemon=True)
        self._thread.start()

    @classmethod
    def start(cls, folder: Path) -> "FolderEmptying | None":
        """Move ``folder``'s visible entries (and any trash a stopped build left) aside and start deleting them.

        Hidden entries other than old trash are kept, as MkDocs keeps them (a ``.git``
        of a deployment, say). Returns None when there was nothing to move or the folder
        cannot be written: whatever is left is then emptied the usual way.
        """
        try:
            entries = [e for e in os.listdir(folder) if not e.startswith(".") or e.startswith(TRASH_PREFIX)]
        except OSError:
            return None
        if not entries:
            return None
        try:
            trash = Path(tempfile.mkdtemp(prefix=TRASH_PREFIX, dir=folder))
        except OSError:
            return None
        for entry in entries:
            try:
                os.rename(folder / entry, trash / entry)
            except OSError:
                pass  # left in place, for the usual emptying
        return cls(trash)

    def _delete(self) -> None:
        lower_priority()
        shutil.rmtree(self.trash, ignore_errors=True)

    def wait(self) -> None:
        """Wait until the old files are gone."""
        self._thread.join()
