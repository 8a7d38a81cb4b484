"""Running ``atlas serve`` in tests: a copy of the sample atlas, the server on a free port, waiting."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Iterator
import urllib.error
import urllib.request

from site_engine import default_engine, engine_environment

ROOT = Path(__file__).resolve().parents[1]


def copy_sample_atlas(root: Path) -> Path:
    """The sample atlas's sources (mkdocs.yml, docs, cases, schemas) copied into ``root``."""
    root.mkdir(parents=True)
    for name in ("mkdocs.yml", "CONTRIBUTING.md"):
        shutil.copy(ROOT / name, root / name)
    for name in ("docs", "cases", "schemas"):
        shutil.copytree(ROOT / name, root / name)
    return root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    """The status and text of ``url`` (0 when nothing answers)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except OSError:
        return 0, ""


def wait_until(condition: Callable[[], bool], timeout: float = 90.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@contextlib.contextmanager
def atlas_serve(root: Path, log: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """``atlas serve`` of ``root``'s mkdocs.yml on a free port, its output in ``log``: (base address, process)."""
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "learning_atlas.mkdocs_plugin.serve", "-f", str(root / "mkdocs.yml"),
             "-a", f"127.0.0.1:{port}", "--engine", default_engine()],
            stdout=out, stderr=subprocess.STDOUT, cwd=root, env=engine_environment(),
        )
    base = f"http://127.0.0.1:{port}/atlas/"
    try:
        wait_until(lambda: "Serving on" in log.read_text() and get(base)[0] == 200, 300, "the server to start")
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
