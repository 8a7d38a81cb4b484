"""Running mkdocs for the site tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_mkdocs(config: Path, site: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(config), "-d", str(site), *extra],
        capture_output=True, text=True, env=env, cwd=config.parent,
    )
