"""``atlas check``'s engine: find the case files under some paths, load and check every one."""

from __future__ import annotations

import datetime as dt
import functools
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Hashable, Iterable

from learning_atlas.contract.builds_on import builds_on_problems
from learning_atlas.contract.case_assets import check_asset_folder, describe_file_kind
from learning_atlas.contract.load_cache import CaseLoadCache
from learning_atlas.contract.learning_collections import (
    CollectionSchemaError,
    LoadedCollection,
    collection_case_problems,
    collection_files,
    load_collection,
    load_collection_schema,
)
from learning_atlas.contract.loader import CASE_SUFFIX, LoadedCase, collection_problems, load_case
from learning_atlas.contract.near_duplicates import near_duplicate_problems
from learning_atlas.contract.problems import Problem, Severity, in_order
from learning_atlas.contract.schema import CaseSchema
from learning_atlas.processes.parallel import parallel_map


@dataclass
class CheckResult:
    """What a check found: the cases read and every problem, in file and line order."""

    cases: list[LoadedCase] = field(default_factory=list)
    collections: list[LoadedCollection] = field(default_factory=list)
    """The learning collections read (``collections/<slug>.yaml``), when the check covered them."""
    problems: list[Problem] = field(default_factory=list)
    ranks: dict[Path, tuple[int, int]] = field(default_factory=dict)
    """Each file's place in the reports' order (see :func:`~learning_atlas.contract.problems.in_order`)."""

    def add(self, problems: Iterable[Problem]) -> None:
        """Add problems found later (the rename check, say), keeping the reports' order."""
        self.problems = in_order([*self.problems, *problems], self.ranks)

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
        checked = _plural(len(self.cases), "case")
        if self.collections:
            checked += " and " + _plural(len(self.collections), "collection")
        checked += " checked"
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


@dataclass
class FoundFiles:
    """What :func:`case_files` found under some paths."""

    files: list[Path] = field(default_factory=list)
    """The case files, each once, in the order found."""
    asset_folders: dict[Path, Path] = field(default_factory=dict)
    """Each case file's own folder (``cases/<slug>/``), where it has one."""
    orphan_folders: list[Path] = field(default_factory=list)
    """Folders in a cases folder with no case beside them."""
    problems: list[Problem] = field(default_factory=list)


def _file_problem(path: Path, rule: str, message: str, severity: Severity = Severity.ERROR) -> Problem:
    return Problem(path, 1, 1, severity, "", message, rule)


_SYMLINK_MESSAGE = (
    "is a symbolic link; the atlas reads and publishes only real files, so a link could publish files "
    "from outside cases/: put the file itself here"
)


def case_files(paths: Iterable[Path]) -> FoundFiles:
    """The case files under ``paths`` (a folder's ``*.md``), their folders, and problems with what else is there.

    A folder such as ``cases/`` holds only ``<slug>.md`` files and ``<slug>/``
    folders: any other file is an error, a folder with no case a warning, and a
    symbolic link, a pipe or a device an error. Links are never followed; a path
    given twice is read once.
    """
    found = FoundFiles()
    seen: set[str] = set()

    def add_case(path: Path) -> None:
        key = os.path.abspath(path)
        if key in seen:
            return
        seen.add(key)
        found.files.append(path)
        folder = path.parent / path.name[: -len(CASE_SUFFIX)] if path.name.endswith(CASE_SUFFIX) else None
        if folder is not None:
            try:
                mode = os.lstat(folder).st_mode
            except OSError:
                return
            if stat.S_ISDIR(mode):
                found.asset_folders[path] = folder

    def refuse(path: Path, mode: int) -> None:
        key = os.path.abspath(path)
        if key in seen:
            return
        seen.add(key)
        if stat.S_ISLNK(mode):
            found.problems.append(_file_problem(path, "file.symlink", _SYMLINK_MESSAGE))
        else:
            what = describe_file_kind(mode) or "not a regular file"
            found.problems.append(
                _file_problem(path, "file.not-regular", f"is {what}, not a case file or folder; remove it")
            )

    for path in paths:
        try:
            mode = os.lstat(path).st_mode
        except OSError as exc:
            found.problems.append(_file_problem(path, "file.unreadable", f"cannot be read: {exc.strerror or exc}"))
            continue
        if stat.S_ISREG(mode):
            add_case(path)
        elif not stat.S_ISDIR(mode):
            refuse(path, mode)
        else:
            _scan_cases_folder(path, found, add_case, refuse)
    return found


