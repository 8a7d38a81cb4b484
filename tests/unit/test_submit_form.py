"""The submission form's data (``case-form.json``): the rules and words of ``atlas check``, shipped whole."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from learning_atlas.contract import domain_checks, placeholders, reader_text, validation
from learning_atlas.contract.case import ADDING_VALUE_PARTS, DIMENSIONS, SECTIONS
from learning_atlas.contract.front_matter import parse_front_matter
from learning_atlas.contract.loader import MAX_SLUG, MIN_SLUG, SLUG_PATTERN, load_case
from learning_atlas.contract.schema import load_case_schema
from learning_atlas.editors.submit_form import FORM_FIELDS, FORMATTING_HINT, LAYOUT, form_data, js_regex
from learning_atlas.site import rendering

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "schemas"


@pytest.fixture(scope="module")
def case_schema():
    return load_case_schema(SCHEMAS)


@pytest.fixture(scope="module")
def data(case_schema):
    return json.loads(form_data(case_schema))


def test_the_shipped_schema_is_the_one_atlas_check_validates_with(case_schema, data):
    assert data["schema"] == case_schema.schema
    assert data["schema"] == case_schema.validator.schema
    # ... and the one `atlas schema` exports for editors' tools.
    assert data["schema"] == json.loads((SCHEMAS / "case.schema.json").read_text(encoding="utf-8"))


def _required_fields(schema, parts=()):
    for name in schema.get("required", []):
        yield parts + (name,), schema["properties"][name]
    for name, node in schema.get("properties", {}).items():
        if node.get("type") == "object":
            yield from _required_fields(node, parts + (name,))
        if node.get("type") == "array" and node["items"].get("type") == "object":
            yield from _required_fields(node["items"], parts + (name, 0))


def test_every_required_field_has_a_title_and_a_message_worded_as_the_cli_words_it(case_schema, data):
    messages = data["messages"]["schema"]
    required = list(_required_fields(data["schema"]))
    assert len(required) >= 20
    for parts, node in required:
        assert node.get("title"), f"{parts} has no title for its label"
        assert node.get("description"), f"{parts} has no description for its hint and its message"
    # What the CLI says of a case with nothing in it is the shipped template, filled in.
    fm, _ = parse_front_matter("---\nstatus: draft\n---\n")
    problems = validation.schema_problems(fm, Path("x.md"), case_schema.validator, case_schema.vocabularies)
    said = {p.key: p.message for p in problems}
    for name in data["schema"]["required"]:
        description = data["schema"]["properties"][name]["description"]
        hint = messages["required.hint"].format(description=description)
        assert said[name] == messages["required"].format(hint=hint)


def test_every_pattern_and_const_of_the_schema_has_its_own_message(data):
    def walk(node, where):
        if isinstance(node, dict):
            if "pattern" in node or "const" in node:
                assert node.get("x-message"), f"{where} has a pattern or const but no x-message"
            for key, value in node.items():
                walk(value, f"{where}/{key}")

    walk(data["schema"], "")


def test_the_schema_message_templates_are_the_ones_the_cli_fills_in(case_schema, data):
    """The CLI's messages for too short, too many, duplicates, bad dates, wrong types come from the shipped templates."""
    text = (
        "---\ntitle: Short\norganisations: [Same Trust, Same Trust]\nsettings: [acute, acute, care-homes, community,"
        " maternity, mental-health, primary-care]\npublished: 2021-02-30\nmeasures:\n  - {label: Staff, value: lots,"
        " dimension: outcomes}\nadding_value: {}\n---\n"
    )
    fm, _ = parse_front_matter(text)
    problems = validation.schema_problems(fm, Path("x.md"), case_schema.validator, case_schema.vocabularies)
    said = {p.key: p.message for p in problems}
    m = data["messages"]["schema"]
    assert said["title"] == m["minLength"].format(length=5, limit=10, plural="s")
    assert said["organisations"] == m["uniqueItems"].format(duplicate="Same Trust")
    assert m["maxItems"].format(count=7, limit=6) in [p.message for p in problems if p.key == "settings"]
    assert said["published"] == m["format.date"].format(instance="2021-02-30")
    assert said["measures[0].value"] == m["type"].format(wanted=data["messages"]["types"]["number"], got="text", hint="")
    assert said["adding_value"] == m["minProperties"].format(options=", ".join(k for k, _ in ADDING_VALUE_PARTS))


def test_the_layout_covers_every_field_of_the_contract_once(data):
    fields = [key for section in LAYOUT for key in section["fields"]]
    assert len(fields) == len(set(fields)), "a field is in the form twice"
    assert set(fields) == set(data["schema"]["properties"]) | {"slug", "body"}
    assert [section["fields"] for section in data["layout"]] == [list(s["fields"]) for s in LAYOUT]


# Words for developers and for the case file, which a clinician filling in the form should not meet.
DEVELOPER_WORDS = re.compile(r"vocabular|\bslugs?\b|\.md\b|meta description|mkdocs|yaml|front matter|markdown",
                             re.IGNORECASE)


