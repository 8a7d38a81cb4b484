"""A case's own folder (``cases/<slug>/``): which files the site may publish from it, checked by content.

Everything under ``cases/`` comes from a pull request, so this trusts nothing a
folder holds: a symbolic link could publish the build machine's files, an HTML
or SVG file would run script on the site's own origin, a Markdown file would be
made a page. A folder may hold images (PNG, JPEG, GIF, WebP) and PDFs only,
each recognised by its first bytes as well as its name, no larger than
:data:`MAX_FILE_BYTES`, and no more than :data:`MAX_CASE_BYTES` in all. Links
are never followed. :func:`check_asset_folder` returns the files that passed,
and the site copies those and nothing else.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from learning_atlas.contract.problems import Problem, Severity, in_order

MAX_FILE_BYTES = 5 * 1024 * 1024
"""The largest file a case's folder may hold (5 MiB)."""

MAX_CASE_BYTES = 20 * 1024 * 1024
"""The most a case's folder may hold in all (20 MiB)."""

MAX_FILES = 100
"""The most files a case's folder may hold."""

MAX_DEPTH = 3
"""How deep folders inside a case's folder may go (``<slug>/a/b/c/chart.png``)."""

NAME_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9 ._()-]{0,98}[A-Za-z0-9._()-])?$")
"""A file or folder name a link can name plainly: ASCII letters and digits, spaces, '.', '_', '-', '(' and ')'."""

_PDF_ACTIONS = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA|SubmitForm|ImportData)(?![A-Za-z])")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


@dataclass(frozen=True)
class FileType:
    """A kind of file a case's folder may hold: its names, its label, and how its content begins."""

    label: str
    extensions: tuple[str, ...]
    matches: Callable[[bytes], bool]


