"""The compiled validity test agrees with jsonschema on every instance."""

from __future__ import annotations

import copy

import yaml
from conftest import MINIMAL_CASE, SCHEMAS
from hypothesis import given, settings
from hypothesis import strategies as st
from learning_atlas.contract.fast_validation import compile_validity_test, equal
from learning_atlas.contract.schema import load_case_schema

CASE_SCHEMA = load_case_schema(SCHEMAS)
BASE = yaml.load(MINIMAL_CASE.read_text().split("---\n")[1], Loader=yaml.CSafeLoader)
BASE["published"] = BASE["published"].isoformat()

_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 12), st.floats(allow_nan=False), st.sampled_from(
        ["", "acute", "Acute", "london", "2021-03-15", "2021-02-30", "a@b.org", "not an email", "https://x.org",
         "ftp://x", "published", "outcomes", "x" * 60, "<b>", "Old_Name", "old-name", "Ward Sister"]
    ), st.text(max_size=20),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(["role", "name", "email", "label", "value", "dimension", "title", "url",
                                         "better_outcomes", "unit", "x"]), inner, max_size=4),
    ),
    max_leaves=12,
)
_keys = st.sampled_from(sorted(CASE_SCHEMA.schema["properties"]) + ["unknown_key"])


@settings(max_examples=600, deadline=None)
@given(changes=st.dictionaries(_keys, _values, max_size=4), drop=st.lists(_keys, max_size=2))
def test_compiled_test_agrees_with_jsonschema(changes, drop):
    instance = copy.deepcopy(BASE)
    instance.update(changes)
    for key in drop:
        instance.pop(key, None)
    assert CASE_SCHEMA.is_valid(instance) == CASE_SCHEMA.validator.is_valid(instance)


@settings(max_examples=300, deadline=None)
@given(value=_values)
def test_compiled_test_agrees_on_any_document(value):
    assert CASE_SCHEMA.is_valid(value) == CASE_SCHEMA.validator.is_valid(value)


def test_valid_base_case_is_valid():
    assert CASE_SCHEMA.is_valid(BASE) and CASE_SCHEMA.validator.is_valid(BASE)


def test_equality_follows_jsonschema():
    assert not equal(1, True) and not equal(0, False)
    assert equal(1, 1.0)
    assert equal({"a": [1, {"b": 2}]}, {"a": [1.0, {"b": 2}]})
    assert not equal([1], {"1": 1})


def test_unsupported_keyword_means_no_fast_test():
    assert compile_validity_test({"oneOf": [{"type": "string"}]}, CASE_SCHEMA.validator.format_checker) is None
