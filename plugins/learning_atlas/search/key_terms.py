"""Key terms of each case, weighted by the search index, for the related-case lists.

A case's key terms are the words of its text that say most about it: their
frequency in the case times their rarity across the atlas (inverse document
frequency, read from the Whoosh index). Two cases that share rare words read
alike; :class:`~learning_atlas.site.model.Atlas` blends that with shared facets.

Whoosh's own more-like-this takes about 33 ms a case (half a minute for 1,000),
so the terms are computed once per case version from its stored text, and kept
in ``key-terms.json`` beside the index, keyed by the case's content hash: a
warm build recomputes only the cases that changed.
"""

from __future__ import annotations

import json
import logging
import math
import multiprocessing
import os
import re
import threading
from collections import Counter
from pathlib import Path

from learning_atlas.processes.background import die_with_parent
from learning_atlas.search.related import RelateEntry, related_slugs

KEY_TERMS = 15
"""How many terms describe a case."""

COMMON_SHARE = 0.05
"""A word in more than this share of cases (and more than 20 of them) says little about any one."""

_CACHE_VERSION = 2


def cache_path(index_dir: Path) -> Path:
    return index_dir.parent / "key-terms.json"


def key_terms(index_dir: Path) -> dict[str, list[tuple[str, float]]]:
    """Slug to weighted key terms for every case in the index at ``index_dir`` (brought up to date first)."""
    cache_file = cache_path(index_dir)
    try:
        cache = json.loads(cache_file.read_text(encoding="utf-8"))
        if cache.get("version") != _CACHE_VERSION:
            cache = {}
    except (OSError, ValueError):
        cache = {}
    known: dict[str, list] = cache.get("terms", {})
    result: dict[str, list[tuple[str, float]]] = {}
    fresh: dict[str, list] = {}
    # Imported here: the site imports this module for RelatedListsJob, and only its
    # background process needs Whoosh (a tenth of a second to import).
    from whoosh import index as whoosh_index

    from learning_atlas.search.store import index_lock

    with index_lock(index_dir, shared=True):
        ix = whoosh_index.open_dir(str(index_dir))
        with ix.searcher() as searcher:
            reader = searcher.reader()
            total = max(reader.doc_count(), 1)
            analyzer = ix.schema["body"].analyzer
            frequencies: dict[str, int] = {}
            for fields in reader.all_stored_fields():
                digest = fields.get("content_hash", "")
                terms = known.get(digest)
                if terms is None:
                    terms = _weigh(fields.get("body", "") + " " + fields.get("title", ""), analyzer, reader,
                                   total, frequencies)
                fresh[digest] = terms
                result[fields["slug"]] = [(term, weight) for term, weight in terms]
    if fresh.keys() != known.keys():
        try:
            cache_file.write_text(json.dumps({"version": _CACHE_VERSION, "terms": fresh}), encoding="utf-8")
        except OSError:
            pass  # a cache that cannot be written only costs time next build
    return result


def _weigh(text: str, analyzer, reader, total: int, frequencies: dict[str, int]) -> list[list]:
    counts = Counter(token.text for token in analyzer(text))
    scored = []
    for term, count in counts.items():
        if len(term) < 3 or term.isdigit():
            continue
        df = frequencies.get(term)
        if df is None:
            df = frequencies[term] = reader.doc_frequency("body", term)
        if df <= 1 or (df > 20 and df > COMMON_SHARE * total):
            continue  # a word no other case has relates nothing; a common one relates everything
        scored.append((count * math.log(total / df), term))
    scored.sort(key=lambda item: (-item[0], item[1]))
    top = scored[:KEY_TERMS]
    norm = math.sqrt(sum(weight * weight for weight, _ in top)) or 1.0
    return [[term, round(weight / norm, 4)] for weight, term in top]


_FACETS_ONLY = "related cases use shared facets only this time: "
_INTERRUPTED = "search index: {index_dir}: an earlier build was stopped while it updated the index, so it was rebuilt"


