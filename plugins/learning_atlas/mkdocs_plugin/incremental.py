"""Incremental builds for ``atlas serve``: what a save changes is rebuilt, the rest is left as written.

``atlas serve`` runs MkDocs' dirty builds (the site folder is not emptied) in one
process, so the plugin keeps, between builds:

* loaded and checked cases, by file contents (:class:`~learning_atlas.contract.load_cache.CaseLoadCache`),
  and each case's rendered article, by the case's own key;
* a key for every generated file, telling MkDocs not to render or write it again
  (:class:`AtlasFile`) when the file on disk was written from the same key. A page's key
  covers everything it shows: the cases it is about, each with the cases it names (its
  related list), the listings it is about, the global key (configuration, schema and
  vocabularies, the site's own pages, which give the navigation its titles, the date and
  the organisations' addresses), and for every kind of page not known to draw only from
  its own objects, every case of the atlas. A data file's key is its contents.
* the paths the last build wrote, so that a deleted or renamed case's files go, except the
  files of a case that is now invalid: its page keeps its last good version until it is fixed.

The rule is that a dirty build leaves the folder byte for byte as a clean build would
(tests/site/test_incremental_builds.py checks it with random edits). Anything a key misses
makes that test fail; anything a key over-covers only costs time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import logging
import os
import threading
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from mkdocs.structure.files import File, Files

from learning_atlas.contract.case import Case
from learning_atlas.contract.load_cache import CaseLoadCache
from learning_atlas.contract.loader import LoadedCase
from learning_atlas.search.key_terms import RelatedListsJob
from learning_atlas.search.related import RelateEntry, related_slugs
from learning_atlas.site.pagefind_records import PagefindRecords

log = logging.getLogger("mkdocs.plugins.atlas")

LOCAL_KINDS = frozenset({"case", "listing", "section"})
"""Page kinds whose templates draw only on the page's own objects (and the global key).

Any other kind (explore, submit, or one added later) is keyed on the whole atlas as well.
"""


def _hash(*parts: str) -> str:
    text = "\0".join(parts) + "\0"
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class AtlasFile(File):
    """A generated file that tells a dirty build whether it must be rendered and written again."""

    atlas_unchanged: bool | None = None
    """Set by :meth:`IncrementalBuilds.mark`; None (any other build) leaves MkDocs' own rule."""
    atlas_case: str | None = None
    """The slug of the case whose page or asset this is, if any."""

    def is_modified(self) -> bool:
        if self.atlas_unchanged is None:
            return super().is_modified()
        return not self.atlas_unchanged or not os.path.exists(self.abs_dest_path)

    atlas_writes: "Any | None" = None
    """The full build's :class:`~.fast_pages.BackgroundWrites`, which writes this data file off the main thread."""

    def copy_file(self, dirty: bool = False) -> None:
        if self.atlas_writes is None or dirty or self._content is None:
            super().copy_file(dirty)
        else:
            self.atlas_writes.write(self.abs_dest_path, self._content)


def content_key(content: bytes) -> str:
    """The key of a data file: its contents."""
    return hashlib.blake2b(content, digest_size=16).hexdigest()


def schema_key(files: Iterable[Path]) -> str:
    """A key over the schema's files, for the cache of loaded cases."""
    return _hash(*(_read(path) for path in files))


def _always_modified() -> bool:
    return True


