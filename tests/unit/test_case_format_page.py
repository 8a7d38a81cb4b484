"""docs/case-format.md, the atlas's contract, agrees with the schema, the vocabularies and the checker.

The page is read as the site reads it (Python-Markdown with mkdocs.yml's extensions), and its
tables of fields are compared with the schema both ways: a row for every field and a field for
every row, then each row's Required and Rules cells against the field. Each failure says what to
change on which side. The rules the page gives for a case's folder and for text (the file types,
sizes and PDF actions refused, the elements and addresses refused as script, the characters no page
may hold) and the checker's numbers are compared with the code that applies them.

The cells are written to a small grammar, so that they read as English and parse:

- Required: starts with ``yes`` or ``no`` (for a part: whenever its field is there).
- Rules: opens with what the field holds, in bold, one of the words in ``TYPES``; lengths as
  ``10–160 characters``, ``at least 50 characters``, ``at most 254 characters`` or ``not empty``;
  a list's size as ``1–10 <things>`` or ``at least 1 <thing>``, and what follows ``; each`` is about
  each item; ``at least one of`` a mapping's parts; choices and parts in backticks.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import cache

import markdown
import yaml
from bs4 import BeautifulSoup, Tag
from conftest import ROOT, SCHEMAS
from learning_atlas.contract import case_assets, front_matter, near_duplicates, validation
from learning_atlas.contract.case import ADDING_VALUE_PARTS, SECTIONS
from learning_atlas.contract.domain_checks import PROSE_KEYS, SCRIPT_SCHEMES
from learning_atlas.contract.html_scan import DANGEROUS_TAGS
from learning_atlas.contract.loader import SLUG_PATTERN
from learning_atlas.contract.schema import load_case_schema
from learning_atlas.contract.source import FORBIDDEN_CHARACTERS, MAX_BYTES
from learning_atlas.contract.vocabularies import VOCABULARY_NAMES

PAGE = ROOT / "docs" / "case-format.md"
PAGE_NAME = "docs/case-format.md"
SCHEMA_NAME = "schemas/case.schema.yaml"
TABLE_SECTION = "Front matter"
COLUMNS = ["Field", "Required", "Rules", "Shown as"]
MARKDOWN_FIELDS = {*PROSE_KEYS, *(f"adding_value.{part}" for part, _ in ADDING_VALUE_PARTS)}
"""The fields the checker and the site read as Markdown (relative links, rendering)."""

TYPES = {
    "text": lambda path, node: node.get("type") == "string"
    and not {"format", "enum", "x-vocabulary"} & set(node)
    and path not in MARKDOWN_FIELDS,
    "Markdown": lambda path, node: node.get("type") == "string" and path in MARKDOWN_FIELDS,
    "date": lambda path, node: node.get("type") == "string" and node.get("format") == "date",
    "email address": lambda path, node: node.get("type") == "string" and node.get("format") == "email",
    "web address": lambda path, node: node.get("type") == "string" and node.get("pattern", "").startswith("^https?://"),
    "term": lambda path, node: "x-vocabulary" in node,
    "choice": lambda path, node: "enum" in node and "x-vocabulary" not in node,
    "list": lambda path, node: node.get("type") == "array",
    "mapping": lambda path, node: node.get("type") == "object",
    "number": lambda path, node: node.get("type") == "number",
    "true": lambda path, node: node.get("const") is True,
}
"""What each word that opens a Rules cell, in bold, means in the schema."""

LIMITS = ("minLength", "maxLength", "minItems", "maxItems", "minProperties")
_NUMBER = r"(\d[\d,]*)"
_RANGE = re.compile(_NUMBER + r"–" + _NUMBER + r" (\w+)")
_AT_LEAST = re.compile(r"at least " + _NUMBER + r" (\w+)")
_AT_MOST = re.compile(r"at most " + _NUMBER + r" (\w+)")
_EACH = re.compile(r";\s*each\b")
_IDENTIFIER = re.compile(r"[a-z][a-z_]*")


# --- reading the page --------------------------------------------------------------------------


class _TagTolerantLoader(yaml.SafeLoader):
    """mkdocs.yml uses MkDocs' own tags (``!relative``): read their values as plain data."""


_TagTolerantLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


@cache
def _page() -> BeautifulSoup:
    """The page as the site renders it, with mkdocs.yml's Markdown extensions (but the snippets'
    includes, which this page does not use)."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_TagTolerantLoader)
    names = [next(iter(e)) if isinstance(e, dict) else e for e in config["markdown_extensions"]]
    extensions = [name for name in names if name != "pymdownx.snippets"]
    html = markdown.markdown(PAGE.read_text(encoding="utf-8"), extensions=extensions)
    return BeautifulSoup(html, "html.parser")


def _section(title: str) -> list[Tag]:
    """The elements after the ``h2`` ``title`` up to the next ``h2``."""
    headings = [h for h in _page().find_all("h2") if " ".join(h.get_text().split()) == title]
    assert headings, f"{PAGE_NAME} has no section '## {title}'; the tests read it: put it back or change them"
    elements = []
    for element in headings[0].find_next_siblings():
        if element.name == "h2":
            break
        elements.append(element)
    return elements


def _text(elements: list[Tag]) -> str:
    return " ".join(" ".join(e.get_text(" ").split()) for e in elements)


def _bullet(section: str, lead: str) -> Tag:
    """The list item of ``section`` that starts with the bold words ``lead``."""
    for element in _section(section):
        for item in element.find_all("li") if element.name in ("ul", "ol") else []:
            strong = item.find("strong")
            if strong is not None and strong.get_text(strip=True).startswith(lead):
                return item
    raise AssertionError(f"{PAGE_NAME}: section '{section}' has no bullet starting **{lead}**; the tests read it")


def _codes(tag: Tag) -> list[str]:
    return [code.get_text() for code in tag.find_all("code")]


@dataclass(frozen=True)
class Row:
    field: str
    required: str
    type: str
    rules: str
    rules_cell: Tag


@cache
def _rows() -> dict[str, Row]:
    """Every row of the field tables in '## Front matter', in order."""
    tables = [t for e in _section(TABLE_SECTION) for t in ([e] if e.name == "table" else e.find_all("table"))]
    assert tables, f"{PAGE_NAME}: '## {TABLE_SECTION}' must hold the tables of fields"
    rows: dict[str, Row] = {}
    for table in tables:
        header = [th.get_text(strip=True) for th in table.find("thead").find_all("th")]
        assert header == COLUMNS, f"{PAGE_NAME}: a table of fields must have the columns {COLUMNS}, not {header}"
        for tr in table.find("tbody").find_all("tr"):
            cells = tr.find_all("td")
            name = cells[0].get_text(strip=True)
            # A long name may be two code spans with a <wbr> between, so that it can wrap at the dot.
            assert "".join(_codes(cells[0])) == name, f"{PAGE_NAME}: the Field cell {name!r} must be a field name in backticks"
            assert name not in rows, f"{PAGE_NAME}: the field tables have two rows for `{name}`; keep one"
            rules = " ".join(cells[2].get_text().split())
            kind = cells[2].find("strong")
            assert kind is not None and rules.startswith(kind.get_text()), (
                f"{PAGE_NAME}: the Rules of `{name}` must start with what it holds, in bold (**text**, **list**…)"
            )
            rows[name] = Row(name, cells[1].get_text(strip=True), kind.get_text(), rules, cells[2])
    return rows


# --- reading the schema ------------------------------------------------------------------------


@cache
def _schema() -> dict:
    return load_case_schema(SCHEMAS).schema


def _fields(node: dict, prefix: str = "") -> list[tuple[str, dict, dict]]:
    """``(path, node, parent)`` for every property at every depth; a list's items add ``[]``."""
    found = []
    for name, sub in node.get("properties", {}).items():
        path = prefix + name
        found.append((path, sub, node))
        found += _fields(sub, path + ".")
        if isinstance(sub.get("items"), dict):
            found += _fields(sub["items"], path + "[].")
    return found


