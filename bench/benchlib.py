"""Helpers the benchmarks share: medians of interleaved runs, and writing a section of BENCHMARKS.md."""

from __future__ import annotations

import platform
import re
import statistics
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "BENCHMARKS.md"


def timed_rounds(subjects: dict[str, Callable[[], object]], rounds: int) -> dict[str, list[float]]:
    """Run every subject once per round, interleaved so drift on the machine hits them alike."""
    times: dict[str, list[float]] = {name: [] for name in subjects}
    for _ in range(rounds):
        for name, run in subjects.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return times


def median(values: list[float]) -> float:
    return statistics.median(values)


def machine() -> str:
    return f"Python {platform.python_version()} on {platform.machine()}, {platform.system()}"


def write_section(name: str, text: str) -> None:
    """Replace (or append) the section ``name`` of BENCHMARKS.md, between its markers."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{text.rstrip()}\n{end}"
    current = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else (
        "# Benchmarks\n\nEach section is written by the benchmark named in it; "
        "figures are medians of several interleaved runs, as ratios against a baseline measured in the same run.\n"
    )
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
    if pattern.search(current):
        current = pattern.sub(lambda _: block, current)
    else:
        current = current.rstrip() + "\n\n" + block + "\n"
    BENCHMARKS.write_text(current, encoding="utf-8")