class MemoryBytecodeCache(BytecodeCache):
    """Compiled templates kept in memory: MkDocs makes a new template environment every build.

    Jinja checks each template's source against the checksum kept with its code, so an
    edited template is compiled again.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


class IncrementalBuilds:
    """What ``atlas serve``'s plugin keeps between builds (see the module's docstring)."""

    def __init__(self) -> None:
        self.load_cache = CaseLoadCache()
        self.bytecode_cache = MemoryBytecodeCache()
        self.articles: dict[str, Any] = {}
        self.case_keys: dict[str, str] = {}
        self._written: dict[str, str] = {}
        self._pending: dict[str, str] = {}
        self._outputs: dict[str, str | None] = {}
        self._current: dict[str, str | None] = {}
        self.global_key = ""
        self._made: dict[int, tuple[LoadedCase, Case, str]] = {}
        self._memo: dict[str, Any] = {}
        self._memo_next: dict[str, Any] = {}
        self.related: dict[str, list[str]] | None = None
        """The related lists of the last build (the search index's, once its process has answered)."""
        self.request_build = None
        """Asks the server for another build (from a thread): when the index's related lists differ from
        those a build used, or a build put pages off. Without it (``mkdocs serve --dirty``), every
        build is whole: it waits for the related lists and puts nothing off."""
        self._follower: threading.Thread | None = None
        self._generation = 0
        self._rebuild_wanted = False
        self._own_changes: list[File] = []
        self._whole_atlas_changes: list[File] = []
        self._put_off = False
        self.shown_first = False
        self._own_pages: set[str] = set()
        """Set when ``atlas serve`` has shown the saved case's page already: the next build puts nothing off."""
        self._full_keys: dict[int, str] = {}
        self._kept: list[Any] = []
        self.rendered = 0
        self.skipped = 0

    # --- keys ------------------------------------------------------------------------------

    def cases_from(self, loaded: list[LoadedCase]) -> list[Case]:
        """The atlas's cases of these loaded cases, and each case's own key (everything it holds; its
        related list is not in its repr). A loaded case from the cache gives the same object as before."""
        made: dict[int, tuple[LoadedCase, Case, str]] = {}
        for source in loaded:
            known = self._made.get(id(source))
            if known is None or known[0] is not source:
                case = Case.from_loaded(source)
                known = (source, case, _hash(repr(case)))
            made[id(source)] = known
        self._made = made
        self.case_keys = {case.slug: key for _, case, key in made.values()}
        return [made[id(source)][1] for source in loaded]

    def render_articles(self, cases: list[Case], render_many) -> dict[str, Any]:
        """Each case's article by slug: ``render_many(cases)`` for those whose key is new, the rest remembered."""
        missing = [case for case in cases if self.case_keys[case.slug] not in self.articles]
        for case, article in zip(missing, render_many(missing)):
            self.articles[self.case_keys[case.slug]] = article
        return {case.slug: self.articles[self.case_keys[case.slug]] for case in cases}

    def keep_articles(self) -> None:
        """Forget the articles of cases no longer in the atlas (or changed)."""
        live = set(self.case_keys.values())
        self.articles = {key: value for key, value in self.articles.items() if key in live}

    def _case_key(self, case: Case) -> str:
        """A case's key with the keys of the cases it names (its related list, say), once a build."""
        key = self._full_keys.get(id(case))
        if key is None:
            key = self._full_keys[id(case)] = self._named_key(case)
        return key

    def _named_key(self, case: Case) -> str:
        parts = [self.case_keys.get(case.slug) or _hash(repr(case))]
        for name, value in vars(case).items():
            if isinstance(value, Case):
                value = [value]
            elif not (isinstance(value, (list, tuple)) and value and isinstance(value[0], Case)):
                continue
            parts.append(name)
            parts.extend(self.case_keys.get(o.slug) or _hash(repr(o)) if isinstance(o, Case) else repr(o) for o in value)
        return _hash(*parts)

    def _value_key(self, value: Any) -> str:
        if isinstance(value, Case):
            return self._case_key(value)
        if isinstance(value, (list, tuple)) or dataclasses.is_dataclass(value) and not isinstance(value, type):
            key = self._full_keys.get(id(value))  # a listing is on many pages: keyed once a build
            if key is None:
                key = self._full_keys[id(value)] = self._compound_key(value)
                self._kept.append(value)  # its id stays its own until the next build
            return key
        if isinstance(value, Mapping):
            return _hash("{", *(repr(k) + ":" + self._value_key(v) for k, v in value.items()))
        if isinstance(value, enum.Enum):
            return repr(value.value)
        return repr(value)

    def _compound_key(self, value: Any) -> str:
        if isinstance(value, (list, tuple)):
            return _hash("[", *(self._value_key(v) for v in value))
        return _hash(type(value).__name__, *(
            f.name + "=" + self._value_key(getattr(value, f.name)) for f in dataclasses.fields(value)
        ))

    def memo(self, name: str, inputs: Iterable[Any], produce: Callable[[], Any]) -> Any:
        """``produce()``, remembered by ``name``, the global key and the keys of ``inputs`` (cases, listings...)."""
        key = _hash(name, self.global_key, *(self._value_key(value) for value in inputs))
        value = self._memo.get(key)
        if value is None:
            value = produce()
        self._memo_next[key] = value
        return value

    def page_key(self, spec: Any, kind: str, atlas_key: str) -> str:
        """The key of a generated page drawn from ``spec`` (a dataclass)."""
        parts = [self.global_key, self._value_key(spec)]
        if kind not in LOCAL_KINDS:
            parts.append(atlas_key)
        return _hash(*parts)

    def atlas_key(self, cases: list[Case]) -> str:
        """A key over every case of the atlas, in order, with the cases each names (first of a build's keys)."""
        self._full_keys = {}
        self._kept = [cases]  # the ids of _full_keys stay those of these objects
        return _hash(*(self._case_key(case) for case in cases))

    def set_global_key(self, *, config_file: str | None, schema_files: Iterable[Path], docs: Files,
                       settings: Any, organisations: Mapping[str, str]) -> None:
        """What every page depends on: configuration, schema, the site's own pages, the date, organisations."""
        parts = [repr(settings), dt.date.today().isoformat(), repr(sorted(organisations.items()))]
        for path in [Path(config_file)] if config_file else []:
            parts.append(_read(path))
        parts.extend(_read(path) for path in schema_files)
        for file in docs:
            if file.abs_src_path and file.src_uri.endswith(".md"):
                parts.append(file.src_uri + "\0" + _read(Path(file.abs_src_path)))
        self.global_key = _hash(*parts)

    # --- related lists ---------------------------------------------------------------------

    def follow_related(self, job: RelatedListsJob, entries: list[RelateEntry], count: int) -> None:
        """Wait for ``job`` in a thread; when its lists differ from :attr:`related`, keep them and ask for a build.

        A build uses the last lists it knows (the index takes most of a second for 1,000 cases),
        so the page a save changed is shown at once; the lists of the search index follow in
        one more build, which renders only the pages whose lists changed.
        """
        self._generation += 1
        generation = self._generation

        def follow() -> None:
            related, notes = job.result()
            for note in notes:
                log.info(f"atlas: {note}")
            if related is None:
                related = related_slugs(entries, {}, count)
            known = {entry.slug for entry in entries}  # as Atlas.apply_related takes them
            lists = {entry.slug: [s for s in related.get(entry.slug, ()) if s in known][:count] for entry in entries}
            if generation != self._generation or lists == self.related:
                return
            self.related = lists
            self._rebuild_wanted = True
            if self.request_build is not None:
                self.request_build()

        self._follower = threading.Thread(target=follow, name="atlas-related-follow", daemon=True)
        self._follower.start()

    def settle(self) -> bool:
        """Wait for the related lists of the last build; True when they call for another build."""
        if self._follower is not None:
            self._follower.join()
        wanted, self._rebuild_wanted = self._rebuild_wanted, False
        return wanted

    def key_build(self, files: Files, config: Any, atlas: Any, schema_files: list[Path], collections_dir: Path,
                  *, settings: Any) -> str:
        """The keys of this build: the global key, every case's, and the atlas's (returned).

        The site's own pages are rendered every build (the home page shows the latest cases).
        A case's page shows the cases that build on it, and collections name cases: both go into
        the global key (a change there rebuilds every page: slower, never stale).
        """
        own = [f for f in files if f.generated_by is None]
        self.set_global_key(config_file=config.config_file_path, schema_files=schema_files, docs=own,
                            settings=settings, organisations=atlas.organisation_slugs)
        self._own_pages = set()
        for file in own:
            if file.is_documentation_page():
                self.always_rebuild(file)
                self._own_pages.add(file.abs_dest_path)
        atlas_key = self.atlas_key(atlas.cases)
        self.widen_global_key(lineage_shown(getattr(atlas, "lineage", None)), sorted(collections_dir.rglob("*")))
        return atlas_key

    def mark_generated(self, generated: list[File], pages: Mapping[str, Any], atlas_key: str, *, skip: bool) -> None:
        """Mark each generated file (pages by their specs in ``pages``, data by contents); with ``skip``
        False (Material's own search, which indexes only the pages built) every file is written."""
        for file in generated:
            if not isinstance(file, AtlasFile):
                continue
            spec = pages.get(file.src_uri)
            if file.abs_dest_path in self._own_pages:
                # A page of the site's own goes to the same address (docs/collections.md and the
                # collections' index): it is written every build, so this one is too, after it.
                self.mark(file, None, every_build=True)
            elif spec is None:
                self.mark(file, content_key(file.content_bytes) if skip else None)
            else:
                key = self.page_key(spec, spec.kind.value, atlas_key)
                self.mark(file, key if skip else None, whole_atlas=spec.kind.value not in LOCAL_KINDS)
        self.put_off_whole_atlas_pages()

    def widen_global_key(self, *inputs: Any) -> None:
        """Fold more of what every page may show into the global key (after :meth:`atlas_key`): objects
        are keyed as pages' specs are, paths by their contents."""
        parts = [self.global_key]
        for value in inputs:
            if isinstance(value, list) and all(isinstance(v, Path) for v in value):
                parts.extend(str(v) + "\0" + (_read(v) if v.is_file() else "") for v in value)
            else:
                parts.append(self._value_key(value))
        self.global_key = _hash(*parts)

    # --- files -----------------------------------------------------------------------------

    def mark(self, file: File, key: str | None, *, whole_atlas: bool = False, every_build: bool = False) -> None:
        """Record the key ``file`` will be written from; skip it if that is what its output holds.

        A ``None`` key: always written. A page drawn from the whole atlas (``whole_atlas``) may be
        put off to the build that follows (see :meth:`put_off_whole_atlas_pages`); one written
        ``every_build`` is no news of a change.
        """
        dest = file.abs_dest_path
        if key is not None:
            self._pending[dest] = key
        if isinstance(file, AtlasFile):
            file.atlas_unchanged = key is not None and self._written.get(dest) == key
            if file.atlas_unchanged:
                self.skipped += 1
            else:
                self.rendered += 1
                if not every_build:
                    (self._whole_atlas_changes if whole_atlas else self._own_changes).append(file)

    def put_off_whole_atlas_pages(self) -> int:
        """When a save changed pages of their own (a case's, say), leave the pages drawn from the whole
        atlas (Explore) to a build that follows at once, so the changed page is shown sooner.

        The site is whole again when that build ends (as with Hugo's fast render). Never twice in a
        row, so a stream of saves still brings those pages up to date. How many were put off.
        """
        own, whole = self._own_changes, self._whole_atlas_changes
        self._own_changes, self._whole_atlas_changes = [], []
        shown_first, self.shown_first = self.shown_first, False
        if not own or not whole or self._put_off or self.request_build is None or shown_first:
            self._put_off = False
            return 0
        for file in whole:
            dest = file.abs_dest_path
            file.atlas_unchanged = True  # MkDocs still renders it if it has never been written
            if dest in self._written:
                self._pending[dest] = self._written[dest]
            else:
                self._pending.pop(dest, None)
            self.rendered -= 1
            self.skipped += 1
        self._put_off = True
        self._rebuild_wanted = True
        return len(whole)

    def forget(self, dest: str) -> None:
        """The file at ``dest`` was written outside a build (``atlas serve``'s fast render): write it again."""
        self._written.pop(dest, None)

    def ask_for_build(self) -> None:
        """After a build that put pages off: ask the server for the build that follows."""
        if self._put_off and self.request_build is not None:
            self.request_build()

    @staticmethod
    def always_rebuild(file: File) -> None:
        """A page of the site's own (the home page shows the latest cases): rendered every build."""
        file.is_modified = _always_modified  # type: ignore[method-assign]

    def record_outputs(self, files: Files) -> None:
        """The files this build puts in the site folder (taken when every plugin has added its own)."""
        self._current = {f.abs_dest_path: getattr(f, "atlas_case", None) for f in files}

    def commit(self, invalid_slugs: set[str]) -> list[str]:
        """The build succeeded: remember what was written and remove what no longer belongs.

        Files of a case that is now invalid stay (its last good version); the paths removed
        are returned.
        """
        removed = []
        kept: dict[str, str | None] = {}
        for dest, slug in self._outputs.items():
            if dest in self._current:
                continue
            if slug is not None and slug in invalid_slugs:
                kept[dest] = slug
                if dest in self._written:
                    self._pending[dest] = self._written[dest]
                continue
            try:
                os.remove(dest)
                removed.append(dest)
            except FileNotFoundError:
                pass
            except IsADirectoryError:
                pass
            _remove_empty_parents(Path(dest).parent)
        self._outputs = {**self._current, **kept}
        self._written, self._pending = self._pending, {}
        self._memo, self._memo_next = self._memo_next, {}
        self.keep_articles()
        return removed

    def fail(self) -> None:
        """The build failed part-way: what is on disk is unknown, so the next build writes everything."""
        self._written = {}
        self._pending = {}
        self._outputs = {**self._outputs, **self._current}


def lineage_shown(lineage: Any) -> Any:
    """What pages and data files show of the lineage (``builds_on`` both ways), for the global key.

    Of a linked case they show its address, title, organisations and status (case pages'
    "How this learning spread" and its picture, the feeds' related links, the open data's
    slugs and organisations); "Most taken up" and Explore are keyed on the whole atlas anyway.
    Keying the links on these alone, not on every field of the linked cases, means that saving
    the text of a case that builds on another does not rebuild every page. A template that shows
    more of a linked case must add it here (tests/site/test_incremental_builds.py would fail).
    """
    if lineage is None:
        return None

    def links(table: Mapping[str, list]) -> list:
        return [(slug, [(link.case.slug, link.case.title, link.case.organisations, link.case.status,
                         link.case.published, link.how, link.note) for link in found])
                for slug, found in table.items()]

    return [links(lineage.builds_on), links(lineage.built_on_by), sorted(lineage.taken_up_by.items())]


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8", "surrogateescape")
    except OSError:
        return "\0missing"


def _remove_empty_parents(folder: Path) -> None:
    """Remove ``folder`` and its parents while they are empty (a removed case's folder)."""
    for _ in range(3):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


class IncrementalHooks:
    """The atlas plugin's part in ``atlas serve``'s incremental builds (mixed into ``AtlasPlugin``)."""

    incremental: IncrementalBuilds | None
    search_records: PagefindRecords | None

    def on_shutdown(self) -> None:
        """Stop the background indexing of ``atlas serve`` and remove its records."""
        if self.search_records is not None:
            self.search_records.close()
            self.search_records = None

    def _key_atlas(self, files: Files, config) -> str:
        """``atlas serve``: the keys of this build (see :mod:`~learning_atlas.mkdocs_plugin.incremental`)."""
        assert self.incremental is not None and self.atlas is not None
        return self.incremental.key_build(
            files, config, self.atlas, self._schema_files(), self._path(self.config.collections_dir),
            settings=(sorted(self.config.items(), key=str), config.site_url, list(config.theme.dirs)),
        )

    def _memo(self, name: str, inputs: list, produce: Callable[[], str]) -> str:
        """``produce()``; under ``atlas serve``, remembered while ``inputs`` are unchanged."""
        return produce() if self.incremental is None else self.incremental.memo(name, inputs, produce)

    def _mark_unchanged(self, files: Files, generated: list[File], config, atlas_key: str) -> None:
        """``atlas serve``: mark the generated files whose output is up to date, and update Pagefind's records."""
        inc, atlas = self.incremental, self.atlas
        assert inc is not None and atlas is not None
        # Material's own search indexes the pages built in this build: with it, every page is built.
        skip = self.config.reader_search == "pagefind"
        inc.mark_generated(generated, self.pages, atlas_key, skip=skip)
        if skip:
            self.search_records = self.search_records or PagefindRecords()
            articles = {slug: prepared[0] for slug, prepared in self.articles.items() if prepared}
            keys = {slug: key + inc.global_key for slug, key in inc.case_keys.items()}
            self.search_records.update(atlas, articles, Path(config.site_dir) / "pagefind", keys)

    def _relate_incrementally(self) -> None:
        """``atlas serve``: the last build's related lists now, the index's in a build to follow (the first waits)."""
        inc, atlas, job = self.incremental, self.atlas, self.related_job
        assert inc is not None and atlas is not None and job is not None
        if inc.related is None or inc.request_build is None:  # nothing would ask for the next build
            self._relate_from_job()
            inc.related = {case.slug: [other.slug for other in case.related] for case in atlas.cases}
            return
        self.related_job = None
        atlas.apply_related(inc.related)
        inc.follow_related(job, self.relate_entries, self.config.related_count)
