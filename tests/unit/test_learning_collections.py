"""Learning collections: read as safely as a case, checked against their schema and the cases, made
into the site's collections; and ``atlas new --collection``."""

from __future__ import annotations

import datetime as dt
import os
import resource
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import yaml
from conftest import ACCEPTANCE, SCHEMAS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from learning_atlas.contract.case import Case
from learning_atlas.contract.checker import check_paths
from learning_atlas.contract.learning_collections import load_collection, load_collection_schema
from learning_atlas.contract.schema import load_case_schema
from learning_atlas.site.model import Atlas

SCHEMA = load_case_schema(SCHEMAS)
VALIDATOR = load_collection_schema(SCHEMAS)
EXAMPLE_CASES = ACCEPTANCE / "collections" / "cases"
VALID = "title: A reading list for the example day\npurpose: The cases to read before the example learning day.\n"


def _atlas(tmp_path: Path, collections: dict[str, str | bytes]) -> tuple[Path, Path]:
    cases = tmp_path / "cases"
    shutil.copytree(EXAMPLE_CASES, cases)
    folder = tmp_path / "collections"
    folder.mkdir()
    for name, text in collections.items():
        (folder / name).write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return cases, folder


def _check(tmp_path: Path, collections: dict[str, str | bytes]):
    cases, folder = _atlas(tmp_path, collections)
    return check_paths([cases], SCHEMA, today=dt.date(2026, 1, 1), collections=folder)


def test_a_valid_collection_becomes_the_sites_collection_in_order(tmp_path):
    result = _check(tmp_path, {"example-day.yaml": VALID + textwrap.dedent("""\
        cases:
          - case: falls-prevention-ward
            note: Read first.
          - case: sepsis-screening-pilot
            note: "Then this one,   under its old slug."
        """)})
    assert [p for p in result.problems if p.is_error] == []
    cases = [Case.from_loaded(c) for c in result.cases]
    atlas = Atlas(cases, SCHEMA.vocabularies, relate=False, collections=result.collections)
    (collection,) = atlas.collections
    assert collection.slug == "example-day" and collection.url == "collections/example-day/"
    assert [(e.case.slug, e.note) for e in collection.entries] == [
        ("falls-prevention-ward", "Read first."), ("sepsis-screening-example", "Then this one, under its old slug."),
    ]
    assert [c.slug for c in atlas.in_collections["falls-prevention-ward"]] == ["example-day"]
    assert "daily-safety-huddles" not in atlas.in_collections


def test_a_collection_with_errors_is_left_out_of_the_site(tmp_path):
    result = _check(tmp_path, {"broken.yaml": VALID + "cases:\n  - case: no-such-case\n    note: x\n"})
    atlas = Atlas([Case.from_loaded(c) for c in result.cases], SCHEMA.vocabularies, relate=False,
                  collections=result.collections)
    assert atlas.collections == [] and atlas.in_collections == {}


def test_what_else_the_folder_holds_is_an_error(tmp_path):
    cases, folder = _atlas(tmp_path, {"notes.txt": "x", "good-list.yaml": VALID + "cases:\n  - case: daily-safety-huddles\n    note: x\n"})
    (folder / "sub").mkdir()
    os.symlink("/etc/passwd", folder / "linked.yaml")
    os.mkfifo(folder / "pipe.yaml")
    result = check_paths([cases], SCHEMA, collections=folder)
    found = sorted((p.path.name, p.rule) for p in result.problems)
    assert found == [
        ("linked.yaml", "file.symlink"), ("notes.txt", "collection.stray-file"),
        ("pipe.yaml", "file.not-regular"), ("sub", "collection.stray-file"),
    ]
    assert [c.slug for c in result.collections] == ["good-list"]


def test_a_missing_collection_schema_is_one_clear_error(tmp_path):
    cases, folder = _atlas(tmp_path, {"good-list.yaml": VALID + "cases:\n  - case: daily-safety-huddles\n    note: x\n"})
    schemas = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, schemas)
    (schemas / "collection.schema.yaml").unlink()
    result = check_paths([cases], load_case_schema(schemas), collections=folder)
    (problem,) = [p for p in result.problems if p.is_error]
    assert problem.path == schemas / "collection.schema.yaml" and problem.rule == "file.unreadable"


# --- hostile input -----------------------------------------------------------------------------


