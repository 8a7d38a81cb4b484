"""What a check finds: one :class:`Problem` per thing a person has to fix."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path


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
        """The problem as a GNU-style line: ``FILE:LINE:COL: error: KEY: message``."""
        where = f"{self.path}:{self.line}:{self.column}"
        key = f"{self.key}: " if self.key else ""
        return f"{where}: {self.severity.value}: {key}{self.message}"

    def to_json(self) -> dict[str, object]:
        return {
            "file": str(self.path),
            "line": self.line,
            "column": self.column,
            "severity": self.severity.value,
            "key": self.key,
            "message": self.message,
            "rule": self.rule,
        }


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
