"""Reader search with Pagefind: one small record page per case, indexed while the site is built.

Pagefind reads HTML. Rather than wait for the finished case pages (each about
25 KB of theme around a few KB of case), the atlas writes each case's record as
a small page at the same path as the case page (``cases/<slug>/index.html``,
so results link to the real pages) and runs Pagefind on those as soon as the
cases are loaded; it indexes on one core while the site is rendered on another.
The record holds what the case page shows (title, summary, organisations,
facets, dates, article) and the filters and sort key the search box uses.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import stat
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Mapping

from learning_atlas.contract.case import Case
from learning_atlas.processes.background import (
    lower_priority,
    make_temp_folder,
    memory_folder,
    module_command,
    remove_leftovers,
)
from learning_atlas.processes.cache_files import remove_entry
from learning_atlas.site.model import Atlas
from learning_atlas.site.rendering import escape, format_date

FILTERS = (("themes", "theme"), ("settings", "setting"), ("regions", "region"))
"""Vocabularies readers can narrow results by, and the filter name each has in the search box."""


_CHART_DETAIL = (
    ('<svg class="atlas-chart__svg"', "</svg>"),
    ('<ul class="atlas-chart__legend"', "</ul>"),
    ('<details class="atlas-chart__data"', "</details>"),
)
"""A chart's drawing, legend and table of figures (``site/charts.py``'s own markup), each from its opening to
its first closing tag: left out of its record, which keeps the chart's caption and sentence, so that
Pagefind reads a record a chart makes no longer."""


def without_chart_detail(article: str) -> str:
    """``article`` without each chart's drawing, legend and table (:data:`_CHART_DETAIL`), found left to right.

    What the regular expression ``<svg class="atlas-chart__svg".*?</svg>|...`` (DOTALL) removes, found
    with ``str.find`` rather than tried at every ``<`` of a page a chart makes three times longer."""
    out: list[str] = []
    kept = 0
    parts = list(_CHART_DETAIL)
    while parts:
        best: tuple[int, int] | None = None
        for part in list(parts):
            opening, closing = part
            start = article.find(opening, kept)
            end = -1 if start < 0 else article.find(closing, start + len(opening))
            if end < 0:
                parts.remove(part)  # not found now, so never further on
            elif best is None or start < best[0]:
                best = (start, end + len(closing))
        if best is None:
            break
        out.append(article[kept:best[0]])
        kept = best[1]
    out.append(article[kept:])
    return "".join(out)


PAGEFIND_ARGS = ("--silent",)
"""Pagefind's options besides its folders."""


class ReaderSearchError(Exception):
    """Pagefind could not index the cases; the message says why."""


def record_html(case: Case, atlas: Atlas, article: str) -> str:
    """The page Pagefind indexes for ``case``: its text as on the case page, with filters and sort."""

    def labels(vocabulary: str) -> list[str]:
        out = []
        for key in case.terms(vocabulary):
            term = atlas.term(vocabulary, key)
            out.append(term.label if term else str(key))
        return out

    meta = [
        ("Organisations", "; ".join(case.organisations)),
        ("Region", "; ".join(labels("regions"))),
        ("Care settings", "; ".join(labels("settings"))),
        ("Themes", "; ".join(labels("themes"))),
        ("Commitments", "; ".join(labels("commitments"))),
        ("Published", format_date(case.published)),
        ("Latest version", format_date(case.updated) if case.updated else ""),
        ("Led by", case.lead_role + (f" ({case.lead_name})" if case.lead_name else "")),
    ]
    facts = "".join(f"<dt>{name}</dt><dd>{escape(value)}</dd>" for name, value in meta if value)
    filters = "".join(
        f'<span data-pagefind-filter="{name}">{escape(label)}</span>'
        for vocabulary, name in FILTERS
        for label in labels(vocabulary)
    )
    banner = "<p>Archived.</p>" if case.is_archived else ""
    if "atlas-chart__svg" in article:
        article = without_chart_detail(article)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(case.title)}</title></head>"
        f'<body data-pagefind-body data-pagefind-sort="published:{case.published.isoformat()}">'
        f'{banner}<h1 data-pagefind-meta="title">{escape(case.title)}</h1>'
        f"<p>{escape(case.summary)}</p><dl>{facts}</dl>{article}"
        f"<div hidden>{filters}</div></body></html>"
    )


