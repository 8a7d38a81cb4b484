"""Files of the caches kept between builds: read without the collector's passes, written whole or not at all."""

from __future__ import annotations

import contextlib
import gc
import os
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
