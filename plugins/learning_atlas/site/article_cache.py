"""Case articles rendered by earlier builds, kept on disk: a case that has not changed is not rendered again.

An article is kept under a key of everything it is made from: the case (its ``repr``, which
holds every field the article shows, as ``atlas serve``'s in-memory keys use it) and the code
that renders it (:func:`~learning_atlas.processes.code_version.code_key`). The file is JSON,
read as data: an entry of the wrong shape is left out and made again, and a file that cannot
be read or written only makes the build slower.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Callable, Sequence

from learning_atlas.contract.case import Case
from learning_atlas.processes.cache_files import collector_paused, replace_file
from learning_atlas.processes.code_version import code_key

Article = tuple[str, list[dict]]
"""A case's article HTML and its table-of-contents tokens (site.rendering.render_case_article)."""


class ArticleCache:
    """The articles of the latest build in ``path`` (a JSON file), by key."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def articles(self, cases: Sequence[Case], render_many: Callable[[list[Case]], list[Article]]) -> dict[str, Article]:
        """Each case's article by slug: kept ones read back, ``render_many`` for the rest; the file is updated."""
        code = code_key()
        keys = {case.slug: hashlib.blake2b(f"{code}\0{case!r}".encode(), digest_size=20).hexdigest() for case in cases}
        kept = self._read()
        missing = [case for case in cases if keys[case.slug] not in kept]
        for case, article in zip(missing, render_many(missing)):
            kept[keys[case.slug]] = article
        live = {keys[case.slug]: kept[keys[case.slug]] for case in cases}
        if missing or len(live) != len(kept):
            self._write(live)
        return {case.slug: live[keys[case.slug]] for case in cases}

    def _read(self) -> dict[str, Article]:
        try:
            with collector_paused():
                data = json.loads(self.path.read_bytes())
                if not isinstance(data, dict):
                    return {}
                return {key: (value[0], value[1]) for key, value in data.items() if _is_article(value)}
        except (OSError, ValueError, RecursionError):  # unreadable, not JSON, or nested beyond reason
            return {}

    def _write(self, articles: dict[str, Article]) -> None:
        data = {key: [html, toc] for key, (html, toc) in articles.items()}
        replace_file(self.path, lambda out: out.write(json.dumps(data, ensure_ascii=False).encode("utf-8")))


def _is_article(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str) and isinstance(value[1], list)
            and all(_is_toc_entry(entry) for entry in value[1]))


def _is_toc_entry(entry: Any) -> bool:
    return (isinstance(entry, dict) and isinstance(entry.get("level"), int) and isinstance(entry.get("id"), str)
            and isinstance(entry.get("name"), str) and isinstance(entry.get("children"), list)
            and all(_is_toc_entry(child) for child in entry["children"]))
