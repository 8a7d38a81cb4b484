"""The one loader the CLI and the site share: read, parse and check every case file."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from learning_atlas.contract.case_assets import Asset
from learning_atlas.contract.domain_checks import domain_problems
from learning_atlas.contract.front_matter import FrontMatter, parse_front_matter
from learning_atlas.contract.problems import Problem, Severity, in_order
from learning_atlas.contract.schema import CaseSchema
from learning_atlas.contract.source import SourceError, read_source
from learning_atlas.contract.validation import schema_problems

MIN_SLUG, MAX_SLUG = 3, 80
SLUG_PATTERN = re.compile(rf"^(?=.{{{MIN_SLUG},{MAX_SLUG}}}$)[a-z0-9]+(?:-[a-z0-9]+)*$")
"""A case's slug: its file name without ``.md`` and its address, lower-case words joined by single hyphens."""
CASE_SUFFIX = ".md"


def slug_message(name: str, *, file_name: bool) -> str:
    """Why ``name`` is not a slug, in the words every tool uses (a file name, or a slug typed in ``atlas new``)."""
    rule = f"use {MIN_SLUG} to {MAX_SLUG} lower-case letters, digits and single hyphens"
    if file_name:
        return f"file name {name!r} is not a valid slug: {rule}, ending in .md (for example 'learning-lessons-framework.md')"
    return f"{name!r} is not a valid slug: {rule}, for example 'daily-safety-huddles'"


@dataclass
class LoadedCase:
    """A case file as read: its slug, front matter and body, and what is wrong with it."""

    path: Path
    slug: str
    front_matter: FrontMatter | None
    problems: list[Problem] = field(default_factory=list)
    redirect_positions: list[tuple[int, int]] = field(default_factory=list)
    """Line and column of each ``redirect_from`` entry, for the checks between cases."""
    builds_on_positions: list[tuple[int, int]] = field(default_factory=list)
    """Line and column of each ``builds_on`` entry's ``case`` (or of the entry), for the checks between cases."""
    assets: list[Asset] = field(default_factory=list)
    """The files of the case's own folder that the check allowed the site to publish."""

    @property
    def data(self) -> dict[str, Any]:
        fm = self.front_matter
        return fm.data if fm is not None and isinstance(fm.data, dict) else {}

    @property
    def body(self) -> str:
        return self.front_matter.body if self.front_matter is not None else ""

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self.problems)


def load_case(path: Path, case_schema: CaseSchema, *, today: dt.date | None = None) -> LoadedCase:
    """Read one case file and check it against the schema and the domain rules.

    Never raises for anything a file holds: every fault becomes a problem.
    """
    today = today or dt.date.today()
    slug = path.name[: -len(CASE_SUFFIX)] if path.name.endswith(CASE_SUFFIX) else path.stem
    try:
        text = read_source(path)
    except SourceError as exc:
        case = LoadedCase(path=path, slug=slug, front_matter=None, problems=_slug_problems(path, slug))
        case.problems.append(Problem(path, exc.line, exc.column, Severity.ERROR, "", exc.message, exc.rule))
        return case
    case = _check_text(path, slug, text, case_schema, today, quick_series=True)
    if case.problems and case.front_matter is not None and case.front_matter.quick_series:
        # A series was read from its lines, so its points have no YAML nodes to point at: read the
        # file again the slow way, so that every message names the line and column YAML gives.
        case = _check_text(path, slug, text, case_schema, today, quick_series=False)
    return case


def _slug_problems(path: Path, slug: str) -> list[Problem]:
    if SLUG_PATTERN.match(slug):
        return []
    return [Problem(path, 1, 1, Severity.ERROR, "", slug_message(path.name, file_name=True), "file.slug")]


def _check_text(
    path: Path, slug: str, text: str, case_schema: CaseSchema, today: dt.date, *, quick_series: bool
) -> LoadedCase:
    case = LoadedCase(path=path, slug=slug, front_matter=None, problems=_slug_problems(path, slug))
    try:
        fm, node_problems = parse_front_matter(text, quick_series=quick_series)
    except SourceError as exc:
        case.problems.append(Problem(path, exc.line, exc.column, Severity.ERROR, "", exc.message, exc.rule))
        return case
    case.problems.extend(
        Problem(path, p.line, p.column, Severity.ERROR, p.key, p.message, p.rule) for p in node_problems
    )
    if fm is None:
        return case
    case.front_matter = fm
    if case_schema.is_valid is None or not case_schema.is_valid(fm.data):
        case.problems.extend(schema_problems(fm, path, case_schema.validator, case_schema.vocabularies))
    case.problems.extend(domain_problems(fm, path, slug, today=today))
    if case.problems and fm.quick_series:
        return case  # read again without the shortcut (load_case), which finds every position
    case.problems = in_order(case.problems)
    redirects = case.data.get("redirect_from")
    if isinstance(redirects, list):
        case.redirect_positions = [fm.position(["redirect_from", i]) for i in range(len(redirects))]
    builds_on = case.data.get("builds_on")
    if isinstance(builds_on, list):
        case.builds_on_positions = [fm.position(["builds_on", i, "case"]) for i in range(len(builds_on))]
    # The YAML nodes are many small objects; holding a thousand cases' worth makes every
    # garbage collection slower. Everything that needed them has run.
    fm.release_nodes()
    return case


def collection_problems(cases: Iterable[LoadedCase]) -> list[Problem]:
    """Problems between cases: a slug used twice, or a ``redirect_from`` that clashes."""
    cases = list(cases)
    problems: list[Problem] = []
    owners: dict[str, LoadedCase] = {}
    for case in cases:
        first = owners.setdefault(case.slug, case)
        if first is not case:
            problems.append(
                Problem(
                    case.path, 1, 1, Severity.ERROR, "",
                    f"slug {case.slug!r} is already used by {first.path}; every case needs its own file name",
                    "collection.duplicate-slug",
                )
            )
    claimed: dict[str, LoadedCase] = {}
    for case in cases:
        redirects = case.data.get("redirect_from")
        if not isinstance(redirects, list) or len(case.redirect_positions) != len(redirects):
            continue
        for index, old in enumerate(redirects):
            if not isinstance(old, str):
                continue
            line, column = case.redirect_positions[index]
            key = f"redirect_from[{index}]"
            if old in owners:
                whose = "this case's own slug" if owners[old] is case else f"the slug of {owners[old].path}"
                problems.append(
                    Problem(
                        case.path, line, column, Severity.ERROR, key,
                        f"{old!r} is {whose}; a redirect would hide a live page",
                        "collection.redirect-clash",
                    )
                )
            elif old in claimed and claimed[old] is not case:
                problems.append(
                    Problem(
                        case.path, line, column, Severity.ERROR, key,
                        f"{old!r} is already redirected to {claimed[old].path}; an old address can lead to one case only",
                        "collection.redirect-clash",
                    )
                )
            else:
                claimed[old] = case
    return problems
