"""Turning JSON Schema errors into plain-English problems at the line of the key at fault."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Iterable, Mapping

from jsonschema import Draft202012Validator, ValidationError

from .front_matter import YamlDocument
from .problems import Problem, Severity, format_key_path
from .vocabularies import Vocabulary

MAX_SCHEMA_PROBLEMS = 50
"""A file with more schema problems than this gets this many and a note of how many more."""

_FEW = 12
"""Up to this many allowed values are listed in a message."""

_TYPE_NAMES = {
    "string": "text",
    "array": "a list",
    "object": "a set of fields (key: value)",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty",
}


def schema_problems(
    doc: YamlDocument,
    path: Path,
    validator: Draft202012Validator,
    vocabularies: Mapping[str, Vocabulary] | None = None,
) -> list[Problem]:
    """Validate ``doc.data`` and return one problem per schema error, in file order."""
    problems: list[Problem] = []
    seen: set[tuple] = set()
    truncated = False
    for error in validator.iter_errors(doc.data):
        for problem in _explain(error, doc, path, vocabularies or {}):
            if len(problems) >= MAX_SCHEMA_PROBLEMS:
                truncated = True
                break
            marker = (problem.line, problem.key, problem.message)
            if marker not in seen:
                seen.add(marker)
                problems.append(problem)
        if truncated:
            break
    problems.sort(key=lambda p: (p.line, p.column))
    if truncated:
        problems.append(
            Problem(
                path, problems[-1].line, 1, Severity.ERROR, "",
                f"has more than {MAX_SCHEMA_PROBLEMS} problems; fix the ones above and check again",
                "schema.too-many",
            )
        )
    return problems


def _explain(
    error: ValidationError, doc: YamlDocument, path: Path, vocabularies: Mapping[str, Vocabulary]
) -> Iterable[Problem]:
    parts = list(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    kind = error.validator

    def problem(message: str, at: list = parts, rule: str = f"schema.{kind}") -> Problem:
        line, column = doc.position(at)
        return Problem(path, line, column, Severity.ERROR, format_key_path(at), message, rule)

    if kind == "required":
        properties = schema.get("properties", {})
        unknown = [k for k in error.instance if k not in properties] if isinstance(error.instance, dict) else []
        if len(unknown) > MAX_SCHEMA_PROBLEMS:
            unknown = []  # not misspellings: a file of junk keys
        for name in error.validator_value:
            if isinstance(error.instance, dict) and name not in error.instance:
                if difflib.get_close_matches(name, unknown, n=1, cutoff=0.6):
                    continue  # reported as a misspelt key, with a did-you-mean
                about = properties.get(name, {}).get("description", "")
                hint = f": {about}" if about else ""
                line, column = doc.position(parts)
                yield Problem(
                    path, line, column, Severity.ERROR, format_key_path(parts + [name]),
                    f"is required but missing; add it{hint}", "schema.required",
                )
        return
    if kind == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        for name in error.instance:
            if name in allowed:
                continue
            match = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
            if match:
                hint = f"; did you mean {match[0]!r}?"
            else:
                hint = "; the fields allowed here are " + ", ".join(allowed)
            yield problem(f"is not a field a case can have{hint}", parts + [name], "schema.unknown-key")
        return
    if "x-message" in schema and kind in {"pattern", "format", "const"}:
        yield problem(schema["x-message"])
        return
    yield problem(_message(error, schema, vocabularies))


def _message(error: ValidationError, schema: dict[str, Any], vocabularies: Mapping[str, Vocabulary]) -> str:
    kind, value, instance = error.validator, error.validator_value, error.instance
    if kind == "enum":
        vocabulary = vocabularies.get(schema.get("x-vocabulary", ""))
        if vocabulary is not None:
            message = f"{instance!r} is not a {vocabulary.singular}"
            suggestion = vocabulary.suggest(instance)
            if suggestion is not None:
                return f"{message}; did you mean {suggestion!r}?"
            if len(vocabulary.terms) <= _FEW:
                return f"{message}; choose one of: {_listing(vocabulary.slugs)}"
            return f"{message}; see the list in schemas/vocabularies/{vocabulary.name}.yaml"
        match = difflib.get_close_matches(str(instance).lower(), [str(v) for v in value], n=1, cutoff=0.6)
        hint = f"; did you mean {match[0]!r}?" if match else ""
        return f"{instance!r} is not allowed here{hint}; choose one of: {_listing(value)}"
    if kind == "type":
        expected = value if isinstance(value, list) else [value]
        wanted = " or ".join(_TYPE_NAMES.get(t, t) for t in expected)
        got = _describe(instance)
        hint = ""
        if "array" in expected and isinstance(instance, str):
            hint = f"; write each item on its own line starting '- ', or as [{instance}]"
        elif expected == ["string"] and isinstance(instance, (int, float)) and not isinstance(instance, bool):
            hint = "; put it in quotes"
        return f"must be {wanted}, not {got}{hint}"
    if kind == "minLength":
        return f"is too short ({len(instance)} characters); write at least {value}"
    if kind == "maxLength":
        return f"is too long ({len(instance)} characters); keep it to {value} at most"
    if kind == "minItems":
        return f"needs at least {value} item{'s' if value != 1 else ''}"
    if kind == "maxItems":
        return f"has {len(instance)} items; list {value} at most"
    if kind == "uniqueItems":
        duplicate = _first_duplicate(instance)
        return f"lists {duplicate!r} more than once; list each item once"
    if kind == "minProperties":
        options = ", ".join(schema.get("properties", {}))
        return f"needs at least one of: {options}"
    if kind == "format":
        if value == "date":
            return f"{instance!r} is not a valid date; write it as YYYY-MM-DD, for example 2021-03-15"
        return f"{instance!r} is not a valid {value}"
    if kind == "const":
        return f"must be {_yaml_value(value)}"
    if kind == "pattern":
        return "is not in the expected form"
    if kind in {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}:
        word = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "more than", "exclusiveMaximum": "less than"}
        return f"must be {word[kind]} {value}"
    return error.message


def _describe(instance: object) -> str:
    if isinstance(instance, bool):
        return f"{_yaml_value(instance)}"
    if instance is None:
        return "empty"
    if isinstance(instance, str):
        return "text"
    if isinstance(instance, (int, float)):
        return f"the number {instance}"
    if isinstance(instance, list):
        return "a list"
    return "a set of fields"


def _yaml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _listing(values: Iterable[object]) -> str:
    return ", ".join(str(v) for v in values)


def _first_duplicate(items: list) -> object:
    for index, item in enumerate(items):
        if item in items[:index]:
            return item
    return items[0] if items else None
