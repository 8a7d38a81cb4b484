"""Fixtures shared by every test: paths of the project and a ``run_line`` around the CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from learning_atlas.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
CASES = ROOT / "cases"
ACCEPTANCE = ROOT / "tests" / "acceptance"
MINIMAL_CASE = ACCEPTANCE / "positive" / "minimal-valid-case.md"


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