@cache
def _schema_fields() -> dict[str, tuple[dict, dict]]:
    return {path: (node, parent) for path, node, parent in _fields(_schema())}


def _documented() -> list[tuple[Row, dict, dict]]:
    fields = _schema_fields()
    return [(row, *fields[name]) for name, row in _rows().items() if name in fields]


def _limits(text: str, *, is_list: bool) -> dict[str, int]:
    """The limits a Rules cell (or its part about each item) writes, as schema keywords."""
    found: dict[str, int] = {}

    def number(digits: str) -> int:
        return int(digits.replace(",", ""))

    def put(keyword: str, value: int) -> None:
        assert keyword not in found, f"two limits for {keyword} in {text!r}"
        found[keyword] = value

    for low, high, unit in _RANGE.findall(text):
        if unit == "characters":
            put("minLength", number(low))
            put("maxLength", number(high))
        elif is_list:
            put("minItems", number(low))
            put("maxItems", number(high))
    for pattern, keyword in ((_AT_LEAST, "min"), (_AT_MOST, "max")):
        for value, unit in pattern.findall(text):
            if unit.startswith("character"):
                put(f"{keyword}Length", number(value))
            elif is_list:
                put(f"{keyword}Items", number(value))
    if "not empty" in text:
        put("minLength", 1)
    if "at least one of" in text:
        put("minProperties", 1)
    return found


def _schema_limits(node: dict) -> dict[str, int]:
    return {keyword: node[keyword] for keyword in LIMITS if keyword in node}


# --- the fields table against the schema -------------------------------------------------------


def test_every_field_of_the_schema_has_a_row_and_every_row_is_a_field():
    fields, rows = _schema_fields(), _rows()
    missing = [f for f in fields if f not in rows]
    unknown = [r for r in rows if r not in fields]
    assert not missing, (
        f"{SCHEMA_NAME} has fields that {PAGE_NAME}'s table lacks: {missing}; add a row for each to the page "
        "(or remove the field from the schema)"
    )
    assert not unknown, (
        f"{PAGE_NAME}'s table has rows for fields that {SCHEMA_NAME} does not define: {unknown}; remove the rows "
        "or correct their names (or add the fields to the schema)"
    )


def test_the_table_lists_the_top_level_fields_and_the_sections_in_the_schemas_order():
    top = [name for name in _rows() if "." not in name]
    assert top == list(_schema()["properties"]), (
        f"{PAGE_NAME}: list the top-level fields in the order of {SCHEMA_NAME}'s properties"
    )
    sections = [name for name in _rows() if name in dict(SECTIONS)]
    assert sections == [key for key, _ in SECTIONS], (
        f"{PAGE_NAME} says case pages show the sections in the table's order: order the rows as "
        "model.SECTIONS does (or change SECTIONS)"
    )


def test_required_column_matches_the_schemas_required():
    wrong = []
    for row, _node, parent in _documented():
        said = row.required.lower()
        assert said.startswith(("yes", "no")), f"{PAGE_NAME}: Required for `{row.field}` must start 'yes' or 'no'"
        required = row.field.rsplit(".", 1)[-1] in parent.get("required", [])
        if said.startswith("yes") != required:
            schema_side = "lists it in" if required else "does not list it in"
            wrong.append(
                f"`{row.field}`: the page says {row.required!r}, but {SCHEMA_NAME} {schema_side} `required`; "
                f"write {'yes' if required else 'no'} on the page (or change the schema's `required`)"
            )
    assert not wrong, "\n".join(wrong)


def test_what_each_field_holds_matches_the_schema():
    wrong = []
    for row, node, _parent in _documented():
        assert row.type in TYPES, f"{PAGE_NAME}: the Rules of `{row.field}` must start with one of {sorted(TYPES)}"
        if not TYPES[row.type](row.field, node):
            right = [word for word, fits in TYPES.items() if fits(row.field, node)]
            wrong.append(
                f"`{row.field}`: the page says it holds {row.type!r}, but {SCHEMA_NAME} makes it "
                f"{right or 'none of them'}; change the bold word opening its Rules (or the schema)"
            )
    assert not wrong, "\n".join(wrong)


