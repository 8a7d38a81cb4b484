"""A parallel map for work on many cases: forked processes that inherit what they work on.

The items (loaded cases, say) are already in memory; forked workers inherit them, so only
their positions go out and only the results come back. Workers die with the process that
started them (:func:`~learning_atlas.processes.background.die_with_parent`).
"""

from __future__ import annotations

import gc
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
        gc.freeze()  # the workers' collections then leave the inherited objects' pages unwritten (fewer copies)
        with context.Pool(jobs, initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
            gc.unfreeze()
            return pool.map(_run, range(len(items)), chunksize=max(1, len(items) // (jobs * 8)))
    finally:
        _TASK = None


class ParallelStream:
    """``function(item)`` for each item, worked out ahead in ``jobs`` forked processes, taken in order.

    Unlike :func:`parallel_map` the caller goes on while the workers work: it takes each
    result when it needs it (:meth:`take`), and the workers stay at most a few results
    ahead of it, so that a long list's results are never all held at once. The workers
    inherit what the process holds when the stream starts. :meth:`close` stops them (a
    stream that was not used up must be closed).
    """

    AHEAD = 512
    """Results the workers may have ready before the caller takes them."""

    def __init__(self, function: Callable[[T], R], items: Sequence[T], *, jobs: int) -> None:
        global _TASK
        self._items = items
        self._next = 0
        self._pending: list = []
        self._pool = None
        if jobs <= 1 or len(items) < LEAST or "fork" not in multiprocessing.get_all_start_methods():
            self._function: Callable | None = function
            return
        self._function = None
        _TASK = (function, items)  # inherited by the workers, forked now
        try:
            context = multiprocessing.get_context("fork")
            gc.freeze()  # see parallel_map
            self._pool = context.Pool(jobs, initializer=die_with_parent, initargs=(os.getpid(),))
        finally:
            gc.unfreeze()
            _TASK = None
        for _ in range(min(self.AHEAD, len(items))):
            self._ask()

    def _ask(self) -> None:
        if len(self._pending) + self._next < len(self._items) and self._pool is not None:
            self._pending.append(self._pool.apply_async(_run, (len(self._pending) + self._next,)))

    def take(self):
        """The next item's result (in the order of the items); IndexError once all were taken."""
        if self._next >= len(self._items):
            raise IndexError("every result of the stream was taken")
        try:
            if self._pool is None:
                return self._function(self._items[self._next])  # type: ignore[misc]
            return self._pending.pop(0).get()
        finally:  # a failed item is taken too: the next take is the next item's
            self._next += 1
            self._ask()

    def close(self) -> None:
        """Stop the workers (their unfinished results are dropped)."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