class PagefindRun:
    """Pagefind indexing the atlas's case records in the background, into ``output_dir``.

    Start it with :meth:`start`, go on building, then :meth:`wait` (or :meth:`cancel`).
    The records are written by a thread (a thousand small files cost about a second of
    file-system calls, which release the interpreter), then Pagefind's command line (from
    ``pagefind[extended]``) indexes them, 1,000 in about two seconds; its Python API,
    which sends records one by one over a pipe, took 100 s for 1,000.

    The records folder is named after the build (:func:`~learning_atlas.processes.background.make_temp_folder`),
    and Pagefind dies with the build: a build killed outright leaves no Pagefind running,
    and the next one removes its records folder.
    """

    def __init__(self, atlas: Atlas, articles: Mapping[str, str], output_dir: Path,
                 cache: "PagefindCache | None" = None) -> None:
        self.records_dir = make_temp_folder("pagefind", memory_folder())
        self.process: subprocess.Popen | None = None
        self._cache = cache
        self.from_cache = False
        self._failure: OSError | None = None
        self._errors = ""
        self._cancelled = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(
            target=self._run, args=(atlas, articles, output_dir), name="atlas-pagefind", daemon=True
        )
        self._thread.start()

    @classmethod
    def start(cls, atlas: Atlas, articles: Mapping[str, str], output_dir: Path,
              cache: "PagefindCache | None" = None) -> "PagefindRun":
        """Write a record per listed case (``articles`` by slug) and run Pagefind on them, in the background.

        With a ``cache``, an index made from the very same records by an earlier build is copied instead."""
        return cls(atlas, articles, output_dir, cache)

    def _run(self, atlas: Atlas, articles: Mapping[str, str], output_dir: Path) -> None:
        lower_priority()  # Pagefind, started from this thread, inherits it
        remove_leftovers()  # records folders of earlier builds that were killed
        try:
            records = [(case.slug, record_html(case, atlas, articles.get(case.slug, ""))) for case in atlas.cases]
            key = self._cache.key(records) if self._cache is not None else ""
            if self._cache is not None and self._cache.restore(key, output_dir):
                self.from_cache = True
                return
            self._write_records(records)
            # Pagefind writes over what it finds; in a --dirty build that is the last index, whose
            # files may be links into the cache.
            shutil.rmtree(output_dir, ignore_errors=True)
            with self._lock:
                if self._cancelled.is_set():
                    return
                self.process = subprocess.Popen(
                    module_command("pagefind", *PAGEFIND_ARGS, "--site", str(self.records_dir),
                                   "--output-path", str(output_dir)),
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                )
            # This thread waits for Pagefind rather than ending: Linux kills Pagefind when the
            # thread that started it ends (see learning_atlas.processes.background.die_with_parent).
            _, self._errors = self.process.communicate()
            if self.process.returncode == 0 and self._cache is not None and not self._cancelled.is_set():
                self._cache.keep(key, output_dir)
        except OSError as exc:
            self._failure = exc

    def _write_records(self, records: list[tuple[str, str]]) -> None:
        for slug, text in records:
            if self._cancelled.is_set():
                return
            path = self.records_dir / "cases" / slug / "index.html"
            path.parent.mkdir(parents=True)
            path.write_text(text, encoding="utf-8")

    def wait(self) -> None:
        """Wait for the index; raise :class:`ReaderSearchError` with Pagefind's own words if it failed."""
        self._thread.join()
        try:
            if self.from_cache:
                return
            if self._failure is not None or self.process is None:
                raise ReaderSearchError(f"Pagefind's records of the case studies could not be written: {self._failure}")
            if self.process.returncode != 0:
                raise ReaderSearchError(f"Pagefind could not index the case studies:\n{self._errors.strip()}")
        finally:
            shutil.rmtree(self.records_dir, ignore_errors=True)

    def cancel(self) -> None:
        """Stop writing records and Pagefind (the build failed part-way) and remove the records."""
        self._cancelled.set()
        with self._lock:  # after this, no Pagefind is started
            process = self.process
        if process is not None:
            process.kill()
        self._thread.join()
        shutil.rmtree(self.records_dir, ignore_errors=True)


