"""Fixtures shared by every test: paths of the project and a ``run_line`` around the CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from learning_atlas.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
CASES = ROOT / "cases"
ACCEPTANCE = ROOT / "tests" / "acceptance"
MINIMAL_CASE = ACCEPTANCE / "positive" / "minimal-valid-case.md"


def help_text_is_our_own(output: str, words: list[str]) -> bool:
    """``output`` (of ``atlas WORDS --help``) holds the command's own text: its docstring's first
    line and every one of its options. Not Click's words ("Usage:"), which are Click's to change."""
    command: click.Command = cli
    for word in words:
        command = command.commands[word]
    text = " ".join(output.split())
    summary = " ".join((command.help or "").strip().splitlines()[0].split())
    options = [
        opt for param in command.params if isinstance(param, click.Option) and not param.hidden
        for opt in param.opts if opt not in getattr(param, "hidden_aliases", ())  # old spellings, still read
    ]
    return bool(summary) and summary in text and all(opt in text for opt in options)


@pytest.fixture
def run_line():
    """Run an ``atlas`` command line in-process; exceptions propagate, so a traceback fails the test."""

    def run(args: list[str], **kwargs) -> Result:
        return CliRunner().invoke(cli, args, prog_name="atlas", catch_exceptions=False, **kwargs)

    return run


@pytest.fixture
def minimal_text() -> str:
    return MINIMAL_CASE.read_text(encoding="utf-8")


@pytest.fixture
def atlas(tmp_path: Path) -> Path:
    """A copy of the sample atlas (cases and schemas); returns its cases folder."""
    shutil.copytree(CASES, tmp_path / "cases")
    shutil.copytree(SCHEMAS, tmp_path / "schemas")
    return tmp_path / "cases"


@pytest.fixture
def atlas_project(tmp_path):
    """Make a small atlas project in tmp_path: ``make(cases={name: text})`` returns its mkdocs.yml."""

    def make(cases: dict[str, str], assets: dict[str, bytes] | None = None, **options: str) -> Path:
        cases_dir = tmp_path / "cases"
        cases_dir.mkdir(exist_ok=True)
        for name, text in cases.items():
            (cases_dir / name).write_text(text, encoding="utf-8")
        for name, data in (assets or {}).items():
            target = cases_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        docs = tmp_path / "docs"
        docs.mkdir(exist_ok=True)
        (docs / "index.md").write_text("---\ntemplate: atlas/home.html\n---\n\n# Test atlas\n")
        extra = "".join(f"      {k}: {v}\n" for k, v in options.items())
        config = tmp_path / "mkdocs.yml"
        config.write_text(
            "site_name: Test atlas\nsite_url: https://atlas.example.org/\n"
            "repo_url: https://github.com/example/atlas\nedit_uri: edit/main/docs/\n"
            "theme:\n  name: material\n  language: en\n"
            f"plugins:\n  - search\n  - atlas:\n      schemas_dir: {ROOT / 'schemas'}\n{extra}"
        )
        return config

    return make
