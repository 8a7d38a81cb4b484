"""A generator of synthetic, valid case studies for benchmarks (deterministic for a seed).

About one case in five builds on one or two earlier cases (``builds_on``), so that a build computes
lineage and "Built on by" at the scale it measures.

It writes only into a new or empty folder, or one it wrote before (which holds its marker file,
``.synthetic``, and its ``synthetic-case-NNNNN.md`` cases, which it replaces): a folder holding any
other file, such as ``cases/``, is refused and left as it is.

Usage: python bench/synthetic.py OUT_DIR [COUNT] [--seed N]  (exit 2 when OUT_DIR is refused)
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
MARKER = ".synthetic"
"""The file :func:`generate` leaves in each folder it writes: the cases beside it are its own to replace."""
_MARKER_TEXT = "Written by bench/synthetic.py: run again, it replaces the synthetic-case-*.md files here.\n"
_OWN_CASE = re.compile(r"synthetic-case-\d{5,}\.md")


class ForeignFilesError(Exception):
    """The output folder holds files :func:`generate` did not write, so it writes nothing there."""

_WORDS = (
    "patients staff ward team safety learning improvement care quality handover huddle falls pressure "
    "ulcers discharge community nurse midwife pharmacist therapy outcomes experience resources pathway "
    "referral waiting list clinic virtual video consultation training coaching leadership culture data "
    "dashboard audit feedback family carer partnership network system integrated primary acute mental "
    "health prevention screening vaccination outreach equity inequalities rural urban digital record "
    "incident investigation review lessons bulletin session workshop cycle test change measure spread"
).split()


_ORG_KINDS = ("NHS Foundation Trust", "NHS Trust", "Integrated Care Board", "Council", "Primary Care Network")
"""Organisations come from a pool of 150, about as many as a real atlas of 1,000 cases names."""


def _load_vocab(name: str) -> list:
    data = yaml.load((ROOT / "schemas" / "vocabularies" / f"{name}.yaml").read_text(), Loader=yaml.CSafeLoader)
    return [t["slug"] for t in data["terms"]]


_SYLLABLES = ("ba", "co", "di", "fe", "ga", "hu", "ki", "lo", "mu", "ne", "pa", "ri", "so", "tu", "vo", "za")
_RARE_WORDS = tuple(
    "".join(_SYLLABLES[(n >> shift) & 15] for shift in (0, 4, 8)) + "t" for n in range(4096)
)
"""A long tail of made-up words: as in real case studies, most words of a case are shared by few others."""


def _word(rng: random.Random) -> str:
    return rng.choice(_RARE_WORDS) if rng.random() < 0.15 else rng.choice(_WORDS)


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(_word(rng) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _plain_paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng, rng.randint(8, 18)) for _ in range(sentences))


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_FIGURES = (
    # dates, as case studies write them
    lambda r: f"on {r.randint(1, 28)} {r.choice(_MONTHS)} {r.randint(2015, 2025)}",
    lambda r: f"on {r.randint(1, 28):02d}/{r.randint(1, 12):02d}/{r.randint(2015, 2025)}",
    lambda r: f"on {r.randint(1, 28):02d}.{r.randint(1, 12):02d}.{r.randint(2015, 2025)} {r.randint(8, 17)}.{r.choice(['00', '30'])}",
    lambda r: f"from {r.randint(2015, 2025)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d} {r.randint(8, 17):02d}:{r.choice(['00', '30'])}",
    lambda r: f"in {r.randint(2015, 2024)}/{r.randint(16, 25)} and {r.randint(2015, 2024)}-{r.randint(2016, 2025)}",
    lambda r: f"in Q{r.randint(1, 4)} {r.randint(2015, 2024)}/{r.randint(16, 25)}",
    # money
    lambda r: f"saving £{r.randint(1, 999)},{r.randint(0, 999):03d},{r.randint(0, 999):03d} a year",
    lambda r: f"£{r.randint(1, 99)}.{r.randint(0, 9)}m over {r.randint(2, 5)} years",
    lambda r: f"about £{r.randint(10, 999)}k ({r.randint(10, 99)}% of the budget)",
    # counts, rates and times
    lambda r: f"{r.randint(1, 9)},{r.randint(0, 999):03d} patients across {r.randint(2, 40)} wards",
    lambda r: f"{r.randint(100, 999)} staff and {r.randint(10, 99)} beds",
    lambda r: f"from {r.randint(10, 99)}.{r.randint(0, 9)}% to {r.randint(1, 9)}.{r.randint(0, 9)}%",
    lambda r: f"{r.randint(1, 9)} in {r.randint(2, 20)} referrals within {r.randint(2, 72)} hours",
    lambda r: f"{r.randint(1000, 9999)} of {r.randint(10000, 99999)} appointments, 24/7",
    lambda r: f"{r.randint(12, 99)} {r.randint(100, 999)} {r.randint(10, 99)} visits in three years",
    # codes
    lambda r: f"(ODS code R{r.choice('ABCXY')}{r.randint(1, 9)}, ICD-10 F{r.randint(10, 99)}.{r.randint(0, 9)})",
    lambda r: f"SNOMED CT {r.randint(10_000_000, 999_999_999)}",
    lambda r: f"ISBN 978-{r.randint(0, 1)}-{r.randint(10000, 99999)}-{r.randint(100, 999)}-{r.randint(0, 9)}",
    lambda r: f"version {r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 20)} of the tool",
    lambda r: f"publication reference {r.randint(10000, 99999)} ({r.randint(2015, 2025)})",
)
"""Ordinary figures of the kinds case studies hold: dates, money, counts, codes (none identifies a person)."""


def _figures_paragraph(rng: random.Random, sentences: int) -> str:
    out = []
    for _ in range(sentences):
        words = [_word(rng) for _ in range(rng.randint(6, 12))]
        for _ in range(rng.randint(1, 3)):
            words.insert(rng.randint(0, len(words)), rng.choice(_FIGURES)(rng))
        text = " ".join(words)
        out.append(text[0].upper() + text[1:] + ".")
    return " ".join(out)


def _block(text: str, indent: str = "  ") -> str:
    lines, line = [], ""
    for word in text.split():
        if len(line) + len(word) + 1 > 76:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "|\n" + "\n".join(indent + item for item in lines)


def series_measure(index: int, *, series: bool, points: int = 36) -> str:
    """A measure for ``bench/charts_bench.py``: with ``series``, a monthly series of ``points`` points whose
    change comes a third of the way in (made-up figures, from a generator of its own); without, the same
    measure's single figure alone, so that the two atlases differ only by the series."""
    rng = random.Random(index)
    text = (
        f"\n  - label: Synthetic measure over time {index}\n    value: {rng.randint(1, 50)}\n"
        f"    dimension: {rng.choice(['outcomes', 'experience', 'resources'])}"
    )
    if not series:
        return text
    change = points // 3
    level, step = rng.uniform(20, 80), rng.uniform(-15, 15)
    lines = []
    for i in range(points):
        value = level + (step if i >= change else 0) + rng.gauss(0, 4)
        lines.append(f"      - {{date: {2020 + i // 12}-{i % 12 + 1:02d}-01, value: {value:.1f}}}")
    return (
        text + f"\n    improvement: {rng.choice(['higher', 'lower'])}\n"
        f"    change_date: {2020 + change // 12}-{change % 12 + 1:02d}-01\n"
        f"    chart: {rng.choice(['run', 'spc'])}\n    series:\n" + "\n".join(lines)
    )


