"""Where the flow's batch stages run: in the flow's process, local processes, or Dask.

Kept apart from `flows.pipeline` so the command line can offer the choices without importing
Prefect; the task runners are imported only when one is built.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prefect.task_runners import TaskRunner

DEFAULT_WORKERS = 2


class Runner(StrEnum):
    """Where `clean`, `nlp` and `slogans` run."""

    IN_PROCESS = "in-process"
    PROCESSES = "processes"
    DASK = "dask"


@contextlib.contextmanager
def started_task_runner(
    runner: Runner, workers: int, dask_address: str | None = None
) -> Iterator[TaskRunner]:
    """A started task runner for `runner`, its workers reporting to this process's Prefect API."""
    with _api_shared_with_workers(runner), task_runner(runner, workers, dask_address) as started:
        yield started


@contextlib.contextmanager
def _api_shared_with_workers(runner: Runner) -> Iterator[None]:
    """Export this process's API URL to the environment while workers start and run.

    Without PREFECT_API_URL each process starts a temporary server of its own: 10-20 s per
    worker, and the task runs would be recorded where nobody sees them.
    """
    from prefect import get_client
    from prefect.settings import PREFECT_API_URL

    if runner is Runner.IN_PROCESS or "PREFECT_API_URL" in os.environ:
        yield
        return
    # Dask workers see only the environment, not settings set in this process.
    os.environ["PREFECT_API_URL"] = PREFECT_API_URL.value() or str(
        get_client(sync_client=True).api_url
    )
    try:
        yield
    finally:
        del os.environ["PREFECT_API_URL"]


def task_runner(runner: Runner, workers: int, dask_address: str | None = None) -> TaskRunner:
    """The Prefect task runner for `runner`; a Dask address joins an existing cluster."""
    from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

    match runner:
        case Runner.IN_PROCESS:
            # One worker thread: the flow's own thread reads and writes meanwhile.
            return ThreadPoolTaskRunner(max_workers=1)
        case Runner.PROCESSES:
            return ProcessPoolTaskRunner(max_workers=workers)
        case Runner.DASK:
            from prefect_dask import DaskTaskRunner

            if dask_address:
                return DaskTaskRunner(address=dask_address)
            # One thread per worker process: spaCy holds the GIL, more threads add no speed.
            cluster = {
                "n_workers": workers,
                "threads_per_worker": 1,
                "processes": True,
                "dashboard_address": None,
            }
            return DaskTaskRunner(cluster_kwargs=cluster)