FILE_TYPES: tuple[FileType, ...] = (
    FileType("PNG image", (".png",), lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    FileType("JPEG image", (".jpg", ".jpeg"), lambda head: head.startswith(b"\xff\xd8\xff")),
    FileType("GIF image", (".gif",), lambda head: head[:6] in (b"GIF87a", b"GIF89a")),
    FileType("WebP image", (".webp",), lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP"),
    FileType("PDF document", (".pdf",), lambda head: head.startswith(b"%PDF-")),
)
"""The allow-list: a file is published only if its name ends in one of these extensions and its first
bytes are that type's (so an HTML page named ``chart.png`` is refused)."""

_BY_EXTENSION = {extension: kind for kind in FILE_TYPES for extension in kind.extensions}
_HEAD_BYTES = 16
ALLOWED = "images (PNG, JPEG, GIF or WebP) and PDF documents"

MESSAGES: dict[str, str] = {
    "asset.symlink": (
        "is a symbolic link; the atlas publishes only real files, so a link could publish files from "
        "outside the case: put the file itself here"
    ),
    "asset.not-a-file": "is not an ordinary file or folder ({what}); remove it",
    "asset.hidden": "is hidden (its name starts with '.'), so it would never be published; delete it",
    "asset.name": (
        "{name!r} is not a name the site can link to: use letters, digits, spaces, '-', '_', '.', '(' and ')', "
        "starting with a letter or digit (for example 'falls-chart.png')"
    ),
    "asset.svg": (
        "is an SVG image, which can hold script that would run on the atlas's pages; "
        "save it as a PNG image and link to that instead"
    ),
    "asset.type": "is {kind}; a case's folder may hold only " + ALLOWED + ": remove it, or link to it elsewhere",
    "asset.content": (
        "is named as a {label} but its contents are not one{looks_like}; "
        "save it again as a real {label}, or give it the right name"
    ),
    "asset.pdf-action": (
        "is a PDF that holds {action}, which could run when it is opened; save it again without it "
        "(for example, print it to a new PDF)"
    ),
    "asset.too-large": (
        "is {size}; a file in a case's folder may be at most {limit}: make it smaller "
        "(an image at a lower resolution, a PDF saved for screen)"
    ),
    "asset.case-too-large": "holds {size} of files; a case's folder may hold at most {limit} in all: remove or shrink some",
    "asset.too-many": "holds more than {limit} files; a case's folder may hold at most {limit}: remove some",
    "asset.too-deep": "is nested more than {limit} folders deep inside the case's folder; move its files up",
    "asset.unreadable": "cannot be read: {reason}",
}
"""The wording of each asset rule, by rule, as ``str.format`` templates."""


@dataclass(frozen=True)
class Asset:
    """A file the check allowed: where it is, and its address inside the case's folder (``img/chart.png``)."""

    path: Path
    uri: str


@dataclass
class AssetCheck:
    """What :func:`check_asset_folder` found: the files to publish and the problems."""

    assets: list[Asset] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MiB"
    return f"{max(1, round(count / 1024))} KiB"


def _problem(path: Path, rule: str, **values: object) -> Problem:
    return Problem(path, 1, 1, Severity.ERROR, "", MESSAGES[rule].format(**values), rule)


def describe_file_kind(mode: int) -> str | None:
    """What a non-regular file is, in words (``a FIFO``), or None for a regular file or folder."""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _looks_like(head: bytes) -> str:
    for kind in FILE_TYPES:
        if kind.matches(head):
            return f" (it looks like a {kind.label})"
    text = head.lstrip().lower()
    if text.startswith((b"<!doctype", b"<html", b"<svg", b"<?xml", b"<script", b"<")):
        return " (it looks like HTML or XML)"
    return ""


def _pdf_action(data: bytes) -> str | None:
    """The first PDF name that runs script or opens something else, seen through ``#xx`` escapes."""
    if b"#" in data:
        data = _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)
    match = _PDF_ACTIONS.search(data)
    return f"/{match.group(1).decode()}" if match else None


def _read(path: Path, limit: int) -> bytes:
    """Up to ``limit`` bytes of a regular file, never following a link nor waiting on a pipe."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError("it is not a regular file")
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            return handle.read(limit)
    finally:
        os.close(descriptor)


def check_asset_file(path: Path, size: int) -> Problem | None:
    """The one problem with a regular file in a case's folder, or None if the site may publish it."""
    extension = path.suffix.lower()
    if extension == ".svg" or extension == ".svgz":
        return _problem(path, "asset.svg")
    kind = _BY_EXTENSION.get(extension)
    if kind is None:
        return _problem(path, "asset.type", kind=f"a '{extension}' file" if extension else "a file with no extension")
    if size > MAX_FILE_BYTES:
        return _problem(path, "asset.too-large", size=_size(size), limit=_size(MAX_FILE_BYTES))
    is_pdf = extension == ".pdf"
    try:
        data = _read(path, MAX_FILE_BYTES if is_pdf else _HEAD_BYTES)
    except OSError as exc:
        return _problem(path, "asset.unreadable", reason=exc.strerror or str(exc))
    if not kind.matches(data[:_HEAD_BYTES]):
        return _problem(path, "asset.content", label=kind.label, looks_like=_looks_like(data[:_HEAD_BYTES]))
    action = _pdf_action(data) if is_pdf else None
    if action:
        return _problem(path, "asset.pdf-action", action=action)
    return None


def check_asset_folder(folder: Path) -> AssetCheck:
    """Check every entry of a case's folder, never following a link; return what may be published."""
    result = AssetCheck()
    total = 0
    count = 0
    pending: list[tuple[Path, str, int]] = [(folder, "", 0)]
    while pending:
        current, prefix, depth = pending.pop()
        try:
            with os.scandir(current) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as exc:
            result.problems.append(_problem(current, "asset.unreadable", reason=exc.strerror or str(exc)))
            continue
        for entry in entries:
            path = Path(entry.path)
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
                size = entry.stat(follow_symlinks=False).st_size
            except OSError as exc:
                result.problems.append(_problem(path, "asset.unreadable", reason=exc.strerror or str(exc)))
                continue
            if stat.S_ISLNK(mode):
                result.problems.append(_problem(path, "asset.symlink"))
                continue
            if entry.name.startswith("."):
                result.problems.append(_problem(path, "asset.hidden"))
                continue
            what = describe_file_kind(mode)
            if what is not None:
                result.problems.append(_problem(path, "asset.not-a-file", what=what))
                continue
            if not NAME_PATTERN.match(entry.name):
                result.problems.append(_problem(path, "asset.name", name=entry.name))
                continue
            if stat.S_ISDIR(mode):
                if depth + 1 > MAX_DEPTH:
                    result.problems.append(_problem(path, "asset.too-deep", limit=MAX_DEPTH))
                else:
                    pending.append((path, f"{prefix}{entry.name}/", depth + 1))
                continue
            count += 1
            if count > MAX_FILES:
                if count == MAX_FILES + 1:
                    result.problems.append(_problem(folder, "asset.too-many", limit=MAX_FILES))
                continue
            problem = check_asset_file(path, size)
            if problem is not None:
                result.problems.append(problem)
                continue
            total += size
            result.assets.append(Asset(path, prefix + entry.name))
    if total > MAX_CASE_BYTES:
        result.problems.append(_problem(folder, "asset.case-too-large", size=_size(total), limit=_size(MAX_CASE_BYTES)))
        result.assets = []
    result.assets.sort(key=lambda a: a.uri)
    result.problems = in_order(result.problems)
    return result
