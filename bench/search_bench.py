"""Benchmark: the search index and `atlas search` on synthetic atlases of 1,000 and 5,000 cases.

Measured in one run, in a temporary folder:

- a cold full build of the index (no index, schema and stem caches emptied as
  in a new process) at 1,000 and at 5,000 cases: one run each;
- re-indexing after editing one case of 1,000 (a different case each round),
  median of ``--rounds`` runs; target at most 1 s. Also the update when nothing
  changed, and the ``atlas index`` command in a new process after an edit
  (the wall-clock an editor sees, start-up included; no target);
- query time inside the process at 5,000 cases, one searcher reused: the median
  of ``AtlasSearcher.search`` (parse, match, score, facet counts over every
  hit, snippets) over several one-word, fielded and phrase queries made of the
  generator's own words; targets 50, 50 and 200 ms. Also the first query of a
  newly opened searcher (it builds its caches) and the whole ``atlas search``
  command run in-process (freshness check, opening the index, the query).

Writes its section of BENCHMARKS.md.

Usage: python bench/search_bench.py [--rounds 9] [--small 1000] [--large 5000]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import whoosh
from benchlib import ROOT, machine, median, write_section
from click.testing import CliRunner
from learning_atlas.cli import cli
from learning_atlas.contract import schema as schema_module
from learning_atlas.contract.schema import load_case_schema
from learning_atlas.search import analysis
from learning_atlas.search.query import SearchRequest
from learning_atlas.search.searcher import AtlasSearcher
from learning_atlas.search.updating import update_index
from synthetic import generate

SCHEMAS = ROOT / "schemas"
REINDEX_TARGET = 1.0
QUERY_TARGETS = {"one-word": 0.050, "fielded": 0.050, "phrase": 0.200}
QUERIES = {
    # words of bench/synthetic.py's _WORDS; "care" is in nearly every case, the others in most
    "one-word": ["handover", "vaccination", "dashboard", "pharmacist", "care"],
    "fielded": [
        "theme:patient-safety care",
        "region:london handover",
        "setting:mental-health falls",
        "theme:digital-and-technology dashboard",
    ],
    "phrase": ['"learning lessons"', '"handover huddle"', '"quality improvement"', '"patients staff"'],
}


def _fresh_process_caches() -> None:
    """Forget what a new process would not know: the loaded schema and the stem cache."""
    schema_module._CACHE.clear()
    analysis._STEMS.clear()


def cold_build(cases: Path, index_dir: Path) -> tuple[float, int]:
    _fresh_process_caches()
    started = time.perf_counter()
    report = update_index(cases, index_dir, load_case_schema(SCHEMAS))
    seconds = time.perf_counter() - started
    assert not report.skipped and len(report.added) > 0, report.summary()
    return seconds, len(report.added)


def _edit_one(cases: Path, round_number: int, count: int) -> str:
    slug = f"synthetic-case-{(round_number * 37 + 11) % count:05d}"
    with (cases / f"{slug}.md").open("a", encoding="utf-8") as handle:
        handle.write("\nThe team revised this case after a review session.\n")
    return slug


def reindex_one_edit(cases: Path, index_dir: Path, rounds: int, count: int) -> tuple[list[float], list[float]]:
    """Seconds to update after editing one case, and to update when nothing changed, per round."""
    update_index(cases, index_dir, load_case_schema(SCHEMAS))  # settle the stat cache after the build
    edits, idle = [], []
    for round_number in range(rounds):
        slug = _edit_one(cases, round_number, count)
        started = time.perf_counter()
        report = update_index(cases, index_dir, load_case_schema(SCHEMAS))
        edits.append(time.perf_counter() - started)
        assert report.updated == [slug] and not report.added and not report.removed, report.summary()
        started = time.perf_counter()
        report = update_index(cases, index_dir, load_case_schema(SCHEMAS))
        idle.append(time.perf_counter() - started)
        assert not report.changed
    return edits, idle


def index_command_in_new_process(cases: Path, index_dir: Path, rounds: int, count: int) -> list[float]:
    times = []
    command = [sys.executable, "-c", "from learning_atlas.cli import main; main()", "index",
               "--cases", str(cases), "--index", str(index_dir), "--schemas", str(SCHEMAS)]
    for round_number in range(rounds):
        _edit_one(cases, 1000 + round_number, count)
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - started)
        assert done.returncode == 0 and "1 updated" in done.stdout, done.stdout + done.stderr
    return times


def query_times(searcher: AtlasSearcher, rounds: int) -> dict[str, list[float]]:
    """Every query of every kind once per round, interleaved; each query's time in seconds."""
    times: dict[str, list[float]] = {kind: [] for kind in QUERIES}
    for kind, queries in QUERIES.items():  # warm: the caches of a long-lived searcher are built
        for query in queries:
            assert searcher.search(SearchRequest(query)).total > 0, query
    for _ in range(rounds):
        for kind, queries in QUERIES.items():
            for query in queries:
                started = time.perf_counter()
                searcher.search(SearchRequest(query))
                times[kind].append(time.perf_counter() - started)
    return times


