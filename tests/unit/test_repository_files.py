"""The pull-request path's files agree with the README, the CLI, the schema and each other.

The GitHub Actions workflows, the pre-commit hooks, the pull-request template,
VS Code's settings and CONTRIBUTING.md are read the way their own tools read
them (YAML, JSON with comments, CommonMark) and checked against what they
name: the README's code blocks, ``atlas``'s options, the exported schema, the
files and pages they link to. A workflow command changed without the README
(or the other way round) fails here.
"""

from __future__ import annotations

import io
import json
import re
import shlex
import unicodedata
from pathlib import Path, PurePosixPath

import cmarkgfm
import markdown
import pytest
import tomllib
import yaml
from bs4 import BeautifulSoup
from conftest import ACCEPTANCE, ROOT, SCHEMAS
from learning_atlas.cli import cli
from learning_atlas.contract.checker import check_paths
from learning_atlas.contract.reporters import report_text
from learning_atlas.contract.schema import load_case_schema
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
from packaging.specifiers import SpecifierSet
from packaging.version import Version

WORKFLOWS = ROOT / ".github" / "workflows"
README = ROOT / "README.md"
CONTRIBUTING = ROOT / "CONTRIBUTING.md"
SITE_GUIDE = ROOT / "docs" / "contributing.md"
PR_TEMPLATE = ROOT / ".github" / "PULL_REQUEST_TEMPLATE.md"
VSCODE = ROOT / ".vscode"
CI_SECTION = "Checks on pull requests and publishing"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
# What the workflows install: the atlas's lock file (make installs requirements/test.txt).
ATLAS_LOCK = "requirements/atlas.txt"
INSTALL_COMMANDS = [
    ("python", "-m", "pip", "install", "--require-hashes", "-r", ATLAS_LOCK),
    ("python", "-m", "pip", "install", "--no-build-isolation", "--no-deps", "-e", "."),
]


# --- reading the files as their tools do -------------------------------------------------------


def _yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


class _TagTolerantLoader(yaml.SafeLoader):
    """mkdocs.yml uses MkDocs' own tags (``!relative``, ``!ENV``): read their values as plain data,
    and ``!ENV [NAME, ..., default]`` as its default, as MkDocs reads it when no NAME is set."""


def _env_default(loader: yaml.SafeLoader, node: yaml.Node):
    return loader.construct_object(node.value[-1]) if isinstance(node, yaml.SequenceNode) else None


_TagTolerantLoader.add_multi_constructor("!", lambda loader, suffix, node: None)
_TagTolerantLoader.add_constructor("!ENV", _env_default)


def _mkdocs_config() -> dict:
    return yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_TagTolerantLoader)