def case_text(
    index: int, rng: random.Random, vocab: dict[str, list], *, figures: bool = False, series: bool | None = None,
    builds_on: tuple[int, ...] = (),
) -> str:
    """One valid case study of typical size (about 4 KB); with ``figures``, its prose is full of ordinary figures;
    with ``series`` True or False, one more measure, with or without its series (:func:`series_measure`);
    ``builds_on``: the numbers of the (earlier) synthetic cases it builds on."""
    _paragraph = _figures_paragraph if figures else _plain_paragraph
    title = f"Case {index}: " + _sentence(rng, rng.randint(5, 10))[:-1]
    summary = _paragraph(rng, 2)[:380]
    year = rng.randint(2015, 2025)
    orgs = [f"Example {_ORG_KINDS[n % len(_ORG_KINDS)]} {n}" for n in (rng.randint(1, 150) for _ in range(rng.randint(1, 3)))]
    measures = "".join(
        f"\n  - label: {rng.choice(_WORDS).title()} {rng.choice(_WORDS)} rate {k}\n"
        f"    value: {rng.randint(1, 500)}\n    baseline: {rng.randint(1, 500)}\n    unit: '%'\n"
        f"    period: '{year}'\n    dimension: {rng.choice(['outcomes', 'experience', 'resources'])}"
        for k in range(rng.randint(0, 3))
    )
    if series is not None:
        measures += series_measure(index, series=series)
    fields = [
        f"title: {yaml.safe_dump(title, width=1000).splitlines()[0]}",
        f"summary: {yaml.safe_dump(summary, width=1000).splitlines()[0]}",
        "organisations:\n" + "\n".join(f"  - {o}" for o in dict.fromkeys(orgs)),
        f"region: {rng.choice(vocab['regions'])}",
        "settings:\n" + "\n".join(f"  - {s}" for s in rng.sample(vocab["settings"], rng.randint(1, 3))),
        "themes:\n" + "\n".join(f"  - {t}" for t in rng.sample(vocab["themes"], rng.randint(1, 4))),
        f"commitments: {sorted(rng.sample(vocab['commitments'], rng.randint(1, 3)))}",
        f"published: {year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        f"review_by: {2030 + rng.randint(0, 5)}-01-01",
        f"lead:\n  role: {rng.choice(['Ward Sister', 'Mental Health Nurse', 'Consultant Midwife', 'Matron'])}",
        f"leading_change: {_block(_paragraph(rng, 3))}",
        f"where_to_look: {_block(_paragraph(rng, 4))}",
        f"what_to_change: {_block(_paragraph(rng, 4))}",
        f"how_to_change: {_block(_paragraph(rng, 5))}",
        "adding_value:\n"
        f"  better_outcomes: {_block(_paragraph(rng, 2), '    ')}\n"
        f"  better_experience: {_block(_paragraph(rng, 2), '    ')}\n"
        f"  better_use_of_resources: {_block(_paragraph(rng, 2), '    ')}",
    ]
    if measures:
        fields.append("measures:" + measures)
    fields += [
        f"challenges: {_block(_paragraph(rng, 3))}",
        f"contact:\n  name: Improvement team {index}\n  email: team{index}@example.org",
        f"links:\n  - title: Project page {index}\n    url: https://example.org/projects/{index}",
        "consent_confirmed: true",
    ]
    if builds_on:
        fields.append("builds_on:" + "".join(
            f"\n  - case: synthetic-case-{other:05d}\n    how: {('adopted', 'adapted', 'inspired')[other % 3]}"
            for other in builds_on
        ))
    body = f"\n## More detail\n\n{_paragraph(rng, 3)}\n"
    if figures:
        rows = "".join(f"| {rng.randint(2015, 2025)} | {rng.randint(10, 999)} | {rng.randint(1, 99)}% |\n" for _ in range(4))
        body += f"\n| Year | Referrals | Seen in time |\n|---|---|---|\n{rows}"
    return "---\n" + "\n".join(fields) + "\n---\n" + body


