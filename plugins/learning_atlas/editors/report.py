"""``atlas report``'s engine: what editors need to keep the atlas current, from the shared loader.

The report lists cases past ``review_by``, drafts, archived cases, cases
without ``measures``, published cases no case has built on after two years,
learning collections that hold archived cases, ``builds_on`` links (and
collections' entries) that name a renamed or missing case, organisation names
that look like variants of one another, vocabulary terms with no published
case, and how many published cases each facet has; :func:`render` shows it as text, Markdown (for a pull
request comment) or JSON.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from learning_atlas.contract.atlas_folders import DEFAULT_COLLECTIONS_DIR
from learning_atlas.contract.case import Case
from learning_atlas.contract.checker import check_paths
from learning_atlas.contract.problems import Problem
from learning_atlas.contract.schema import CaseSchema
from learning_atlas.contract.vocabularies import VOCABULARY_NAMES, Term, Vocabulary
from learning_atlas.site.learning_collections import Collection, build_collections
from learning_atlas.site.lineage import Lineage

NOT_BUILT_ON_YEARS = 2
"""A published case no other case has built on this many years after publication is reported."""
BROKEN_LINK_RULES = ("builds_on.redirected", "builds_on.unknown", "collection.redirected", "collection.unknown-case")
"""The check's findings the report lists as links to a renamed or missing case."""

FORMATS = ("text", "markdown", "json")


# --- organisation names ------------------------------------------------------------------------

_ABBREVIATIONS = (
    # Longest first: "NHS Foundation Trust" before "Foundation Trust".
    (r"nhs foundation trust", "ft"),
    (r"nhs ft", "ft"),
    (r"nhsft", "ft"),
    (r"foundation trust", "ft"),
    (r"nhs trust", "trust"),
    (r"clinical commissioning group", "ccg"),
    (r"integrated care board", "icb"),
    (r"integrated care system", "ics"),
    (r"integrated care partnership", "icp"),
    (r"primary care network", "pcn"),
    (r"academic health science network", "ahsn"),
    (r"community interest company", "cic"),
    (r"limited", "ltd"),
    (r"saint", "st"),
)
_ABBREVIATION = re.compile(r"\b(?:" + "|".join(pattern for pattern, _ in _ABBREVIATIONS) + r")\b")
_SHORT_FORM = {pattern: short for pattern, short in _ABBREVIATIONS}
_IGNORED_WORDS = frozenset({"the", "and"})

MIN_TYPO_LENGTH = 7
"""Only words this long are compared for a one-letter slip: shorter place names differ by a letter
(Barnet, Barnes) without being variants."""


def organisation_key(name: str) -> str:
    """A name reduced to what tells organisations apart: ASCII, lower-case, no punctuation, "&" as
    "and", the NHS's long and short forms made one (Foundation Trust, FT, NHSFT; Clinical
    Commissioning Group, CCG…), and "the" and "and" dropped."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    text = text.replace("&", " and ")
    text = re.sub(r"[.'\u2019]", "", text)  # N.H.S. -> nhs, St. Mary's -> st marys
    text = " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())
    text = _ABBREVIATION.sub(lambda m: _SHORT_FORM[m.group(0)], text)
    return " ".join(word for word in text.split() if word not in _IGNORED_WORDS)


def _one_slip(a: str, b: str) -> bool:
    """True when two different words are one typing slip apart: a letter changed, added, dropped or
    two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    for i in range(len(long)):
        if long[:i] + long[i + 1 :] == short:
            return True
    return False


@dataclass
class OrganisationVariants:
    """Names that look like one organisation written in different ways, with the cases using each."""

    names: dict[str, list[str]]
    """Each name and the slugs of the cases that use it."""
    reason: str
    """``written differently`` (the same once normalised) or ``spelt alike`` (one slip apart)."""

    def to_json(self) -> dict[str, Any]:
        return {"names": [{"name": n, "cases": slugs} for n, slugs in self.names.items()], "reason": self.reason}


