"""The GitHub Actions workflows: well formed, installing the locks, and running what the README says.

The workflows are read as YAML and their ``run`` steps as shell words, and compared with the
README's section on them and its code blocks: a workflow command changed without the README (or
the other way round) fails here.
"""

from __future__ import annotations

import re
import shlex

import pytest
import yaml
from learning_atlas.cli import cli
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
from packaging.specifiers import SpecifierSet
from packaging.version import Version
from repository_files import (
    PROJECT,
    ROOT,
    MkDocsTagLoader,
    mkdocs_config,
    read_yaml,
    readme,
    readme_block_commands,
    section,
    shell_blocks,
    shell_commands,
)

WORKFLOWS = ROOT / ".github" / "workflows"
CI_SECTION = "Checks on pull requests and publishing"
# What the workflows install: the atlas's lock file (make installs requirements/test.txt).
ATLAS_LOCK = "requirements/atlas.txt"
INSTALL_COMMANDS = [
    ("python", "-m", "pip", "install", "--require-hashes", "-r", ATLAS_LOCK),
    ("python", "-m", "pip", "install", "--no-build-isolation", "--no-deps", "-e", "."),
]


def _workflows() -> dict[str, dict]:
    files = sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])
    return {path.name: read_yaml(path) for path in files}


def _triggers(workflow: dict) -> dict:
    # YAML 1.1, which PyYAML reads, makes the bare key `on` the boolean true; GitHub reads it as "on".
    triggers = workflow.get("on", workflow.get(True))
    return {triggers: None} if isinstance(triggers, str) else dict(triggers)


def _steps(workflow: dict):
    for job in workflow["jobs"].values():
        yield from job["steps"]


def _run_commands(workflow: dict) -> list[tuple[str, ...]]:
    return [command for step in _steps(workflow) if "run" in step for command in shell_commands(step["run"])]


def _uses(workflow: dict, action: str) -> list[dict]:
    return [step for step in _steps(workflow) if step.get("uses", "").split("@")[0] == action]


def _readme_workflow_commands() -> dict[str, list[tuple[str, ...]]]:
    """What the README's CI section says each workflow runs: its list items name a workflow
    file (``check.yml``) and hold that workflow's commands in shell code blocks."""
    described = {}
    for element in section(readme(), CI_SECTION):
        for item in element.find_all("li", recursive=False) if element.name in ("ul", "ol") else []:
            names = [c.get_text() for c in item.find_all("code") if c.parent.name != "pre"]
            workflow = next((n for n in names if (WORKFLOWS / n).is_file()), None)
            if workflow is not None:
                described[workflow] = [c for code in shell_blocks([item]) for c in shell_commands(code.get_text())]
    return described


def test_there_is_a_pull_request_workflow_and_a_publishing_workflow():
    triggers = {name: set(_triggers(w)) for name, w in _workflows().items()}
    assert any("pull_request" in t for t in triggers.values()), triggers
    assert any("push" in t for t in triggers.values()), triggers


@pytest.mark.parametrize("name", sorted(_workflows()))
def test_each_workflow_is_well_formed(name):
    workflow = _workflows()[name]
    assert workflow["name"]
    assert _triggers(workflow)
    assert "permissions" in workflow, "name the token's permissions; the default is broader than a build needs"
    assert workflow["permissions"].get("contents") == "read"
    for job_name, job in workflow["jobs"].items():
        assert job["runs-on"], job_name
        assert job["steps"], job_name
        # GitHub's default limit is 6 hours of a stuck runner.
        assert isinstance(job.get("timeout-minutes"), int) and 0 < job["timeout-minutes"] <= 60, job_name
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step
    for step in _steps(workflow):
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", step["uses"]), f"pin {step['uses']} to a major version"


@pytest.mark.parametrize("name", sorted(_workflows()))
def test_each_workflow_installs_the_python_the_project_supports_with_a_pip_cache(name):
    workflow = _workflows()[name]
    requires = SpecifierSet(PROJECT["requires-python"])
    if not _run_commands(workflow):
        return
    (setup,) = _uses(workflow, "actions/setup-python")
    assert Version(str(setup["with"]["python-version"])) in requires
    assert setup["with"]["cache"] == "pip"
    for pattern in str(setup["with"].get("cache-dependency-path", "")).split():
        assert list(ROOT.glob(pattern)), f"cache-dependency-path {pattern} matches no file"


@pytest.mark.parametrize("name", sorted(_workflows()))
def test_each_workflow_installs_the_locked_versions_with_their_hashes_then_the_project(name):
    workflow = _workflows()[name]
    commands = _run_commands(workflow)
    if not commands:
        return
    assert commands[: len(INSTALL_COMMANDS)] == INSTALL_COMMANDS
    installs = [c for c in commands if c[:4] == ("python", "-m", "pip", "install")]
    assert installs == INSTALL_COMMANDS, "install nothing the lock does not pin"
    assert (ROOT / ATLAS_LOCK).is_file()
    (setup,) = _uses(workflow, "actions/setup-python")
    assert setup["with"]["cache-dependency-path"] == ATLAS_LOCK, "a new lock starts a new cache"


