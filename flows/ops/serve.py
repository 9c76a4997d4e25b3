"""`zhnews serve`: the flow as a Prefect deployment that runs on a cron or interval schedule.

`flow.serve` registers a deployment with a real Prefect server (`prefect server start`;
PREFECT_API_URL must point at it) and polls it for scheduled runs, each executed in a
subprocess that imports `flows.pipeline`. Runs only read inputs they have not seen (see
`flows.store.ledger`) and at most one runs at a time, since runs on one output take its lock.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from flows.inputs.ingest import DEFAULT_OPTIONS, InputOptions
from flows.ops.runners import Runner


class ServeError(RuntimeError):
    """The deployment cannot be served as asked."""


def deployment_parameters(
    inputs: list[Path],
    output: Path,
    *,
    batch_size: int | None,
    runner: Runner,
    workers: int | None,
    dask_address: str | None,
    input_options: InputOptions = DEFAULT_OPTIONS,
) -> dict[str, object]:
    """Flow parameters with absolute paths, since runs start in the runner's subprocesses."""
    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        raise ServeError(f"no such input: {', '.join(missing)}")
    return {
        "inputs": [str(p.resolve()) for p in inputs],
        "output": str(output.resolve()),
        "batch_size": batch_size,
        "runner": runner.value,
        "workers": workers,
        "dask_address": dask_address,
        # The flow's parameters of the same names (max_chars, follow_symlinks, ...).
        **dataclasses.asdict(input_options),
    }


def serve_flow(
    inputs: list[Path],
    output: Path,
    *,
    cron: str | None,
    interval: float | None,
    name: str,
    batch_size: int | None,
    runner: Runner,
    workers: int | None,
    dask_address: str | None,
    input_options: InputOptions = DEFAULT_OPTIONS,
) -> None:
    """Register the deployment and serve its scheduled runs until interrupted."""
    from prefect.deployments.runner import EntrypointType
    from prefect.settings import PREFECT_API_URL

    from flows.pipeline import zhnews_flow

    if not PREFECT_API_URL.value():
        raise ServeError(
            "serving needs a Prefect server: start one with `prefect server start` and set "
            "PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    parameters = deployment_parameters(
        inputs,
        output,
        batch_size=batch_size,
        runner=runner,
        workers=workers,
        dask_address=dask_address,
        input_options=input_options,
    )
    zhnews_flow.serve(
        name=name,
        cron=cron,
        interval=interval,
        parameters=parameters,
        limit=1,
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
