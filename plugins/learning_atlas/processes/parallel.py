"""A parallel map for work on many cases: forked processes that inherit what they work on.

The items (loaded cases, say) are already in memory; forked workers inherit them, so only
their positions go out and only the results come back. Workers die with the process that
started them (:func:`~learning_atlas.processes.background.die_with_parent`).
"""

from __future__ import annotations

import collections
import contextlib
import gc
import multiprocessing
import multiprocessing.pool
import os
import threading
from typing import Callable, Sequence, TypeVar

from learning_atlas.processes.background import die_with_parent

T = TypeVar("T")
R = TypeVar("R")

LEAST = 50
"""Fewer items than this are mapped in this process: starting workers would cost more than it saves."""

_TASK: tuple[Callable, Sequence] | None = None  # what forked workers inherit: set only while a pool runs


@contextlib.contextmanager
def frozen_objects():
    """Every object now alive left out of the garbage collector's passes while the block runs.

    Forked workers then never write to the pages of the objects they inherit when they collect
    (fewer pages copied); a long build, that its passes over a large atlas never repeat. If
    objects were frozen already (by an enclosing block), they stay frozen for it to release.
    """
    already = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        yield
    finally:
        if not already:
            gc.unfreeze()


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
        with frozen_objects(), context.Pool(jobs, initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
            return pool.map(_run, range(len(items)), chunksize=max(1, len(items) // (jobs * 8)))
    finally:
        _TASK = None


def _run_chunk(start: int, stop: int) -> list[tuple[bool, object]]:
    """Items ``start`` to ``stop`` of a stream: for each, (True, result) or (False, the exception it raised)."""
    function, items = _TASK  # type: ignore[misc]
    out: list[tuple[bool, object]] = []
    for index in range(start, stop):
        try:
            out.append((True, function(items[index])))
        except Exception as exc:  # noqa: BLE001 - raised again where the item is taken
            out.append((False, exc))
    return out


class ParallelStream:
    """``function(item)`` for each item, worked out ahead in ``jobs`` forked processes, taken in order.

    Unlike :func:`parallel_map` the caller goes on while the workers work: it takes each
    result when it needs it (:meth:`take`), and the workers stay at most :data:`AHEAD`
    results ahead of it, so that a long list's results are never all held at once. Items go
    to the workers :data:`CHUNK` at a time (each hand-over costs more than a small item).
    The workers inherit what the process holds when the stream starts. :meth:`close` stops
    them (a stream that was not used up must be closed).
    """

    AHEAD = 512
    """Results the workers may have ready before the caller takes them."""
    CHUNK = 8
    """Items a worker is given at a time."""
    CLOSE_WAIT = 5.0
    """Seconds :meth:`close` waits for the pool to end by itself."""

    def __init__(self, function: Callable[[T], R], items: Sequence[T], *, jobs: int) -> None:
        global _TASK
        self._items = items
        self._next = 0  # the next item to take
        self._asked = 0  # items handed to the workers so far
        self._pending: collections.deque = collections.deque()  # (chunk's result, its length)
        self._ready: collections.deque = collections.deque()  # the taken chunk's results not yet taken
        self._pool = None
        if jobs <= 1 or len(items) < LEAST or "fork" not in multiprocessing.get_all_start_methods():
            self._function: Callable | None = function
            return
        self._function = None
        _TASK = (function, items)  # inherited by the workers, forked now
        try:
            context = multiprocessing.get_context("fork")
            with frozen_objects():
                self._pool = context.Pool(jobs, initializer=die_with_parent, initargs=(os.getpid(),))
        finally:
            _TASK = None
        self._ask()

    def _ask(self) -> None:
        while self._pool is not None and self._asked < len(self._items) and self._asked - self._next < self.AHEAD:
            stop = min(self._asked + self.CHUNK, len(self._items))
            self._pending.append((self._pool.apply_async(_run_chunk, (self._asked, stop)), stop - self._asked))
            self._asked = stop

    def take(self):
        """The next item's result (in the order of the items); IndexError once all were taken.

        An item whose function raised raises here, when it is taken; the next take is the next item's."""
        if self._next >= len(self._items):
            raise IndexError("every result of the stream was taken")
        if self._pool is None:
            self._next += 1
            return self._function(self._items[self._next - 1])  # type: ignore[misc]
        if not self._ready:
            result, length = self._pending.popleft()
            try:
                self._ready.extend(result.get())
            except Exception as exc:  # noqa: BLE001 - the chunk was lost (a worker died): each of its items raises
                self._ready.extend([(False, exc)] * length)
        ok, value = self._ready.popleft()
        self._next += 1
        self._ask()
        if not ok:
            raise value  # type: ignore[misc]
        return value

    def close(self) -> None:
        """Stop the workers (their unfinished results are dropped)."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        # Pool.terminate can wait for ever on the pool's task thread when it is stopped part-way (seen
        # in a build whose template failed): it is given a few seconds, then the workers, which it
        # has stopped by then, are reaped here and its threads left to end in the background.
        ender = threading.Thread(target=pool.terminate, name="atlas-pool-end", daemon=True)
        ender.start()
        ender.join(self.CLOSE_WAIT)
        if not ender.is_alive():
            pool.join()
            return
        pool._worker_handler._state = multiprocessing.pool.TERMINATE  # type: ignore[attr-defined]  # no new workers
        for process in list(pool._pool):  # type: ignore[attr-defined]
            process.kill()
            process.join()
