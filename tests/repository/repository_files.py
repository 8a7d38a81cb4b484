"""The repository's own files, read the way their tools read them: YAML, VS Code's JSON with
comments, Markdown as GitHub renders it (cmark-gfm), shell commands as words, ``mkdocs.yml`` with
MkDocs' tags, the Makefile's variables and rules.

Comparing what the files say, not how they spell it, keeps these tests from failing on quoting,
spacing or wrapping that the tools themselves ignore.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import cmarkgfm
import tomllib
import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
MAKEFILE = ROOT / "Makefile"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def read_yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


class MkDocsTagLoader(yaml.SafeLoader):
    """mkdocs.yml uses MkDocs' own tags (``!relative``, ``!ENV``): read their values as plain data,
    and ``!ENV [NAME, ..., default]`` as its default, as MkDocs reads it when no NAME is set."""


def _env_default(loader: yaml.SafeLoader, node: yaml.Node):
    return loader.construct_object(node.value[-1]) if isinstance(node, yaml.SequenceNode) else None


MkDocsTagLoader.add_multi_constructor("!", lambda loader, suffix, node: None)
MkDocsTagLoader.add_constructor("!ENV", _env_default)


def mkdocs_config() -> dict:
    """The repository's mkdocs.yml, as MkDocs reads it with no environment variable set."""
    return yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=MkDocsTagLoader)


def read_jsonc(path: Path):
    """VS Code's JSON with comments, as our files write it: whole-line ``//`` comments."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("//")]
    return json.loads("\n".join(lines))


def github_html(markdown_text: str) -> BeautifulSoup:
    """Markdown as GitHub renders it (cmark-gfm)."""
    return BeautifulSoup(cmarkgfm.github_flavored_markdown_to_html(markdown_text), "html.parser")


def shell_commands(script: str) -> list[tuple[str, ...]]:
    """A shell script's commands as shell words: continuation lines joined, comments and blanks dropped."""
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


def section(soup: BeautifulSoup, title: str) -> list:
    """The elements after the heading ``title`` up to the next heading of the same or a higher level."""
    heading = next(h for h in soup.find_all(re.compile("^h[1-6]$")) if h.get_text(strip=True) == title)
    level, elements = int(heading.name[1]), []
    for element in heading.find_next_siblings():
        if re.fullmatch("h[1-6]", element.name) and int(element.name[1]) <= level:
            break
        elements.append(element)
    return elements


def is_shell(code) -> bool:
    """A fenced block whose info string is sh, bash or shell (cmark-gfm writes it as ``<pre lang>``)."""
    return code.parent.get("lang") in ("sh", "bash", "shell")


def shell_blocks(elements) -> list:
    """The shell code blocks in ``elements``."""
    found = []
    for element in elements:
        blocks = element.find_all("code") if element.name != "pre" else [element.find("code")]
        found += [code for code in blocks if code.parent.name == "pre" and is_shell(code)]
    return found


def readme() -> BeautifulSoup:
    return github_html(README.read_text(encoding="utf-8"))


def readme_text() -> str:
    """The README's text as a reader sees it: no markup, every run of white space one space."""
    return " ".join(readme().get_text().split())


def readme_block_commands() -> set[tuple[str, ...]]:
    """Every command in the README's shell code blocks (not its prose or inline code)."""
    return {c for code in readme().select("pre > code") if is_shell(code) for c in shell_commands(code.get_text())}


def makefile() -> tuple[dict[str, str], str]:
    """The Makefile's variables (as written, unexpanded) and its text, continuation lines joined."""
    text = MAKEFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    variables = dict(re.findall(r"^(\w+)\s*[:?]?=\s*(.*)$", text, re.MULTILINE))
    return variables, text


def make_recipe(target: str) -> str:
    """The recipe of the Makefile's rule for ``target``: its tab-indented lines."""
    _, text = makefile()
    rule = re.search(rf"^{re.escape(target)}:[^\n]*\n((?:\t[^\n]*\n)+)", text, re.MULTILINE)
    assert rule, f"the Makefile has no {target} rule"
    return rule.group(1)


def expand(words: str, variables: dict[str, str]) -> list[str]:
    """``words`` with the Makefile's ``$(NAME)`` references replaced, split into words."""
    for _ in range(5):
        words = re.sub(r"\$\((\w+)\)", lambda m: variables.get(m.group(1), ""), words)
    return words.split()
