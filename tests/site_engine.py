"""The one way tests and benchmarks run the site engine: MkDocs, or ProperDocs (its fork of 1.6).

Both are run as ``python -m ENGINE`` with this interpreter, so the engine is the one installed
beside the atlas. The default is MkDocs; ``ATLAS_ENGINE=properdocs`` (``make ENGINE=properdocs
test``) makes it ProperDocs. The engines' notices about MkDocs 2.0 are turned off: Material's
(``NO_MKDOCS_2_WARNING``) and ProperDocs' (``DISABLE_MKDOCS_2_WARNING``), printed on stderr where
tests read the build's own messages.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ENGINES = ("mkdocs", "properdocs")
"""The engines the atlas is built and tested with."""


def default_engine() -> str:
    """The engine named by ``ATLAS_ENGINE``, MkDocs when it is unset."""
    engine = os.environ.get("ATLAS_ENGINE") or "mkdocs"
    if engine not in ENGINES:
        raise ValueError(f"ATLAS_ENGINE={engine!r} is not one of {', '.join(ENGINES)}")
    return engine


def engine_environment(base: Mapping[str, str] | None = None, **extra: str) -> dict[str, str]:
    """``base`` (default: this process's environment) and ``extra``, with the MkDocs 2.0 notices off."""
    return {
        **(os.environ if base is None else base),
        "NO_MKDOCS_2_WARNING": "1",
        "DISABLE_MKDOCS_2_WARNING": "true",
        **extra,
    }


def engine_command(*args: str, engine: str | None = None) -> list[str]:
    """The command line running ``engine`` (default: :func:`default_engine`) with ``args``."""
    engine = engine or default_engine()
    if engine not in ENGINES:
        raise ValueError(f"{engine!r} is not one of {', '.join(ENGINES)}")
    return [sys.executable, "-m", engine, *args]


def build_command(config: Path, site: Path, *extra: str, engine: str | None = None) -> list[str]:
    """``ENGINE build -f CONFIG -d SITE EXTRA...``."""
    return engine_command("build", "-f", str(config), "-d", str(site), *extra, engine=engine)


def build_site(
    config: Path, site: Path, *extra: str, engine: str | None = None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Build the site of ``config`` into ``site`` from ``config``'s folder; output captured as text.

    ``extra`` are more options (``--strict``); ``env`` is the environment before
    :func:`engine_environment` turns the notices off.
    """
    return subprocess.run(
        build_command(config, site, *extra, engine=engine),
        capture_output=True, text=True, cwd=config.parent, env=engine_environment(env),
    )
