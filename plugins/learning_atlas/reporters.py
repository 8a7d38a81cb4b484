"""How ``atlas check`` shows its problems: GNU text lines, GitHub annotations, or JSON."""

from __future__ import annotations

import json
from typing import Callable, TextIO

from .checker import CheckResult

FORMATS = ("text", "github", "json")


def report_text(result: CheckResult, out: TextIO) -> None:
    """One GNU-style line per problem, then the summary line."""
    for problem in result.problems:
        out.write(problem.gnu() + "\n")
    out.write(result.summary() + "\n")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def report_github(result: CheckResult, out: TextIO) -> None:
    """GitHub Actions workflow commands, so each problem is annotated on its line in a pull request."""
    for p in result.problems:
        title = f"atlas check: {p.key}" if p.key else "atlas check"
        out.write(
            f"::{p.severity.value} file={_escape_property(str(p.path))},line={p.line},col={p.column},"
            f"title={_escape_property(title)}::{_escape_data(p.message)}\n"
        )
    out.write(result.summary() + "\n")


def report_json(result: CheckResult, out: TextIO) -> None:
    """A JSON array of problems (file, line, column, severity, key, message, rule)."""
    json.dump([p.to_json() for p in result.problems], out, indent=2, ensure_ascii=False)
    out.write("\n")


REPORTERS: dict[str, Callable[[CheckResult, TextIO], None]] = {
    "text": report_text,
    "github": report_github,
    "json": report_json,
}
