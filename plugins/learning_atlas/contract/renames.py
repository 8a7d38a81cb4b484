"""``atlas check --base REF``: a case published at REF must keep its address.

A case's slug is its URL (``/cases/<slug>/``). Every ``cases/<slug>.md`` that
was published at the git revision REF (its status there is not ``draft``)
must still exist and not have become a draft, or its slug must be in some
case's ``redirect_from``. Otherwise the check reports an error: on the new
file for a rename that git detects (``git diff --find-renames``), saying to
add the old slug to ``redirect_from``; on the old file's name for a deletion,
saying to archive it or redirect it.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable, Sequence

from learning_atlas.contract.front_matter import FrontMatter, parse_front_matter
from learning_atlas.contract.loader import CASE_SUFFIX, LoadedCase
from learning_atlas.contract.problems import Problem, Severity
from learning_atlas.contract.source import SourceError, decode_source, read_source


class RenameCheckError(Exception):
    """The check cannot run as asked (no git, not a repository, an unknown revision): a usage error."""


@dataclass(frozen=True)
class _Repository:
    top: Path

    def git(self, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        return _run_git(["-C", str(self.top), *args], input=input)


def _run_git(args: list[str], *, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        return subprocess.run(
            ["git", "-c", "core.quotePath=false", *args], input=input, capture_output=True, env=env, check=False
        )
    except FileNotFoundError:
        raise RenameCheckError("--base needs git, and git is not installed here") from None


def case_folders(paths: Iterable[Path]) -> list[Path]:
    """The case folders a check covers: each folder given, and the folder of each file given."""
    folders: list[Path] = []
    for path in paths:
        folder = path if path.is_dir() else path.parent
        if folder.resolve() not in {f.resolve() for f in folders}:
            folders.append(folder)
    return folders


def rename_problems(paths: Sequence[Path], ref: str, cases: Sequence[LoadedCase]) -> list[Problem]:
    """An error for each case published at ``ref`` whose address the working tree would leave dead.

    Raises :class:`RenameCheckError` when git cannot answer (no git, no repository, unknown ``ref``).
    """
    problems: list[Problem] = []
    for folder in case_folders(paths):
        problems.extend(_folder_problems(folder, ref, cases))
    return problems


def _repository(folder: Path) -> _Repository:
    done = _run_git(["-C", str(folder), "rev-parse", "--show-toplevel"])
    if done.returncode != 0:
        raise RenameCheckError(f"--base compares with a git revision, but {folder} is not in a git repository")
    return _Repository(Path(os.fsdecode(done.stdout.rstrip(b"\n"))))


def _verify(repository: _Repository, ref: str) -> str:
    """The commit ``ref`` names; a RenameCheckError when git knows no such commit."""
    done = None if ref.startswith("-") or not ref.strip() else repository.git(
        "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"
    )
    if done is None or done.returncode != 0:
        hint = ""
        if ref.startswith("origin/"):
            hint = f"; in a shallow clone (as CI makes) fetch it first: git fetch origin {ref[len('origin/'):]}"
        raise RenameCheckError(f"--base: git knows no commit {ref!r} in {repository.top}{hint}")
    return done.stdout.decode().strip()


def _folder_problems(folder: Path, ref: str, cases: Sequence[LoadedCase]) -> list[Problem]:
    repository = _repository(folder)
    commit = _verify(repository, ref)
    try:
        relative = PurePosixPath(folder.resolve().relative_to(repository.top.resolve()).as_posix())
    except ValueError:
        raise RenameCheckError(f"--base: {folder} is outside the git repository at {repository.top}") from None
    then = _cases_at(repository, commit, relative)  # slug -> blob id, for cases/<slug>.md at REF
    if not then:
        return []
    loaded = {case.path.resolve(): case for case in cases}
    now = {path.name[: -len(CASE_SUFFIX)]: path for path in sorted(folder.glob(f"*{CASE_SUFFIX}")) if path.is_file()}
    gone = [slug for slug in then if slug not in now]
    drafts = [slug for slug in then if slug in now and _status_now(now[slug], loaded) == "draft"]
    statuses = _statuses(repository, [then[slug] for slug in gone + drafts])
    published_then = {slug for slug in gone + drafts if statuses.get(then[slug]) != "draft"}
    if not published_then:
        return []
    redirected = _redirects(now, loaded)
    renamed = _renames(repository, commit, relative) if any(s in published_then for s in gone) else {}
    problems = []
    for slug in sorted(published_then):
        if slug in redirected:
            continue
        if slug in now:
            problems.append(_unpublished(now[slug], slug, ref))
        elif renamed.get(slug) in now:
            problems.append(_renamed(now[renamed[slug]], folder / f"{slug}{CASE_SUFFIX}", slug, ref))
        else:
            problems.append(
                Problem(
                    folder / f"{slug}{CASE_SUFFIX}", 1, 1, Severity.ERROR, "",
                    f"was published at {ref} and is deleted, which leaves its address /cases/{slug}/ dead; "
                    f"keep the file with 'status: archived', or add {slug!r} to the redirect_from of the case "
                    "that replaces it",
                    "rename.deleted",
                )
            )
    return problems


def _cases_at(repository: _Repository, commit: str, relative: PurePosixPath) -> dict[str, str]:
    """``{slug: blob id}`` for every ``<slug>.md`` directly in the folder at ``commit``."""
    spec = "." if str(relative) == "." else f"{relative}/"
    done = repository.git("ls-tree", "-z", "--full-tree", commit, "--", spec)
    if done.returncode != 0:
        raise RenameCheckError(f"--base: git could not list {relative} at {commit[:12]}: {done.stderr.decode(errors='replace').strip()}")
    found = {}
    for entry in done.stdout.split(b"\0"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        kind, oid = meta.split()[1:3]
        file_name = PurePosixPath(os.fsdecode(name)).name
        if kind == b"blob" and file_name.endswith(CASE_SUFFIX):
            found[file_name[: -len(CASE_SUFFIX)]] = oid.decode()
    return found


def _statuses(repository: _Repository, oids: list[str]) -> dict[str, str]:
    """The ``status`` each blob's front matter gives (``published`` when absent or unreadable)."""
    if not oids:
        return {}
    done = repository.git("cat-file", "--batch", input="".join(f"{oid}\n" for oid in oids).encode())
    statuses: dict[str, str] = {}
    data, position = done.stdout, 0
    for oid in oids:
        end = data.find(b"\n", position)
        if end == -1:
            break
        header = data[position:end].split()
        if len(header) != 3:  # "<oid> missing"
            position = end + 1
            continue
        size = int(header[2])
        content = data[end + 1 : end + 1 + size]
        position = end + 1 + size + 1
        statuses[oid] = _status_of(content)
    return statuses