def _field_keys(node, key=""):
    """Every field's key as FORM_FIELDS writes it: ``measures[].value``, list items as ``[]``."""
    for name, sub in node.get("properties", {}).items():
        path = f"{key}.{name}" if key else name
        yield path, sub
        yield from _field_keys(sub, path)
        if "items" in sub:
            yield f"{path}[]", sub["items"]
            yield from _field_keys(sub["items"], f"{path}[]")


def test_the_forms_own_labels_and_hints_name_fields_of_the_case(data):
    keys = dict(_field_keys(data["schema"]))
    assert set(FORM_FIELDS) - {"slug", "body"} <= set(keys), set(FORM_FIELDS) - set(keys) - {"slug", "body"}
    assert data["fields"] == FORM_FIELDS
    assert data["formattingHint"] == FORMATTING_HINT
    for key in ("slug", "body"):
        assert FORM_FIELDS[key]["label"] and FORM_FIELDS[key]["hint"], key


def test_every_label_and_hint_the_form_shows_is_in_a_clinicians_words(data):
    """What the form shows for each field: its own words where it has them, else the schema's."""
    shown = {"formatting": FORMATTING_HINT}
    for key, node in _field_keys(data["schema"]):
        own = FORM_FIELDS.get(key, {})
        shown[f"{key} label"] = own.get("label", node.get("title", ""))
        shown[f"{key} hint"] = own.get("hint", node.get("description", ""))
    for key in ("slug", "body"):
        shown[f"{key} label"], shown[f"{key} hint"] = FORM_FIELDS[key]["label"], FORM_FIELDS[key]["hint"]
    shown.update({f"section {s['id']}": s["heading"] for s in LAYOUT})
    found = {where: DEVELOPER_WORDS.findall(text) for where, text in shown.items() if DEVELOPER_WORDS.search(text)}
    assert found == {}


def test_vocabularies_ship_labels_for_every_term_of_the_schema_enums(data):
    schema = data["schema"]["properties"]
    enums = {
        "regions": schema["region"]["enum"],
        "settings": schema["settings"]["items"]["enum"],
        "themes": schema["themes"]["items"]["enum"],
        "commitments": schema["commitments"]["items"]["enum"],
    }
    for name, enum in enums.items():
        terms = data["vocabularies"][name]
        assert [t["slug"] for t in terms] == enum  # commitments stay whole numbers, as the file needs them
        assert all(t["label"] and t["label"] != str(t["slug"]) for t in terms), f"{name}: a term without a label"
        assert all(set(t) == {"slug", "label"} for t in terms), "the form shows labels only: nothing more is sent"
        assert data["singulars"][name]


def test_the_page_headings_and_sanitiser_are_the_sites(data):
    assert [tuple(s) for s in data["page"]["sections"]] == list(SECTIONS)
    assert [tuple(p) for p in data["page"]["addingValueParts"]] == list(ADDING_VALUE_PARTS)
    assert [tuple(d) for d in data["page"]["dimensions"]] == list(DIMENSIONS)
    assert set(data["sanitiser"]["tags"]) == rendering.ALLOWED_TAGS
    assert {k: set(v) for k, v in data["sanitiser"]["attributes"].items()} == rendering.ALLOWED_ATTRIBUTES
    assert set(data["sanitiser"]["schemes"]) == rendering.URL_SCHEMES
    assert data["proseKeys"] == list(domain_checks.PROSE_KEYS)


def test_domain_messages_are_the_templates_the_checks_fill_in(case_schema, data, tmp_path):
    path = tmp_path / "a-case.md"
    path.write_text(
        "---\ntitle: x\nhow_to_change: |\n  Call 943 476 5919 or mail me@example.org <script>x</script>\n"
        "  [chart](chart.png)\npublished: 2999-01-01\n---\n",
        encoding="utf-8",
    )
    case = load_case(path, case_schema, today=dt.date(2024, 1, 1))
    said = {p.rule: p.message for p in case.problems}
    d = data["messages"]["domain"]
    assert said["privacy.nhs-number"] == d["privacy.nhs-number"].format(number="943 476 5919")
    assert said["privacy.email"] == d["privacy.email"].format(email="me@example.org")
    assert said["html.unsafe-tag"] == d["html.unsafe-tag"].format(tag="script")
    assert said["link.outside-folder"] == d["link.outside-folder"].format(url="chart.png", slug="a-case")
    assert said["date.published-future"] == d["date.published-future"].format(published="2999-01-01")
    assert set(data["scriptSchemes"]) == set(domain_checks.SCRIPT_SCHEMES)


def test_the_web_address_messages_are_the_forms_own_with_the_checks_limits(data):
    """atlas check words a bad slug for a file ('x.md' is not a valid slug); the form asks for a web
    address, so it words its own, with the limits of the rule both apply (SLUG_PATTERN)."""
    messages = data["messages"]["form"]
    assert f"{MIN_SLUG} to {MAX_SLUG} characters" in messages["address.invalid"]
    assert re.search(rf"\(\?=\.\{{{MIN_SLUG},{MAX_SLUG}\}}\$\)", SLUG_PATTERN.pattern)
    said = messages["address.invalid"].format(address="Not A Slug", suggestion=messages["address.suggestion"].format(
        suggestion="not-a-slug"))
    assert said.startswith("The web address 'Not A Slug' can have only lower-case letters")
    assert said.endswith("; for example 'not-a-slug'")
    for message in messages.values():
        assert not DEVELOPER_WORDS.search(message), message


