"""``atlas check``'s engine: find the case files under some paths, load and check every one."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from .loader import CASE_SUFFIX, LoadedCase, collection_problems, load_case
from .near_duplicates import near_duplicate_problems
from .problems import Problem, Severity
from .schema import CASE_SCHEMA_FILE, CaseSchema, SchemaLoadError, load_case_schema


@dataclass
class CheckResult:
    """What a check found: the cases read and every problem, in file and line order."""

    cases: list[LoadedCase] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.is_error)

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if not p.is_error)

    @property
    def exit_status(self) -> int:
        return 1 if self.errors else 0

    def summary(self) -> str:
        """``12 cases checked: 2 errors, 1 warning in 2 files``."""
        checked = _plural(len(self.cases), "case") + " checked"
        if not self.problems:
            return f"{checked}: no problems found"
        counts = []
        if self.errors:
            counts.append(_plural(self.errors, "error"))
        if self.warnings:
            counts.append(_plural(self.warnings, "warning"))
        files = len({p.path for p in self.problems})
        return f"{checked}: {', '.join(counts)} in {_plural(files, 'file')}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def find_schema_dir(start: Path) -> Path:
    """The ``schemas/`` folder of the atlas that ``start`` belongs to (searched upwards), or ./schemas."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / "schemas" / CASE_SCHEMA_FILE).is_file():
            return folder / "schemas"
    return Path("schemas")


def case_files(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """The case files under ``paths`` (a folder's ``*.md``), and problems with what else is there.

    A folder such as ``cases/`` holds only ``<slug>.md`` files and ``<slug>/``
    asset folders: any other file is an error, a folder with no case a warning.
    """
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_file():
            files.append(path)
            continue
        entries = sorted(path.iterdir())
        names = {e.name for e in entries}
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_file() and entry.name.endswith(CASE_SUFFIX):
                files.append(entry)
            elif entry.is_dir():
                if entry.name + CASE_SUFFIX not in names:
                    problems.append(
                        Problem(
                            entry, 1, 1, Severity.WARNING, "",
                            f"is an asset folder with no case: there is no {entry.name}{CASE_SUFFIX} beside it",
                            "folder.orphan-assets",
                        )
                    )
            else:
                problems.append(
                    Problem(
                        entry, 1, 1, Severity.ERROR, "",
                        f"does not belong in {path}/: only case files (<slug>.md) and their asset "
                        "folders (<slug>/) live there; move it into a case's folder",
                        "folder.stray-file",
                    )
                )
    return files, problems


Prepare = Callable[[LoadedCase], Any]
"""Work to do on each case without errors where it was loaded (in a worker process when ``jobs`` > 1)."""

_WORKER: dict[str, Any] = {}


def _load_in_worker(file: Path) -> LoadedCase:
    case = load_case(file, _WORKER["schema"], today=_WORKER["today"])
    prepare = _WORKER["prepare"]
    if prepare is not None and not case.has_errors:
        case.prepared = prepare(case)
    return case


def _load_all(files: list[Path], case_schema: CaseSchema, today: dt.date | None, prepare: Prepare | None, jobs: int):
    _WORKER.update(schema=case_schema, today=today, prepare=prepare)
    try:
        if jobs > 1 and len(files) >= 50 and "fork" in multiprocessing.get_all_start_methods():
            # Forked workers inherit the loaded schema; cases come back pickled, in order.
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                return pool.map(_load_in_worker, files, chunksize=max(1, len(files) // (jobs * 8)))
        return [_load_in_worker(file) for file in files]
    finally:
        _WORKER.clear()


def check_paths(
    paths: Iterable[Path],
    *,
    schema_dir: Path | None = None,
    today: dt.date | None = None,
    jobs: int = 1,
    prepare: Prepare | None = None,
) -> CheckResult:
    """Check every case under ``paths`` and the vocabularies; never raises for bad input.

    ``jobs`` > 1 loads cases in that many forked processes; ``prepare`` (a module-level
    function, so workers can run it) is applied to each case without errors, its result
    kept as ``LoadedCase.prepared``.
    """
    paths = list(paths)
    result = CheckResult()
    schema_dir = schema_dir or find_schema_dir(paths[0] if paths else Path.cwd())
    try:
        case_schema: CaseSchema = load_case_schema(schema_dir)
    except SchemaLoadError as exc:
        result.problems.extend(exc.problems)
        return result
    files, folder_problems = case_files(paths)
    result.problems.extend(folder_problems)
    for case in _load_all(files, case_schema, today, prepare, jobs):
        result.cases.append(case)
        result.problems.extend(case.problems)
    result.problems.extend(collection_problems(result.cases))
    result.problems.extend(near_duplicate_problems(result.cases))
    order = {case.path: index for index, case in enumerate(result.cases)}
    result.problems.sort(key=lambda p: (order.get(p.path, -1), p.line, p.column))
    return result
