"""Turning JSON Schema errors into plain-English problems at the line of the key at fault."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Iterable, Mapping

from jsonschema import Draft202012Validator, ValidationError

from learning_atlas.contract.front_matter import YamlDocument
from learning_atlas.contract.problems import Problem, Severity, format_key_path, in_order
from learning_atlas.contract.vocabularies import Vocabulary

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
TYPE_NAMES = _TYPE_NAMES
"""How a message names each JSON type (public: the submission form words its messages the same way)."""

MESSAGES: dict[str, str] = {
    "required": "is required but missing; add it{hint}",
    "required.hint": ": {description}",
    "unknown-key": "is not a field a case can have{hint}",
    "unknown-key.did-you-mean": "; did you mean {match!r}?",
    "unknown-key.allowed": "; the fields allowed here are {allowed}",
    "vocabulary": "{instance!r} is not a {singular}",
    "vocabulary.did-you-mean": "{message}; did you mean {suggestion!r}?",
    "vocabulary.choose": "{message}; choose one of: {options}",
    "vocabulary.see-list": "{message}; see the list in schemas/vocabularies/{name}.yaml",
    "enum": "{instance!r} is not allowed here{hint}; choose one of: {options}",
    "enum.did-you-mean": "; did you mean {match!r}?",
    "type": "must be {wanted}, not {got}{hint}",
    "type.or": " or ",
    "type.list-hint": "; write each item on its own line starting '- ', or as [{instance}]",
    "type.quote-hint": "; put it in quotes",
    "type.number": "the number {instance}",
    "minLength": "is too short ({length} character{plural}); write at least {limit}",
    "maxLength": "is too long ({length} character{plural}); keep it to {limit} at most",
    "minItems": "needs at least {limit} item{plural}",
    "maxItems": "has {count} items; list {limit} at most",
    "uniqueItems": "lists {duplicate!r} more than once; list each item once",
    "minProperties": "needs at least one of: {options}",
    "format.date": "{instance!r} is not a valid date; write it as YYYY-MM-DD, for example 2021-03-15",
    "format": "{instance!r} is not a valid {format}",
    "const": "must be {value}",
    "pattern": "is not in the expected form",
    "minimum": "must be at least {limit}",
    "maximum": "must be at most {limit}",
    "exclusiveMinimum": "must be more than {limit}",
    "exclusiveMaximum": "must be less than {limit}",
}
"""The wording of every schema message, as ``str.format`` templates: one source for ``atlas check``
and the submission form, which ships them to the browser (``{name!r}`` is Python's ``repr``)."""


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
    problems = in_order(problems)
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
                hint = MESSAGES["required.hint"].format(description=about) if about else ""
                line, column = doc.position(parts)
                yield Problem(
                    path, line, column, Severity.ERROR, format_key_path(parts + [name]),
                    MESSAGES["required"].format(hint=hint), "schema.required",
                )
        return
    if kind == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        for name in error.instance:
            if name in allowed:
                continue
            match = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
            if match:
                hint = MESSAGES["unknown-key.did-you-mean"].format(match=match[0])
            else:
                hint = MESSAGES["unknown-key.allowed"].format(allowed=", ".join(allowed))
            yield problem(MESSAGES["unknown-key"].format(hint=hint), parts + [name], "schema.unknown-key")
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
            return vocabulary_message(vocabulary, instance)
        match = difflib.get_close_matches(str(instance).lower(), [str(v) for v in value], n=1, cutoff=0.6)
        hint = MESSAGES["enum.did-you-mean"].format(match=match[0]) if match else ""
        return MESSAGES["enum"].format(instance=instance, hint=hint, options=_listing(value))
    if kind == "type":
        expected = value if isinstance(value, list) else [value]
        wanted = MESSAGES["type.or"].join(_TYPE_NAMES.get(t, t) for t in expected)
        got = _describe(instance)
        hint = ""
        if "array" in expected and isinstance(instance, str):
            hint = MESSAGES["type.list-hint"].format(instance=instance)
        elif expected == ["string"] and isinstance(instance, (int, float)) and not isinstance(instance, bool):
            hint = MESSAGES["type.quote-hint"]
        return MESSAGES["type"].format(wanted=wanted, got=got, hint=hint)
    if kind in {"minLength", "maxLength"}:
        return MESSAGES[kind].format(length=len(instance), limit=value, plural="s" if len(instance) != 1 else "")
    if kind == "minItems":
        return MESSAGES["minItems"].format(limit=value, plural="s" if value != 1 else "")
    if kind == "maxItems":
        return MESSAGES["maxItems"].format(count=len(instance), limit=value)
    if kind == "uniqueItems":
        return MESSAGES["uniqueItems"].format(duplicate=_first_duplicate(instance))
    if kind == "minProperties":
        return MESSAGES["minProperties"].format(options=", ".join(schema.get("properties", {})))
    if kind == "format":
        if value == "date":
            return MESSAGES["format.date"].format(instance=instance)
        return MESSAGES["format"].format(instance=instance, format=value)
    if kind == "const":
        return MESSAGES["const"].format(value=_yaml_value(value))
    if kind == "pattern":
        return MESSAGES["pattern"]
    if kind in {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}:
        return MESSAGES[kind].format(limit=value)
    return error.message


def vocabulary_message(vocabulary: Vocabulary, value: object) -> str:
    """Why ``value`` is not a term, with the nearest term (``'Acute' is not a care setting; did you mean
    'acute'?``), or else the terms to choose from: what ``atlas check``, ``atlas new`` and ``atlas search`` say."""
    message = MESSAGES["vocabulary"].format(instance=value, singular=vocabulary.singular)
    suggestion = vocabulary.suggest(value)
    if suggestion is not None:
        return MESSAGES["vocabulary.did-you-mean"].format(message=message, suggestion=suggestion)
    if len(vocabulary.terms) <= _FEW:
        return MESSAGES["vocabulary.choose"].format(message=message, options=_listing(vocabulary.slugs))
    return MESSAGES["vocabulary.see-list"].format(message=message, name=vocabulary.name)


def _describe(instance: object) -> str:
    if isinstance(instance, bool):
        return f"{_yaml_value(instance)}"
    if instance is None:
        return "empty"
    if isinstance(instance, str):
        return "text"
    if isinstance(instance, (int, float)):
        return MESSAGES["type.number"].format(instance=instance)
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
