"""Benchmark: what the search index and related lists cost a build of 1,000 cases.

Builds of the same synthetic atlas, each a fresh ``mkdocs build`` (or ``ATLAS_ENGINE``'s):
- baseline: related lists and the index switched off (``related: none``);
- facets: related lists from shared facets only, no search index (``related: facets``), for reference;
- cold: ``related: index`` with no ``.atlas`` folder (the index and key terms built from nothing);
- warm: ``related: index`` with the index and key terms up to date but for one edited case.
Targets: warm at most 1.1x the baseline, cold at most 1.5x, on the median of paired
rounds. Writes its section of BENCHMARKS.md.

Usage: python bench/related_bench.py [--cases 1000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent / "tests")]  # tests/site_engine.py runs the engine for both
from benchlib import machine, median, write_section  # noqa: E402
from site_bench import build, make_atlas  # noqa: E402
from site_engine import default_engine  # noqa: E402
from synthetic import generate  # noqa: E402


def with_option(config: Path, option: str) -> Path:
    text = config.read_text().replace("  - atlas:\n", f"  - atlas:\n      {option}\n")
    target = config.with_name(config.stem + "-" + option.split(":")[0] + "-" + option.split(":")[1].strip() + ".yml")
    target.write_text(text)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    times: dict[str, list[float]] = {"baseline": [], "facets": [], "cold": [], "warm": []}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cases = generate(tmp / "cases", args.cases)
        config = make_atlas(tmp / "atlas", tmp / "cases")
        off = with_option(config, "related: none")
        facets = with_option(config, "related: facets")
        indexed = with_option(config, "related: index")
        cache = tmp / "atlas" / ".atlas"
        for round_number in range(args.rounds):
            # cold and warm are each paired with the baseline built between them: this
            # machine's speed drifts by 20-40% over minutes, and a pair sees the same drift.
            shutil.rmtree(cache, ignore_errors=True)
            times["cold"].append(build(indexed, tmp / "site")[0])
            times["baseline"].append(build(off, tmp / "site")[0])
            edited = cases[round_number]
            edited.write_text(edited.read_text().replace("\n## More detail\n", f"\n## More detail {round_number}\n"))
            times["warm"].append(build(indexed, tmp / "site")[0])
            times["facets"].append(build(facets, tmp / "site")[0])
    base, facets_only, cold, warm = (median(times[k]) for k in ("baseline", "facets", "cold", "warm"))
    warm_ratio = median([w / b for w, b in zip(times["warm"], times["baseline"])])
    cold_ratio = median([c / b for c, b in zip(times["cold"], times["baseline"])])
    checks = [("warm build / baseline (median of paired rounds)", warm_ratio, 1.1),
              ("cold build / baseline (median of paired rounds)", cold_ratio, 1.5)]
    rows = "\n".join(
        f"| {label} | **{value:.2f}** | at most {target:g} | {'meets' if value <= target else 'MISSES'} |"
        for label, value, target in checks
    )
    text = (
        f"## Related lists and the search index in the build ({args.cases:,} cases)\n\n"
        f"Written by `bench/related_bench.py`; {machine()}; {args.rounds} interleaved rounds of fresh "
        f"`{default_engine()} build` processes (cold, baseline, warm, facets), medians of wall-clock time. "
        "The targets are checked on the median of each round's cold and warm build divided by that round's baseline "
        f"(ratios of the medians: warm {warm / base:.2f}, cold {cold / base:.2f}).\n\n"
        "Rounds (cold / baseline / warm, s): "
        + ", ".join(f"{c:.1f} / {b:.1f} / {w:.1f}" for c, b, w in zip(times["cold"], times["baseline"], times["warm"]))
        + ".\n\n"
        "| build | median |\n|---|---|\n"
        f"| baseline: no related lists, no index (`related: none`) | {base:.1f} s |\n"
        f"| for reference: related by shared facets, no index (`related: facets`) | {facets_only:.1f} s |\n"
        f"| cold: index and key terms built from nothing | {cold:.1f} s |\n"
        f"| warm: index up to date, one case edited | {warm:.1f} s |\n\n"
        "| figure | value | target | result |\n|---|---|---|---|\n" + rows + "\n"
    )
    write_section("related_bench", text)
    print(text)
    return 0 if all(value <= target for _, value, target in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
