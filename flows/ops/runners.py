"""Where the flow's batch stages run (the flow's process, local processes, or Dask), and the
Prefect API they report to.

Kept apart from `flows.pipeline` so the command line can offer the choices without importing
Prefect; the task runners are imported only when one is built.
"""

from __future__ import annotations

import contextlib
import functools
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prefect.task_runners import TaskRunner


def usable_cores() -> int:
    """CPUs this process may run on (a container's or taskset's limit, not the host's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# Worker processes when a runner is chosen but not their number: one per core.
DEFAULT_WORKERS = max(usable_cores(), 1)
# Input per worker process that pays for its start: each worker imports the pipeline and loads
# the model (about 4 CPU-s on a 2-core AMD EPYC) before its first batch, while one process loads
# the model as Prefect's server starts. Measured break-even: benchmarks/README.md.
BYTES_PER_WORKER = 512 * 1024
# Cores the default leaves to the flow's own process (reading, writing, Prefect's bookkeeping)
# and Prefect's server. On 2 cores two workers took 41-58 CPU-s for 677 COVID items where the
# flow's process alone took 33-38, and no less wall time (benchmarks/README.md).
CORES_LEFT_TO_THE_FLOW = 1


# Most threads of the in-process runner, each annotating its own batch with the one loaded
# pipeline. spaCy's matrix products and parser release the GIL, the rule components do not: on
# 2 cores two threads took 677 COVID items in 18.6-19.4 s against 22.1-22.7 s for one (4% more
# CPU, the same tables; benchmarks/README.md).
MAX_IN_PROCESS_THREADS = 2


class Runner(StrEnum):
    """Where `clean`, `nlp` and `slogans` run."""

    IN_PROCESS = "in-process"
    PROCESSES = "processes"
    DASK = "dask"


# Batches per worker process an input is cut into when the batch size is not given: the last
# batches of a run keep one worker busy while the others wait, so a worker's share must not be
# one or two large batches (677 COVID items in 256-item batches: 3 batches, one worker doing
# two), while every batch costs each process some Prefect overhead (about 0.15 CPU-s per task
# run sent to a worker, whose context Prefect rebuilds from its settings).
BATCHES_PER_WORKER = 4
# Below this a batch's NLP (about 20,000 characters a second) no longer outweighs that overhead.
MIN_WORKER_BATCH_BYTES = 96 * 1024
# A Dask cluster without a worker this long fails the run (exit 1, CONTRACT.md): its scheduler
# would keep the batches queued for ever, and a scheduled run would never end.
DASK_NO_WORKERS_TIMEOUT_S = 60.0
# How often the run asks the scheduler for its workers: one small message a second.
DASK_WORKERS_POLL_S = 1.0


def input_bytes(files: Iterable[Path]) -> int:
    """The size of the input files together (unreadable ones count 0)."""
    size = 0
    for path in files:
        with contextlib.suppress(OSError):
            size += path.stat().st_size
    return size


def default_runner(files: Iterable[Path]) -> tuple[Runner, int]:
    """Runner and workers for these input files: a worker process per `BYTES_PER_WORKER` of
    input up to the usable cores but `CORES_LEFT_TO_THE_FLOW`; in the flow's process when that
    makes fewer than two (a single worker only adds its start to the flow's)."""
    cores = usable_cores() - CORES_LEFT_TO_THE_FLOW
    workers = min(cores, input_bytes(files) // BYTES_PER_WORKER)
    if workers >= 2:
        return Runner.PROCESSES, workers
    return Runner.IN_PROCESS, in_process_threads()


def in_process_threads() -> int:
    """Annotate threads of the in-process runner: one per usable core, at most two."""
    return min(usable_cores(), MAX_IN_PROCESS_THREADS)


def default_workers(runner: Runner) -> int:
    """Workers when `runner` is chosen but not their number: threads in-process, else a process
    per core."""
    return in_process_threads() if runner is Runner.IN_PROCESS else DEFAULT_WORKERS


def worker_batch_bytes(files: Iterable[Path], workers: int) -> int:
    """Text a batch holds (UTF-8 bytes of the documents as read) when `workers` worker processes
    share these input files: `BATCHES_PER_WORKER` batches each, none under
    `MIN_WORKER_BATCH_BYTES`."""
    share = input_bytes(files) // (BATCHES_PER_WORKER * max(workers, 1))
    return max(share, MIN_WORKER_BATCH_BYTES)


@contextlib.contextmanager
def started_task_runner(
    runner: Runner, workers: int, dask_address: str | None = None
) -> Iterator[TaskRunner]:
    """A started task runner for `runner`, its workers reporting to this process's Prefect API."""
    with _api_shared_with_workers(runner), task_runner(runner, workers, dask_address) as started:
        if runner is Runner.DASK:
            with failing_without_dask_workers(started, DASK_NO_WORKERS_TIMEOUT_S):
                yield started
        else:
            yield started


class DaskWithoutWorkersError(RuntimeError):
    """The run's Dask cluster had no worker for DASK_NO_WORKERS_TIMEOUT_S seconds."""


@contextlib.contextmanager
def failing_without_dask_workers(started: TaskRunner, timeout: float) -> Iterator[None]:
    """Cancel the run's Dask tasks once the cluster has had no worker for `timeout` seconds, and
    raise DaskWithoutWorkersError where the run waits for them.

    A thread asks the scheduler for its workers each DASK_WORKERS_POLL_S; the clock starts when
    the client connects and again each time the last worker leaves.
    """
    from distributed import Future
    from distributed.client import FutureCancelledError

    client = started.client  # type: ignore[attr-defined]  # connects now
    address = client.scheduler.address
    stop, gave_up = threading.Event(), threading.Event()

    def watch() -> None:
        last_seen = time.monotonic()
        while not stop.wait(DASK_WORKERS_POLL_S):
            try:
                workers = client.nthreads()
            except OSError:  # the scheduler unreachable: no worker can be reached either
                workers = {}
            if workers:
                last_seen = time.monotonic()
            elif time.monotonic() - last_seen >= timeout:
                gave_up.set()
                queued = [Future(key, client) for key in list(client.futures)]
                client.cancel(queued, reason="no Dask workers")
                return

    watcher = threading.Thread(target=watch, name="dask-workers-watch", daemon=True)
    watcher.start()
    try:
        yield
    except FutureCancelledError as error:
        if gave_up.is_set():
            raise DaskWithoutWorkersError(
                f"the Dask cluster at {address} had no worker for {timeout:.0f} s"
            ) from error
        raise
    finally:
        stop.set()
        watcher.join()


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
            # Threads share the one loaded pipeline (spaCy's matrix products and parser run
            # without the GIL); the flow's own thread reads and writes meanwhile.
            return ThreadPoolTaskRunner(max_workers=workers)
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


class PrefectServerError(RuntimeError):
    """Prefect's temporary API server did not come up."""


# What Prefect's SubprocessASGIServer sets: no UI, ephemeral services only; and no automations
# (their event triggers cost 0.4-0.7 CPU-s a start, and a server that lives for one run has
# none to serve: a deployment's automations live on its server).
_SERVER_ENVIRONMENT = {
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "0",
    "PREFECT_UI_ENABLED": "0",
    "PREFECT__SERVER_EPHEMERAL": "1",
    "PREFECT__SERVER_FINAL": "1",
}
# Defaults that the user's own environment overrides (benchmarks/README.md, session 12):
# - The task run recorder writes the task runs from the client's events; Prefect's default
#   writes each event in a transaction of its own (batch size 1): 200 transactions for a
#   677-item run, 1.1-1.3 of the server's 2.9 CPU-s. In batches of up to 100 events, at least
#   once a second, the same task runs and states are recorded (the server writes what it holds
#   when it stops); a user loses only that, while the run lasts, a task run's state reaches
#   Prefect's database up to a second later.
# - Block types are registered in the database at every start, after hashing every installed
#   collection's blocks to find whether they changed (0.3-0.4 CPU-s). A flow run needs none of
#   them; `prefect server start`, the server whose UI shows blocks, registers them itself.
_SERVER_DEFAULTS = {
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "100",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_FLUSH_INTERVAL": "1",
    "PREFECT_API_BLOCKS_REGISTER_ON_START": "false",
    "PREFECT_MEMOIZE_BLOCK_AUTO_REGISTRATION": "false",
}


class _Server:
    """Prefect's API server (`flows.ops.prefect_server`) in a child process, on a free port."""

    def __init__(self, environment: Mapping[str, str]) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/api"
        # Its shutdown prints tracebacks of cancelled flushes; kept for a failed start only,
        # and closed by `stop`.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115
        self.process = subprocess.Popen(
            # -P: the working directory is not on the server's import path (as with uvicorn's
            # --app-dir pointing at Prefect's own): a `prefect` folder there shadows nothing.
            [sys.executable, "-P", "-m", "flows.ops.prefect_server", "127.0.0.1", str(port)],
            env={**_SERVER_DEFAULTS, **environment, **_SERVER_ENVIRONMENT},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                output = self.log.read().decode(errors="replace")[-2000:]
                raise PrefectServerError(
                    f"Prefect's temporary server exited with code {self.process.returncode}:"
                    f"\n{output}"
                )
            with (
                contextlib.suppress(urllib.error.URLError, ConnectionError),
                urllib.request.urlopen(f"{self.url}/health", timeout=1) as response,
            ):
                if response.status == 200:
                    return
            time.sleep(0.05)
        raise PrefectServerError(
            f"Prefect's temporary server did not answer within {timeout} s "
            "(raise PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS)"
        )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@contextlib.contextmanager
def prefect_api_starting() -> Iterator[Callable[[], None]]:
    """Start Prefect's temporary API server now, in the background, for the flow to report to.

    Yields a function that waits until the server answers. Prefect would start the same server
    (`SubprocessASGIServer`: uvicorn in a child process) on the flow's first API call, after
    importing the whole server into this process (about 2 s of CPU) and then waiting 5-10 s for
    it; started here, it boots on another core while this process imports the pipeline and
    loads the model. Nothing starts when the settings name an API or forbid ephemeral mode.

    Prefect's settings come with the whole package (1-2 s of imports), so the server is launched
    first, with this process's environment, from which (and from the same profiles) it reads
    the settings this process reads. Where they name an API or forbid the server, it is
    stopped; where this process changed its own settings (`temporary_settings`), it is replaced
    by one given their environment, as Prefect would.
    """
    server = None if os.environ.get("PREFECT_API_URL") else _Server(os.environ)
    try:
        from prefect.context import _temporary_global_settings_context, get_settings_context
        from prefect.settings import (
            PREFECT_API_URL,
            Settings,
            get_current_settings,
            temporary_settings,
        )

        settings = get_current_settings()
        if settings.api.url or not settings.server.ephemeral.enabled:
            if server is not None:
                server.stop()
                server = None
            yield lambda: None
            return
        if server is None or settings != Settings():
            if server is not None:
                server.stop()
                server = None
            environment = settings.to_environment_variables(exclude_unset=True)
            server = _Server({**os.environ, **environment})
        wait_until_ready = functools.partial(
            server.wait_until_ready, settings.server.ephemeral.startup_timeout_seconds
        )

        # The environment too: worker processes read it, not this process's settings.
        os.environ["PREFECT_API_URL"] = server.url
        try:
            with (
                temporary_settings({PREFECT_API_URL: server.url}),
                # Also for threads whose context was copied before (Prefect's log and event
                # workers): without it one may start a server of its own, orphaned at exit.
                _temporary_global_settings_context(get_settings_context()),
            ):
                try:
                    yield wait_until_ready
                finally:
                    _send_queued_logs_and_events()
        finally:
            del os.environ["PREFECT_API_URL"]
    finally:
        if server is not None:
            server.stop()


def _send_queued_logs_and_events() -> None:
    """Send what this process's Prefect workers still hold, while the server is up to take it."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for service in (APILogWorker, EventsWorker):
        service.drain_all(timeout=5)
