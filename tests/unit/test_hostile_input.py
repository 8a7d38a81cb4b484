"""Whatever a file holds, loading it gives problems, never an exception, a hang or a memory blow-up."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import yaml
from conftest import ROOT, SCHEMAS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from learning_atlas.contract.loader import load_case
from learning_atlas.contract.schema import load_case_schema

SCHEMA = load_case_schema(SCHEMAS)
HYPOTHESIS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _check_bytes(tmp_path: Path, data: bytes):
    path = tmp_path / "hostile-case.md"
    path.write_bytes(data)
    return load_case(path, SCHEMA)


@HYPOTHESIS
@given(data=st.binary(max_size=2000))
def test_arbitrary_bytes(tmp_path, data):
    case = _check_bytes(tmp_path, data)
    assert case.has_errors


@HYPOTHESIS
@given(data=st.binary(max_size=2000))
def test_arbitrary_bytes_after_a_front_matter_marker(tmp_path, data):
    case = _check_bytes(tmp_path, b"---\n" + data + b"\n---\n")
    assert case.problems


_yaml_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=50), st.dates()
)
_yaml_values = st.recursive(
    _yaml_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.one_of(st.text(max_size=10), st.integers()), inner, max_size=5)
    ),
    max_leaves=30,
)


@HYPOTHESIS
@given(value=_yaml_values)
def test_arbitrary_yaml_front_matter(tmp_path, value):
    text = yaml.safe_dump(value, allow_unicode=True)
    case = _check_bytes(tmp_path, f"---\n{text}---\n".encode())
    assert case.has_errors


_known_keys = st.sampled_from(
    ["title", "summary", "organisations", "region", "settings", "themes", "commitments", "published",
     "updated", "review_by", "status", "lead", "measures", "contact", "links", "adding_value", "redirect_from"]
)


@HYPOTHESIS
@given(fields=st.dictionaries(_known_keys, _yaml_values, max_size=10))
def test_arbitrary_values_for_known_keys(tmp_path, fields, minimal_text):
    base = yaml.load(minimal_text.split("---\n")[1], Loader=yaml.CSafeLoader)
    base.update(fields)
    text = yaml.safe_dump(base, allow_unicode=True)
    case = _check_bytes(tmp_path, f"---\n{text}---\nBody\n".encode())
    for problem in case.problems:
        assert problem.line >= 1 and problem.column >= 1 and problem.message


@HYPOTHESIS
@given(text=st.text(alphabet=st.sampled_from("-:[]{}&*!|>'\"#? \n\tab1"), max_size=300))
def test_yaml_punctuation_soup(tmp_path, text):
    case = _check_bytes(tmp_path, f"---\n{text}\n---\n".encode())
    assert case.has_errors


HOSTILE = {
    "billion-laughs": "---\n" + "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i-1}'] * 9)}]\n" for i in range(1, 10)) + "---\n",
    "deep-flow": "---\nx: " + "[" * 500_000 + "\n---\n",
    "deep-block-sequence": "---\nx:\n" + "- " * 400_000 + "x\n---\n",
    "deep-mapping": "---\n" + "".join(" " * i + f"k{i}:\n" for i in range(600)) + "---\n",
    "many-brackets-shallow": "---\ntitle: " + "[a] " * 100_000 + "\n---\n",
    "long-line": "---\ntitle: " + "x" * 1_000_000 + "\n---\n",
    "huge-integer": "---\ncommitments: [" + "9" * 100_000 + "]\n---\n",
    "many-keys": "---\n" + "".join(f"k{i}: v\n" for i in range(80_000)) + "---\n",
    "python-object-tag": "---\ntitle: !!python/object/apply:os.system ['echo pwned']\n---\n",
    "set-tag": "---\nthemes: !!set {a, b}\n---\n",
    "merge-key": "---\nbase: &b {role: x}\nlead:\n  <<: *b\n---\n",
    "complex-key": "---\n? [a, b]\n: value\n---\n",
    "nan-value": "---\nmeasures:\n  - label: x\n    value: .nan\n    dimension: outcomes\n---\n",
    "many-unclosed-tags": "---\nhow_to_change: |\n  " + "<a onx" * 150_000 + "\n---\n",
    "many-backticks": "---\nhow_to_change: |\n  " + "`` `a" * 150_000 + "\n---\n",
    "many-link-openers": "---\ntitle: x\n---\n" + "](<a" * 200_000,
    "word-run-before-at": "---\ntitle: x\n---\n@ " + "a" * 900_000,
    "many-digits": "---\ntitle: " + "1 " * 400_000 + "\n---\n",
    "long-list-of-mappings": "---\norganisations:\n" + "- {a: 1}\n" * 60_000 + "---\n",
    "long-flow-list": "---\nthemes: [" + "a, " * 300_000 + "]\n---\n",
    "list-just-over-limit": "---\nthemes:\n" + "- a\n" * 1_500 + "---\n",
    "regex-backtracking": "---\ntitle: " + "<a " + "a" * 100_000 + "\n---\n" + "![x](" * 50_000,
}


# The rule (and the line) each file breaks, for the files whose point is one clear refusal: our own
# rule ids, never a library's words. Over-deep flow brackets are refused by whichever limit comes
# first: ours (yaml.too-deep) or libyaml's own nesting limit, which PyYAML 6.0.4 reports first as a
# syntax error (yaml.syntax). The other files must only be refused without a crash or a blow-up.
REFUSED = {
    "billion-laughs": ({"yaml.alias"}, 3),
    "deep-flow": ({"yaml.too-deep", "yaml.syntax"}, 2),
    "deep-block-sequence": ({"yaml.too-deep"}, 3),
    "deep-mapping": ({"yaml.too-deep"}, 34),
    "huge-integer": ({"yaml.bad-number"}, 2),
    "many-keys": ({"yaml.too-large"}, 10_002),
    "python-object-tag": ({"yaml.tag"}, 2),
    "set-tag": ({"yaml.tag"}, 2),
    "merge-key": ({"yaml.key-not-text"}, 4),
    "complex-key": ({"yaml.key-not-text"}, 2),
    "nan-value": ({"yaml.bad-number"}, 4),
    "long-list-of-mappings": ({"yaml.too-large"}, 10_002),
    "long-flow-list": ({"yaml.too-large"}, 2),
    "list-just-over-limit": ({"yaml.too-long"}, 3),
    "too-large": ({"file.too-large"}, 1),
}


def test_hostile_files_each_give_a_clear_error_in_bounded_memory(tmp_path):
    """Runs in a child process so its peak memory can be measured (and a crash would show)."""
    for name, text in HOSTILE.items():
        (tmp_path / f"{name}.md").write_text(text, encoding="utf-8")
    (tmp_path / "too-large.md").write_text("---\ntitle: x\n---\n" + "y" * (1024 * 1024 + 10), encoding="utf-8")
    script = textwrap.dedent(
        f"""
        import json, sys
        from pathlib import Path
        from learning_atlas.contract.checker import check_paths
        from learning_atlas.contract.schema import load_case_schema
        result = check_paths([Path({str(tmp_path)!r})], load_case_schema(Path({str(SCHEMAS)!r})))
        rows = [[p.path.stem, p.line, p.severity.value, p.rule, p.message] for p in result.problems]
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent (pytest).
        status = open("/proc/self/status").read()
        peak = int(status.split("VmHWM:")[1].split()[0]) // 1024
        print(json.dumps({{"rows": rows, "peak_mib": peak}}))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["peak_mib"] < 200, report["peak_mib"]
    by_file: dict[str, list[tuple[int, str, str]]] = {}
    for name, line, severity, rule, message in report["rows"]:
        assert message.strip() and rule, (name, line, message)
        by_file.setdefault(name, []).append((line, severity, rule))
    assert set(by_file) == set(HOSTILE) | {"too-large"}
    assert all(any(severity == "error" for _, severity, _ in problems) for problems in by_file.values())
    for name, (rules, line) in REFUSED.items():
        # One error, on the line at fault, naming the rule: nothing else is read from a refused file.
        (problem,) = by_file[name]
        assert problem[0] == line and problem[1] == "error" and problem[2] in rules, (name, problem)