def first_query(index_dir: Path) -> float:
    started = time.perf_counter()
    with AtlasSearcher(index_dir) as searcher:
        searcher.search(SearchRequest("handover"))
    return time.perf_counter() - started


def search_command_in_process(cases: Path, index_dir: Path, rounds: int) -> list[float]:
    runner = CliRunner()
    args = ["search", "handover", "--cases", str(cases), "--index", str(index_dir), "--schemas", str(SCHEMAS)]
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        result = runner.invoke(cli, args, catch_exceptions=False)
        times.append(time.perf_counter() - started)
        assert result.exit_code == 0, result.output
    return times


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def _verdict(value: float, target: float) -> str:
    return "meets" if value <= target else "**MISSES**"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=5000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        small_cases, large_cases = Path(tmp) / "small" / "cases", Path(tmp) / "large" / "cases"
        small_index, large_index = Path(tmp) / "small" / "index", Path(tmp) / "large" / "index"
        paths = generate(small_cases, args.small)
        size = sum(p.stat().st_size for p in paths) / len(paths)
        generate(large_cases, args.large)
        build_small, added_small = cold_build(small_cases, small_index)
        build_large, added_large = cold_build(large_cases, large_index)
        edits, idle = reindex_one_edit(small_cases, small_index, args.rounds, args.small)
        command_edits = index_command_in_new_process(small_cases, small_index, max(3, args.rounds // 3), args.small)
        with AtlasSearcher(large_index) as searcher:
            times = query_times(searcher, args.rounds)
            facets = searcher.search(SearchRequest("care")).total
        cold_query = statistics.median(first_query(large_index) for _ in range(3))
        search_update_index = update_index(large_cases, large_index, load_case_schema(SCHEMAS))
        assert not search_update_index.changed
        command_searches = search_command_in_process(large_cases, large_index, 5)

    reindex = median(edits)
    medians = {kind: median(values) for kind, values in times.items()}
    meets = reindex <= REINDEX_TARGET and all(medians[k] <= QUERY_TARGETS[k] for k in QUERY_TARGETS)
    small, large = f"{args.small:,}", f"{args.large:,}"
    rows = [
        (f"cold full build, {small} cases (one run)", f"{build_small:.1f} s ({added_small / build_small:.0f} cases/s)",
         "—", "—"),
        (f"cold full build, {large} cases (one run)", f"{build_large:.1f} s ({added_large / build_large:.0f} cases/s)",
         "—", "—"),
        (f"re-index after editing 1 case of {small} (in-process)", _seconds(reindex),
         f"≤ {REINDEX_TARGET:g} s", _verdict(reindex, REINDEX_TARGET)),
        (f"update with nothing changed, {small} cases", _seconds(median(idle)), "—", "—"),
        (f"`atlas index` after editing 1 case of {small}, new process (start-up included)",
         _seconds(median(command_edits)), "—", "—"),
    ]
    labels = {"one-word": "one-word query", "fielded": "fielded query", "phrase": "phrase query"}
    for kind, label in labels.items():
        rows.append((f"{label}, {large} cases (`{'`, `'.join(QUERIES[kind])}`)", _seconds(medians[kind]),
                     f"≤ {QUERY_TARGETS[kind] * 1000:.0f} ms", _verdict(medians[kind], QUERY_TARGETS[kind])))
    rows += [
        (f"first query of a newly opened searcher, {large} cases (builds its caches)", _seconds(cold_query), "—", "—"),
        (f"whole `atlas search handover` command in-process, {large} cases (freshness check, open, query)",
         _seconds(median(command_searches)), "—", "—"),
    ]
    table = "| what | median | target | result |\n|---|---|---|---|\n" + "\n".join(
        f"| {what} | {value} | {target} | {verdict} |" for what, value, target, verdict in rows
    )
    slowest = {kind: max(values) for kind, values in times.items()}
    text = (
        f"## Search index and `atlas search` ({small} and {large} cases)\n\n"
        f"Written by `bench/search_bench.py`; {machine()}; Whoosh {whoosh.versionstring()}; "
        f"{args.rounds} rounds, medians; synthetic cases of {size / 1024:.1f} KiB on average "
        "(`bench/synthetic.py`). Query times are `AtlasSearcher.search` on one reused searcher: parse, "
        f"match, score, facet counts over every hit (e.g. {facets:,} hits for `care`) and snippets for the "
        f"10 shown.\n\n{table}\n\n"
        "Slowest single query of each kind: "
        + ", ".join(f"{kind} {_seconds(value)}" for kind, value in slowest.items())
        + f". Targets: {'all met' if meets else 'NOT all met'}.\n"
    )
    write_section("search_bench", text)
    print(text)
    return 0 if meets else 1


if __name__ == "__main__":
    sys.exit(main())
