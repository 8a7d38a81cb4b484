"""What the index holds of a case: the field layout, a case as a document, and the hashes that say
when a case must be indexed again.

A document's ``content_hash`` is the case file's bytes hashed with the schema's fingerprint (the
schema, the vocabularies and :data:`LAYOUT_VERSION`), so an edited case, or any change to the
schema or the layout, has it indexed again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from typing import Any

from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, Schema

from learning_atlas.contract.case import ADDING_VALUE_PARTS, SECTIONS, Case
from learning_atlas.contract.schema import CaseSchema, schema_files
from learning_atlas.search.analysis import text_field

LAYOUT_VERSION = 1
"""The version of the index's field layout: change it whenever :func:`index_schema` or the
documents change, and every existing index is rebuilt on its next update."""


def index_schema() -> Schema:
    """The index's fields. Any change here needs :data:`LAYOUT_VERSION` raised."""
    return Schema(
        slug=ID(unique=True, stored=True, sortable=True),
        title=text_field(stem=False, stored=True, field_boost=3.0),
        summary=text_field(stem=False, stored=True),
        body=text_field(stem=True, stored=True),
        organisation=KEYWORD(commas=True, lowercase=True, scorable=True, stored=True),
        lead=text_field(stem=False, stored=False),
        theme=KEYWORD(commas=True, stored=True),
        setting=KEYWORD(commas=True, stored=True),
        region=KEYWORD(commas=True, stored=True),
        commitment=KEYWORD(commas=True, stored=True),
        published=DATETIME(stored=True, sortable=True),
        updated=DATETIME(stored=True, sortable=True),
        status=ID(stored=True),
        year=NUMERIC(int, stored=True),
        content_hash=ID(stored=True, sortable=True),
    )


INDEX_SCHEMA = index_schema()
"""The index's fields, made once: what the index is created and opened with."""

_MARKDOWN_NOISE = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images: keep the alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links: keep the text
    (re.compile(r"(?m)^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)"), ""),  # headings, quotes, bullets
    (re.compile(r"(?m)^\s*\|?\s*:?-{3,}.*$"), ""),  # table rules
    (re.compile(r"\s*\|\s*"), " · "),  # table cells
    (re.compile(r"(\*\*|__|\*|`)"), ""),  # emphasis and code marks
    (re.compile(r"[ \t]+"), " "),
]


_MARKDOWN_HINT = re.compile(r"[*_`\[|#>]|^\s*(?:[-+]|\d+[.)])\s|[ \t]{2}", re.MULTILINE)


def plain_text(markdown: str) -> str:
    """Markdown as readable plain text for indexing and snippets: marks, bullets and table rules removed."""
    text = markdown
    if not _MARKDOWN_HINT.search(text):
        return text.strip()
    for pattern, replacement in _MARKDOWN_NOISE:
        text = pattern.sub(replacement, text)
    return re.sub(r"\n{3,}", "\n\n", text).strip(" ·\n")


def _section_text(value: Any) -> str:
    if isinstance(value, dict):
        return "\n\n".join(_section_text(value.get(key, "")) for key, _ in ADDING_VALUE_PARTS if value.get(key))
    return plain_text(str(value)) if value else ""


def case_body_text(case: Case) -> str:
    """Everything of a case the body field holds: each section, the free body, and the measures' labels."""
    parts = [_section_text(case.sections.get(key)) for key, _ in SECTIONS]
    parts.append(plain_text(case.body))
    parts.extend(measure.label for measure in case.measures)
    return "\n\n".join(part for part in parts if part)


def keywords(values: Iterable[object]) -> str:
    """Comma-separated keywords; a comma inside a value (an organisation's name) becomes a space."""
    return ",".join(" ".join(str(v).replace(",", " ").split()) for v in values)


def as_datetime(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day``, as the index's date fields hold it."""
    return dt.datetime(day.year, day.month, day.day)


def case_document(case: Case, content_hash: str) -> dict[str, Any]:
    """The index document of a case."""
    doc: dict[str, Any] = {
        "slug": case.slug,
        "title": case.title,
        "summary": case.summary,
        "body": case_body_text(case),
        "organisation": keywords(case.organisations),
        "lead": case.lead_role,
        "theme": keywords(case.themes),
        "setting": keywords(case.settings),
        "region": keywords([case.region]),
        "commitment": keywords(case.commitments),
        "published": as_datetime(case.published),
        "status": case.status,
        "year": case.year,
        "content_hash": content_hash,
    }
    if case.updated:
        doc["updated"] = as_datetime(case.updated)
    return doc


def schema_fingerprint(case_schema: CaseSchema) -> str:
    """A hash of the files the schema was loaded from (the schema and vocabularies) and the layout's
    version: when any of them changes, every case is checked and indexed again."""
    digest = hashlib.sha1(f"layout {LAYOUT_VERSION}\n".encode())
    for path in schema_files(case_schema.directory):
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"(missing)")
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def content_hash(data: bytes, fingerprint: str) -> str:
    """The hash that decides whether a case is indexed again: its bytes, with the schema's fingerprint."""
    return hashlib.sha1(fingerprint.encode() + b"\0" + data).hexdigest()
