"""Learning collections: ``collections/<slug>.yaml``, reading lists of case studies that editors curate.

A collection has a title, a purpose and an ordered list of cases, each with a note on why to read
it (the pre-reading for a collaborative's learning session, say). Each file is read as safely as
a case's front matter (a size limit; no aliases, tags or duplicate keys), validated against its own
schema, ``schemas/collection.schema.yaml``, and then checked against the cases of the check: every
case it names must exist (an old slug kept in some case's ``redirect_from`` is a warning to update
it), be listed once, and have a note that says something. Every fault is one problem with the file
and line.
"""

from __future__ import annotations

import difflib
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from jsonschema import Draft202012Validator

from learning_atlas.contract.builds_on import redirect_targets
from learning_atlas.contract.case_assets import describe_file_kind
from learning_atlas.contract.front_matter import YamlDocument, parse_yaml_mapping
from learning_atlas.contract.loader import SLUG_PATTERN, LoadedCase
from learning_atlas.contract.placeholders import placeholder_problems
from learning_atlas.contract.problems import Problem, Severity, in_order
from learning_atlas.contract.source import SourceError, read_source
from learning_atlas.contract.validation import schema_problems

COLLECTION_SCHEMA_FILE = "collection.schema.yaml"
COLLECTION_SUFFIX = ".yaml"
MAX_COLLECTION_BYTES = 128 * 1024
"""A collection file larger than this is refused before it is read (a hundred cases with notes is ~50 KiB)."""


class CollectionSchemaError(Exception):
    """The collection schema cannot be read; ``problem`` says where."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.gnu())
        self.problem = problem


def load_collection_schema(schema_dir: Path) -> Draft202012Validator:
    """The validator of ``schemas/collection.schema.yaml``; :class:`CollectionSchemaError` if it cannot be read."""
    path = schema_dir / COLLECTION_SCHEMA_FILE
    try:
        doc, node_problems = parse_yaml_mapping(read_source(path))
    except SourceError as exc:
        raise CollectionSchemaError(Problem(path, exc.line, exc.column, Severity.ERROR, "", exc.message, exc.rule)) from None
    if node_problems or doc is None:
        p = node_problems[0]
        raise CollectionSchemaError(Problem(path, p.line, p.column, Severity.ERROR, p.key, p.message, p.rule))
    return Draft202012Validator(doc.data)


def collection_schema_json(schema_dir: Path) -> str:
    """The collection schema as JSON (``atlas schema --collection``), for editors' YAML tooling."""
    return json.dumps(load_collection_schema(schema_dir).schema, indent=2, ensure_ascii=False) + "\n"


@dataclass
class LoadedCollection:
    """A collection file as read: its slug, data, the line of each entry, and what is wrong with it."""

    path: Path
    slug: str
    data: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    case_positions: list[tuple[int, int]] = field(default_factory=list)
    """Line and column of each ``cases`` entry's ``case`` (or of the entry)."""
    note_positions: list[tuple[int, int]] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self.problems)

    def entries(self) -> list[tuple[int, str, str]]:
        """``(index, slug, note)`` of each entry whose case and note are text (the schema reports the others)."""
        cases = self.data.get("cases")
        if not isinstance(cases, list) or len(self.case_positions) != len(cases):
            return []
        out = []
        for index, entry in enumerate(cases):
            if isinstance(entry, dict) and isinstance(entry.get("case"), str):
                note = entry.get("note")
                out.append((index, entry["case"], note if isinstance(note, str) else ""))
        return out


def _problem(path: Path, rule: str, message: str, line: int = 1, column: int = 1, key: str = "") -> Problem:
    return Problem(path, line, column, Severity.ERROR, key, message, rule)


def collection_files(folder: Path) -> tuple[list[Path], list[Problem]]:
    """The ``<slug>.yaml`` files of a collections folder, and an error for anything else there.

    Links are never followed; hidden files are passed over; a missing folder has no collections.
    """
    try:
        with os.scandir(folder) as scan:
            entries = sorted((entry.name, entry.stat(follow_symlinks=False).st_mode) for entry in scan)
    except FileNotFoundError:
        return [], []
    except OSError as exc:
        return [], [_problem(folder, "file.unreadable", f"cannot be read: {exc.strerror or exc}")]
    files, problems = [], []
    for name, mode in entries:
        path = folder / name
        if name.startswith("."):
            continue
        if stat.S_ISLNK(mode):
            problems.append(_problem(path, "file.symlink", "is a symbolic link; put the collection file itself here"))
        elif stat.S_ISREG(mode) and name.endswith(COLLECTION_SUFFIX):
            files.append(path)
        elif stat.S_ISREG(mode) or stat.S_ISDIR(mode):
            what = "folder" if stat.S_ISDIR(mode) else "file"
            problems.append(_problem(
                path, "collection.stray-file",
                f"is a {what} that does not belong in {folder}/: only collection files (<slug>.yaml) live there",
            ))
        else:
            kind = describe_file_kind(mode) or "not a regular file"
            problems.append(_problem(path, "file.not-regular", f"is {kind}, not a collection file; remove it"))
    return files, problems


