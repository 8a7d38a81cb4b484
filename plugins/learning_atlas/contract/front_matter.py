"""Splitting a case file into YAML front matter and Markdown body, and reading the YAML safely.

The YAML is composed once with libyaml (``yaml.CSafeLoader``) into nodes; the
nodes give every value its line and column, and are turned into plain Python
values by :func:`_to_python`, which refuses what a case never needs and an
attacker might use: aliases (the "billion laughs"), explicit tags, keys that
are not text, duplicate keys and deep nesting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable

import yaml
from frontmatter.default_handlers import YAMLHandler

from learning_atlas.contract.problems import format_key_path
from learning_atlas.contract.series_lines import QuickSeries, blank_series
from learning_atlas.contract.source import SourceError

MAX_DEPTH = 32
"""Front matter nested deeper than this is refused (a case needs 3 levels)."""

MAX_NODES = 20_000
"""Front matter with more values than this is refused before it is composed (memory stays small)."""

MAX_ITEMS = 1000
"""A list or mapping with more entries than this is refused (a case needs a few dozen at most)."""

_MAX_NODE_PROBLEMS = 20

# libyaml composes recursively in C (measured here: 20,000 nested levels are
# fine, 100,000 crash the process) and scans flow collections in quadratic
# time, so a deeply nested document can crash or hang it. Each block level
# takes at least two characters and each flow level a bracket, so a short
# document with few brackets is composed directly; any other first gets a
# streaming pass over libyaml's events (iterative, and stopped as soon as it
# is too deep).
_DIRECT_COMPOSE_BRACKETS = 400
_DIRECT_COMPOSE_CHARS = 20_000

_BOUNDARY = YAMLHandler.FM_BOUNDARY

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP = (
    _TAG + "str",
    _TAG + "int",
    _TAG + "float",
    _TAG + "bool",
    _TAG + "null",
    _TAG + "timestamp",
)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()

_RESOLVED: dict[tuple[str, tuple[bool, bool]], str] = {}
_RESOLVED_MAX = 8192
_RESOLVED_LENGTH = 40


class _Loader(yaml.CSafeLoader):
    """``yaml.CSafeLoader``, remembering the tag it gives each short plain value it has seen.

    A case repeats the same keys and short values (a series' ``date``, ``value`` and dates), and
    libyaml asks Python to resolve every one with regular expressions. The tag depends on the text
    and its style alone (the safe loader has no path resolvers), so a remembered tag is the same
    tag; the memory is bounded, whatever a file holds.
    """

    def resolve(self, kind, value, implicit):  # type: ignore[override]
        if kind is _SCALAR_NODE:
            tag = _RESOLVED.get((value, implicit))
            if tag is None:
                tag = _RESOLVE(self, kind, value, implicit)
                if len(value) <= _RESOLVED_LENGTH and len(_RESOLVED) < _RESOLVED_MAX:
                    _RESOLVED[(value, implicit)] = tag
            return tag
        return _RESOLVE(self, kind, value, implicit)

    # libyaml calls these for every node; with no path resolvers (the safe loader has none) pyyaml's own
    # return at once, so these do the same without looking
    def descend_resolver(self, current_node, current_index):  # type: ignore[override]
        return None

    def ascend_resolver(self):  # type: ignore[override]
        return None


if yaml.CSafeLoader.yaml_path_resolvers:  # pragma: no cover - pyyaml gives the safe loader none
    raise ImportError("yaml.CSafeLoader has path resolvers: _Loader's shortcuts would be wrong")
_SCALAR_NODE = yaml.ScalarNode
_RESOLVE = yaml.CSafeLoader.resolve


@dataclass
class NodeProblem:
    """A problem found while reading the YAML nodes, before any schema check."""

    line: int
    column: int
    key: str
    message: str
    rule: str


@dataclass
class YamlDocument:
    """A YAML document as data, with the nodes that locate each value in the file."""

    data: Any
    root: yaml.Node
    first_line: int
    strings: list = field(default_factory=list, repr=False)

    def node_at(self, parts: Iterable[str | int]) -> tuple[yaml.Node | None, yaml.Node | None]:
        """Return ``(key node, value node)`` for a JSON path, as far as the path exists."""
        key_node: yaml.Node | None = None
        node: yaml.Node | None = self.root
        for part in parts:
            if isinstance(node, yaml.MappingNode):
                pair = self._pairs(node).get(part)
                if pair is None:
                    return key_node, None
                key_node, node = pair
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
                key_node = node
            else:
                return key_node, None
        return key_node, node

    def release_nodes(self) -> None:
        """Drop the YAML nodes and the texts list once the checks have run; ``data`` and ``body`` stay."""
        self.root = None  # type: ignore[assignment]
        self.strings = []
        self.__dict__.pop("_pair_cache", None)

    def _pairs(self, node: yaml.MappingNode) -> dict[object, tuple[yaml.Node, yaml.Node]]:
        cache = self.__dict__.setdefault("_pair_cache", {})
        pairs = cache.get(id(node))
        if pairs is None:
            pairs = {}
            for k, v in node.value:
                pairs.setdefault(k.value, (k, v))
            cache[id(node)] = pairs
        return pairs

    def position(self, parts: Iterable[str | int]) -> tuple[int, int]:
        """The file line and column of the key at ``parts`` (its parent's if it is missing)."""
        key_node, value_node = self.node_at(parts)
        node = key_node or value_node
        if node is None:
            return self.first_line - 1, 1
        return self.mark(node)

    def mark(self, node: yaml.Node) -> tuple[int, int]:
        return self.first_line + node.start_mark.line, node.start_mark.column + 1

    def text_line(self, parts: Iterable[str | int], offset: int) -> int:
        """The file line of character ``offset`` inside the string at ``parts``.

        Exact for literal block scalars (``|``), the style prose fields use;
        for other styles, the line of the key.
        """
        parts = list(parts)
        key_node, node = self.node_at(parts)
        line, _ = self.position(parts)
        if isinstance(node, yaml.ScalarNode) and node.style == "|" and isinstance(node.value, str):
            return self.first_line + node.start_mark.line + 1 + node.value.count("\n", 0, offset)
        return line


@dataclass
class FrontMatter(YamlDocument):
    """A case file's front matter, and the Markdown body that follows it."""

    body: str = ""
    body_line: int = 1
    quick_series: bool = False
    """Whether a series was read from its lines rather than from YAML nodes (:mod:`~learning_atlas.contract.series_lines`):
    the nodes of its points are then missing, and a file with a problem is read again without the shortcut."""


def split_front_matter(text: str) -> tuple[str, int, str, int]:
    """Split ``text`` into ``(yaml, first yaml line, body, first body line)``.

    The boundary is python-frontmatter's (a line of three or more hyphens);
    the file must start with one and have a second.
    """
    opening = _BOUNDARY.match(text)
    if opening is None:
        raise SourceError(
            "has no front matter: a case file must start with a line '---', then the "
            "fields (title: …), then another line '---'",
            rule="front-matter.missing",
        )
    closing = _BOUNDARY.search(text, opening.end())
    if closing is None:
        raise SourceError(
            "front matter is not closed: add a line '---' after the last field",
            rule="front-matter.unclosed",
        )
    yaml_start = opening.end()
    # The boundary pattern's trailing \s* can swallow the newline; start on the next line.
    if yaml_start < len(text) and text[yaml_start] == "\n":
        yaml_start += 1
    yaml_text = text[yaml_start : closing.start()]
    first_line = text.count("\n", 0, yaml_start) + 1
    body_start = closing.end()
    if body_start < len(text) and text[body_start] == "\n":
        body_start += 1
    body_line = text.count("\n", 0, body_start) + 1
    return yaml_text, first_line, text[body_start:], body_line


def parse_front_matter(text: str, *, quick_series: bool = False) -> tuple[FrontMatter | None, list[NodeProblem]]:
    """Split and read the front matter of a case file's text.

    Returns the front matter (``None`` when it cannot be used) and the
    problems found in its YAML. Raises :class:`SourceError` when there is no
    usable front matter at all.

    With ``quick_series``, a series written one point a line is read from its lines
    (:mod:`~learning_atlas.contract.series_lines`), to the same values; its points then have no
    nodes to point at, so a caller that finds a problem reads the text again without it
    (:attr:`FrontMatter.quick_series` says whether it was used). Whatever the YAML holds, a
    result with problems, or an error, is always the one the nodes give.
    """
    yaml_text, first_line, body, body_line = split_front_matter(text)
    if quick_series:
        blanked, quick = blank_series(yaml_text, MAX_ITEMS)
        if quick is not None:
            fm = FrontMatter(data=None, root=None, first_line=first_line, body=body, body_line=body_line)  # type: ignore[arg-type]
            try:
                read, problems = _read_mapping(blanked, fm, what="front matter", quick=quick, original=yaml_text)
            except SourceError:
                read = None
            if read is not None and quick.all_taken:
                fm.quick_series = True
                return read, problems
    fm = FrontMatter(data=None, root=None, first_line=first_line, body=body, body_line=body_line)  # type: ignore[arg-type]
    return _read_mapping(yaml_text, fm, what="front matter")


def parse_yaml_mapping(text: str) -> tuple[YamlDocument | None, list[NodeProblem]]:
    """Read a whole YAML file (a vocabulary, say) that must hold a mapping, as safely as front matter."""
    doc = YamlDocument(data=None, root=None, first_line=1)  # type: ignore[arg-type]
    return _read_mapping(text, doc, what="the file")


def _read_mapping(
    yaml_text: str, doc: Any, *, what: str, quick: QuickSeries | None = None, original: str | None = None
) -> tuple[Any, list[NodeProblem]]:
    root = _compose(yaml_text, doc.first_line, what, original)
    if root is None:
        raise SourceError(
            f"{what} is empty: add the fields" + (" between the '---' lines" if what == "front matter" else ""),
            line=max(doc.first_line - 1, 1),
            rule="front-matter.empty",
        )
    doc.root = root
    if not isinstance(root, yaml.MappingNode):
        kind = "a list" if isinstance(root, yaml.SequenceNode) else "a single value"
        line, column = doc.mark(root)
        raise SourceError(
            f"{what} is {kind}, not a set of fields: write one 'key: value' per line",
            line=line,
            column=column,
            rule="front-matter.not-mapping",
        )
    reader = _NodeReader(doc, quick)
    data = reader.convert(root, (), 0)
    if reader.problems:
        return None, reader.problems
    doc.data = data
    doc.strings = reader.strings
    return doc, []


def _compose(yaml_text: str, first_line: int, what: str = "front matter", original: str | None = None) -> yaml.Node | None:
    """The YAML's nodes; ``original``, the text before series were blanked in ``yaml_text``, decides what is too big."""
    whole = yaml_text if original is None else original
    direct = (
        len(whole) <= _DIRECT_COMPOSE_CHARS
        and whole.count("[") + whole.count("{") <= _DIRECT_COMPOSE_BRACKETS
    )
    try:
        if not direct:
            _refuse_oversized_structure(whole, first_line, what)
        return yaml.compose(yaml_text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, yaml_text, first_line, what) from None
    except yaml.YAMLError as exc:  # pragma: no cover - libyaml always gives marks
        raise SourceError(f"{what} is not valid YAML: {exc}", line=first_line, rule="yaml.syntax") from None


def _refuse_oversized_structure(yaml_text: str, first_line: int, what: str = "front matter") -> None:
    depth = nodes = 0
    for event in yaml.parse(yaml_text, Loader=yaml.CSafeLoader):
        if isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)):
            nodes += 1
            if nodes > MAX_NODES:
                raise SourceError(
                    f"{what} holds more than {MAX_NODES:,} values; a case study needs a few hundred "
                    "at most: move long detail into the Markdown body" if what == "front matter" else
                    f"{what} holds more than {MAX_NODES:,} values; it needs far fewer",
                    line=first_line + event.start_mark.line,
                    column=event.start_mark.column + 1,
                    rule="yaml.too-large",
                )
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise SourceError(
                    f"{what} is nested more than {MAX_DEPTH} levels deep; "
                    + ("a case study needs only a few levels" if what == "front matter" else "it needs only a few"),
                    line=first_line + event.start_mark.line,
                    column=event.start_mark.column + 1,
                    rule="yaml.too-deep",
                )
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1