def organisation_variants(cases: Iterable[Case]) -> list[OrganisationVariants]:
    """Groups of organisation names that look like variants of one another.

    Names that are the same once normalised (:func:`organisation_key`) are variants; so are names
    whose normalised forms differ in one word of at least ``MIN_TYPO_LENGTH`` letters by one slip
    (``Partnership``/``Partnersip``). Numbers and short words must match exactly.
    """
    users: dict[str, list[str]] = collections.defaultdict(list)
    for case in cases:
        for name in case.organisations:
            if case.slug not in users[name]:
                users[name].append(case.slug)
    by_key: dict[str, list[str]] = collections.defaultdict(list)
    for name in sorted(users, key=lambda n: (n.lower(), n)):
        by_key[organisation_key(name)].append(name)
    keys = sorted(by_key)
    parent = {key: key for key in keys}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    # Keys that differ in one word share a signature with that word blanked out.
    signatures: dict[tuple, list[tuple[str, str]]] = collections.defaultdict(list)
    for key in keys:
        words = key.split()
        for index, word in enumerate(words):
            if len(word) >= MIN_TYPO_LENGTH - 1 and word.isalpha():
                signatures[(len(words), index, *words[:index], *words[index + 1 :])].append((word, key))
    for members in signatures.values():
        for i, (word, key) in enumerate(members):
            for other_word, other_key in members[i + 1 :]:
                if max(len(word), len(other_word)) >= MIN_TYPO_LENGTH and _one_slip(word, other_word):
                    parent[root(other_key)] = root(key)
    groups: dict[str, list[str]] = collections.defaultdict(list)
    for key in keys:
        groups[root(key)].append(key)
    found = []
    for members in groups.values():
        names = [name for key in members for name in by_key[key]]
        if len(names) < 2:
            continue
        reason = "written differently" if len(members) == 1 else "spelt alike"
        found.append(OrganisationVariants({name: users[name] for name in names}, reason))
    found.sort(key=lambda group: next(iter(group.names)).lower())
    return found


# --- the report --------------------------------------------------------------------------------


@dataclass
class FacetCount:
    key: str
    label: str
    count: int


@dataclass
class EditorReport:
    """What an editor needs to know about an atlas on a given day."""

    folder: Path
    today: dt.date
    cases: list[Case]
    invalid: list[Path] = field(default_factory=list)
    overdue: list[Case] = field(default_factory=list)
    drafts: list[Case] = field(default_factory=list)
    archived: list[Case] = field(default_factory=list)
    without_measures: list[Case] = field(default_factory=list)
    not_built_on: list[Case] = field(default_factory=list)
    """Published cases at least two years old that no case builds on."""
    archived_in_collections: list[tuple[Collection, list[Case]]] = field(default_factory=list)
    """Each learning collection that holds archived cases, with those cases."""
    broken_links: list[Problem] = field(default_factory=list)
    """``builds_on`` entries and collections' entries that name a renamed (old) slug or no case at all."""
    variants: list[OrganisationVariants] = field(default_factory=list)
    unused: dict[str, list[Term]] = field(default_factory=dict)
    counts: dict[str, list[FacetCount]] = field(default_factory=dict)
    vocabularies: dict[str, Vocabulary] = field(default_factory=dict, repr=False)

    @property
    def published(self) -> list[Case]:
        return [case for case in self.cases if case.status == "published"]

    def days_overdue(self, case: Case) -> int:
        assert case.review_by is not None
        return (self.today - case.review_by).days

    def to_json(self) -> dict[str, Any]:
        def brief(case: Case) -> dict[str, Any]:
            return {"slug": case.slug, "file": str(case.source), "title": case.title, "status": case.status}

        return {
            "folder": str(self.folder),
            "today": self.today.isoformat(),
            "cases": {"total": len(self.cases), "published": len(self.published), "drafts": len(self.drafts),
                      "archived": len(self.archived), "with_errors": len(self.invalid)},
            "overdue_reviews": [
                {**brief(c), "review_by": c.review_by.isoformat(), "days_overdue": self.days_overdue(c)}  # type: ignore[union-attr]
                for c in self.overdue
            ],
            "drafts": [brief(c) for c in self.drafts],
            "archived": [brief(c) for c in self.archived],
            "without_measures": [brief(c) for c in self.without_measures],
            "not_built_on": [{**brief(c), "published": c.published.isoformat()} for c in self.not_built_on],
            "collections_with_archived_cases": [
                {"collection": collection.slug, "title": collection.title, "archived": [brief(c) for c in cases]}
                for collection, cases in self.archived_in_collections
            ],
            "broken_links": [
                {"file": str(p.path), "line": p.line, "key": p.key, "message": p.message} for p in self.broken_links
            ],
            "organisation_variants": [group.to_json() for group in self.variants],
            "unused_terms": {name: [str(t.slug) for t in terms] for name, terms in self.unused.items()},
            "counts": {name: {c.key: c.count for c in counts} for name, counts in self.counts.items()},
            "with_errors": [str(path) for path in self.invalid],
        }


