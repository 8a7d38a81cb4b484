"""Benchmark: building an atlas whose cases carry measures over time, against the same cases without them.

Baseline: 1,000 synthetic cases (``bench/synthetic.py``), each with one more measure, a single
figure. Subject: the same 1,000 cases, that measure carrying a 36-point monthly series (a run
chart or an SPC chart, the change a third of the way in), so each case page draws a chart,
says what it shows and tabulates its data, and the open data and Explore carry its signal.
Each build is a fresh ``mkdocs build`` process (ProperDocs' with ``ATLAS_ENGINE=properdocs``),
timed on the wall clock and in CPU seconds (the build's and its workers', as the kernel counts
them for the finished process tree); rounds are interleaved, and each subject build is divided by
the baseline built just before it.

Target: the median of those paired ratios at most 1.1, on the wall clock; the CPU seconds are
given beside it, because on a machine shared with other work the wall clock mostly measures the
other work (a round's two builds can differ fivefold), while the CPU seconds count only the
build's own. Writes its section of BENCHMARKS.md.

Usage: python bench/charts_bench.py [--rounds 5] [--cases 1000]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent / "tests")]
from benchlib import machine, median, write_section  # noqa: E402
from site_bench import make_atlas  # noqa: E402
from site_engine import build_command, default_engine, engine_environment  # noqa: E402
from synthetic import generate  # noqa: E402

TARGET = 1.1


def build(config: Path, site: Path) -> tuple[float, float]:
    """Wall-clock seconds and CPU seconds (user and system, with every process it waited for) of one build."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(build_command(config, site, "-q"), capture_output=True, text=True, env=engine_environment())
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"build of {config} failed:\n{done.stderr[-3000:]}")
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cases", type=int, default=1000)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        generate(tmp / "cases-plain", args.cases, series=False)
        generate(tmp / "cases-series", args.cases, series=True)
        configs = {
            "without": make_atlas(tmp / "without", tmp / "cases-plain"),
            "with": make_atlas(tmp / "with", tmp / "cases-series"),
        }
        for name, config in configs.items():  # untimed: the disk cache, and each atlas's search index
            build(config, tmp / f"site-{name}")
        charts = len(list((tmp / "site-with" / "cases").glob("*/index.html")))
        sample = next((tmp / "site-with" / "cases").glob("*/index.html")).read_text(encoding="utf-8")
        assert 'class="atlas-chart__svg"' in sample, "the subject's case pages draw no chart"
        times: dict[str, list[float]] = {name: [] for name in configs}
        cpu: dict[str, list[float]] = {name: [] for name in configs}
        for _ in range(args.rounds):
            for name, config in configs.items():
                seconds, cpu_seconds = build(config, tmp / f"site-{name}")
                times[name].append(seconds)
                cpu[name].append(cpu_seconds)
    load_after = os.getloadavg()
    paired = median([w / b for w, b in zip(times["with"], times["without"])])
    paired_cpu = median([w / b for w, b in zip(cpu["with"], cpu["without"])])
    base, subject = median(times["without"]), median(times["with"])
    result = "meets" if paired <= TARGET else "MISSES"
    text = (
        f"## Measures over time: charts on {args.cases:,} case pages\n\n"
        f"Written by `bench/charts_bench.py`; {machine()}; fresh `{default_engine()} build` processes, "
        f"{args.rounds} interleaved rounds, after one untimed build of each. Baseline: {args.cases:,} synthetic "
        "cases, each with one more measure as a single figure. Subject: the same cases, that measure with a "
        f"36-point monthly series ({charts:,} case pages, each with its chart, sentence and data table). Each "
        "subject build is divided by the baseline built just before it; the target is on the median of those "
        f"paired ratios (the ratio of the two medians is {subject / base:.2f}). Load average (1, 5, 15 min) before "
        f"{', '.join(f'{x:.1f}' for x in load_before)}, after {', '.join(f'{x:.1f}' for x in load_after)} "
        f"({os.cpu_count()} cores).\n\n"
        "Rounds (without / with series; wall-clock s, CPU s): "
        + ", ".join(f"{b:.1f} / {w:.1f} ({cb:.1f} / {cw:.1f})"
                    for b, w, cb, cw in zip(times["without"], times["with"], cpu["without"], cpu["with"])) + ".\n\n"
        "| figure | value | target | result |\n|---|---|---|---|\n"
        f"| with series / without, wall clock (median of paired rounds) | **{paired:.2f}** | at most {TARGET:g} | {result} |\n"
        f"| with series / without, CPU seconds (median of paired rounds) | {paired_cpu:.2f} | | |\n"
        f"| median build without series | {base:.1f} s ({median(cpu['without']):.1f} CPU s) | | |\n"
        f"| median build with series | {subject:.1f} s ({median(cpu['with']):.1f} CPU s) | | |\n"
    )
    write_section("charts_bench", text)
    print(text)
    return 0 if paired <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