class PagefindCache:
    """Pagefind's indexes of the latest builds, each under a key of every record it was made from.

    Pagefind makes the same index from the same records, so a build whose records are all
    the same as an earlier build's reuses that build's index (a tenth of a second) instead of
    running Pagefind (a second or two of both cores at 1,000 cases). Any change to any record,
    to Pagefind's version or to its options makes a new key. The files are hard-linked into the
    site where the file system allows (a thousand files at 1,000 cases, none of them made anew),
    else copied. The folder is a cache of this machine's builds: removing it is always safe. An
    entry is used only exactly as this class wrote it: every file a regular file of the size and
    modification time listed when it was kept (so one changed in place through a link from a
    site is noticed), nothing else in it (no link, no device). Any other entry is removed and
    Pagefind runs again.
    """

    KEEP = 3
    """Indexes kept: the latest builds' (say, before and after an edit being previewed)."""

    MANIFEST = ".atlas-files.json"
    """In each entry: the size and modification time of every file it holds."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def key(self, records: list[tuple[str, str]]) -> str:
        digest = hashlib.blake2b(digest_size=20)
        digest.update(repr((_pagefind_version(), PAGEFIND_ARGS)).encode())
        for slug, text in records:
            digest.update(b"%d:%s\0%d:" % (len(slug), slug.encode(), len(text)))
            digest.update(text.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def restore(self, key: str, output_dir: Path) -> bool:
        """Put the index kept under ``key`` into ``output_dir``; False (and nothing put there) if there is none."""
        entry = self.folder / key
        try:
            files = _listed_files(entry, self.MANIFEST)
            if files is None or "pagefind-entry.json" not in files:
                remove_entry(entry)
                return False
            _link_or_copy(entry, output_dir, files)
            os.utime(entry)  # the latest used, kept the longest
            return True
        except OSError:
            shutil.rmtree(output_dir, ignore_errors=True)
            return False

    def keep(self, key: str, output_dir: Path) -> None:
        """Keep a copy of the index Pagefind just wrote to ``output_dir`` under ``key``; drop the oldest."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fresh = Path(tempfile.mkdtemp(prefix=".new-", dir=self.folder))
            shutil.copytree(output_dir, fresh, dirs_exist_ok=True)
            (fresh / self.MANIFEST).write_text(json.dumps(_file_list(fresh)), encoding="utf-8")
            try:
                fresh.rename(self.folder / key)
            except OSError:  # another build kept it first
                shutil.rmtree(fresh, ignore_errors=True)
            entries = sorted((e for e in self.folder.iterdir() if not e.name.startswith(".")),
                             key=lambda e: e.lstat().st_mtime, reverse=True)
            for old in entries[self.KEEP:]:
                remove_entry(old)
        except OSError:
            pass  # a cache that cannot be written only makes the next build slower


def _file_list(folder: Path) -> dict[str, list[int]] | None:
    """``{path: [size, modification time]}`` of every file under ``folder``; None if it holds anything but
    real folders and regular files (or is not a real folder itself)."""
    if folder.is_symlink() or not folder.is_dir():
        return None
    out: dict[str, list[int]] = {}
    pending = [""]
    while pending:
        prefix = pending.pop()
        with os.scandir(os.path.join(folder, prefix)) as entries:
            for entry in entries:
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISDIR(info.st_mode):
                    pending.append(prefix + entry.name + "/")
                elif stat.S_ISREG(info.st_mode):
                    out[prefix + entry.name] = [info.st_size, info.st_mtime_ns]
                else:
                    return None
    return out