def _scan_cases_folder(path: Path, found: FoundFiles, add_case, refuse) -> None:
    try:
        with os.scandir(path) as scan:
            entries = sorted(((entry.name, entry.stat(follow_symlinks=False).st_mode) for entry in scan))
    except OSError as exc:
        found.problems.append(
            _file_problem(path, "file.unreadable", f"cannot be read: {exc.strerror or exc}")
        )
        return
    names = {name for name, _ in entries}
    for name, mode in entries:
        entry = path / name
        if name.startswith("."):
            continue
        if stat.S_ISLNK(mode) or not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            refuse(entry, mode)
        elif stat.S_ISREG(mode) and name.endswith(CASE_SUFFIX):
            add_case(entry)
        elif stat.S_ISDIR(mode):
            if name + CASE_SUFFIX not in names:
                found.orphan_folders.append(entry)
                found.problems.append(
                    _file_problem(
                        entry, "folder.orphan-assets",
                        f"is an asset folder with no case: there is no {name}{CASE_SUFFIX} beside it",
                        Severity.WARNING,
                    )
                )
        else:
            found.problems.append(
                _file_problem(
                    entry, "folder.stray-file",
                    f"does not belong in {path}/: only case files (<slug>.md) and their asset "
                    "folders (<slug>/) live there; move it into a case's folder",
                )
            )


def check_paths(
    paths: Iterable[Path],
    case_schema: CaseSchema,
    *,
    today: dt.date | None = None,
    jobs: int = 1,
    cache: "CaseLoadCache | None" = None,
    cache_key: Hashable = None,
    collections: Path | Iterable[Path] | None = None,
) -> CheckResult:
    """Check every case under ``paths`` against a loaded schema; never raises for bad input.

    ``jobs`` > 1 loads 50 cases or more in that many forked processes. With a ``cache`` (a
    long-running process's), only cases whose bytes changed are loaded again; ``cache_key``
    stands for the schema's files (the date is added here). ``collections``, a folder of
    learning collections (``collections/``) or collection files, is checked too, against the cases found.
    """
    result = CheckResult()
    found = case_files(list(paths))
    result.problems.extend(found.problems)
    ranks: dict[Path, tuple[int, int]] = {}
    load = functools.partial(load_case, case_schema=case_schema, today=today)
    if cache is None:
        loaded = parallel_map(load, found.files, jobs=jobs)
    else:
        loaded = cache.load_all(found.files, load, key=(cache_key, today or dt.date.today()), jobs=jobs)
    for index, case in enumerate(loaded):
        result.cases.append(case)
        result.problems.extend(case.problems)
        ranks[case.path] = (index, 0)
        folder = found.asset_folders.get(case.path)
        if folder is not None:
            assets = check_asset_folder(folder)
            case.assets = assets.assets
            result.problems.extend(assets.problems)
            ranks.update({p.path: (index, 1) for p in assets.problems})
        else:
            case.assets = []  # a cached case may have had a folder when it was loaded
    for folder in found.orphan_folders:  # never published, but nothing under cases/ may be a link
        result.problems.extend(check_asset_folder(folder).problems)
    result.problems.extend(collection_problems(result.cases))
    result.problems.extend(builds_on_problems(result.cases))
    result.problems.extend(near_duplicate_problems(result.cases, cache.near_duplicates if cache else None))
    if collections is not None:
        _check_collections(result, collections, case_schema, ranks)
    result.problems = in_order(result.problems, ranks)
    result.ranks = ranks
    return result


def _check_collections(
    result: CheckResult, given: Path | Iterable[Path], case_schema: CaseSchema, ranks: dict[Path, tuple[int, int]]
) -> None:
    """Check the collections ``given`` (folders, or files) against their schema and the cases of ``result``."""
    files: list[Path] = []
    for path in [given] if isinstance(given, Path) else list(given):
        if not os.path.lexists(path):
            continue  # an atlas without collections/ has none
        if path.is_dir() and not path.is_symlink():
            found, problems = collection_files(path)
            files.extend(found)
            result.problems.extend(problems)
        elif path not in files:
            files.append(path)
    if not files:
        return
    try:
        validator = load_collection_schema(case_schema.directory)
    except CollectionSchemaError as exc:
        result.problems.append(exc.problem)
        return
    first = len(result.cases)
    for index, path in enumerate(files):
        collection = load_collection(path, validator)
        result.collections.append(collection)
        result.problems.extend(collection.problems)
        ranks[path] = (first + index, 0)
    result.problems.extend(collection_case_problems(result.collections, result.cases))
