"""VS Code's settings open case files as YAML checked against the exported schema, and its build task
puts every problem ``atlas check`` prints on its line."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path, PurePosixPath

from conftest import ACCEPTANCE, SCHEMAS
from learning_atlas.contract.checker import check_paths
from learning_atlas.contract.reporters import report_text
from learning_atlas.contract.schema import load_case_schema
from repository_files import ROOT, read_jsonc

VSCODE = ROOT / ".vscode"


def _glob_matches(glob: str, path: str) -> bool:
    """VS Code's and the YAML extension's glob, for the patterns we use (``**/``, ``*``)."""
    pattern = re.escape(glob.removeprefix("./")).replace(r"\*\*/", "(?:.*/)?").replace(r"\*", "[^/]*")
    return re.fullmatch(pattern, path) is not None


def _refs(schema) -> list[str]:
    if isinstance(schema, dict):
        own = [schema["$ref"]] if "$ref" in schema else []
        return own + [r for v in schema.values() for r in _refs(v)]
    return [r for v in schema for r in _refs(v)] if isinstance(schema, list) else []


def test_vscode_opens_case_files_as_yaml_checked_against_the_exported_case_schema():
    settings = read_jsonc(VSCODE / "settings.json")
    case = "cases/learning-lessons-framework.md"
    assert [lang for glob, lang in settings["files.associations"].items() if _glob_matches(glob, case)] == ["yaml"]
    schemas = [
        Path(s)
        for s, globs in settings["yaml.schemas"].items()
        if any(_glob_matches(g, case) for g in ([globs] if isinstance(globs, str) else globs))
    ]
    assert len(schemas) == 1, settings["yaml.schemas"]
    wrapper = (ROOT / schemas[0]).resolve()
    assert wrapper.is_file()
    exported = json.loads(load_case_schema(SCHEMAS).to_json())
    if json.loads(wrapper.read_text(encoding="utf-8")) == exported:
        return
    # A wrapper applies the case schema to the front matter only (what follows the closing '---'
    # is a second YAML document); it must lead to the exported schema, which must be current.
    wrapped = json.loads(wrapper.read_text(encoding="utf-8"))
    assert wrapped["if"] == {"type": "object"}
    targets = {(wrapper.parent / ref).resolve() for ref in _refs(wrapped)}
    assert targets == {(SCHEMAS / "case.schema.json").resolve()}
    assert json.loads((SCHEMAS / "case.schema.json").read_text(encoding="utf-8")) == exported, "run make schema"


def test_vscode_recommends_the_yaml_extension():
    assert "redhat.vscode-yaml" in read_jsonc(VSCODE / "extensions.json")["recommendations"]


def test_vscode_build_task_runs_atlas_check_and_reads_every_problem_it_prints():
    tasks = read_jsonc(VSCODE / "tasks.json")["tasks"]
    (task,) = [t for t in tasks if t.get("group", {}).get("isDefault")]
    assert PurePosixPath(task["command"].replace("\\", "/")).name == "atlas"
    assert task["args"][0] == "check"
    matcher = task["problemMatcher"]["pattern"]
    regexp = re.compile(matcher["regexp"])
    result = check_paths([ACCEPTANCE / "negative"], load_case_schema(SCHEMAS))
    out = io.StringIO()
    report_text(result, out)
    lines = out.getvalue().splitlines()
    assert len(lines) == len(result.problems) + 1  # and the summary line, which no problem matches
    assert regexp.match(lines[-1]) is None
    for problem, line in zip(result.problems, lines):
        match = regexp.match(line)
        assert match, line
        assert match.group(matcher["file"]) == str(problem.path)
        assert int(match.group(matcher["line"])) == problem.line
        assert int(match.group(matcher["column"])) == problem.column
        assert match.group(matcher["severity"]) == problem.severity.value