def test_lengths_and_counts_in_the_table_are_the_schemas():
    wrong = []
    for row, node, _parent in _documented():
        is_list = node.get("type") == "array"
        own, *about_each = _EACH.split(row.rules, maxsplit=1) if is_list else [row.rules]
        checks = [("", own, node, is_list)]
        if is_list:
            checks.append(("each item: ", "".join(about_each), node.get("items", {}), False))
        for what, text, sub, listed in checks:
            written, schema = _limits(text, is_list=listed), _schema_limits(sub)
            if written != schema:
                wrong.append(
                    f"`{row.field}`: {what}the page's Rules write {written or 'no limit'}, {SCHEMA_NAME} has "
                    f"{schema or 'no limit'}; write the schema's limits in the page as '10–160 characters', "
                    "'at least 50 characters', '1–10 <things>' (items after '; each'), or change the schema"
                )
    assert not wrong, "\n".join(wrong)


def test_choices_and_terms_in_the_table_are_the_schemas():
    wrong, checked = [], set()
    for row, node, _parent in _documented():
        item = node.get("items", {}) if node.get("type") == "array" else node
        words = {c for c in _codes(row.rules_cell) if _IDENTIFIER.fullmatch(c)}
        if "x-vocabulary" in item:
            if item["x-vocabulary"] not in words:
                wrong.append(f"`{row.field}`: name its vocabulary, `{item['x-vocabulary']}`, in the page's Rules")
        elif "enum" in node:
            checked.add(row.field)
            if words != {str(v) for v in node["enum"]}:
                wrong.append(
                    f"`{row.field}`: the page lists {sorted(words)}, {SCHEMA_NAME}'s enum is {node['enum']}; "
                    "list exactly the schema's values in backticks (or change the enum)"
                )
            if "default" in node and f"{node['default']} (the default)" not in row.rules:
                wrong.append(f"`{row.field}`: write '`{node['default']}` (the default)' on the page, as the schema says")
    assert not wrong, "\n".join(wrong)
    assert {"status", "measures[].dimension"} <= checked


def test_parts_named_in_a_mapping_row_are_its_parts():
    wrong = []
    for row, node, _parent in _documented():
        mapping = node.get("items", {}) if node.get("type") == "array" else node
        if mapping.get("type") != "object":
            continue
        named = {c for c in _codes(row.rules_cell) if _IDENTIFIER.fullmatch(c)}
        unknown = named - set(mapping["properties"])
        if unknown:
            wrong.append(
                f"`{row.field}`: the page names {sorted(unknown)}, which {SCHEMA_NAME} does not give it; "
                f"its parts are {sorted(mapping['properties'])}"
            )
    assert not wrong, "\n".join(wrong)


# --- the vocabularies --------------------------------------------------------------------------


def test_vocabulary_terms_listed_are_exactly_the_vocabulary_files_terms():
    """Exactly, in order: a term added to a vocabulary file is documented here too."""
    lists = [e for e in _section("Vocabularies") if e.name == "ul"]
    assert lists, f"{PAGE_NAME}: '## Vocabularies' must list each vocabulary's terms"
    listed = {}
    for item in lists[0].find_all("li", recursive=False):
        name, *terms = _codes(item)
        listed[name] = terms
    assert list(listed) == list(VOCABULARY_NAMES), (
        f"{PAGE_NAME}: list the vocabularies {list(VOCABULARY_NAMES)}, each in a bullet starting with its name in backticks"
    )
    vocabularies = load_case_schema(SCHEMAS).vocabularies
    wrong = []
    for name, terms in listed.items():
        real = [term.key for term in vocabularies[name].terms]
        if terms != real:
            file = f"schemas/vocabularies/{name}.yaml"
            wrong.append(
                f"{name}: the page lists {terms}, {file} has {real}. Missing from the page: "
                f"{[t for t in real if t not in terms]}; not in {file}: {[t for t in terms if t not in real]}; "
                f"list exactly {file}'s terms, in its order (or change the file)"
            )
    assert not wrong, "\n".join(wrong)