def _listed_files(entry: Path, manifest: str) -> list[str] | None:
    """The files of a cache entry if it holds exactly what its manifest lists, else None."""
    try:
        listed = json.loads((entry / manifest).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    found = _file_list(entry)
    if found is None or not isinstance(listed, dict):
        return None
    found.pop(manifest, None)
    return list(found) if found == listed else None


def _link_or_copy(entry: Path, output_dir: Path, files: list[str]) -> None:
    """Hard-link each of ``files`` from ``entry`` into ``output_dir`` (copied where links cannot be made)."""
    link = True
    made: set[str] = set()
    for path in files:
        folder = os.path.dirname(path)
        if folder not in made:
            os.makedirs(os.path.join(output_dir, folder), exist_ok=True)
            made.add(folder)
        source, target = os.path.join(entry, path), os.path.join(output_dir, path)
        if os.path.lexists(target):  # a --dirty build's site: never written through (it may be linked to the cache)
            os.unlink(target)
        if link:
            try:
                os.link(source, target)
                continue
            except OSError:
                link = False  # another file system, or one without hard links: copies from here on
        shutil.copyfile(source, target)


def _pagefind_version() -> str:
    try:
        return importlib.metadata.version("pagefind")
    except importlib.metadata.PackageNotFoundError:
        return ""


class PagefindRecords:
    """Pagefind's records kept between builds of ``atlas serve``: a save rewrites only the changed cases' records.

    :meth:`update` writes the records whose text changed (and removes those of cases that
    are gone), then reindexes in the background into a fresh folder that takes the place of
    ``output_dir`` when Pagefind has finished, so the page a reader reloads never waits for it.
    A newer :meth:`update` stops an older run. :meth:`wait` waits for the latest (tests do).
    """

    def __init__(self) -> None:
        self.records_dir = make_temp_folder("pagefind", memory_folder())
        self._written: dict[str, str] = {}
        self._texts: dict[str, str] = {}
        self._run: threading.Thread | None = None
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._generation = 0
        self.error = ""

    def update(self, atlas: Atlas, articles: Mapping[str, str], output_dir: Path,
               keys: Mapping[str, str] | None = None) -> int:
        """Bring the records up to date with ``atlas`` and start reindexing; how many records changed.

        ``keys``: for each slug, a key of everything its record shows (the case, the
        vocabularies, its article); a record whose key is unchanged is not made again.
        """
        changed = 0
        keys = keys or {}
        texts: dict[str, str] = {}
        records = {}
        for case in atlas.cases:
            key = keys.get(case.slug)
            text = self._texts.get(key) if key is not None else None
            if text is None:
                text = record_html(case, atlas, articles.get(case.slug, ""))
            if key is not None:
                texts[key] = text
            records[case.slug] = text
        self._texts = texts
        if list(records) != list(self._written):
            # Pagefind numbers pages in the order the folder lists them, which is the order they were
            # made in: when cases come, go or move, the records are made again in the atlas's order,
            # as a clean build makes them, so that the index is the same.
            self._stop()
            shutil.rmtree(self.records_dir / "cases", ignore_errors=True)
            self._written = {}
        for slug, text in records.items():
            if self._written.get(slug) != text:
                path = self.records_dir / "cases" / slug / "index.html"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                changed += 1
        self._written = records
        if changed or not output_dir.is_dir():
            self._start(output_dir)
        return changed

    def _start(self, output_dir: Path) -> None:
        self._stop()
        with self._lock:
            self._generation += 1
            generation = self._generation
        self._run = threading.Thread(target=self._index, args=(output_dir, generation), name="atlas-pagefind", daemon=True)
        self._run.start()

    def _index(self, output_dir: Path, generation: int) -> None:
        lower_priority()
        fresh = output_dir.parent / f".{output_dir.name}-{generation}-new"
        shutil.rmtree(fresh, ignore_errors=True)
        try:
            with self._lock:
                if generation != self._generation:
                    return
                self._process = subprocess.Popen(
                    module_command("pagefind", *PAGEFIND_ARGS, "--site", str(self.records_dir), "--output-path", str(fresh)),
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                )
            _, errors = self._process.communicate()
            with self._lock:
                if generation != self._generation or self._process.returncode != 0:
                    if generation == self._generation:
                        self.error = f"Pagefind could not index the case studies:\n{errors.strip()}"
                    return
                self.error = ""
                old = output_dir.parent / f".{output_dir.name}-{generation}-old"
                if output_dir.exists():
                    os.replace(output_dir, old)
                os.replace(fresh, output_dir)
                shutil.rmtree(old, ignore_errors=True)
        except OSError as exc:
            self.error = f"Pagefind's index of the case studies could not be made: {exc}"
        finally:
            shutil.rmtree(fresh, ignore_errors=True)

    def _stop(self) -> None:
        with self._lock:
            self._generation += 1
            process = self._process
        if process is not None and process.poll() is None:
            process.kill()
        if self._run is not None:
            self._run.join()

    def wait(self) -> None:
        """Wait until the latest index is in place."""
        if self._run is not None:
            self._run.join()

    def close(self) -> None:
        """Stop Pagefind and remove the records (the server is stopping)."""
        self._stop()
        shutil.rmtree(self.records_dir, ignore_errors=True)
