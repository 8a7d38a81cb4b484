"""Files of the caches kept between builds: read without the collector's passes, written whole or not at all,
and removed without ever following a link."""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import tempfile
from pathlib import Path
from typing import IO, Callable, Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No garbage-collector passes while the block reads a cache: it makes a great many objects, none garbage."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def replace_file(path: Path, write: Callable[[IO[bytes]], None], *, errors: tuple[type[BaseException], ...] = ()) -> bool:
    """Write ``path`` whole through ``write(file)`` into a temporary file renamed over it; False if that failed.

    A cache that cannot be written only makes the next build slower, so OSError (and ``errors``)
    give False, with the temporary file removed; the file at ``path`` is then as it was.
    """
    name = ""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
        with os.fdopen(handle, "wb") as file:
            write(file)
        os.replace(name, path)
        return True
    except (OSError, *errors):
        if name:
            with contextlib.suppress(OSError):
                os.unlink(name)
        return False


def remove_entry(path: Path) -> None:
    """Remove what is at ``path``: a real folder with all it holds, or a file or link (never what a link
    points to); nothing there is no error, and a folder's files that cannot be removed are left."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