def _earlier_output(out_dir: Path) -> list[Path]:
    """The cases an earlier :func:`generate` wrote in ``out_dir`` (none when it is new or empty).

    Raises :class:`ForeignFilesError` when ``out_dir`` holds anything else, or holds files but not
    the marker that says they are ours.
    """
    if not out_dir.exists() and not out_dir.is_symlink():
        return []
    if not out_dir.is_dir():
        raise ForeignFilesError(f"{out_dir} is not a folder")
    entries = sorted(out_dir.iterdir())
    marker = out_dir / MARKER
    ours = marker.is_file() and not marker.is_symlink()

    def written_by_us(path: Path) -> bool:
        return ours and _OWN_CASE.fullmatch(path.name) is not None and path.is_file() and not path.is_symlink()

    foreign = [p.name for p in entries if p != marker and not written_by_us(p)]
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise ForeignFilesError(
            f"{out_dir} holds files synthetic.py did not write ({shown}); nothing was written: "
            "give it a new or empty folder"
        )
    return [p for p in entries if p != marker]


def generate(
    out_dir: Path, count: int, *, seed: int = 1, figures: bool = False, series: bool | None = None
) -> list[Path]:
    """Write ``count`` valid cases into ``out_dir`` and return their paths.

    ``out_dir`` is created if need be; cases an earlier run wrote there are replaced. Raises
    :class:`ForeignFilesError`, having written nothing, if it holds any file this function did not write.
    """
    earlier = _earlier_output(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MARKER).write_text(_MARKER_TEXT, encoding="utf-8")
    for old in earlier:
        old.unlink()
    rng = random.Random(seed)
    vocab = {name: _load_vocab(name) for name in ("regions", "settings", "themes", "commitments")}
    # Links between cases come from a generator of their own, so the cases' text is what it was before them.
    linker = random.Random(f"builds-on-{seed}")
    paths = []
    for index in range(count):
        path = out_dir / f"synthetic-case-{index:05d}.md"
        links = tuple(sorted(set(linker.sample(range(index), min(index, linker.randint(1, 2)))))) if (
            index and linker.random() < 0.2) else ()
        path.write_text(case_text(index, rng, vocab, figures=figures, series=series, builds_on=links), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("count", type=int, nargs="?", default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--figures", action="store_true", help="prose full of ordinary figures (dates, money, codes)")
    args = parser.parse_args(argv)
    try:
        generate(args.out_dir, args.count, seed=args.seed, figures=args.figures)
    except ForeignFilesError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.count} cases to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