def _status_of(content: bytes) -> str:
    try:
        fm, _ = parse_front_matter(decode_source(content))
    except SourceError:
        return "published"
    status = fm.data.get("status") if fm is not None and isinstance(fm.data, dict) else None
    return status if isinstance(status, str) else "published"


def _front_matter(path: Path) -> FrontMatter | None:
    try:
        fm, _ = parse_front_matter(read_source(path))
    except SourceError:
        return None
    return fm if fm is not None and isinstance(fm.data, dict) else None


def _status_now(path: Path, loaded: dict[Path, LoadedCase]) -> str:
    case = loaded.get(path.resolve())
    data = case.data if case is not None else getattr(_front_matter(path), "data", {})
    status = data.get("status")
    return status if isinstance(status, str) else "published"


def _redirects(now: dict[str, Path], loaded: dict[Path, LoadedCase]) -> set[str]:
    """Every slug in the ``redirect_from`` of a case in the folder now (checked or not)."""
    slugs: set[str] = set()
    for path in now.values():
        case = loaded.get(path.resolve())
        data = case.data if case is not None else getattr(_front_matter(path), "data", {})
        redirects = data.get("redirect_from")
        if isinstance(redirects, list):
            slugs.update(r for r in redirects if isinstance(r, str))
    return slugs


def _renames(repository: _Repository, commit: str, relative: PurePosixPath) -> dict[str, str]:
    """``{old slug: new slug}`` for the case files git sees renamed between ``commit`` and the working tree."""
    spec = "." if str(relative) == "." else f"{relative}/"
    done = repository.git("diff", "-z", "--name-status", "--find-renames", commit, "--", spec)
    if done.returncode != 0:
        return {}
    fields = [os.fsdecode(f) for f in done.stdout.split(b"\0")]
    renames: dict[str, str] = {}
    index = 0
    while index < len(fields) and fields[index]:
        status = fields[index]
        if status.startswith(("R", "C")):
            old, new = PurePosixPath(fields[index + 1]), PurePosixPath(fields[index + 2])
            index += 3
            if status.startswith("R") and old.parent == new.parent == relative and new.suffix == CASE_SUFFIX:
                renames[old.name[: -len(CASE_SUFFIX)]] = new.name[: -len(CASE_SUFFIX)]
        else:
            index += 2
    return renames


def _renamed(path: Path, old_path: Path, slug: str, ref: str) -> Problem:
    fm = _front_matter(path)
    if fm is not None and "redirect_from" in fm.data:
        line, column = fm.position(["redirect_from"])
        return Problem(
            path, line, column, Severity.ERROR, "redirect_from",
            f"does not list {slug!r}: this case was renamed from {old_path}, published at {ref}; add {slug!r} "
            "here so its old address keeps working",
            "rename.no-redirect",
        )
    return Problem(
        path, 1, 1, Severity.ERROR, "",
        f"was renamed from {old_path}, published at {ref}; add 'redirect_from: [{slug}]' to the front matter "
        "so its old address keeps working",
        "rename.no-redirect",
    )


def _unpublished(path: Path, slug: str, ref: str) -> Problem:
    fm = _front_matter(path)
    line, column = fm.position(["status"]) if fm is not None else (1, 1)
    return Problem(
        path, line, column, Severity.ERROR, "status",
        f"was published at {ref}; as a draft its address /cases/{slug}/ goes dead: withdraw it with "
        "'status: archived' instead, or keep it published",
        "rename.unpublished",
    )
