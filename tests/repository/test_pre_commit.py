"""The pre-commit hook offered to other repositories, and this repository's own, run ``atlas check``
on the whole cases folder, as the README says."""

from __future__ import annotations

import re
import shlex

from packaging.version import Version
from repository_files import MAKEFILE, PROJECT, ROOT, read_yaml, readme


def _case_files_pattern(hook: dict) -> re.Pattern:
    pattern = re.compile(hook["files"])
    for path in ("cases/learning-lessons-framework.md", "cases/a-b-c.md"):
        assert pattern.search(path), path
    for path in ("docs/index.md", "README.md", "cases/a-b-c/chart.png", "schemas/case.schema.yaml"):
        assert not pattern.search(path), path
    return pattern


def test_pre_commit_hook_for_other_repositories_runs_atlas_check_on_the_whole_cases_folder():
    (hook,) = read_yaml(ROOT / ".pre-commit-hooks.yaml")
    assert hook["id"] == "atlas-check"
    assert hook["language"] == "python"
    entry = shlex.split(hook["entry"])
    assert entry[:2] == ["atlas", "check"]
    assert entry[0] in PROJECT["scripts"]
    _case_files_pattern(hook)
    # Given only the changed files, atlas check would lose the rules across cases (duplicate slugs, ...).
    assert hook["pass_filenames"] is False


def test_this_repositorys_pre_commit_config_runs_the_same_check():
    (hook,) = read_yaml(ROOT / ".pre-commit-hooks.yaml")
    config = read_yaml(ROOT / ".pre-commit-config.yaml")
    (repo,) = config["repos"]
    assert repo["repo"] == "local"
    (local,) = repo["hooks"]
    assert local["id"] == hook["id"]
    assert local["files"] == hook["files"] and local["pass_filenames"] is False
    if local["language"] == "unsupported":  # the name pre-commit 4.4 gave `system`
        assert Version(config["minimum_pre_commit_version"]) >= Version("4.4.0")
    target = shlex.split(local["entry"])
    assert target[0] == "make"
    assert re.search(rf"^{re.escape(target[1])}:", MAKEFILE.read_text(encoding="utf-8"), re.MULTILINE)
    inline = {c.get_text() for c in readme().find_all("code")}
    assert local["entry"] in inline and hook["entry"] in inline, "the README names both commands"
