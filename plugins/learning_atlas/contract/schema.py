"""The case schema and vocabularies: loaded once, checked, and turned into one cached validator."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema import Draft202012Validator, FormatChecker

from learning_atlas.contract.fast_validation import Test, compile_validity_test
from learning_atlas.contract.front_matter import YamlDocument, parse_yaml_mapping
from learning_atlas.contract.problems import Problem, Severity
from learning_atlas.contract.source import SourceError, read_source
from learning_atlas.contract.validation import schema_problems
from learning_atlas.contract.vocabularies import VOCABULARY_NAMES, Term, Vocabulary

CASE_SCHEMA_FILE = "case.schema.yaml"
CASE_SCHEMA_JSON = "case.schema.json"
VOCABULARY_SCHEMA_FILE = "vocabulary.schema.yaml"
VOCABULARY_DIR = "vocabularies"

_FORMATS = FormatChecker(formats=("date", "email"))


class SchemaLoadError(Exception):
    """The schema or a vocabulary is broken; ``problems`` says where, for the editor to fix."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(p.gnu() for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class CaseSchema:
    """The case schema with its vocabulary enums filled in, and its validator."""

    schema: dict[str, Any]
    vocabularies: dict[str, Vocabulary]
    validator: Draft202012Validator = field(repr=False)
    directory: Path
    is_valid: Test | None = field(default=None, repr=False)
    """A fast test compiled from the schema: valid cases skip jsonschema's slower walk."""

    def to_json(self) -> str:
        """The schema as JSON, for editors' YAML tooling and the submission form."""
        return json.dumps(self.schema, indent=2, ensure_ascii=False) + "\n"


_CACHE: dict[tuple, CaseSchema] = {}


def schema_files(schema_dir: Path) -> list[Path]:
    """Every file the case schema is built from (watched by ``mkdocs serve``)."""
    vocab_dir = schema_dir / VOCABULARY_DIR
    return [schema_dir / CASE_SCHEMA_FILE, schema_dir / VOCABULARY_SCHEMA_FILE] + [
        vocab_dir / f"{name}.yaml" for name in VOCABULARY_NAMES
    ]


def load_case_schema(schema_dir: Path) -> CaseSchema:
    """Load ``schema_dir``'s case schema and vocabularies, cached until one of the files changes.

    Raises :class:`SchemaLoadError` with one problem per fault in the files.
    """
    files = schema_files(schema_dir)
    stamp = tuple((str(p.resolve()), _mtime(p)) for p in files)
    cached = _CACHE.get(stamp)
    if cached is None:
        cached = _build(schema_dir)
        _CACHE.clear()
        _CACHE[stamp] = cached
    return cached


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def _build(schema_dir: Path) -> CaseSchema:
    problems: list[Problem] = []
    if not schema_dir.is_dir():
        raise SchemaLoadError([Problem(
            schema_dir, 1, 1, Severity.ERROR, "",
            "is not a folder: the case schema and vocabularies live in the atlas's schemas/ folder; "
            "run atlas in the atlas's folder (or below it), or give --schemas DIRECTORY",
            "schema.missing-folder",
        )])
    vocab_doc = _read_schema_file(schema_dir / VOCABULARY_SCHEMA_FILE, problems)
    case_doc = _read_schema_file(schema_dir / CASE_SCHEMA_FILE, problems)
    if problems:
        raise SchemaLoadError(problems)
    vocab_validator = Draft202012Validator(vocab_doc.data, format_checker=_FORMATS)
    vocabularies: dict[str, Vocabulary] = {}
    for name in VOCABULARY_NAMES:
        vocabulary = _load_vocabulary(schema_dir / VOCABULARY_DIR / f"{name}.yaml", name, vocab_validator, problems)
        if vocabulary is not None:
            vocabularies[name] = vocabulary
    if problems:
        raise SchemaLoadError(problems)
    schema = copy.deepcopy(case_doc.data)
    _fill_vocabularies(schema, vocabularies, schema_dir / CASE_SCHEMA_FILE, problems)
    try:
        Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        path = schema_dir / CASE_SCHEMA_FILE
        line, column = case_doc.position(list(exc.absolute_path))
        problems.append(
            Problem(path, line, column, Severity.ERROR, "/".join(map(str, exc.absolute_path)), exc.message, "schema.invalid")
        )
    if problems:
        raise SchemaLoadError(problems)
    validator = Draft202012Validator(schema, format_checker=_FORMATS)
    return CaseSchema(
        schema=schema,
        vocabularies=vocabularies,
        validator=validator,
        directory=schema_dir,
        is_valid=compile_validity_test(schema, _FORMATS),
    )


def _read_schema_file(path: Path, problems: list[Problem]) -> YamlDocument:
    try:
        doc, node_problems = parse_yaml_mapping(read_source(path))
    except SourceError as exc:
        problems.append(Problem(path, exc.line, exc.column, Severity.ERROR, "", exc.message, exc.rule))
        return None  # type: ignore[return-value]
    for p in node_problems:
        problems.append(Problem(path, p.line, p.column, Severity.ERROR, p.key, p.message, p.rule))
    return doc  # type: ignore[return-value]


def _load_vocabulary(
    path: Path, name: str, validator: Draft202012Validator, problems: list[Problem]
) -> Vocabulary | None:
    found: list[Problem] = []
    doc = _read_schema_file(path, found)
    if doc is not None:
        found.extend(schema_problems(doc, path, validator))
    if not found:
        data = doc.data
        if data["name"] != name:
            line, column = doc.position(["name"])
            found.append(
                Problem(path, line, column, Severity.ERROR, "name", f"must be {name!r}, the file's own name", "vocabulary.name")
            )
        seen: set[object] = set()
        for index, term in enumerate(data["terms"]):
            slug = term["slug"]
            want = int if name == "commitments" else str
            if not isinstance(slug, want) or isinstance(slug, bool):
                kind = "a whole number" if want is int else "text such as 'patient-safety'"
                line, column = doc.position(["terms", index, "slug"])
                found.append(
                    Problem(path, line, column, Severity.ERROR, f"terms[{index}].slug", f"must be {kind}", "vocabulary.slug-type")
                )
            if slug in seen:
                line, column = doc.position(["terms", index, "slug"])
                found.append(
                    Problem(
                        path, line, column, Severity.ERROR, f"terms[{index}].slug",
                        f"{slug!r} is listed twice; each term once", "vocabulary.duplicate-term",
                    )
                )
            seen.add(slug)
    problems.extend(found)
    if found:
        return None
    return Vocabulary(
        name=data["name"],
        label=data["label"],
        singular=data["singular"],
        description=data["description"].strip(),
        terms=tuple(Term(t["slug"], t["label"], t["description"].strip()) for t in data["terms"]),
        path=path,
    )


def _fill_vocabularies(node: Any, vocabularies: dict[str, Vocabulary], path: Path, problems: list[Problem]) -> None:
    if isinstance(node, dict):
        name = node.get("x-vocabulary")
        if name is not None:
            if name in vocabularies:
                node["enum"] = vocabularies[name].slugs
            else:
                problems.append(
                    Problem(path, 1, 1, Severity.ERROR, "x-vocabulary", f"names no vocabulary: {name!r}", "schema.vocabulary")
                )
        for value in node.values():
            _fill_vocabularies(value, vocabularies, path, problems)
    elif isinstance(node, list):
        for value in node:
            _fill_vocabularies(value, vocabularies, path, problems)
