"""`zhnews serve`: argument checks, and the whole path against a real Prefect server."""

from __future__ import annotations

import inspect
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from flows.inputs.ingest import InputOptions
from flows.ops.cli import app
from flows.ops.runners import Runner
from flows.ops.serve import ServeError, deployment_parameters
from flows.pipeline import zhnews_flow
from flows.store import tables
from flows.store.tables import Table
from tests.conftest import REPO_ROOT, SEEDS

BIN = Path(sys.executable).parent
SERVER_START_S = 120
RUNS_S = 180


@pytest.mark.parametrize("schedule", [[], ["--cron", "0 * * * *", "--interval", "60"]])
def test_serve_needs_exactly_one_schedule(schedule: list[str]) -> None:
    result = CliRunner().invoke(app, ["serve", str(SEEDS), *schedule])
    assert result.exit_code == 2
    assert "exactly one of --cron and --interval" in result.output


def test_deployment_parameters_are_absolute_and_inputs_must_exist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO_ROOT)
    parameters = deployment_parameters(
        [Path("seeds")],
        Path("out"),
        batch_size=8,
        runner=Runner.PROCESSES,
        workers=2,
        dask_address=None,
    )
    assert parameters["inputs"] == [str(SEEDS)]
    assert parameters["output"] == str(REPO_ROOT / "out")
    assert parameters["runner"] == "processes"
    with pytest.raises(ServeError, match="no such input"):
        deployment_parameters(
            [tmp_path / "absent"],
            tmp_path,
            batch_size=8,
            runner=Runner.IN_PROCESS,
            workers=1,
            dask_address=None,
        )


def test_deployment_parameters_carry_the_input_settings_as_flow_parameters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(REPO_ROOT)
    options = InputOptions(max_chars=500, follow_symlinks=True, accept_non_chinese=True)
    parameters = deployment_parameters(
        [Path("seeds")],
        Path("out"),
        batch_size=None,
        runner=Runner.IN_PROCESS,
        workers=1,
        dask_address=None,
        input_options=options,
    )
    assert (
        parameters["max_chars"],
        parameters["follow_symlinks"],
        parameters["accept_non_chinese"],
    ) == (500, True, True)
    # Every parameter is one the flow takes: a scheduled run gets the settings of the command.
    assert set(parameters) <= set(inspect.signature(zhnews_flow.fn).parameters)


def test_serve_takes_the_input_settings_of_run() -> None:
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]

    def options(command: str) -> set[str]:
        return {option for param in commands[command].params for option in param.opts}

    settings = {"--max-chars", "--follow-symlinks", "--accept-non-chinese"}
    assert settings <= options("run")
    assert settings <= options("serve")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until(condition: Callable[[], bool], seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(1)
    pytest.fail(f"{what} not within {seconds} s; log tail:\n{log.read_text()[-3000:]}")


def _healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Interrupt the process group (serve pauses its schedule on SIGINT), then kill if needed."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture
def prefect_server(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A real Prefect server (SQLite in tmp_path) on a free port; yields the client env."""
    port = _free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",
        # Schedule and pick up runs within seconds, not the production minute.
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2",
        "PREFECT_RUNNER_POLL_FREQUENCY": "2",
        "OMP_NUM_THREADS": "1",
    }
    log = tmp_path / "server.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until(lambda: _healthy(env["PREFECT_API_URL"]), SERVER_START_S, "server up", log)
        yield env
    finally:
        _stop(server)


@pytest.mark.slow
def test_scheduled_runs_add_rows_then_skip_seen_inputs(
    prefect_server: dict[str, str], tmp_path: Path
) -> None:
    output = tmp_path / "output"
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        served = subprocess.Popen(
            [
                str(BIN / "zhnews"),
                "serve",
                str(SEEDS),
                "--output",
                str(output),
                "--interval",
                "3",
                "--name",
                "test",
            ],
            cwd=tmp_path,
            env=prefect_server,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until(
            lambda: tables.read_table(output, Table.RUNS).num_rows >= 2,
            RUNS_S,
            "two scheduled runs",
            log,
        )
    finally:
        _stop(served)
    runs = tables.read_table(output, Table.RUNS).sort_by("started_at").to_pylist()
    first, second = runs[0], runs[1]
    assert first["documents"] == 5 and first["dates"] > 0 and first["slogans"] > 0
    assert second["documents"] == 0 and second["skipped_documents"] == 5
    assert tables.read_table(output, Table.DOCUMENTS).num_rows == 5
    assert "Deployment 'zhnews/test'" in log.read_text() or "zhnews/test" in log.read_text()
