"""Time limits: slow work is interrupted, finished work is never interrupted later."""

from __future__ import annotations

import threading
import time

import pytest

from flows.ops.limits import TimeLimitExceeded, time_limit


def _busy(seconds: float) -> None:
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        pass


def test_work_over_the_limit_is_interrupted_at_the_limit() -> None:
    started = time.perf_counter()
    with pytest.raises(TimeLimitExceeded), time_limit(0.2):
        _busy(10)
    assert time.perf_counter() - started < 2


def test_work_within_the_limit_is_not_interrupted_afterwards() -> None:
    # The limit is 50 times the work, so that a loaded host pausing this thread cannot make the
    # work itself overrun it (a 0.05 s limit did under a load of 5-6 on 2 cores).
    for _ in range(20):
        with time_limit(0.5):
            _busy(0.01)
    _busy(0.8)  # any interrupt left armed would be raised here


def test_the_limit_works_in_a_worker_thread() -> None:
    outcome: list[str] = []

    def work() -> None:
        try:
            with time_limit(0.2):
                _busy(10)
            outcome.append("finished")
        except TimeLimitExceeded:
            outcome.append("interrupted")

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=5)
    assert outcome == ["interrupted"]
