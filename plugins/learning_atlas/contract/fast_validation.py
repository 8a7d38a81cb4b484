"""A fast yes/no validity test compiled from a JSON Schema, to skip full validation of valid cases.

jsonschema walks a schema with general machinery that costs about a
millisecond a case; most cases are valid, and for them a yes is all that is
needed. :func:`compile_validity_test` turns the schema (never a hand-kept copy
of its rules) into nested closures that answer the same question in a tenth of
the time. It supports the keywords the atlas's schemas use, with jsonschema's
own semantics (``1`` is not ``true``; ``1.0`` is an integer; ``pattern``
searches); a schema with any other keyword gets ``None``, and callers then use
jsonschema alone. A no is always followed by jsonschema, which explains it.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from jsonschema import FormatChecker

Test = Callable[[Any], bool]

_ANNOTATIONS = {"title", "description", "$schema", "$id", "$comment", "default", "examples", "deprecated"}


class Unsupported(Exception):
    """The schema uses a keyword this compiler does not handle."""


def compile_validity_test(schema: dict, format_checker: FormatChecker) -> Test | None:
    """A function telling whether an instance is valid against ``schema``, or None if unsupported."""
    try:
        return _compile(schema, format_checker)
    except Unsupported:
        return None


def _is_type(name: str) -> Test:
    if name == "string":
        return lambda v: isinstance(v, str)
    if name == "array":
        return lambda v: isinstance(v, list)
    if name == "object":
        return lambda v: isinstance(v, dict)
    if name == "boolean":
        return lambda v: isinstance(v, bool)
    if name == "null":
        return lambda v: v is None
    if name == "number":
        return lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
    if name == "integer":
        return lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())
    raise Unsupported(name)


def equal(a: Any, b: Any) -> bool:
    """jsonschema's equality: booleans differ from numbers; lists and objects compare deeply."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, dict)) or isinstance(b, (list, dict)):
        return False
    return a == b


def _unique(items: list) -> bool:
    if all(type(item) is str for item in items):
        return len(set(items)) == len(items)
    for i in range(1, len(items)):
        for j in range(i):
            if equal(items[i], items[j]):
                return False
    return True


def _compile(schema: Any, formats: FormatChecker) -> Test:
    if schema is True:
        return lambda v: True
    if not isinstance(schema, dict):
        raise Unsupported(repr(schema))
    tests: list[Test] = []
    for key in schema:
        if key in _ANNOTATIONS or key.startswith("x-") or key in {"properties", "additionalProperties"}:
            continue
        value = schema[key]
        if key == "type":
            names = value if isinstance(value, list) else [value]
            kinds = [_is_type(n) for n in names]
            if len(kinds) == 1:
                tests.append(kinds[0])
            else:
                tests.append(lambda v, kinds=kinds: any(k(v) for k in kinds))
        elif key == "enum":
            if any(isinstance(e, (list, dict)) for e in value):
                raise Unsupported("enum of collections")
            if all(isinstance(e, str) for e in value):
                words = frozenset(value)
                tests.append(lambda v, words=words: isinstance(v, str) and v in words)
            else:
                options = list(value)
                tests.append(lambda v, options=options: any(equal(v, o) for o in options))
        elif key == "const":
            tests.append(lambda v, c=value: equal(v, c))
        elif key == "minLength":
            tests.append(lambda v, n=value: not isinstance(v, str) or len(v) >= n)
        elif key == "maxLength":
            tests.append(lambda v, n=value: not isinstance(v, str) or len(v) <= n)
        elif key == "pattern":
            search = re.compile(value).search
            tests.append(lambda v, s=search: not isinstance(v, str) or s(v) is not None)
        elif key == "format":
            if value not in formats.checkers:
                continue  # jsonschema ignores formats it has no checker for
            tests.append(_format_test(formats, value))
        elif key == "minimum":
            tests.append(lambda v, n=value: not _is_type("number")(v) or v >= n)
        elif key == "minItems":
            tests.append(lambda v, n=value: not isinstance(v, list) or len(v) >= n)
        elif key == "maxItems":
            tests.append(lambda v, n=value: not isinstance(v, list) or len(v) <= n)
        elif key == "uniqueItems":
            if value:
                tests.append(lambda v: not isinstance(v, list) or _unique(v))
        elif key == "items":
            item = _compile(value, formats)

            def check_items(v: Any, t: Test = item) -> bool:
                if isinstance(v, list):
                    for x in v:
                        if not t(x):
                            return False
                return True

            tests.append(check_items)
        elif key == "required":
            names = list(value)
            tests.append(lambda v, names=names: not isinstance(v, dict) or all(n in v for n in names))
        elif key == "minProperties":
            tests.append(lambda v, n=value: not isinstance(v, dict) or len(v) >= n)
        else:
            raise Unsupported(key)
    properties = {name: _compile(sub, formats) for name, sub in schema.get("properties", {}).items()}
    extra = schema.get("additionalProperties", True)
    if extra is False and set(schema) - _ANNOTATIONS <= {"type", "required", "properties", "additionalProperties"} \
            and schema.get("type") == "object":
        return _closed_object(properties, list(schema.get("required", ())))
    if properties or extra is not True:
        if extra is False:
            def check_object(v: Any, props=properties) -> bool:
                if not isinstance(v, dict):
                    return True
                for name, item in v.items():
                    test = props.get(name)
                    if test is None or not test(item):
                        return False
                return True
        else:
            other = _compile(extra, formats)

            def check_object(v: Any, props=properties, other=other) -> bool:
                if not isinstance(v, dict):
                    return True
                return all((props.get(name) or other)(item) for name, item in v.items())

        tests.append(check_object)
    if len(tests) == 1:
        return tests[0]
    chain = tuple(tests)

    def check_all(v: Any) -> bool:
        for test in chain:
            if not test(v):
                return False
        return True

    return check_all


def _format_test(formats: FormatChecker, name: str) -> Test:
    """``formats.conforms(v, name)``, with the checker looked up once."""
    check, raises = formats.checkers[name]

    def conforms(v: Any) -> bool:
        try:
            return bool(check(v))
        except raises:
            return False

    return conforms


def _closed_object(properties: dict[str, Test], required: list[str]) -> Test:
    """``type: object``, ``required`` and ``properties`` with ``additionalProperties: false`` in one test:
    the shape of a series' points, links and measures, met many times a case."""

    def check_closed_object(v: Any) -> bool:
        if not isinstance(v, dict):
            return False
        for name in required:
            if name not in v:
                return False
        for name, item in v.items():
            test = properties.get(name)
            if test is None or not test(item):
                return False
        return True

    return check_closed_object
