"""Where the flow's batch stages run: in the flow's process, local processes, or Dask.

Kept apart from `flows.pipeline` so the command line can offer the choices without importing
Prefect; the task runners are imported only when one is built.
"""

from __future__ import annotations

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