def test_the_placeholder_messages_are_read_off_the_check(data):
    messages = data["messages"]
    fm, _ = parse_front_matter(
        "---\nchallenges: |\n  TODO: replace this\norganisations: ['todo: name']\n---\n"
    )
    found = {p.key: p.message for p in placeholders.placeholder_problems(fm, Path("x.md"))}
    assert found["challenges"] == messages["placeholder"]["challenges"]
    assert found["organisations[0]"] == messages["placeholder"][""]
    assert set(messages["placeholder"]) == set(placeholders.WANTED) | {""}


# --- the patterns, as JavaScript -------------------------------------------------------------------

SAMPLES = [
    "NHS 943 476 5919, 9434765919, 943-476-5919 and 12943 476 5919; ٣9434765919",
    "call 020 7946 0018, +44 (0) 20 7946 0018, (01632) 960 001; é02079460018; 0\u00a02079460018",
    "mail a.b@example.org, x@y and <script>alert(1)</script> < SCRIPT > <scripts> <iframe src=x> <scriptä>",
    "<a href=\"javascript:alert(1)\" onclick='x()'>t</a> <img src=x onerror=alert(1)> hrefé=x",
    "[t](https://example.org) [u](<a b.png>) ![i](chart.png)\n[ref]: ../x.pdf\n<https://a.b/c>",
    "```\n<script>\n```\nafter `code <b>` text\n~~~\nunclosed <style>",
    "TODO: this\n  todo: that\nnot TODO: here\nToDo:",
    "a-valid-slug", "Bad--slug", "ab", "x" * 81, "valid-slug\n", "-x-",
    "<h1>x</h1><h2 id=a>y</h2><hr><h6>", "\u200bjava\u00adscript:", "data=1 href = 'x' src=\"y",
]


def _patterns():
    patterns = dict(domain_checks.FORM_PATTERNS)
    patterns.update(placeholder=placeholders.MARKER_LINE, slug=SLUG_PATTERN, heading=rendering.HEADING_TAG,
                    dashes=reader_text.DASHES)
    return patterns


def test_every_shipped_pattern_is_a_translated_check_pattern(data):
    assert set(data["patterns"]) == set(_patterns())
    for name, pattern in _patterns().items():
        assert data["patterns"][name] == js_regex(pattern)


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the JavaScript regular expressions")
def test_the_javascript_patterns_find_what_python_finds():
    patterns = _patterns()
    script = """
    const [pats, samples] = [JSON.parse(process.argv[1]), JSON.parse(process.argv[2])];
    const out = {};
    for (const [name, {source, flags}] of Object.entries(pats)) {
      const re = new RegExp(source, flags + "g");
      // Offsets in code points, as Python counts them.
      out[name] = samples.map(s => [...s.matchAll(re)].map(m => [
        [...s.slice(0, m.index)].length, [...s.slice(0, m.index + m[0].length)].length]));
    }
    console.log(JSON.stringify(out));
    """
    shipped = {name: js_regex(p) for name, p in patterns.items()}
    result = subprocess.run(
        ["node", "-e", script, json.dumps(shipped), json.dumps(SAMPLES)], capture_output=True, text=True, check=True
    )
    found = json.loads(result.stdout)
    for name, pattern in patterns.items():
        for sample, spans in zip(SAMPLES, found[name]):
            expected = [[m.start(), m.end()] for m in pattern.finditer(sample)]
            assert spans == expected, f"{name} on {sample!r}: JavaScript {spans}, Python {expected}"


@pytest.mark.parametrize("source", [r"(?P<name>x)", r"(?>atomic)", r"[\W]", r"\N{DIGIT ONE}", r"(?x) a b"])
def test_a_pattern_that_cannot_be_translated_is_refused(source):
    with pytest.raises(ValueError):
        js_regex(re.compile(source))


def test_translation_of_python_only_syntax():
    assert js_regex(re.compile(r"a++b{,3}+\Z"))["source"] == "a+b{0,3}(?![\\s\\S])"
    assert js_regex(re.compile(r"x$"))["source"] == "x(?=\\n?$)"
    assert js_regex(re.compile(r"(?ms)^.$"))== {"source": "^.$", "flags": "ums"}
    assert js_regex(re.compile(r"[\"']\-\{"))["source"] == "[\"']-\\{"


def test_a_length_message_counts_one_character_as_one(case_schema):
    fm, _ = parse_front_matter("---\ntitle: x\ncontact: {name: W}\n---\n")
    problems = validation.schema_problems(fm, Path("x.md"), case_schema.validator, case_schema.vocabularies)
    said = {p.key: p.message for p in problems}
    assert said["title"] == "is too short (1 character); write at least 10"
    assert said["contact.name"] == "is too short (1 character); write at least 2"

