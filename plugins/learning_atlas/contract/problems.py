"""What a check finds: one :class:`Problem` per thing a person has to fix."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
"""What would break a problem's line or lie about it: control characters (C0, DEL, C1 with U+0085),
the Unicode line and paragraph separators, the bidirectional overrides, and the lone surrogates that
stand for a file name's bytes that are not UTF-8 (which no terminal could be sent)."""
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    return _NAMED_ESCAPES.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def one_line(text: object) -> str:
    """``text`` with every control character and line separator escaped visibly (``\\n``, ``\\x1b``, ``\\u2028``),
    so that whatever a file name or a key holds, a problem prints as one line that shows what is there."""
    text = str(text)
    return _UNPRINTABLE.sub(_escape, text) if _UNPRINTABLE.search(text) else text


class Severity(str, enum.Enum):
    """How serious a problem is: errors fail the check, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one file, at the line and column of the key at fault.

    ``key`` is the dotted key path inside the front matter (``settings[0]``,
    ``contact.email``), or ``""`` when the problem is with the file as a whole.
    ``rule`` names the rule broken, for tests and machine-readable output.
    """

    path: Path
    line: int
    column: int
    severity: Severity = field(compare=False)
    key: str
    message: str
    rule: str = field(default="", compare=False)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def gnu(self) -> str:
        """The problem as one GNU-style line: ``FILE:LINE:COL: error: KEY: message`` (see :func:`one_line`)."""
        where = f"{one_line(self.path)}:{self.line}:{self.column}"
        key = f"{one_line(self.key)}: " if self.key else ""
        return f"{where}: {self.severity.value}: {key}{one_line(self.message)}"

    def to_json(self) -> dict[str, object]:
        """The problem for ``--format json``: the real file name, key and message, unescaped."""
        return {
            "file": str(self.path),
            "line": self.line,
            "column": self.column,
            "severity": self.severity.value,
            "key": self.key,
            "message": self.message,
            "rule": self.rule,
        }


def in_order(problems: Iterable[Problem], ranks: Mapping[Path, tuple[int, int]] | None = None) -> list[Problem]:
    """Problems in the order every report shows them: by file, then line and column.

    Files come in the order of ``ranks`` (a file's position among the cases checked, and 1 for a
    file of a case's own folder, so that those follow the case), then by name.
    """
    ranks = ranks or {}
    return sorted(problems, key=lambda p: (*ranks.get(p.path, (-1, 0)), str(p.path), p.line, p.column))


def format_key_path(parts: tuple[str | int, ...] | list[str | int]) -> str:
    """Turn a JSON path such as ``("measures", 0, "value")`` into ``measures[0].value``."""
    out = []
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif out:
            out.append(f".{part}")
        else:
            out.append(str(part))
    return "".join(out)
