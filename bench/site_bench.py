"""Benchmark: building the atlas against bare mkdocs-material building the same case pages.

Baseline: every synthetic case rendered as a plain Markdown page (title,
summary, the sections under their headings, the body) in ``docs/cases/``,
built by bare mkdocs-material with the pages kept out of the nav. Subject: the
atlas plugin building the same cases (case pages, listings, explore, feeds,
open data). Each build is a fresh ``mkdocs build`` process (ProperDocs' with
``ATLAS_ENGINE=properdocs``), timed on the wall clock, its peak memory read by
GNU time; rounds are interleaved.

Targets (issue 14): atlas at 1,000 cases at most 0.8x the baseline (the median
of the ratios of each round's atlas build to the baseline built just before it,
after one untimed build of each, so the atlas's caches in ``.atlas/`` are up to
date, as on an editor's machine after the first build); 5,000 cases at most 5x
the atlas at 1,000 (both with their caches; paired by round in the same way); peak memory at 5,000 under 1 GiB
(the first build, which makes the caches, included); a case page's own HTML
under 60 KB. For comparison it also times the first build on a fresh clone
(``.atlas/`` removed before each such round): the search index, key terms and
Pagefind's index all made from nothing. Writes its section of BENCHMARKS.md.

Usage: python bench/site_bench.py [--small-rounds 7] [--rounds 3] [--cold-rounds 3] [--large 5000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent / "tests")]  # tests/site_engine.py runs the engine for both
from benchlib import ROOT, machine, median, write_section  # noqa: E402
from site_engine import build_command, default_engine, engine_environment  # noqa: E402
from synthetic import generate  # noqa: E402

SECTION_HEADINGS = [
    ("leading_change", "Leading change"), ("where_to_look", "Where to look"), ("what_to_change", "What to change"),
    ("how_to_change", "How to change"), ("challenges", "Challenges and lessons learnt for implementation"),
]


def plain_markdown(case_file: Path) -> str:
    """The case as an ordinary Markdown page, as a site without our plugin would hold it."""
    _, fm, body = case_file.read_text(encoding="utf-8").split("---\n", 2)
    data = yaml.load(fm, Loader=yaml.CSafeLoader)
    parts = [f"# {data['title']}", data["summary"], "Organisations: " + "; ".join(data["organisations"])]
    for key, heading in SECTION_HEADINGS[:4]:
        if key in data:
            parts += [f"## {heading}", data[key]]
    parts.append("## Adding value")
    for key, value in data["adding_value"].items():
        parts += [f"### {key.replace('_', ' ').capitalize()}", value]
    if "challenges" in data:
        parts += ["## Challenges and lessons learnt for implementation", data["challenges"]]
    parts += ["## Find out more", f"Contact: {data['contact']['name']}, {data['contact']['email']}", body]
    return "\n\n".join(parts)


def make_baseline(root: Path, cases: list[Path]) -> Path:
    docs = root / "docs"
    (docs / "cases").mkdir(parents=True)
    (docs / "index.md").write_text("# Baseline\n\nThe same case pages, bare Material.\n")
    for case in cases:
        (docs / "cases" / case.name).write_text(plain_markdown(case), encoding="utf-8")
    config = root / "mkdocs.yml"
    config.write_text(
        "site_name: Baseline\nsite_url: https://example.org/\ntheme:\n  name: material\n"
        "nav:\n  - Home: index.md\nnot_in_nav: |\n  /cases/\nplugins:\n  - search\n"
    )
    return config


def make_atlas(root: Path, cases_dir: Path) -> Path:
    docs = root / "docs"
    docs.mkdir(parents=True)
    (docs / "index.md").write_text("---\ntemplate: atlas/home.html\n---\n\n# Atlas\n\nThe atlas.\n")
    config = root / "mkdocs.yml"
    config.write_text(
        "site_name: Atlas\nsite_url: https://example.org/\ntheme:\n  name: material\n"
        "nav:\n  - Home: index.md\n  - Explore: explore/index.md\n  - Themes: themes/index.md\n"
        f"plugins:\n  - search\n  - atlas:\n      cases_dir: {cases_dir}\n      schemas_dir: {ROOT / 'schemas'}\n"
    )
    return config


def build(config: Path, site: Path) -> tuple[float, int]:
    """Seconds and peak KiB of one build by the engine (``mkdocs build``, or ``ATLAS_ENGINE``'s)."""
    start = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *build_command(config, site, "-q")],
        capture_output=True, text=True, env=engine_environment(),
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"build of {config} failed:\n{done.stderr[-3000:]}")
    return seconds, int(done.stderr.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the large atlas")
    parser.add_argument("--small-rounds", type=int, default=7, help="rounds of the baseline and small atlas")
    parser.add_argument("--cold-rounds", type=int, default=3, help="rounds of the small atlas without its caches")
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=5000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        small_cases = generate(tmp / "cases-small", args.small)
        large_cases = generate(tmp / "cases-large", args.large, seed=2)
        configs = {
            "baseline": make_baseline(tmp / "baseline", small_cases),
            "atlas": make_atlas(tmp / "atlas", tmp / "cases-small"),
            "atlas-large": make_atlas(tmp / "atlas-large", tmp / "cases-large"),
            "atlas-cold": make_atlas(tmp / "atlas-cold", tmp / "cases-small"),
        }
        rounds = {"baseline": args.small_rounds, "atlas": args.small_rounds, "atlas-large": args.rounds,
                  "atlas-cold": args.cold_rounds}
        load_before = os.getloadavg()
        del large_cases
        times: dict[str, list[float]] = {name: [] for name in configs}
        peaks: dict[str, int] = {name: 0 for name in configs}
        for name in ("baseline", "atlas", "atlas-large"):  # untimed: the disk cache, and the atlases' caches
            _, peak = build(configs[name], tmp / f"site-{name}")
            peaks[name] = peak  # a first build's memory counts too: it makes every cache
        cold_base: list[float] = []  # the baseline built just before each cold round
        large_small: list[float] = []  # the 1,000-case atlas built in the same round as each large one
        total = max(rounds.values())
        # The rounds of the large and the cold atlas are spread over the run, not bunched at its start
        # (where the cold builds' writes to disk slowed every build after them).
        spread = {name: {int(i * total / count) for i in range(count)} for name, count in rounds.items()}
        for round_number in range(total):
            for name, config in configs.items():
                if round_number not in spread[name]:
                    continue
                if name == "atlas-cold":
                    shutil.rmtree(config.parent / ".atlas", ignore_errors=True)
                    cold_base.append(times["baseline"][-1])
                if name == "atlas-large":
                    large_small.append(times["atlas"][-1])
                seconds, peak = build(config, tmp / f"site-{name}")
                times[name].append(seconds)
                peaks[name] = max(peaks[name], peak)
        pages = sorted((tmp / "site-atlas-large" / "cases").glob("*/index.html"))
        page_sizes = sorted(p.stat().st_size for p in pages)
        load_after = os.getloadavg()
    base, small, large, cold = (median(times[n]) for n in ("baseline", "atlas", "atlas-large", "atlas-cold"))
    # Each atlas build is paired with the baseline built just before it: this machine's
    # speed drifts by 20-40% over minutes, and a pair sees the same drift.
    paired = median([a / b for a, b in zip(times["atlas"], times["baseline"])])
    large_paired = median([a / b for a, b in zip(times["atlas-large"], large_small)])
    cold_paired = median([a / b for a, b in zip(times["atlas-cold"], cold_base)])
    checks = [
        (f"atlas at {args.small:,} / bare Material at {args.small:,} (median of paired rounds)", paired, 0.8),
        (f"atlas at {args.large:,} / atlas at {args.small:,} (median of paired rounds)", large_paired, 5),
        (f"peak memory at {args.large:,} cases (MiB)", peaks["atlas-large"] / 1024, 1024),
        ("largest case page's HTML (KB)", page_sizes[-1] / 1000, 60),
    ]
    rows = "\n".join(
        f"| {label} | **{value:.2f}** | at most {target:g} | {'meets' if value <= target else 'MISSES'} |"
        for label, value, target in checks
    )
    text = (
        f"## Building the site ({args.small:,} and {args.large:,} cases)\n\n"
        f"Written by `bench/site_bench.py`; {machine()}; fresh `{default_engine()} build` processes, interleaved: "
        f"{args.small_rounds} rounds of the baseline and the {args.small:,}-case atlas, {args.rounds} of the "
        f"{args.large:,}-case atlas; medians of wall-clock time. Each round's atlas build is divided by the "
        "baseline built just before it, and the target is checked on the median of those paired ratios "
        f"(the ratio of the two medians is {small / base:.2f}); so is each {args.large:,}-case build, divided by the "
        f"{args.small:,}-case atlas built in the same round (the ratio of the medians is {large / small:.2f}). The "
        f"rounds of the {args.large:,}-case atlas and of the first builds are spread over the run. Load average (1, 5, 15 min) before "
        f"{', '.join(f'{x:.1f}' for x in load_before)}, after {', '.join(f'{x:.1f}' for x in load_after)} (2 cores).\n\n"
        f"Rounds (baseline / atlas, s): "
        + ", ".join(f"{b:.1f} / {a:.1f}" for b, a in zip(times["baseline"], times["atlas"])) + ".\n\n"
        "| build | median | peak memory |\n|---|---|---|\n"
        f"| baseline: {args.small:,} plain case pages, bare mkdocs-material, out of the nav | {base:.1f} s | "
        f"{peaks['baseline'] / 1024:.0f} MiB |\n"
        f"| atlas, {args.small:,} cases | {small:.1f} s | {peaks['atlas'] / 1024:.0f} MiB |\n"
        f"| atlas, {args.large:,} cases | {large:.1f} s | {peaks['atlas-large'] / 1024:.0f} MiB |\n"
        f"| for comparison: atlas, {args.small:,} cases, first build on a fresh clone (no `.atlas/`) | {cold:.1f} s "
        f"({cold_paired:.2f}x its paired baseline) | {peaks['atlas-cold'] / 1024:.0f} MiB |\n\n"
        "| figure | value | target | result |\n|---|---|---|---|\n" + rows + "\n\n"
        f"Case pages' own HTML at {args.large:,} cases: median {page_sizes[len(page_sizes) // 2] / 1000:.1f} KB, "
        f"largest {page_sizes[-1] / 1000:.1f} KB.\n"
    )
    write_section("site_bench", text)
    print(text)
    return 0 if all(value <= target for _, value, target in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