def test_pull_request_workflow_checks_with_annotations_against_the_base_branch_then_builds():
    (workflow,) = [w for w in _workflows().values() if "pull_request" in _triggers(w)]
    assert set(_triggers(workflow)) == {"pull_request"}, "GITHUB_BASE_REF is set only for pull requests"
    assert set(workflow["permissions"].values()) == {"read"}, "a check needs no write access"
    (checkout,) = _uses(workflow, "actions/checkout")
    assert checkout["with"]["fetch-depth"] == 0, "--base compares with the base branch: fetch all history"
    assert _run_commands(workflow) == [
        *INSTALL_COMMANDS,
        ("atlas", "check", "--format", "github", "--base", "origin/${GITHUB_BASE_REF}"),
        ("mkdocs", "build", "--strict"),
    ]


def test_publishing_workflow_builds_main_and_deploys_to_github_pages():
    (workflow,) = [w for w in _workflows().values() if "push" in _triggers(w)]
    assert _triggers(workflow)["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert workflow["concurrency"]["cancel-in-progress"] is False, "never cancel a deployment half-way"
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert ("mkdocs", "build", "--strict") in _run_commands({"jobs": {"build": build}})
    uses = [step.get("uses", "").split("@")[0] for step in build["steps"]]
    assert uses.index("actions/configure-pages") < uses.index("actions/upload-pages-artifact")
    # The build is given the Pages address configure-pages found (which it gives without the final
    # "/"), as the variable mkdocs.yml reads site_url from.
    (pages,) = _uses(workflow, "actions/configure-pages")
    assert "id" in pages, "give configure-pages an id, to read its outputs"
    (building,) = [s for s in build["steps"] if ("mkdocs", "build", "--strict") in shell_commands(s.get("run", ""))]
    assert uses.index("actions/configure-pages") < build["steps"].index(building)
    variable, _ = _site_url_setting()
    assert building["env"] == {variable: f"${{{{ steps.{pages['id']}.outputs.base_url }}}}/"}
    (upload,) = [s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert upload["with"]["path"] == mkdocs_config().get("site_dir", "site")
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]


def _site_url_setting() -> tuple[str, str]:
    """mkdocs.yml's ``site_url: !ENV [NAME, default]``: the variable's name and the default."""
    root = yaml.compose((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=MkDocsTagLoader)
    (node,) = [value for key, value in root.value if key.value == "site_url"]
    assert node.tag == "!ENV" and isinstance(node, yaml.SequenceNode), "site_url: !ENV [NAME, default]"
    name, default = [item.value for item in node.value]
    return name, default


def test_site_url_is_the_address_publishing_gives_or_this_repositorys_github_pages_address(monkeypatch):
    name, default = _site_url_setting()
    repo_url = mkdocs_config()["repo_url"]
    owner, repository = re.fullmatch(r"https://github\.com/([\w.-]+)/([\w.-]+)/?", repo_url).groups()
    assert default == f"https://{owner.lower()}.github.io/{repository}/"
    # As MkDocs reads it: the default when the variable is unset, the address given (a final "/"
    # added) when it is set, and a configuration error, not a site of relative addresses, for "/".
    monkeypatch.delenv(name, raising=False)
    assert load_config(str(ROOT / "mkdocs.yml")).site_url == default
    monkeypatch.setenv(name, "https://pages.example.net/atlas")
    assert load_config(str(ROOT / "mkdocs.yml")).site_url == "https://pages.example.net/atlas/"
    monkeypatch.setenv(name, "/")
    with pytest.raises(Abort):
        load_config(str(ROOT / "mkdocs.yml"))


def test_every_workflow_command_is_in_a_readme_code_block():
    documented = readme_block_commands()
    for name, workflow in _workflows().items():
        for command in _run_commands(workflow):
            assert command in documented, f"{name} runs {shlex.join(command)!r}, which no README code block shows"


def test_readme_says_exactly_what_each_workflow_runs():
    described = _readme_workflow_commands()
    assert set(described) == set(_workflows()), "the README's CI section describes each workflow by its file name"
    for name, workflow in _workflows().items():
        assert described[name] == _run_commands(workflow), name


def _atlas_commands() -> list[tuple[str, ...]]:
    commands = [c for w in _workflows().values() for c in _run_commands(w)]
    commands += [tuple(shlex.split(hook["entry"])) for hook in read_yaml(ROOT / ".pre-commit-hooks.yaml")]
    commands += [c for cs in _readme_workflow_commands().values() for c in cs]
    return [c for c in commands if c[0] == "atlas"]


def test_atlas_commands_in_the_repository_files_use_options_atlas_has():
    unknown = set()
    for words in _atlas_commands():
        command = cli.commands[words[1]]
        options = {opt: param for param in command.params for opt in param.opts}
        for index, word in enumerate(words[2:], start=2):
            if not word.startswith("--"):
                continue
            if word not in options:
                unknown.add(word)
            elif hasattr(options[word].type, "choices"):
                assert words[index + 1] in options[word].type.choices, words
    assert unknown == set()
