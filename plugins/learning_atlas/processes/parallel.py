"""A parallel map for work on many cases: forked processes that inherit what they work on.

The items (loaded cases, say) are already in memory; forked workers inherit them, so only
their positions go out and only the results come back. Workers die with the process that
started them (:func:`~learning_atlas.processes.background.die_with_parent`).
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Callable, Sequence, TypeVar

from learning_atlas.processes.background import die_with_parent

T = TypeVar("T")
R = TypeVar("R")

LEAST = 50
"""Fewer items than this are mapped in this process: starting workers would cost more than it saves."""

_TASK: tuple[Callable, Sequence] | None = None  # what forked workers inherit: set only while a pool runs


def _run(index: int):
    function, items = _TASK  # type: ignore[misc]
    return function(items[index])


def parallel_map(function: Callable[[T], R], items: Sequence[T], *, jobs: int) -> list[R]:
    """``[function(item) for item in items]``, in order, in ``jobs`` forked processes when worth it.

    ``function`` may be any callable (a closure, a partial): it is inherited, not pickled; its
    results are pickled back. Where ``fork`` is missing, or ``jobs`` is 1, it runs here.
    """
    global _TASK
    if jobs <= 1 or len(items) < LEAST or "fork" not in multiprocessing.get_all_start_methods():
        return [function(item) for item in items]
    _TASK = (function, items)
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(jobs, initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
            return pool.map(_run, range(len(items)), chunksize=max(1, len(items) // (jobs * 8)))
    finally:
        _TASK = None