def _jsonc(path: Path):
    """VS Code's JSON with comments, as our files write it: whole-line ``//`` comments."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("//")]
    return json.loads("\n".join(lines))


def _html(markdown_text: str) -> BeautifulSoup:
    """Markdown as GitHub renders it (cmark-gfm)."""
    return BeautifulSoup(cmarkgfm.github_flavored_markdown_to_html(markdown_text), "html.parser")


def _commands(script: str) -> list[tuple[str, ...]]:
    """A shell script's commands as shell words: continuation lines joined, comments and blanks dropped.

    Comparing words, not text, ignores quoting and spacing that the shell ignores too.
    """
    commands, pending = [], ""
    for line in script.splitlines():
        line = pending + line
        if line.rstrip().endswith("\\"):
            pending = line.rstrip()[:-1] + " "
            continue
        pending = ""
        words = shlex.split(line, comments=True)
        if words:
            commands.append(tuple(words))
    return commands


def _workflows() -> dict[str, dict]:
    files = sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])
    return {path.name: _yaml(path) for path in files}


def _triggers(workflow: dict) -> dict:
    # YAML 1.1, which PyYAML reads, makes the bare key `on` the boolean true; GitHub reads it as "on".
    triggers = workflow.get("on", workflow.get(True))
    return {triggers: None} if isinstance(triggers, str) else dict(triggers)


def _steps(workflow: dict):
    for job in workflow["jobs"].values():
        yield from job["steps"]


def _run_commands(workflow: dict) -> list[tuple[str, ...]]:
    return [command for step in _steps(workflow) if "run" in step for command in _commands(step["run"])]


def _uses(workflow: dict, action: str) -> list[dict]:
    return [step for step in _steps(workflow) if step.get("uses", "").split("@")[0] == action]


def _section(soup: BeautifulSoup, title: str) -> list:
    """The elements after the heading ``title`` up to the next heading of the same or a higher level."""
    heading = next(h for h in soup.find_all(re.compile("^h[1-6]$")) if h.get_text(strip=True) == title)
    level, elements = int(heading.name[1]), []
    for element in heading.find_next_siblings():
        if re.fullmatch("h[1-6]", element.name) and int(element.name[1]) <= level:
            break
        elements.append(element)
    return elements


def _shell_blocks(elements) -> list:
    found = []
    for element in elements:
        blocks = element.find_all("code") if element.name != "pre" else [element.find("code")]
        found += [code for code in blocks if code.parent.name == "pre" and _is_shell(code)]
    return found


def _is_shell(code) -> bool:
    """A fenced block whose info string is sh, bash or shell (cmark-gfm writes it as ``<pre lang>``)."""
    return code.parent.get("lang") in ("sh", "bash", "shell")


def _readme() -> BeautifulSoup:
    return _html(README.read_text(encoding="utf-8"))


def _readme_block_commands() -> set[tuple[str, ...]]:
    """Every command in the README's shell code blocks (not its prose or inline code)."""
    return {c for code in _readme().select("pre > code") if _is_shell(code) for c in _commands(code.get_text())}


def _readme_workflow_commands() -> dict[str, list[tuple[str, ...]]]:
    """What the README's CI section says each workflow runs: its list items name a workflow
    file (``check.yml``) and hold that workflow's commands in shell code blocks."""
    described = {}
    for element in _section(_readme(), CI_SECTION):
        for item in element.find_all("li", recursive=False) if element.name in ("ul", "ol") else []:
            names = [c.get_text() for c in item.find_all("code") if c.parent.name != "pre"]
            workflow = next((n for n in names if (WORKFLOWS / n).is_file()), None)
            if workflow is not None:
                described[workflow] = [c for code in _shell_blocks([item]) for c in _commands(code.get_text())]
    return described


# --- the workflows ----------------------------------------------------------------------------


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
    (building,) = [s for s in build["steps"] if ("mkdocs", "build", "--strict") in _commands(s.get("run", ""))]
    assert uses.index("actions/configure-pages") < build["steps"].index(building)
    variable, _ = _site_url_setting()
    assert building["env"] == {variable: f"${{{{ steps.{pages['id']}.outputs.base_url }}}}/"}
    (upload,) = [s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert upload["with"]["path"] == _mkdocs_config().get("site_dir", "site")
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]