def build_report(folder: Path, case_schema: CaseSchema, *, today: dt.date, jobs: int = 1) -> EditorReport:
    """Load every case under ``folder`` with the shared checker and gather the report.

    Cases with errors are left out (and listed); counts and unused terms are of published cases.
    """
    result = check_paths(
        [folder], case_schema, today=today, jobs=jobs, collections=folder.parent / DEFAULT_COLLECTIONS_DIR
    )
    cases = [Case.from_loaded(loaded) for loaded in result.cases if not loaded.has_errors]
    cases.sort(key=lambda c: c.slug)
    report = EditorReport(folder=folder, today=today, cases=cases, vocabularies=case_schema.vocabularies)
    report.invalid = sorted({loaded.path for loaded in result.cases if loaded.has_errors})
    report.overdue = sorted(
        (c for c in cases if c.review_by is not None and c.review_by < today and not c.is_archived),
        key=lambda c: (c.review_by, c.slug),
    )
    report.drafts = [c for c in cases if c.is_draft]
    report.archived = [c for c in cases if c.is_archived]
    report.without_measures = [c for c in cases if not c.measures and not c.is_archived]
    report.variants = organisation_variants(cases)
    _spread_findings(report, result.collections, result.problems)
    published = report.published
    for name in VOCABULARY_NAMES:
        counter = collections.Counter(str(slug) for case in published for slug in case.terms(name))
        counts = [FacetCount(term.key, term.label, counter[term.key]) for term in case_schema.vocabularies[name].terms]
        report.counts[name] = counts
        report.unused[name] = [term for term, count in zip(case_schema.vocabularies[name].terms, counts, strict=True) if not count.count]
    organisations = collections.Counter(name for case in published for name in case.organisations)
    report.counts["organisations"] = [
        FacetCount(name, name, count) for name, count in sorted(organisations.items(), key=lambda i: (-i[1], i[0].lower()))
    ]
    years = collections.Counter(case.year for case in published)
    report.counts["years"] = [FacetCount(str(y), str(y), years[y]) for y in sorted(years, reverse=True)]
    return report


def _two_years_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - NOT_BUILT_ON_YEARS)
    except ValueError:  # 29 February
        return day.replace(year=day.year - NOT_BUILT_ON_YEARS, day=28)


def _spread_findings(report: EditorReport, collections, problems: list[Problem]) -> None:
    """Learning that spreads: cases no one has built on, collections with archived cases, broken links."""
    cases = report.cases
    lineage = Lineage.of(cases)
    cutoff = _two_years_before(report.today)
    report.not_built_on = sorted(
        (c for c in cases if c.status == "published" and c.published <= cutoff and not lineage.built_on_by.get(c.slug)),
        key=lambda c: (c.published, c.slug),
    )
    addresses = {old: case for case in cases for old in case.redirect_from}
    for collection in build_collections(collections, {**addresses, **{c.slug: c for c in cases}}):
        if collection.archived:
            report.archived_in_collections.append((collection, collection.archived))
    report.broken_links = [p for p in problems if p.rule in BROKEN_LINK_RULES]


# --- output ------------------------------------------------------------------------------------

_FACET_LABELS = {"organisations": "Organisations", "years": "Years"}


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _label(report: EditorReport, name: str) -> str:
    vocabulary = report.vocabularies.get(name)
    return vocabulary.label if vocabulary is not None else _FACET_LABELS[name]


def _headline(report: EditorReport) -> str:
    parts = [f"{len(report.published)} published", _plural(len(report.drafts), "draft"), f"{len(report.archived)} archived"]
    line = f"{_plural(len(report.cases), 'case')} in {report.folder} ({', '.join(parts)}) on {report.today.isoformat()}"
    if report.invalid:
        line += f"; {_plural(len(report.invalid), 'file')} with errors left out"
    return line


