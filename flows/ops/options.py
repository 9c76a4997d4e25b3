"""Option types and defaults shared by the `zhnews` commands."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from flows.ops.runners import Runner


class LogLevel(StrEnum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


DEFAULT_INPUT = Path("seeds")
DEFAULT_OUTPUT = Path("output")
Inputs = Annotated[
    list[Path] | None,
    typer.Argument(help="Files or directories of .txt, .html/.htm or .jsonl (default: seeds/)."),
]
Output = Annotated[
    Path, typer.Option("--output", "-o", help="Output directory of the Parquet tables.")
]
RunnerOption = Annotated[
    Runner,
    typer.Option(
        help="Where clean/nlp/slogans run: in the flow's process, local processes, or Dask."
    ),
]
Workers = Annotated[
    int,
    typer.Option(min=1, help="Worker processes for --runner processes or a local Dask cluster."),
]
RunRunnerOption = Annotated[
    Runner | None,
    typer.Option(
        "--runner",
        help="Where clean/nlp/slogans run: in the flow's process, local processes, or Dask "
        "(default: a worker process per 512 KiB of input up to the cores but one, else "
        "in-process).",
        show_default=False,
    ),
]
RunWorkers = Annotated[
    int | None,
    typer.Option(
        "--workers",
        help="Worker processes (alone it implies --runner processes; default: see --runner).",
        min=1,
        show_default=False,
    ),
]
DaskAddress = Annotated[
    str | None,
    typer.Option(
        help="Scheduler of an existing Dask cluster (tcp://host:8786); implies --runner dask."
    ),
]

BatchSize = Annotated[
    int | None,
    typer.Option(
        help="Documents per task run (default 64 in-process, 256 with worker processes or Dask).",
        min=1,
    ),
]