def _yaml_error(exc: yaml.MarkedYAMLError, yaml_text: str, first_line: int, what: str = "front matter") -> SourceError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or "is not valid YAML"
    line = first_line + (mark.line if mark else 0)
    column = (mark.column + 1) if mark else 1
    hint = ""
    if mark is not None and 0 <= mark.index < len(yaml_text) and yaml_text[mark.index] == "\t":
        return SourceError(
            f"{what} is not valid YAML: a tab is used for indentation; indent with spaces instead",
            line=line,
            column=column,
            rule="yaml.syntax",
        )
    if "mapping values are not allowed" in problem:
        hint = "; if a value contains ': ', put it in quotes or use a block (key: |)"
    elif "could not find expected ':'" in problem or "expected <block end>" in problem:
        hint = "; check the indentation and that every field is written 'key: value'"
    elif "expected a single document" in problem:
        hint = "; the front matter must be one document between the two '---' lines" if what == "front matter" else "; write one YAML document"
    context = f"{exc.context} " if exc.context and "document" not in problem else ""
    return SourceError(
        f"{what} is not valid YAML: {context}{problem}{hint}",
        line=line,
        column=column,
        rule="yaml.syntax",
    )


class _NodeReader:
    """Turns composed nodes into Python values, collecting what a case may not use."""

    def __init__(self, fm: YamlDocument, quick: QuickSeries | None = None) -> None:
        self.fm = fm
        self.quick = quick
        self.problems: list[NodeProblem] = []
        self._seen: set[int] = set()
        self._alias_reported = False
        self.strings: list[tuple[tuple, str]] = []
        """Every text and whole number met, with its path, in document order (for the domain checks)."""

    def _problem(self, node: yaml.Node, path: tuple, message: str, rule: str) -> None:
        if len(self.problems) < _MAX_NODE_PROBLEMS:
            line, column = self.fm.mark(node)
            self.problems.append(NodeProblem(line, column, format_key_path(path), message, rule))

    def convert(self, node: yaml.Node, path: tuple, depth: int, owner: yaml.Node | None = None) -> Any:
        """Convert ``node``; ``owner`` is the key or collection it sits in, to point at for an alias."""
        if id(node) in self._seen:
            # An alias shares its anchor's node, and so its marks: point at where it is used.
            if not self._alias_reported:
                self._alias_reported = True
                self._problem(
                    owner or node, path,
                    "uses a YAML alias (*name) to repeat a value; write the value out in full",
                    "yaml.alias",
                )
            return None
        self._seen.add(id(node))
        if node.tag == _STR and isinstance(node, yaml.ScalarNode):
            self.strings.append((path, node.value))
            return node.value
        if depth > MAX_DEPTH:
            self._problem(
                node, path[:1], f"is nested more than {MAX_DEPTH} levels deep; a case needs only a few", "yaml.too-deep"
            )
            return None
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, path)
        if len(node.value) > MAX_ITEMS:
            self._problem(
                node, path[:1], f"has more than {MAX_ITEMS:,} entries; a case study needs far fewer", "yaml.too-long"
            )
            return None
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _TAG + "seq":
                return self._bad_tag(node, path)
            return [self.convert(item, path + (i,), depth + 1, node) for i, item in enumerate(node.value)]
        if node.tag != _TAG + "map":
            return self._bad_tag(node, path)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "a list or mapping"
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag == _TAG + "merge":
                    message = "uses a YAML merge key (<<); write the fields out in full"
                else:
                    message = f"key {shown!r} is not text; field names are words such as 'title' (quote it if you must)"
                self._problem(key_node, path, message, "yaml.key-not-text")
                continue
            key = key_node.value
            if key in result:
                first = next(k for k, _ in node.value if isinstance(k, yaml.ScalarNode) and k.value == key)
                self._problem(
                    key_node,
                    path + (key,),
                    f"appears twice (first on line {self.fm.mark(first)[0]}); keep one",
                    "yaml.duplicate-key",
                )
                continue
            if self.quick is not None and key == "series" and depth + 3 <= MAX_DEPTH:
                run = self.quick.take(key_node, value_node, node.flow_style is False)
                if run is not None:
                    result[key] = self._points(run.points, path + (key,))
                    continue
            if type(value_node) is yaml.ScalarNode and depth < MAX_DEPTH and id(value_node) not in self._seen:
                # convert's own steps for a plain value, without a call for each (a series has hundreds)
                self._seen.add(id(value_node))
                if value_node.tag == _STR:
                    self.strings.append((path + (key,), value_node.value))
                    result[key] = value_node.value
                else:
                    result[key] = self._scalar(value_node, path + (key,))
                continue
            result[key] = self.convert(value_node, path + (key,), depth + 1, key_node)
        return result

    def _points(self, points: list, path: tuple) -> list[dict[str, Any]]:
        """A series read by :mod:`~learning_atlas.contract.series_lines`, as its nodes would have been read."""
        strings = self.strings
        out = []
        for index, (date, quoted, value) in enumerate(points):
            if quoted:
                strings.append((path + (index, "date"), date))
            if type(value) is int:
                strings.append((path + (index, "value"), str(value)))
            out.append({"date": date, "value": value})
        return out

    def _scalar(self, node: yaml.ScalarNode, path: tuple) -> Any:
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag == _TIMESTAMP:
            # Unquoted dates stay the ISO text they were written as; the schema checks the form.
            return node.value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return _CONSTRUCTOR.construct_yaml_bool(node)
        if tag == _INT:
            try:
                value = _CONSTRUCTOR.construct_yaml_int(node)
                self.strings.append((path, str(value)))
                return value
            except ValueError:
                self._problem(node, path, "is a number too long to read; write a shorter number", "yaml.bad-number")
                return None
        if tag == _FLOAT:
            value = _CONSTRUCTOR.construct_yaml_float(node)
            if not math.isfinite(value):
                self._problem(node, path, f"{node.value!r} is not a finite number", "yaml.bad-number")
                return None
            return value
        return self._bad_tag(node, path)

    def _bad_tag(self, node: yaml.Node, path: tuple) -> None:
        tag = node.tag.replace(_TAG, "!!")
        self._problem(
            node, path, f"uses the YAML tag {tag}, which case files do not allow; remove the tag", "yaml.tag"
        )
        return None
