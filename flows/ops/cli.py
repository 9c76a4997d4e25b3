"""The `zhnews` command line."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from flows import DEFAULT_MAX_CHARS, MODEL_ENV, ModelMissingError, model_path
from flows.ops import measure_cli
from flows.ops.collector import collector_paused
from flows.ops.errors import (
    ExitCode,
    fail,
    hide_logged_tracebacks,
    is_storage_error,
    output_problem,
    require_output,
    run_app,
    set_debug,
    storage_message,
)
from flows.ops.measure_cli import slogans_app
from flows.ops.options import (
    DEFAULT_INPUT,
    DEFAULT_OUTPUT,
    AcceptNonChinese,
    BatchSize,
    DaskAddress,
    ExistingOutput,
    FollowSymlinks,
    Inputs,
    LogLevel,
    MaxChars,
    Output,
    RunnerOption,
    RunRunnerOption,
    RunWorkers,
    Workers,
)
from flows.ops.runners import Runner, default_runner, prefect_api_starting
from flows.ops.train_cli import train_app

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# The temporary Prefect API starts in ~10 s on an idle machine; a loaded one needs longer.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
# zhnews' own loggers (`logging.getLogger(__name__)`) log through Prefect: console and run logs.
os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "flows")
# Outside a flow run (cleaning called by another command) their lines stay on the console only.
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")

app = typer.Typer(
    help="Chinese local-government news to analysis-ready Parquet tables.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(train_app, name="train")
app.add_typer(slogans_app, name="slogans")


@app.callback()
def main(
    model: Annotated[
        Path | None,
        typer.Option(
            "--model",
            envvar=MODEL_ENV,
            help="spaCy pipeline directory (default: the checkout's models/zh_news).",
        ),
    ] = None,
    debug: Annotated[bool, typer.Option(help="Show the traceback of an unexpected error.")] = False,
    log_level: Annotated[
        LogLevel | None,
        typer.Option(help="Level of the Prefect and zhnews log lines (default: Prefect's, INFO)."),
    ] = None,
) -> None:
    """Chinese local-government news to analysis-ready Parquet tables."""
    set_debug(debug)
    if log_level is not None:
        # Read by Prefect when it is imported, which the commands do after this.
        os.environ["PREFECT_LOGGING_LEVEL"] = log_level.value
    if model is None:
        return
    try:
        from_env = os.environ.get(MODEL_ENV) == str(model)
        # Worker processes inherit the variable, and so load the same pipeline.
        os.environ[MODEL_ENV] = str(model_path(None if from_env else model))
    except ModelMissingError as error:
        fail(ExitCode.USAGE, error)


def _require_model() -> None:
    """Exit 2 with one line when no pipeline is found (before any work starts)."""
    try:
        model_path()
    except ModelMissingError as error:
        fail(ExitCode.USAGE, error)


@app.command()
def run(
    inputs: Inputs = None,
    output: Output = DEFAULT_OUTPUT,
    batch_size: BatchSize = None,
    max_chars: MaxChars = DEFAULT_MAX_CHARS,
    reprocess: Annotated[
        bool, typer.Option(help="Replace the rows of documents already processed.")
    ] = False,
    runner: RunRunnerOption = None,
    workers: RunWorkers = None,
    dask_address: DaskAddress = None,
    progress: Annotated[
        bool | None,
        typer.Option("--progress/--no-progress", help="Progress bar (default: on a terminal)."),
    ] = None,
    follow_symlinks: FollowSymlinks = False,
    accept_non_chinese: AcceptNonChinese = False,
) -> None:
    """Run the pipeline on INPUTS and write the tables under OUTPUT."""
    # Usage, output and lock problems are found here, in a second, before Prefect starts.
    paths = inputs or [DEFAULT_INPUT]
    missing = [p for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        fail(ExitCode.USAGE, f"no such input: {', '.join(map(str, missing))}")
    problem = output_problem(output)
    if problem is not None:
        fail(ExitCode.USAGE, problem)
    _require_model()

    from flows.inputs.ingest import InputOptions
    from flows.inputs.walk import FoundInputs, walked_before
    from flows.store.ledger import Fingerprint, InputLedger
    from flows.store.tables import OutputLockedError, output_lock

    # The one walk of the inputs: the flow reads the files it found.
    found = FoundInputs.walk(paths, follow_symlinks=follow_symlinks, skip=[output])
    if not found.files and not found.rejects:
        typer.echo(f"nothing to do: no input files in {', '.join(map(str, paths))}")
        return
    settings = InputOptions(max_chars, follow_symlinks, accept_non_chinese).key()
    ledger = InputLedger.load(output)
    unchanged = all(ledger.seen(Fingerprint.of(f), settings) is not None for f in found.files)
    if unchanged and not found.rejects and not reprocess:
        typer.echo(
            f"nothing new: the {len(found.files)} input file(s) were all read by earlier runs"
        )
        return
    try:
        with output_lock(output):
            pass  # the flow takes it again; a run holding it now fails at once
    except OutputLockedError as error:
        fail(ExitCode.LOCKED, error)
    except OSError as error:
        fail(ExitCode.USAGE, f"--output {output}: {error.strerror or error}")

    if dask_address:
        runner = Runner.DASK
    if runner is None and workers is None:
        runner, workers = default_runner(found.files)
    runner = runner or (Runner.PROCESSES if workers else Runner.IN_PROCESS)
    # The server boots on another core while this process imports and loads the model.
    with contextlib.ExitStack() as api:
        with collector_paused():
            wait_for_api = api.enter_context(prefect_api_starting())
            from flows.nlp.model import load_pipeline
            from flows.pipeline import zhnews_flow

            if runner is Runner.IN_PROCESS:
                load_pipeline()
        wait_for_api()
        hide_logged_tracebacks()  # after the settings of the API reconfigured logging
        try:
            with walked_before(found):
                summary = zhnews_flow(
                    paths,
                    output,
                    batch_size=batch_size,
                    max_chars=max_chars,
                    reprocess=reprocess,
                    runner=runner,
                    workers=workers,
                    dask_address=dask_address,
                    progress=sys.stderr.isatty() if progress is None else progress,
                    follow_symlinks=follow_symlinks,
                    accept_non_chinese=accept_non_chinese,
                )
        except OutputLockedError as error:
            fail(ExitCode.LOCKED, error)
        except OSError as error:
            if not is_storage_error(error, output):
                raise
            fail(ExitCode.STORAGE, storage_message(error, output))
    if not summary.rejects and not any(summary.rows.values()):
        typer.echo(
            f"nothing new: the {summary.input_documents} document(s) in "
            f"{', '.join(map(str, paths))} were already processed"
        )
        return
    typer.echo(summary.markdown())
    if summary.rejects:
        # Not 1: a script must tell "done, some inputs rejected" from a crash.
        typer.echo(f"{summary.rejects} input(s) rejected: see {output / 'rejects'}", err=True)
        raise typer.Exit(ExitCode.REJECTS)


@app.command()
def serve(
    inputs: Inputs = None,
    output: Output = DEFAULT_OUTPUT,
    cron: Annotated[str | None, typer.Option(help='Cron schedule, e.g. "0 * * * *".')] = None,
    interval: Annotated[float | None, typer.Option(help="Seconds between runs.")] = None,
    name: Annotated[str, typer.Option(help="Deployment name.")] = "scheduled",
    batch_size: BatchSize = None,
    runner: RunnerOption = Runner.IN_PROCESS,
    workers: Workers = None,
    dask_address: DaskAddress = None,
    max_chars: MaxChars = DEFAULT_MAX_CHARS,
    follow_symlinks: FollowSymlinks = False,
    accept_non_chinese: AcceptNonChinese = False,
) -> None:
    """Serve the flow as a Prefect deployment that processes new INPUTS on a schedule.

    Needs a Prefect server (`prefect server start`) and PREFECT_API_URL pointing at it.
    """
    from flows.inputs.ingest import InputOptions
    from flows.ops.serve import ServeError, serve_flow

    if (cron is None) == (interval is None):
        typer.echo("error: give exactly one of --cron and --interval", err=True)
        raise typer.Exit(2)
    try:
        serve_flow(
            inputs or [DEFAULT_INPUT],
            output,
            cron=cron,
            interval=interval,
            name=name,
            batch_size=batch_size,
            runner=Runner.DASK if dask_address else runner,
            workers=workers,
            dask_address=dask_address,
            input_options=InputOptions(max_chars, follow_symlinks, accept_non_chinese),
        )
    except ServeError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None


@app.command()
def check(output: ExistingOutput = DEFAULT_OUTPUT) -> None:
    """Validate every table: commit record, schema, doc_id references, span texts, unique keys,
    division codes (exit 6 on violations)."""
    from flows.store.check import check_output

    require_output(output)
    violations = check_output(output)
    for violation in violations:
        typer.echo(str(violation))
    typer.echo(f"{len(violations)} violation(s) in {output}")
    if violations:
        raise typer.Exit(ExitCode.VIOLATIONS)


@app.command()
def compact(output: ExistingOutput = DEFAULT_OUTPUT) -> None:
    """Rewrite each table partition's parts as a few large files, atomically, under the lock
    (exit 3 while a run holds it); migrates an output an older zhnews wrote."""
    from flows.store.compact import compact_output
    from flows.store.tables import OutputLockedError

    require_output(output)
    try:
        report = compact_output(output)
    except OutputLockedError as error:
        fail(ExitCode.LOCKED, error)
    for line in report.lines():
        typer.echo(line)


@app.command()
def catalog(output: ExistingOutput = DEFAULT_OUTPUT) -> None:
    """Write OUTPUT/zhnews.duckdb: commented views over the tables, for DuckDB and BI tools."""
    from flows.bi.catalog import write_catalog

    require_output(output)
    _require_writable(output)
    typer.echo(f"catalogue: {write_catalog(output)}")


@app.command()
def report(
    output: ExistingOutput = DEFAULT_OUTPUT,
    out: Annotated[Path, typer.Option("--out", help="HTML file to write.")] = Path("report.html"),
) -> None:
    """Write one self-contained HTML page of charts over OUTPUT (opens offline)."""
    from flows.bi.report import write_report

    require_output(output)
    if out.is_dir():
        fail(ExitCode.USAGE, f"--out {out} is a directory: name the HTML file to write")
    _require_writable(out.parent)
    charts = write_report(output, out)
    typer.echo(f"report: {out} ({len(charts)} charts)")


def _require_writable(directory: Path) -> None:
    if not (directory.is_dir() and os.access(directory, os.W_OK)):
        fail(ExitCode.USAGE, f"{directory} is not a writable directory")


# Measuring commands, listed after the pipeline's own.
app.command()(measure_cli.evaluate)
app.command("evaluate-linking")(measure_cli.evaluate_linking)
app.command("evaluate-entities")(measure_cli.evaluate_entities)
app.command("evaluate-dates-numbers")(measure_cli.evaluate_dates_numbers)
app.command()(measure_cli.bench)


def entry() -> None:
    """The `zhnews` console script: every error one line with its exit code (README)."""
    run_app(app)


if __name__ == "__main__":
    entry()