def render_text(report: EditorReport) -> str:
    """The report for a terminal: a headline, then one block per finding, 'none' where there is none."""
    lines = [f"Editors' report: {_headline(report)}", ""]

    def section(title: str, rows: list[str], count: int | None = None) -> None:
        lines.append(f"{title} ({len(rows) if count is None else count}):" if rows else f"{title}: none")
        lines.extend(f"  {row}" for row in rows)
        lines.append("")

    section("Past their review date", [
        f"{c.source}  review by {c.review_by.isoformat()}, {_plural(report.days_overdue(c), 'day')} ago  {c.title}"  # type: ignore[union-attr]
        for c in report.overdue
    ])
    section("Drafts", [f"{c.source}  {c.title}" for c in report.drafts])
    section("Archived", [f"{c.source}  {c.title}" for c in report.archived])
    section("Without measures", [f"{c.source}  {c.title}" for c in report.without_measures])
    section(f"Not built on after {NOT_BUILT_ON_YEARS} years", [
        f"{c.source}  published {c.published.isoformat()}  {c.title}" for c in report.not_built_on
    ])
    section("Learning collections with archived cases", [
        f"{collection.title}: " + "; ".join(f"{c.source}" for c in archived)
        for collection, archived in report.archived_in_collections
    ])
    section("Links to a renamed or missing case", [
        f"{p.path}:{p.line}  {p.key}: {p.message}" for p in report.broken_links
    ])
    section("Organisation names that look like variants", [
        " | ".join(f"{name!r} ({_plural(len(slugs), 'case')})" for name, slugs in group.names.items())
        + f"  [{group.reason}]"
        for group in report.variants
    ])
    unused = [f"{_label(report, n)}: {', '.join(str(t.slug) for t in terms)}" for n, terms in report.unused.items() if terms]
    section("Vocabulary terms with no published case", unused, sum(len(t) for t in report.unused.values()))
    lines.append("Published cases per facet:")
    for name, counts in report.counts.items():
        shown = ", ".join(f"{c.key} ({c.count})" for c in counts if c.count) or "none"
        lines.append(f"  {_label(report, name)}: {shown}")
    if report.invalid:
        lines.append("")
        section("Left out, with errors (run 'atlas check')", [str(p) for p in report.invalid])
    return "\n".join(lines).rstrip() + "\n"


def _md(text: object) -> str:
    """Text safe inside a Markdown table cell of a pull-request comment."""
    escaped = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*_\[\]|#~])", r"\\\1", escaped)


def render_markdown(report: EditorReport) -> str:
    """The report as GitHub-flavoured Markdown, for a pull-request comment."""
    out = ["## Editors' report", "", _md(_headline(report)) + ".", ""]

    def section(title: str, header: list[str], rows: list[list[str]], count: int | None = None) -> None:
        out.append(f"### {title} ({len(rows) if count is None else count})")
        out.append("")
        if not rows:
            out.extend(["None.", ""])
            return
        out.append("| " + " | ".join(header) + " |")
        out.append("|" + "---|" * len(header))
        out.extend("| " + " | ".join(row) + " |" for row in rows)
        out.append("")

    def case_cell(case: Case) -> str:
        return f"{_md(case.title)}<br>{_md(case.source)}"

    section("Past their review date", ["Case", "Review by", "Overdue"], [
        [case_cell(c), c.review_by.isoformat(), _plural(report.days_overdue(c), "day")]  # type: ignore[union-attr]
        for c in report.overdue
    ])
    section("Drafts", ["Case"], [[case_cell(c)] for c in report.drafts])
    section("Archived", ["Case"], [[case_cell(c)] for c in report.archived])
    section("Without measures", ["Case", "Status"], [[case_cell(c), c.status] for c in report.without_measures])
    section(f"Not built on after {NOT_BUILT_ON_YEARS} years", ["Case", "Published"], [
        [case_cell(c), c.published.isoformat()] for c in report.not_built_on
    ])
    section("Learning collections with archived cases", ["Collection", "Archived cases"], [
        [_md(collection.title), "<br>".join(case_cell(c) for c in archived)]
        for collection, archived in report.archived_in_collections
    ])
    section("Links to a renamed or missing case", ["File and line", "Problem"], [
        [_md(f"{p.path}:{p.line}"), _md(f"{p.key}: {p.message}")] for p in report.broken_links
    ])
    section("Organisation names that look like variants", ["Names (cases)", "Why"], [
        ["<br>".join(f"{_md(name)} ({len(slugs)})" for name, slugs in group.names.items()), group.reason]
        for group in report.variants
    ])
    section("Vocabulary terms with no published case", ["Vocabulary", "Terms"], [
        [_md(_label(report, name)), ", ".join(_md(t.label) for t in terms)]
        for name, terms in report.unused.items() if terms
    ], sum(len(t) for t in report.unused.values()))
    out.extend(["### Published cases per facet", ""])
    for name, counts in report.counts.items():
        used = [c for c in counts if c.count]
        out.append(f"<details><summary>{_md(_label(report, name))} ({len(used)})</summary>")
        out.append("")
        if used:
            out.extend(["| Term | Cases |", "|---|---:|"])
            out.extend(f"| {_md(c.label)} | {c.count} |" for c in used)
        else:
            out.append("None.")
        out.extend(["", "</details>", ""])
    if report.invalid:
        section("Left out, with errors (run `atlas check`)", ["File"], [[_md(p)] for p in report.invalid])
    return "\n".join(out).rstrip() + "\n"


def render(report: EditorReport, output_format: str) -> str:
    """The report in ``output_format``: ``text``, ``markdown`` or ``json``."""
    if output_format == "json":
        return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
    if output_format == "markdown":
        return render_markdown(report)
    return render_text(report)
