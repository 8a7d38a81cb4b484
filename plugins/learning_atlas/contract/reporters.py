"""How ``atlas check`` shows its problems: GNU text lines, GitHub annotations, or JSON."""

from __future__ import annotations

import json
import re
from typing import Callable, TextIO

from learning_atlas.contract.checker import CheckResult
from learning_atlas.contract.problems import one_line

FORMATS = ("text", "github", "json")


def report_text(result: CheckResult, out: TextIO) -> None:
    """One GNU-style line per problem (control characters escaped: see ``one_line``), then the summary line."""
    for problem in result.problems:
        out.write(problem.gnu() + "\n")
    out.write(result.summary() + "\n")


def _escape_data(text: str) -> str:
    """GitHub's escaping of a workflow command's message, after ours of every control character."""
    return one_line(text).replace("%", "%25")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def report_github(result: CheckResult, out: TextIO) -> None:
    """GitHub Actions workflow commands, so each problem is annotated on its line in a pull request.

    Each is one line: control characters in a file name, key or message are escaped as in the text format.
    """
    for p in result.problems:
        title = f"atlas check: {p.key}" if p.key else "atlas check"
        out.write(
            f"::{p.severity.value} file={_escape_property(str(p.path))},line={p.line},col={p.column},"
            f"title={_escape_property(title)}::{_escape_data(p.message)}\n"
        )
    out.write(result.summary() + "\n")


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def report_json(result: CheckResult, out: TextIO) -> None:
    """A JSON array of problems (file, line, column, severity, key, message, rule), with the real values.

    A file name's bytes that are not UTF-8 (lone surrogates in Python) are written as JSON's
    ``\\udcXX`` escapes, which decode to the same value; raw, they could not be written as UTF-8 at all.
    """
    text = json.dumps([p.to_json() for p in result.problems], indent=2, ensure_ascii=False)
    out.write(_SURROGATE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text) + "\n")


REPORTERS: dict[str, Callable[[CheckResult, TextIO], None]] = {
    "text": report_text,
    "github": report_github,
    "json": report_json,
}