def test_an_alias_bomb_is_refused_at_once_in_bounded_memory(tmp_path):
    """The "billion laughs": nine levels of ten aliases each. Refused at the first alias, in a child
    process whose memory is capped, so a blow-up would fail the test rather than the machine."""
    lines = ['a0: &a0 "lol"'] + [f"a{i}: &a{i} [{', '.join(f'*a{i - 1}' for _ in range(10))}]" for i in range(1, 10)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = textwrap.dedent(f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        from pathlib import Path
        from learning_atlas.contract.learning_collections import load_collection, load_collection_schema
        c = load_collection(Path({str(bomb)!r}), load_collection_schema(Path({str(SCHEMAS)!r})))
        print(c.problems[0].gnu())
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{bomb}:2:5: error: a1[0]: uses a YAML alias (*name) to repeat a value; write the value out in full"


def test_deep_nesting_and_many_values_are_refused(tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("cases: " + "[" * 100 + "]" * 100 + "\n", encoding="utf-8")
    deeper = tmp_path / "deeper.yaml"
    deeper.write_text("cases: " + "[" * 50000 + "]" * 50000 + "\n", encoding="utf-8")
    many = tmp_path / "many.yaml"
    many.write_text("cases: [" + ", ".join(["1"] * 25000) + "]\n", encoding="utf-8")
    assert [p.rule for p in load_collection(deep, VALIDATOR).problems] == ["yaml.too-deep"]
    assert len(load_collection(deeper, VALIDATOR).problems) == 1  # libyaml's own limit, or ours: one error
    problem = load_collection(many, VALIDATOR).problems[0]
    assert problem.rule == "yaml.too-large" and problem.message.startswith("the file holds more than 20,000 values")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=1500))
def test_arbitrary_bytes_give_problems_not_exceptions(tmp_path, data):
    path = tmp_path / "hostile.yaml"
    path.write_bytes(data)
    collection = load_collection(path, VALIDATOR)
    assert collection.problems or collection.data


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(["title", "purpose", "cases", "case", "note", "x"]), inner, max_size=4),
    ),
    max_leaves=25,
))
def test_arbitrary_yaml_against_the_cases(tmp_path, value):
    shutil.rmtree(tmp_path / "cases", ignore_errors=True)
    shutil.rmtree(tmp_path / "collections", ignore_errors=True)
    result = _check(tmp_path, {"hostile.yaml": yaml.safe_dump(value, allow_unicode=True)})
    assert all(p.line >= 1 and p.column >= 1 for p in result.problems)


def test_the_size_limit_is_checked_before_reading(tmp_path):
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(1 << 30)  # a sparse gigabyte: read whole, it would take the memory
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    collection = load_collection(big, VALIDATOR)
    assert [p.rule for p in collection.problems] == ["file.too-large"]
    assert resource.getrlimit(resource.RLIMIT_AS) == (soft, hard)


# --- atlas new --collection --------------------------------------------------------------------


def test_atlas_new_collection_writes_a_file_the_check_reads_back(run_line, tmp_path):
    cases, _ = _atlas(tmp_path, {})
    result = run_line(["new", "--collection", "--no-input", "--title", "Café & learning: the first day",
                       "--case", "daily-safety-huddles", "--case", "falls-prevention-ward",
                       "--cases", str(cases), "--schemas", str(SCHEMAS)])
    assert result.exit_code == 0, result.output
    path = tmp_path / "collections" / "cafe-and-learning-the-first-day.yaml"
    assert result.output.splitlines()[0] == f"Wrote {path}."
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["title"] == "Café & learning: the first day"
    assert [c["case"] for c in data["cases"]] == ["daily-safety-huddles", "falls-prevention-ward"]
    check = check_paths([cases], SCHEMA, collections=path.parent)
    assert sorted((p.key, p.rule) for p in check.problems if p.is_error) == [
        ("cases[0].note", "placeholder"), ("cases[1].note", "placeholder"), ("purpose", "placeholder"),
    ]
    again = run_line(["new", "--collection", "--no-input", "--title", "Café & learning: the first day",
                      "--cases", str(cases), "--schemas", str(SCHEMAS)])
    assert again.exit_code == 1 and "already exists" in again.output


def test_atlas_new_collection_refuses_an_unknown_case_and_writes_nothing(run_line, tmp_path):
    cases, folder = _atlas(tmp_path, {})
    result = run_line(["new", "--collection", "--no-input", "--title", "A reading list for the day",
                       "--case", "falls-prevention-wrd", "--cases", str(cases), "--schemas", str(SCHEMAS)])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "error: --case: 'falls-prevention-wrd' is not a case; did you mean 'falls-prevention-ward'?",
        "error: nothing was written",
    ]
    assert list(folder.iterdir()) == []


def test_atlas_new_collection_asks_when_not_told(run_line, tmp_path):
    cases, folder = _atlas(tmp_path, {})
    result = run_line(["new", "--collection", "--cases", str(cases), "--schemas", str(SCHEMAS)],
                      input="Short\nA reading list for the day\nFor the day's pre-reading.\nno-such-case\ndaily-safety-huddles\n")
    assert result.exit_code == 0, result.output
    assert "must be a title of 10 to 160 characters" in result.output
    assert "'no-such-case' is not a case" in result.output
    data = yaml.safe_load((folder / "a-reading-list-for-the-day.yaml").read_text(encoding="utf-8"))
    assert data["purpose"] == "For the day's pre-reading."
    assert [c["case"] for c in data["cases"]] == ["daily-safety-huddles"]


def test_purpose_and_case_need_collection(run_line, tmp_path):
    result = run_line(["new", "--no-input", "--purpose", "x", "--schemas", str(SCHEMAS)])
    assert result.exit_code == 2
    assert "add --collection" in result.output


def test_the_exported_collection_schema_is_current(run_line):
    """``schemas/collection.schema.json`` (what VS Code checks collections/*.yaml against) is what
    ``atlas schema --collection`` exports from the YAML: ``make schema`` writes both."""
    import json

    result = run_line(["schema", "--collection", "--schemas", str(SCHEMAS)])
    assert result.exit_code == 0
    assert json.loads(result.output) == json.loads((SCHEMAS / "collection.schema.json").read_text(encoding="utf-8"))
    assert json.loads(result.output) == VALIDATOR.schema