def _interrupted_update(index_dir: Path) -> bool:
    """True when a process was killed while it wrote the index at ``index_dir``, which is then best rebuilt.

    A writer keeps some files only while it writes: Whoosh's temporary folder and table of
    contents, and the atlas's state file before it is renamed into place. Whoosh's commits
    are atomic, so what a killed writer leaves is more likely waste than damage; but the
    index is a cache, and a rebuild clears the waste too (segments nobody uses).
    """
    from learning_atlas.search.store import INDEX_NAME, STATE_FILE, index_lock

    if not index_dir.is_dir():
        return False
    kept_while_writing = re.compile(
        rf"^({INDEX_NAME}\.tmp.*|_{INDEX_NAME}_[0-9]+\.toc\..+|{re.escape(STATE_FILE)}\..+\.tmp)$"
    )
    with index_lock(index_dir):  # no writer holds it now, so such files were left by a dead one
        return any(kept_while_writing.match(name) for name in os.listdir(index_dir))


class RelatedListsJob:
    """The index update, key terms and related lists, computed in a forked process during a build.

    A cold index of 1,000 cases takes seconds of Whoosh's time, and weighing shared
    terms for every case most of a second; started first, the process runs beside the
    checks and the other pages. The site sends what relating needs with :meth:`send`
    once its cases are loaded, and only the case pages (rendered last) wait for
    :meth:`result`. Any failure gives None and a note: the caller then relates by shared
    facets alone. The index is a cache, never a reason to fail a build.
    """

    def __init__(self, cases_dir: Path, index_dir: Path, schema_dir: Path, count: int) -> None:
        context = multiprocessing.get_context("fork")
        self._connection, child = context.Pipe()
        self._process = context.Process(
            target=_run_in_child,
            args=(os.getpid(), self._connection, child, cases_dir, index_dir, schema_dir, count),
            daemon=True,
        )
        self._process.start()
        child.close()
        self._sender: threading.Thread | None = None

    def send(self, entries: list[RelateEntry]) -> None:
        """Hand over the cases to relate (sent from a thread: the process may still be indexing)."""

        def send() -> None:
            try:
                self._connection.send(entries)
            except (OSError, ValueError):
                pass  # the process has stopped; result() says why

        self._sender = threading.Thread(target=send, name="atlas-related-send", daemon=True)
        self._sender.start()

    def result(self) -> tuple[dict[str, list[str]] | None, list[str]]:
        """Wait for the related slugs of each case (None when only facets can be used) and the notes."""
        try:
            related, notes = self._connection.recv()
        except (EOFError, OSError):
            self._process.join()
            related, notes = None, [_FACETS_ONLY + f"the search index process stopped (exit status {self._process.exitcode})"]
        finally:
            self._connection.close()
            self._process.join()
        return related, notes

    def cancel(self) -> None:
        """Stop the process (the build failed part-way)."""
        self._process.kill()
        self._process.join()
        self._connection.close()


def _run_in_child(parent_pid: int, parent_end, connection, *args) -> None:
    """The process's first steps: die with the build, and hold no copy of the build's end of the pipe."""
    die_with_parent(parent_pid)
    # Without that copy, a build that dies where die_with_parent cannot work ends the
    # wait for its cases (EOFError) instead of leaving this process waiting for ever.
    parent_end.close()
    _index_and_relate(connection, *args)


def _index_and_relate(connection, cases_dir: Path, index_dir: Path, schema_dir: Path, count: int) -> None:
    from learning_atlas.contract.schema import load_case_schema
    from learning_atlas.search.errors import SearchIndexError
    from learning_atlas.search.updating import update_index

    # Not at low priority (see learning_atlas.processes.background): the case pages wait for this
    # process, and in a cold build it has seconds of indexing to do.
    # The parent reports the index's warnings; logging them here too would print them twice.
    logging.getLogger("learning_atlas").setLevel(logging.CRITICAL)
    try:
        interrupted = _interrupted_update(index_dir)
        report = update_index(cases_dir, index_dir, load_case_schema(schema_dir), rebuild=interrupted)
        terms = key_terms(index_dir)
        notes = [_INTERRUPTED.format(index_dir=index_dir)] if interrupted else []
        notes += [f"search index: {warning}" for warning in report.warnings]
    except (SearchIndexError, OSError) as exc:
        terms, notes = None, [_FACETS_ONLY + str(exc)]
    except Exception as exc:  # noqa: BLE001 - any fault of the cache falls back to facets, with the reason
        terms, notes = None, [_FACETS_ONLY + f"{type(exc).__name__}: {exc}"]
    if terms is None:
        connection.send((None, notes))
        return
    try:
        entries = connection.recv()
    except EOFError:
        return  # the build stopped
    connection.send((related_slugs(entries, terms, count), notes))
