"""Reading a case file's bytes safely: size, encoding, line endings; and which characters no text may hold."""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

MAX_BYTES = 1024 * 1024
"""A case file larger than this is refused before it is read (1 MiB)."""

_BOM = "\ufeff"

FORBIDDEN_RANGES: tuple[tuple[int, int], ...] = (
    (0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F), (0xD800, 0xDFFF), (0xFDD0, 0xFDEF),
    *((plane << 16 | 0xFFFE, plane << 16 | 0xFFFF) for plane in range(17)),
)
"""Code points no page, feed or data file of the atlas may hold, as inclusive ranges: control characters
other than tab and line breaks (XML 1.0 forbids the C0 ones and discourages the C1 ones), unpaired
surrogates, and the 66 Unicode noncharacters (U+FDD0 to U+FDEF and the last two of every plane, U+FFFE
and U+FFFF among them), which XML 1.0 forbids or discourages: one made every Atom feed unparseable. A
file cannot hold most of them, but YAML's escapes (``"\\uFFFE"``) can write them."""

FORBIDDEN_CHARACTERS = re.compile("[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in FORBIDDEN_RANGES) + "]")
"""A pattern matching any character of :data:`FORBIDDEN_RANGES`."""


def forbidden_character_kind(char: str) -> str:
    """What a character :data:`FORBIDDEN_CHARACTERS` matches is, in words: for messages."""
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return "unpaired surrogate"
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return "control character"
    return "noncharacter"


class SourceError(Exception):
    """A file that cannot be read as a case, with the line to point at and the rule broken."""

    def __init__(self, message: str, *, line: int = 1, column: int = 1, rule: str) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.rule = rule


def read_source(path: Path, *, max_bytes: int = MAX_BYTES) -> str:
    """Return the text of ``path`` with any BOM removed and line endings made LF.

    Raises :class:`SourceError` for a file that is too large, has NUL bytes
    (a binary file) or is not valid UTF-8, naming the line of the first bad byte.
    """
    try:
        data = _read_regular_file(path, max_bytes + 1)
    except OSError as exc:
        raise SourceError(f"cannot be read: {exc.strerror or exc}", rule="file.unreadable") from None
    except _NotRegular as exc:
        raise SourceError(f"is {exc}, not a case file; remove it", rule="file.not-regular") from None
    if len(data) > max_bytes:
        raise SourceError(
            f"is larger than {max_bytes // 1024} KiB; a case study must be smaller: "
            "move images and documents into the case's own folder and link to them",
            rule="file.too-large",
        )
    return decode_source(data)


class _NotRegular(Exception):
    pass


def _read_regular_file(path: Path, limit: int) -> bytes:
    """Up to ``limit`` bytes of a regular file: a link is not followed, a pipe not waited on, a device not read."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _NotRegular("a symbolic link") from None
        raise
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise _NotRegular("a named pipe" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
        chunks, size = [], 0
        while size < limit:
            chunk = os.read(descriptor, min(1 << 20, limit - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def decode_source(data: bytes) -> str:
    """Decode bytes as strict UTF-8 (optional BOM), refusing NUL bytes; CRLF and CR become LF."""
    nul = data.find(b"\x00")
    if nul != -1:
        raise SourceError(
            "contains NUL bytes, so it looks like a binary file rather than a case study; "
            "save it as plain UTF-8 text",
            line=data.count(b"\n", 0, nul) + 1,
            column=nul - (data.rfind(b"\n", 0, nul) + 1) + 1,
            rule="file.binary",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SourceError(
            f"is not valid UTF-8 (byte 0x{data[exc.start]:02x} at line {line}); "
            "save the file with UTF-8 encoding",
            line=line,
            column=column,
            rule="file.encoding",
        ) from None
    if text.startswith(_BOM):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text
