"""Time limits on work in the current thread, so one input cannot stall a batch.

The limit interrupts the thread itself (an asynchronous exception, raised at its next Python
instruction), so it works in the flow's worker thread, in worker processes and on Dask, where
signals cannot be used. A single long call into C code finishes before the exception is raised.
"""

from __future__ import annotations

import contextlib
import ctypes
import threading
from collections.abc import Iterator


class TimeLimitExceeded(Exception):
    """The work did not finish within its time limit."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeLimitExceeded in this thread when the body runs longer than `seconds`."""
    thread_id = ctypes.c_ulong(threading.get_ident())
    lock = threading.Lock()
    finished = False

    def interrupt() -> None:
        with lock:
            if not finished:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    thread_id, ctypes.py_object(TimeLimitExceeded)
                )

    timer = threading.Timer(seconds, interrupt)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        # Under the lock, so an interrupt cannot land after the body and outside this block.
        with lock:
            finished = True
        timer.cancel()
