"""ParallelStream: results worked out ahead in forked workers, taken in order, never all held at once."""

from __future__ import annotations

import multiprocessing
import time

import pytest

from learning_atlas.processes.parallel import LEAST, ParallelStream


def _square(n: int) -> int:
    return n * n


def test_results_come_in_the_order_of_the_items():
    items = list(range(300))
    stream = ParallelStream(_square, items, jobs=2)
    try:
        assert [stream.take() for _ in items] == [n * n for n in items]
        with pytest.raises(IndexError):
            stream.take()
    finally:
        stream.close()


def test_a_short_list_is_worked_out_here_one_item_at_a_time():
    seen = []
    stream = ParallelStream(lambda n: seen.append(n) or n, list(range(LEAST - 1)), jobs=2)
    assert seen == []
    assert stream.take() == 0 and seen == [0]
    stream.close()


def test_an_item_that_fails_raises_when_taken_and_the_rest_go_on():
    def fail_on_seven(n: int) -> int:
        if n == 7:
            raise ValueError("seven")
        return n

    stream = ParallelStream(fail_on_seven, list(range(100)), jobs=2)
    try:
        assert [stream.take() for _ in range(7)] == list(range(7))
        with pytest.raises(ValueError, match="seven"):
            stream.take()
        assert [stream.take() for _ in range(92)] == list(range(8, 100))
    finally:
        stream.close()


def test_the_workers_stay_a_bounded_number_of_results_ahead():
    done = multiprocessing.get_context("fork").Value("i", 0)

    def count(n: int) -> int:
        with done.get_lock():
            done.value += 1
        return n

    stream = ParallelStream(count, list(range(1000)), jobs=2)
    try:
        stream.take()
        time.sleep(0.5)
        assert done.value <= ParallelStream.AHEAD + ParallelStream.CHUNK
    finally:
        stream.close()


def _close_part_way() -> None:
    """A stream closed after its first result: close returns within seconds and no worker is left."""
    stream = ParallelStream(lambda n: time.sleep(0.01) or n, list(range(500)), jobs=2)
    assert stream.take() == 0
    started = time.monotonic()
    stream.close()
    assert time.monotonic() - started < 5
    assert multiprocessing.active_children() == []


def test_closing_a_stream_part_way_stops_its_workers():
    _close_part_way()


def test_a_pool_that_never_ends_by_itself_is_ended_by_close(monkeypatch):
    """Pool.terminate waiting for ever (seen once a build's template failed part-way) does not hang the build."""
    import multiprocessing.pool

    monkeypatch.setattr(ParallelStream, "CLOSE_WAIT", 0.5)
    monkeypatch.setattr(multiprocessing.pool.Pool, "terminate", lambda self: time.sleep(3600))
    _close_part_way()