# --- the checker's own limits ------------------------------------------------------------------


def _stated(pattern: str, where: str = "") -> list[int]:
    text = _text(_section(where)) if where else " ".join(_page().get_text(" ").split())
    found = [int(n.replace(",", "")) for n in re.findall(pattern, text)]
    assert found, f"{PAGE_NAME} no longer states {pattern!r}; the test reads it: say it again, or change the test"
    return found


def _mebibytes(number: int) -> str:
    return f"{number / 2**20:g} MiB"


def test_maximum_file_size_is_source_max_bytes():
    (size,) = _stated(r"At most 1 MiB \(([\d,]+) bytes\)", "One file per case study")
    assert size == MAX_BYTES, f"{PAGE_NAME} says {size:,} bytes; source.MAX_BYTES is {MAX_BYTES:,}: change one"
    for section in ("One file per case study", "What atlas check promises"):
        sizes = set(re.findall(r"\d+ MiB", _text(_section(section))))
        assert sizes == {_mebibytes(MAX_BYTES)}, (
            f"{PAGE_NAME}, '{section}': a case file's limit is written {sizes}; source.MAX_BYTES is "
            f"{_mebibytes(MAX_BYTES)}: change one"
        )


def test_numbers_the_page_gives_for_the_checker_are_the_codes():
    low, high = map(int, re.search(r"\{(\d+),(\d+)\}", SLUG_PATTERN.pattern).groups())
    vocabulary_schema = yaml.safe_load((SCHEMAS / "vocabulary.schema.yaml").read_text(encoding="utf-8"))
    description = vocabulary_schema["properties"]["terms"]["items"]["properties"]["description"]["minLength"]
    stated = {
        "slug length (loader.SLUG_PATTERN)": (_stated(r"single hyphens \(never at the start or end\), (\d+)–\d+"), low),
        "slug length (loader.SLUG_PATTERN) ": (_stated(r"single hyphens \(never at the start or end\), \d+–(\d+)"), high),
        "front_matter.MAX_DEPTH": (_stated(r"deeper than ([\d,]+) levels"), front_matter.MAX_DEPTH),
        "front_matter.MAX_NODES": (_stated(r"more than ([\d,]+) values"), front_matter.MAX_NODES),
        "front_matter.MAX_ITEMS": (_stated(r"more than ([\d,]+) entries"), front_matter.MAX_ITEMS),
        "validation.MAX_SCHEMA_PROBLEMS": (_stated(r"At most ([\d,]+) schema problems"), validation.MAX_SCHEMA_PROBLEMS),
        "near_duplicates.MIN_SHARED": (_stated(r"at least (\d+) of its sentences"), near_duplicates.MIN_SHARED),
        "near_duplicates.MIN_WORDS": (_stated(r"sentences of (\d+) words or more"), near_duplicates.MIN_WORDS),
        "near_duplicates.THRESHOLD": (_stated(r"at least (\d+)% of the shorter"), round(near_duplicates.THRESHOLD * 100)),
        "vocabulary.schema.yaml's term description minLength": (
            _stated(r"description of at least (\d+) characters"), description
        ),
    }
    wrong = [f"{PAGE_NAME} says {said}, {code} is {value}" for code, (said, value) in stated.items() if set(said) != {value}]
    assert not wrong, "\n".join(wrong) + "\nchange the page (or the code) so they agree"


# --- the rules on text -------------------------------------------------------------------------


