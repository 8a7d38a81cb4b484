"""Near-duplicate cases: a case that reads as a near copy of another (a warning in ``atlas check``).

Each case's prose is cut into sentences; each sentence of six words or more is
normalised (case, punctuation, spacing) and hashed. Two cases are near
duplicates when most of the smaller one's sentences appear in the other:
a copy with a new title and a few edited sentences still shares most of them,
while independently written cases share none. Sentences are indexed, so the
check costs a few microseconds a case rather than a comparison of every pair.
"""

from __future__ import annotations

import collections
import datetime as dt
import os
import re
import string
from dataclasses import dataclass
from typing import Any, Iterable

from learning_atlas.contract.loader import LoadedCase
from learning_atlas.contract.problems import Problem, Severity

MIN_WORDS = 6
"""Shorter sentences ("See the chart.") are too common to count."""

MIN_SHARED = 4
"""At least this many shared sentences..."""

THRESHOLD = 0.6
"""...making up at least this share of the smaller case's sentences."""

_SENTENCE = re.compile(r"[.!?]+\s")  # one character class first, so the engine can skip ahead
# Punctuation other than sentence ends becomes space (list markers, quotes, commas), in one C pass.
_UNPUNCTUATE = str.maketrans({c: " " for c in string.punctuation if c not in ".!?"})


@dataclass(frozen=True)
class NearDuplicate:
    """Two cases that read alike: ``case`` is the newer, the one to change; ``original`` the older."""

    case: LoadedCase
    original: LoadedCase
    shared: int
    share: float


def _prose(data: dict[str, Any], body: str) -> Iterable[str]:
    for key in ("summary", "leading_change", "where_to_look", "what_to_change", "how_to_change", "challenges"):
        value = data.get(key)
        if isinstance(value, str):
            yield value
    value = data.get("adding_value")
    if isinstance(value, dict):
        yield from (v for v in value.values() if isinstance(v, str))
    yield body


def fingerprint(case: LoadedCase) -> frozenset[int]:
    """Hashes of the case's normalised sentences of at least ``MIN_WORDS`` words."""
    text = ". ".join(_prose(case.data, case.body)).lower().translate(_UNPUNCTUATE)
    hashes = set()
    for sentence in _SENTENCE.split(text.replace("\n\n", ". ") + " "):
        words = sentence.split()
        if len(words) >= MIN_WORDS:
            hashes.add(hash(" ".join(words)))
    return frozenset(hashes)


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _modified_ns(case: LoadedCase) -> int:
    try:
        return os.stat(case.path).st_mtime_ns
    except (OSError, ValueError):
        return 0


def _age(case: LoadedCase) -> tuple:
    """What orders two cases from older to newer: ``published``, then ``updated`` (a case never updated
    counts as updated when published), then the file's modification time, then its path."""
    published = _date(case.data.get("published")) or dt.date.min
    updated = _date(case.data.get("updated")) or published
    return (published, updated, _modified_ns(case), str(case.path))


def newer_and_older(a: LoadedCase, b: LoadedCase) -> tuple[LoadedCase, LoadedCase]:
    """The two cases as ``(newer, older)`` by :func:`_age`: the newer is the copy, the older the original."""
    return (a, b) if _age(a) > _age(b) else (b, a)


def _cached_fingerprint(case: LoadedCase) -> frozenset[int]:
    """:func:`fingerprint`, kept on the case: ``atlas serve`` checks the same loaded cases on every save."""
    prints = case.__dict__.get("_sentence_hashes")
    if prints is None:
        prints = case.__dict__["_sentence_hashes"] = fingerprint(case)
    return prints


def find_near_duplicates(cases: list[LoadedCase]) -> list[NearDuplicate]:
    """Each pair of near-duplicate cases once, the newer named as the copy (see :func:`newer_and_older`)."""
    prints = [_cached_fingerprint(case) for case in cases]
    owners: dict[int, list[int]] = collections.defaultdict(list)
    for index, sentences in enumerate(prints):
        for sentence in sentences:
            owners[sentence].append(index)
    found = []
    for index, sentences in enumerate(prints):
        shared: collections.Counter[int] = collections.Counter()
        for sentence in sentences:
            holders = owners[sentence]
            if len(holders) > 1:
                shared.update(other for other in holders if other < index)
        for other, count in sorted(shared.items()):
            smaller = min(len(sentences), len(prints[other]))
            share = count / smaller if smaller else 0.0
            if count >= MIN_SHARED and share >= THRESHOLD:
                newer, older = newer_and_older(cases[index], cases[other])
                found.append(NearDuplicate(newer, older, count, share))
    return found


class NearDuplicateFinder:
    """:func:`find_near_duplicates` for a long-running process (``atlas serve``), checking the same cases again.

    Whether two cases read alike depends on their two sets of sentences alone, so a pair of
    cases neither of which changed keeps its answer; only the changed cases are compared
    with the others. The pairs come out in the order :func:`find_near_duplicates` gives.
    """

    def __init__(self) -> None:
        self._prints: dict[str, frozenset[int]] = {}
        self._pairs: dict[tuple[str, str], int] = {}

    def find(self, cases: list[LoadedCase]) -> list[NearDuplicate]:
        prints = [_cached_fingerprint(case) for case in cases]
        paths = [str(case.path) for case in cases]
        position = {path: index for index, path in enumerate(paths)}
        # A case loaded again (its file changed) has a new set of sentences, even if equal.
        changed = {path for path, sentences in zip(paths, prints) if self._prints.get(path) is not sentences}
        pairs = {
            pair: count for pair, count in self._pairs.items()
            if pair[0] in position and pair[1] in position and not (changed & set(pair))
        }
        if changed:
            owners: dict[int, list[int]] = collections.defaultdict(list)
            for index, sentences in enumerate(prints):
                for sentence in sentences:
                    owners[sentence].append(index)
            for path in changed:
                index = position[path]
                shared: collections.Counter[int] = collections.Counter()
                for sentence in prints[index]:
                    holders = owners[sentence]
                    if len(holders) > 1:
                        shared.update(other for other in holders if other != index)
                for other, count in shared.items():
                    if _alike(count, prints[index], prints[other]):
                        pairs[tuple(sorted((path, paths[other])))] = count
        self._prints = dict(zip(paths, prints))
        self._pairs = pairs
        found = []
        order = sorted(((max(position[a], position[b]), min(position[a], position[b])), count)
                       for (a, b), count in pairs.items())
        for (index, other), count in order:
            newer, older = newer_and_older(cases[index], cases[other])
            found.append(NearDuplicate(newer, older, count, count / min(len(prints[index]), len(prints[other]))))
        return found


def _alike(count: int, one: frozenset[int], other: frozenset[int]) -> bool:
    smaller = min(len(one), len(other))
    share = count / smaller if smaller else 0.0
    return count >= MIN_SHARED and share >= THRESHOLD


def near_duplicate_problems(cases: list[LoadedCase], finder: NearDuplicateFinder | None = None) -> list[Problem]:
    """A warning on the newer of two cases that read alike, naming the older as the original
    (found by ``finder`` when a long-running process keeps one)."""
    found = finder.find(cases) if finder is not None else find_near_duplicates(cases)
    return [
        Problem(
            dup.case.path, 1, 1, Severity.WARNING, "",
            f"reads as a near copy of {dup.original.path} ({dup.shared} sentences, {dup.share:.0%} of the "
            "shorter case, are the same); if it is a new version, edit that file instead",
            "collection.near-duplicate",
        )
        for dup in found
    ]