def load_collection(path: Path, validator: Draft202012Validator) -> LoadedCollection:
    """Read one collection file and check it against the collection schema; never raises for what it holds."""
    slug = path.name[: -len(COLLECTION_SUFFIX)] if path.name.endswith(COLLECTION_SUFFIX) else path.stem
    collection = LoadedCollection(path, slug)
    if not SLUG_PATTERN.match(slug):
        collection.problems.append(_problem(
            path, "collection.slug",
            f"file name {path.name!r} is not a valid slug: use 3 to 80 lower-case letters, digits and single "
            "hyphens, ending in .yaml (for example 'harm-free-care-learning-sessions.yaml')",
        ))
    try:
        doc, node_problems = parse_yaml_mapping(read_source(path, max_bytes=MAX_COLLECTION_BYTES))
    except SourceError as exc:
        message = exc.message
        if exc.rule == "file.too-large":
            message = (f"is larger than {MAX_COLLECTION_BYTES // 1024} KiB; a collection lists at most 100 cases, "
                       "each with a short note")
        elif exc.rule == "front-matter.empty":
            message = "is empty: write the collection's title, purpose and cases (see docs/collections.md)"
        collection.problems.append(_problem(path, exc.rule, message, exc.line, exc.column))
        return collection
    collection.problems.extend(_problem(path, p.rule, p.message, p.line, p.column, p.key) for p in node_problems)
    if doc is None:
        return collection
    collection.data = doc.data
    collection.problems.extend(_for_collection(p) for p in schema_problems(doc, path, validator))
    collection.problems.extend(placeholder_problems(doc, path))  # type: ignore[arg-type]  # atlas new's TODO: lines
    _note_positions(collection, doc)
    for index, _, note in collection.entries():
        if not note.strip() and isinstance(collection.data["cases"][index].get("note"), str):
            line, column = collection.note_positions[index]
            collection.problems.append(_problem(
                path, "collection.empty-note",
                "is empty: say in a sentence or two why to read this case", line, column, f"cases[{index}].note",
            ))
    collection.problems = in_order(collection.problems)
    return collection


def _for_collection(problem: Problem) -> Problem:
    """A schema problem worded for a collection: its fields, not a case's."""
    if problem.rule == "schema.unknown-key":
        message = problem.message.replace("a field a case can have", "a field a collection can have")
        return Problem(problem.path, problem.line, problem.column, problem.severity, problem.key, message, problem.rule)
    return problem


def _note_positions(collection: LoadedCollection, doc: YamlDocument) -> None:
    cases = collection.data.get("cases")
    if isinstance(cases, list):
        collection.case_positions = [doc.position(["cases", i, "case"]) for i in range(len(cases))]
        collection.note_positions = [doc.position(["cases", i, "note"]) for i in range(len(cases))]


def load_collections(folder: Path, validator: Draft202012Validator) -> tuple[list[LoadedCollection], list[Problem]]:
    """Every collection of a folder, loaded, and the problems with what else the folder holds."""
    files, problems = collection_files(folder)
    return [load_collection(path, validator) for path in files], problems


def collection_case_problems(collections: Iterable[LoadedCollection], cases: Sequence[LoadedCase]) -> list[Problem]:
    """Each collection's cases against the cases checked: unknown, redirected, or listed twice.

    Each problem is also added to its collection's own, as a case's are to the case."""
    owners = {case.slug: case for case in cases}
    redirects = {old: new for old, new in redirect_targets(cases).items() if old not in owners}
    problems = []
    for collection in collections:
        seen: dict[str, int] = {}
        for index, slug, _ in collection.entries():
            if not SLUG_PATTERN.match(slug):
                continue  # the schema says so
            line, column = collection.case_positions[index]
            key = f"cases[{index}].case"

            def problem(message: str, rule: str, severity: Severity = Severity.ERROR) -> Problem:
                found = Problem(collection.path, line, column, severity, key, message, rule)
                collection.problems.append(found)  # so that a collection naming no case is left off the site
                return found

            target = slug
            if slug not in owners and slug in redirects:
                target = redirects[slug]
                problems.append(problem(
                    f"{slug!r} was renamed to {target!r} (its redirect_from keeps the old slug); write {target!r} here",
                    "collection.redirected", Severity.WARNING,
                ))
            if target not in owners:
                match = difflib.get_close_matches(slug, [*owners, *redirects], n=1, cutoff=0.75)
                hint = f"did you mean {match[0]!r}?" if match else "write the slug of a case in cases/ (its file name without .md)"
                problems.append(problem(f"{slug!r} is not a case in this atlas; {hint}", "collection.unknown-case"))
                continue
            if target in seen:
                problems.append(problem(
                    f"{slug!r} is listed already, as cases[{seen[target]}]; list each case once", "collection.duplicate-case"
                ))
                continue
            seen[target] = index
    return problems