def _site_url_setting() -> tuple[str, str]:
    """mkdocs.yml's ``site_url: !ENV [NAME, default]``: the variable's name and the default."""
    root = yaml.compose((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_TagTolerantLoader)
    (node,) = [value for key, value in root.value if key.value == "site_url"]
    assert node.tag == "!ENV" and isinstance(node, yaml.SequenceNode), "site_url: !ENV [NAME, default]"
    name, default = [item.value for item in node.value]
    return name, default


def test_site_url_is_the_address_publishing_gives_or_this_repositorys_github_pages_address(monkeypatch):
    name, default = _site_url_setting()
    repo_url = _mkdocs_config()["repo_url"]
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
    documented = _readme_block_commands()
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
    commands += [tuple(shlex.split(hook["entry"])) for hook in _yaml(ROOT / ".pre-commit-hooks.yaml")]
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


# --- pre-commit -------------------------------------------------------------------------------


def _case_files_pattern(hook: dict) -> re.Pattern:
    pattern = re.compile(hook["files"])
    for path in ("cases/learning-lessons-framework.md", "cases/a-b-c.md"):
        assert pattern.search(path), path
    for path in ("docs/index.md", "README.md", "cases/a-b-c/chart.png", "schemas/case.schema.yaml"):
        assert not pattern.search(path), path
    return pattern


def test_pre_commit_hook_for_other_repositories_runs_atlas_check_on_the_whole_cases_folder():
    (hook,) = _yaml(ROOT / ".pre-commit-hooks.yaml")
    assert hook["id"] == "atlas-check"
    assert hook["language"] == "python"
    entry = shlex.split(hook["entry"])
    assert entry[:2] == ["atlas", "check"]
    assert entry[0] in PROJECT["scripts"]
    _case_files_pattern(hook)
    # Given only the changed files, atlas check would lose the rules across cases (duplicate slugs, ...).
    assert hook["pass_filenames"] is False


def test_this_repositorys_pre_commit_config_runs_the_same_check():
    (hook,) = _yaml(ROOT / ".pre-commit-hooks.yaml")
    config = _yaml(ROOT / ".pre-commit-config.yaml")
    (repo,) = config["repos"]
    assert repo["repo"] == "local"
    (local,) = repo["hooks"]
    assert local["id"] == hook["id"]
    assert local["files"] == hook["files"] and local["pass_filenames"] is False
    if local["language"] == "unsupported":  # the name pre-commit 4.4 gave `system`
        assert Version(config["minimum_pre_commit_version"]) >= Version("4.4.0")
    target = shlex.split(local["entry"])
    assert target[0] == "make"
    assert re.search(rf"^{re.escape(target[1])}:", (ROOT / "Makefile").read_text(), re.MULTILINE)
    inline = {c.get_text() for c in _readme().find_all("code")}
    assert local["entry"] in inline and hook["entry"] in inline, "the README names both commands"


# --- the pull-request template ----------------------------------------------------------------


def test_pull_request_template_has_the_governance_checklist_and_the_review():
    text = PR_TEMPLATE.read_text(encoding="utf-8")
    items = [m.lower() for m in re.findall(r"^- \[ \] (.+)$", text, re.MULTILINE)]
    for words in (("consent", "consent_confirmed: true"), ("patient-identifiable", "nhs number"), ("traced", "source")):
        assert any(all(w in item for w in words) for item in items), words
    review = _section(_html(text), "What the reviewer will check")
    assert "atlas check" in " ".join(e.get_text() for e in review)


# --- VS Code ----------------------------------------------------------------------------------


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
    settings = _jsonc(VSCODE / "settings.json")
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
    assert "redhat.vscode-yaml" in _jsonc(VSCODE / "extensions.json")["recommendations"]


def test_vscode_build_task_runs_atlas_check_and_reads_every_problem_it_prints():
    tasks = _jsonc(VSCODE / "tasks.json")["tasks"]
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


# --- CONTRIBUTING.md and the site's guide -----------------------------------------------------


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading (and Python-Markdown's toc, for the headings we write)."""
    text = unicodedata.normalize("NFKC", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(markdown_text: str) -> set[str]:
    return {_slug(h.get_text()) for h in _html(markdown_text).find_all(re.compile("^h[1-6]$"))}


_SECTION = re.compile(r"--8<-- \[start:([a-z][-_0-9a-z]*)\][^\n]*\n(.*?)\n[^\n]*--8<-- \[end:\1\]", re.DOTALL)
_INCLUDE = re.compile(r'^--8<-- "CONTRIBUTING\.md:([a-z][-_0-9a-z]*)"$', re.MULTILINE)
_REFERENCE_USE = re.compile(r"\]\[([^\]]+)\]")
_REFERENCE_DEFINITION = re.compile(r"^\[([^\]]+)\]: (\S+)$", re.MULTILINE)


def _shared_sections() -> dict[str, str]:
    return dict(_SECTION.findall(CONTRIBUTING.read_text(encoding="utf-8")))


def _site_guide_as_built() -> str:
    """docs/contributing.md with CONTRIBUTING.md's sections put in, as pymdownx.snippets does."""
    sections = _shared_sections()
    return _INCLUDE.sub(lambda m: sections[m.group(1)], SITE_GUIDE.read_text(encoding="utf-8"))


def test_contributing_gives_the_three_ways_in_order_then_what_happens_next():
    headings = [h.get_text(strip=True) for h in _html(CONTRIBUTING.read_text(encoding="utf-8")).find_all(["h2", "h3"])]
    order = [
        "Before you start",
        "1. The form on the site",
        "2. The GitHub website",
        "3. Git on your own computer",
        "What happens after you open a pull request",
        "Changing or renaming a published case study",
    ]
    assert [h for h in headings if h in order] == order


def test_site_guide_includes_every_shared_section_of_contributing_once():
    config = _mkdocs_config()
    extensions = [next(iter(e)) if isinstance(e, dict) else e for e in config["markdown_extensions"]]
    assert "pymdownx.snippets" in extensions
    snippets = next(e for e in config["markdown_extensions"] if isinstance(e, dict) and "pymdownx.snippets" in e)
    assert snippets["pymdownx.snippets"]["check_paths"] is True, "a missing section must fail the build"
    included = _INCLUDE.findall(SITE_GUIDE.read_text(encoding="utf-8"))
    assert sorted(included) == sorted(_shared_sections()) and len(set(included)) == len(included)


def test_shared_sections_links_are_defined_in_both_files():
    used = {label for text in _shared_sections().values() for label in _REFERENCE_USE.findall(text)}
    for path in (CONTRIBUTING, SITE_GUIDE):
        defined = dict(_REFERENCE_DEFINITION.findall(path.read_text(encoding="utf-8")))
        assert used <= set(defined), (path.name, used - set(defined))


def test_shared_sections_render_alike_on_github_and_on_the_site():
    """Python-Markdown (the site) nests lists by 4 spaces, GitHub by the marker's width: the
    shared text must give both the same lists, tables and headings."""

    def shape(soup: BeautifulSoup) -> list[tuple[str, int]]:
        tags = soup.find_all(["ol", "ul", "li", "table", "h2", "h3", "h4"])
        return [(t.name, len(t.find_parents(["ol", "ul"]))) for t in tags]

    for name, text in _shared_sections().items():
        site = BeautifulSoup(markdown.markdown(text, extensions=["tables", "toc"], tab_length=4), "html.parser")
        assert shape(site) == shape(_html(text)), name


def test_contributing_links_lead_to_files_and_pages_that_exist():
    config = _mkdocs_config()
    site_url, repo_url = config["site_url"].rstrip("/") + "/", config["repo_url"].rstrip("/") + "/"
    text = CONTRIBUTING.read_text(encoding="utf-8")
    pages = {str(page) for page in _nav_pages(config["nav"])}
    links = [a["href"] for a in _html(text).find_all("a", href=True)]
    assert links
    for link in links:
        target, _, fragment = link.partition("#")
        if link.startswith("#"):
            assert fragment in _anchors(text), link
        elif link.startswith(site_url):
            path = target.removeprefix(site_url).strip("/")
            assert f"{path}/index.md" in pages or f"{path}.md" in pages, f"{link}: no such page on the site"
        elif link.startswith(repo_url):
            kind, branch, path = target.removeprefix(repo_url).split("/", 2)
            assert (kind, branch) in {("tree", "main"), ("blob", "main"), ("new", "main")}, link
            assert (ROOT / path).exists(), link
        elif re.match(r"https?://", link):
            continue  # elsewhere on the web
        else:
            file = ROOT / target
            assert file.exists(), link
            if fragment:
                source = _site_guide_as_built() if file == SITE_GUIDE else file.read_text(encoding="utf-8")
                assert fragment in _anchors(source), link


def _nav_pages(nav) -> list[str]:
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, dict):
        return [p for value in nav.values() for p in _nav_pages(value)]
    return [p for item in nav for p in _nav_pages(item)]
