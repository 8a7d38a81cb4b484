"""The schema documents itself: every property and vocabulary term is described, and the JSON export is current.

That docs/case-format.md, the contract, agrees with the schema is tested in test_case_format_page.py.
"""

from __future__ import annotations

import json

import yaml
from conftest import SCHEMAS
from learning_atlas.contract.schema import CASE_SCHEMA_JSON, load_case_schema
from learning_atlas.contract.vocabularies import VOCABULARY_NAMES


def _properties(schema: dict, path: str = ""):
    for name, sub in schema.get("properties", {}).items():
        yield f"{path}{name}", sub
        yield from _properties(sub, f"{path}{name}.")
        if "items" in sub:
            yield f"{path}{name}[]", sub["items"]
            yield from _properties(sub["items"], f"{path}{name}[].")


def test_every_property_has_a_title_and_description():
    schema = load_case_schema(SCHEMAS).schema
    missing = [p for p, sub in _properties(schema) if not sub.get("title") or not sub.get("description")]
    assert missing == []


def test_every_object_forbids_unknown_keys():
    schema = load_case_schema(SCHEMAS).schema
    objects = [("(root)", schema)] + [(p, s) for p, s in _properties(schema) if s.get("type") == "object"]
    assert all(s.get("additionalProperties") is False for _, s in objects), objects


def test_every_list_rejects_duplicates():
    """Every list but a measure's series, where a date given twice is atlas check's own error naming both
    points (series_checks), and two points may rightly hold the same value."""
    schema = load_case_schema(SCHEMAS).schema
    lists = [p for p, s in _properties(schema) if s.get("type") == "array" and not s.get("uniqueItems")]
    assert lists == ["measures[].series"]


def test_every_vocabulary_term_has_a_real_description():
    vocabularies = load_case_schema(SCHEMAS).vocabularies
    assert list(vocabularies) == list(VOCABULARY_NAMES)
    for vocabulary in vocabularies.values():
        assert len(vocabulary.description) > 40
        for term in vocabulary.terms:
            assert len(term.description) >= 200, (vocabulary.name, term.slug)
            assert term.label


def test_enums_come_from_the_vocabulary_files():
    case_schema = load_case_schema(SCHEMAS)
    props = case_schema.schema["properties"]
    assert props["region"]["enum"] == case_schema.vocabularies["regions"].slugs
    assert props["settings"]["items"]["enum"] == case_schema.vocabularies["settings"].slugs
    assert props["themes"]["items"]["enum"] == case_schema.vocabularies["themes"].slugs
    assert props["commitments"]["items"]["enum"] == list(range(1, 11))


def test_json_export_is_current(run_line):
    exported = (SCHEMAS / CASE_SCHEMA_JSON).read_text(encoding="utf-8")
    assert json.loads(exported) == load_case_schema(SCHEMAS).schema, "run 'make schema'"
    result = run_line(["schema"])
    assert result.output == exported


def test_yaml_schema_source_is_draft_2020_12():
    source = yaml.safe_load((SCHEMAS / "case.schema.yaml").read_text(encoding="utf-8"))
    assert source["$schema"] == "https://json-schema.org/draft/2020-12/schema"
