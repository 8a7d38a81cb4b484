"""A key of the atlas's own code, for caches kept between builds: new code, new key, nothing stale."""

from __future__ import annotations

import hashlib
import importlib.metadata
import sys
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
LIBRARIES = ("cmarkgfm", "nh3", "markupsafe", "pyyaml", "jsonschema", "python-frontmatter")
"""The libraries whose versions change what a case reads as or renders to."""


@lru_cache(maxsize=1)
def code_key() -> str:
    """A key of every source file of the package, the libraries' versions and Python's."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(sys.version.encode())
    for name in LIBRARIES:
        try:
            digest.update(f"{name}={importlib.metadata.version(name)};".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{name}=;".encode())
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