def test_tags_and_addresses_refused_as_script_are_the_checkers():
    item = _bullet("Text", "HTML that could run script")
    tags = {c.strip("<>") for c in _codes(item) if re.fullmatch(r"<[a-z]+>", c)}
    assert tags == DANGEROUS_TAGS, (
        f"{PAGE_NAME} and html_scan.DANGEROUS_TAGS disagree on the elements refused: the page lists "
        f"{sorted(tags - DANGEROUS_TAGS)}, which the checker allows, and omits {sorted(DANGEROUS_TAGS - tags)}, "
        "which it refuses; change one"
    )
    schemes = {c for c in _codes(item) if re.fullmatch(r"[a-z]+:", c)}
    assert schemes == set(SCRIPT_SCHEMES), (
        f"{PAGE_NAME} lists the addresses {sorted(schemes)}, domain_checks refuses {sorted(SCRIPT_SCHEMES)}: change one"
    )


def test_characters_refused_are_the_checkers():
    text = " ".join(_bullet("Text", "Characters no page or feed may hold").get_text(" ").split())
    said: set[int] = set()
    for low, high in re.findall(r"U\+([0-9A-F]{4,6})(?: to U\+([0-9A-F]{4,6}))?", text):
        said.update(range(int(low, 16), int(high or low, 16) + 1))
    if "the last two code points of every plane" in text:
        said.update(plane << 16 | low for plane in range(17) for low in (0xFFFE, 0xFFFF))
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    refused = {ord(m.group()) for m in FORBIDDEN_CHARACTERS.finditer(every)}

    def names(codes: set[int]) -> str:
        shown = ", ".join(f"U+{c:04X}" for c in sorted(codes)[:20])
        return f"[{shown}{', …' if len(codes) > 20 else ''}] ({len(codes)})"

    assert said == refused, (
        f"{PAGE_NAME} and source.FORBIDDEN_CHARACTERS disagree on the characters refused: the page names "
        f"{names(said - refused)}, which the checker allows, and omits {names(refused - said)}, which it "
        "refuses; change one"
    )


# --- the files of a case's folder --------------------------------------------------------------


def test_file_types_allowed_in_a_case_folder_are_the_checkers():
    item = _bullet("Files in a case's folder", "What a case's folder may hold")
    written = {c for c in _codes(item) if re.fullmatch(r"\.[a-z]+", c)}
    allowed = {extension for kind in case_assets.FILE_TYPES for extension in kind.extensions}
    assert written == allowed, (
        f"{PAGE_NAME} names the file types {sorted(written)}; case_assets.FILE_TYPES allows {sorted(allowed)}: "
        "change one"
    )
    text = " ".join(item.get_text(" ").split())
    for kind in case_assets.FILE_TYPES:
        name = kind.label.split()[0]
        assert name in text, f"{PAGE_NAME}: name the {kind.label}s that a case's folder may hold"


def test_pdf_actions_refused_are_the_checkers():
    written = {c.lstrip("/") for c in _codes(_bullet("Files in a case's folder", "PDFs that could run something"))}
    refused = set(re.search(r"\(([A-Za-z|]+)\)", case_assets._PDF_ACTIONS.pattern.decode()).group(1).split("|"))
    assert written == refused, (
        f"{PAGE_NAME} names the PDF actions {sorted(written)}; case_assets refuses {sorted(refused)}: change one"
    )


def test_limits_of_a_case_folder_are_the_checkers():
    where = "Files in a case's folder"
    stated = {
        "case_assets.MAX_FILE_BYTES": (_stated(r"Each file is at most (\d+) MiB", where), case_assets.MAX_FILE_BYTES),
        "case_assets.MAX_CASE_BYTES": (_stated(r"holds at most (\d+) MiB in all", where), case_assets.MAX_CASE_BYTES),
        "case_assets.MAX_FILES": (_stated(r"at most ([\d,]+) files", where), case_assets.MAX_FILES),
        "case_assets.MAX_DEPTH": (_stated(r"go at most (\d+) deep", where), case_assets.MAX_DEPTH),
    }
    wrong = []
    for code, (said, value) in stated.items():
        expected = value // 2**20 if code.endswith("_BYTES") else value
        if set(said) != {expected}:
            wrong.append(f"{PAGE_NAME} says {said} for {code}, which is {expected}")
    assert not wrong, "\n".join(wrong) + "\nchange the page (or the code) so they agree"
