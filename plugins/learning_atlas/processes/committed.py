"""Whether a build cache was committed to the repository, where a pull request could have written it.

The atlas keeps caches of this machine's builds (the search index, Pagefind's indexes) in
folders that ``.gitignore`` leaves out. Anyone can open a pull request, and a pull request
can add ignored files all the same (``git add --force``): a cache that comes from the
repository may have been made by anyone, so a build refuses to use it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def committed_files(folder: Path) -> list[str]:
    """Files in ``folder`` that its git repository tracks; none outside a repository or without git."""
    folder = folder.resolve()
    where = folder
    while not where.is_dir() and where != where.parent:
        where = where.parent
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        done = subprocess.run(
            ["git", "-C", str(where), "ls-files", "-z", "--full-name", "--", str(folder)],
            capture_output=True, env=env, check=False, timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    if done.returncode != 0:
        return []
    return [name for name in done.stdout.decode("utf-8", "replace").split("\0") if name]
