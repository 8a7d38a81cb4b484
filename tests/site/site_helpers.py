"""Comparing two built sites file by file, where Pagefind's output is compared by content."""

from __future__ import annotations

import difflib
import gzip
import itertools
import json
from pathlib import Path


def comparable_site(site: Path) -> dict[str, object]:
    """Every file of ``site`` by path, as bytes; Pagefind's filter index, which it writes in a varying
    order (so under varying names), as the sorted bytes of each filter."""
    files: dict[str, object] = {}
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(site).as_posix()
        if name.startswith("pagefind/filter/"):
            data = gzip.decompress(path.read_bytes())
            files[f"pagefind/filter/{len(data)}"] = bytes(sorted(data))
        elif name.startswith("pagefind/pagefind.") and name.endswith(".pf_meta"):
            files["pagefind/pagefind.pf_meta"] = True  # it names the filter files
        elif name == "pagefind/pagefind-entry.json":
            entry = json.loads(path.read_bytes())
            files[name] = {lang: info["page_count"] for lang, info in entry["languages"].items()}
        else:
            files[name] = path.read_bytes()
    return files


def site_differences(site: dict[str, object], reference: dict[str, object]) -> list[str]:
    """The paths that are not the same in the two sites (from :func:`comparable_site`)."""
    return sorted(name for name in site.keys() | reference.keys() if site.get(name) != reference.get(name))


def describe_differences(
    first: dict[str, object], second: dict[str, object], names: tuple[str, str], *, most: int = 10
) -> str:
    """The files that differ between two sites (from :func:`comparable_site`), as a reader wants them
    in a failure message: what is missing from which, and a short diff of each text file."""
    paths = site_differences(first, second)
    parts = []
    for path in paths[:most]:
        one, two = first.get(path), second.get(path)
        if one is None or two is None:
            parts.append(f"{path}: only in {names[0] if two is None else names[1]}'s site")
        elif isinstance(one, bytes) and isinstance(two, bytes) and _is_text(one) and _is_text(two):
            diff = difflib.unified_diff(
                one.decode().splitlines(), two.decode().splitlines(),
                f"{names[0]}/{path}", f"{names[1]}/{path}", n=1, lineterm="",
            )
            parts.append("\n".join(line[:200] for line in itertools.islice(diff, 30)))
        else:
            parts.append(f"{path}: {str(one)[:100]} != {str(two)[:100]}")
    if len(paths) > most:
        parts.append(f"... and {len(paths) - most} more: {', '.join(paths[most:most + 20])}")
    return f"{len(paths)} files differ:\n" + "\n".join(parts)


def _is_text(data: bytes) -> bool:
    try:
        data.decode()
    except UnicodeDecodeError:
        return False
    return True
