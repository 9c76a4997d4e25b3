"""Runners and incremental runs: Dask gives the in-process tables; seen inputs are skipped;
the default runner by input size; the Prefect API started in the background."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from flows import REPO_ROOT
from flows.ops import runners
from flows.ops.runners import Runner
from flows.store import tables
from flows.store.ledger import Fingerprint, InputLedger
from flows.store.tables import Table
from tests.conftest import SEEDS, SHARED


def test_ledger_round_trips_and_replaces_a_changed_file(tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_text("一", encoding="utf-8")
    first = Fingerprint.of(source)
    assert first is not None and Fingerprint.of(tmp_path / "absent.txt") is None
    ledger = InputLedger.load(tmp_path)
    ledger.record([(first, 1)])
    ledger.save()
    assert InputLedger.load(tmp_path).seen(first) == 1
    source.write_text("一二", encoding="utf-8")
    changed = Fingerprint.of(source)
    assert changed != first and InputLedger.load(tmp_path).seen(changed) is None
    ledger.record([(changed, 2)])
    ledger.save()
    reloaded = InputLedger.load(tmp_path)
    assert reloaded.documents == {changed: 2}


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_dask_cluster_of_two_workers_writes_the_in_process_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from distributed import Client, LocalCluster
    from prefect.settings import PREFECT_API_URL

    from flows.nlp import model as nlp
    from flows.pipeline import zhnews_flow

    in_process = zhnews_flow([SEEDS], tmp_path / "in-process", batch_size=1)
    # Workers of an existing cluster must be told the API, as in production.
    monkeypatch.setenv("PREFECT_API_URL", PREFECT_API_URL.value())
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        on_dask = zhnews_flow(
            [SEEDS],
            tmp_path / "dask",
            batch_size=1,
            runner=Runner.DASK,
            dask_address=cluster.scheduler_address,
        )
        loads = client.run(lambda: nlp.load_pipeline.cache_info().misses)
    assert on_dask.rows == in_process.rows and in_process.rows["documents"] == 5
    assert tables.table_contents(tmp_path / "dask") == tables.table_contents(
        tmp_path / "in-process"
    )
    # Five nlp batches over two workers, and the model loaded at most once in each.
    assert len(loads) == 2 and set(loads.values()) <= {0, 1} and sum(loads.values()) >= 1


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_two_in_process_threads_write_the_tables_of_one(tmp_path: Path) -> None:
    from flows.pipeline import zhnews_flow

    one = zhnews_flow([SEEDS], tmp_path / "one", batch_size=1, workers=1)
    two = zhnews_flow([SEEDS], tmp_path / "two", batch_size=1, workers=2)
    assert one.rows == two.rows and one.rows["documents"] == 5
    assert tables.table_contents(tmp_path / "one") == tables.table_contents(tmp_path / "two")


@pytest.mark.usefixtures("prefect_harness")
def test_a_dask_cluster_without_workers_fails_the_run_after_the_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from distributed import LocalCluster
    from prefect.settings import PREFECT_API_URL

    from flows.pipeline import zhnews_flow

    monkeypatch.setenv("PREFECT_API_URL", PREFECT_API_URL.value())
    monkeypatch.setattr(runners, "DASK_NO_WORKERS_TIMEOUT_S", 3.0)
    out = tmp_path / "out"
    with LocalCluster(n_workers=0, dashboard_address=None) as cluster:
        started = time.monotonic()
        with pytest.raises(runners.DaskWithoutWorkersError, match="no worker for 3 s"):
            zhnews_flow([SEEDS], out, runner=Runner.DASK, dask_address=cluster.scheduler_address)
    assert 3.0 <= time.monotonic() - started < 30.0
    [failed] = tables.read_table(out, Table.RUNS).to_pylist()
    assert failed["status"] == "failed" and "no worker" in failed["error"]
    assert tables.read_table(out, Table.DOCUMENTS).num_rows == 0


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_reruns_read_only_new_or_changed_files(tmp_path: Path) -> None:
    from flows.pipeline import zhnews_flow

    inputs, output = tmp_path / "inputs", tmp_path / "output"
    shutil.copytree(SEEDS, inputs)
    first = zhnews_flow([inputs], output)
    assert first.rows["documents"] == 5 and first.skipped_files == 0

    unchanged = zhnews_flow([inputs], output)
    assert unchanged.skipped_files == 5 and unchanged.skipped_documents == 5
    assert sum(unchanged.rows.values()) == 0

    touched = sorted(inputs.iterdir())[0]
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
    shutil.copy(touched, inputs / "zz_copy.txt")
    rerun = zhnews_flow([inputs], output)
    # The touched file is read again but its document is known; the copy adds a row only.
    assert rerun.skipped_files == 4 and rerun.skipped_documents == 5
    assert rerun.rows["documents"] == 1 and rerun.rows["entities"] == rerun.rows["dates"] == 0
    assert tables.read_table(output, Table.RUNS).num_rows == 3
    assert tables.read_table(output, Table.DOCUMENTS).num_rows == 6


COVID_NEWS = SHARED / "corpora" / "covid_news" / "xwlb_covid_2020_2021.jsonl"


@pytest.mark.parametrize("cores", [1, 2, 3, 16])
def test_default_runner_keeps_small_inputs_in_process_and_gives_large_ones_workers(
    cores: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runners, "usable_cores", lambda: cores)
    seeds = sorted(SEEDS.glob("*.txt"))
    threads = min(cores, 2)  # in-process: annotate threads on the one loaded pipeline
    assert runners.default_runner(seeds) == (Runner.IN_PROCESS, threads)
    runner, workers = runners.default_runner([COVID_NEWS])
    by_size = COVID_NEWS.stat().st_size // runners.BYTES_PER_WORKER
    if cores > 2:  # one core stays with the flow's process and Prefect's server
        assert (runner, workers) == (Runner.PROCESSES, min(cores - 1, by_size))
    else:
        assert (runner, workers) == (Runner.IN_PROCESS, threads)
    assert runners.default_runner([SEEDS / "absent.txt"]) == (Runner.IN_PROCESS, threads)


@pytest.mark.slow
def test_prefect_api_starting_serves_the_api_while_open_and_stops_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    # As in a fresh `zhnews run`: no API configured (other tests may have started one).
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        with runners.prefect_api_starting() as wait_until_ready:
            url = os.environ["PREFECT_API_URL"]
            assert PREFECT_API_URL.value() == url
            wait_until_ready()
            with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
                assert response.status == 200
        assert "PREFECT_API_URL" not in os.environ and not PREFECT_API_URL.value()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{url}/health", timeout=5)


# A fresh `zhnews run` process: when its server is launched, and with what environment.
_LAUNCHES_SCRIPT = """
import json, sys
import flows.ops.cli  # its environment defaults, as the `zhnews` command sets them
from flows import REPO_ROOT
from flows.ops import runners

launches = []


class Recorded(runners._Server):
    def __init__(self, environment):
        launches.append("prefect" in sys.modules)
        super().__init__(environment)


runners._Server = Recorded
with runners.prefect_api_starting():
    pass
print(json.dumps(launches))
"""


@pytest.mark.slow
def test_prefect_api_starting_launches_the_server_before_importing_prefect(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCHES_SCRIPT],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        cwd=REPO_ROOT,
    )
    # One server, launched while Prefect (1-2 s of imports) was not yet imported, and kept.
    assert json.loads(done.stdout.splitlines()[-1]) == [False]


@pytest.mark.slow
def test_prefect_api_starting_gives_settings_changed_in_process_to_the_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS as TIMEOUT

    # As in a fresh `zhnews run`: no API configured (other tests may have started one).
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.delenv(TIMEOUT.name, raising=False)
    environments: list[dict[str, str]] = []

    class Recorded(runners._Server):
        def __init__(self, environment: Mapping[str, str]) -> None:
            environments.append(dict(environment))
            super().__init__(environment)

    monkeypatch.setattr(runners, "_Server", Recorded)
    changed = temporary_settings({TIMEOUT: 77}, restore_defaults={PREFECT_API_URL})
    with changed, runners.prefect_api_starting():
        pass
    # The server launched first cannot know this process's own settings: it is replaced.
    assert len(environments) == 2 and TIMEOUT.name not in environments[0]
    assert float(environments[1][TIMEOUT.name]) == 77


def test_the_temporary_server_batches_task_run_records_unless_the_user_chose(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    launched: list[tuple[list[str], dict[str, str]]] = []

    class Launched:
        def __init__(self, command: list[str], env: dict[str, str], **_: object) -> None:
            launched.append((command, env))

    monkeypatch.setattr(runners.subprocess, "Popen", Launched)
    batch_size = "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE"
    runners._Server({}).log.close()
    runners._Server({batch_size: "7", "PREFECT_UI_ENABLED": "1"}).log.close()
    (command, default), (_, chosen) = launched
    assert command[:4] == [sys.executable, "-P", "-m", "flows.ops.prefect_server"]
    assert default[batch_size] == "100"
    assert default["PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_FLUSH_INTERVAL"] == "1"
    # The user's batch size stands; what makes the server a one-run server does not yield.
    assert chosen[batch_size] == "7" and chosen["PREFECT_UI_ENABLED"] == "0"


@pytest.mark.slow
def test_a_run_records_its_flow_and_every_stage_task_in_prefects_database(
    tmp_path: Path,
) -> None:
    # A fresh `zhnews run` with its own temporary server, on a Prefect database of its own.
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "PREFECT_HOME": str(tmp_path)}
    environment.pop("PREFECT_API_URL", None)
    command = ["run", str(SEEDS), "--output", str(tmp_path / "out"), "--batch-size", "2"]
    done = subprocess.run(
        [sys.executable, "-m", "flows.ops.cli", *command, "--no-progress"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    # Objects frozen out of collections (flows.ops.collector) are finalised at exit all the
    # same: DuckDB's bindings report the ones left alive ("nanobind: leaked ...").
    assert "leaked" not in done.stderr
    with sqlite3.connect(tmp_path / "prefect.db") as database:
        flow_runs = database.execute("SELECT state_type FROM flow_run").fetchall()
        task_runs = dict(database.execute("SELECT name, state_type FROM task_run").fetchall())
        states = database.execute(
            "SELECT task_run.name, task_run_state.type FROM task_run_state"
            " JOIN task_run ON task_run.id = task_run_state.task_run_id"
        ).fetchall()
    assert flow_runs == [("COMPLETED",)]
    batches = -(-len(list(SEEDS.glob("*.txt"))) // 2)
    stages = ("ingest", "clean", "annotate", "nlp", "slogans", "write")
    expected = {f"{stage} batch {n}" for stage in stages for n in range(batches)}
    expected.add(f"ingest batch {batches}")  # the read that finds the input's end
    assert task_runs == dict.fromkeys(expected, "COMPLETED")
    # Every state each task run went through, not only its last.
    assert sorted(states) == sorted(
        (name, state) for name in expected for state in ("PENDING", "RUNNING", "COMPLETED")
    )


def test_prefect_api_starting_leaves_a_configured_api_alone() -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    configured = "http://127.0.0.1:9/api"
    with temporary_settings({PREFECT_API_URL: configured}), runners.prefect_api_starting() as wait:
        wait()  # returns at once: nothing was started
        assert PREFECT_API_URL.value() == configured and "PREFECT_API_URL" not in os.environ


def test_ledger_reads_a_file_again_when_settings_change_after_it_gave_rejects(
    tmp_path: Path,
) -> None:
    read = [tmp_path / "read.txt", tmp_path / "rejected.txt"]
    for path in read:
        path.write_text("一", encoding="utf-8")
    fingerprints = [Fingerprint.of(path) for path in read]
    assert None not in fingerprints
    ledger = InputLedger.load(tmp_path)
    ledger.record([(f, 1) for f in fingerprints], rejected={str(read[1])}, settings="max=1")
    ledger.save()
    reloaded = InputLedger.load(tmp_path)
    assert [reloaded.seen(f, "max=1") for f in fingerprints] == [1, 1]
    assert [reloaded.seen(f, "max=2") for f in fingerprints] == [1, None]
    reloaded.record([(fingerprints[1], 1)], settings="max=2")  # read again, no reject now
    assert reloaded.seen(fingerprints[1], "max=3") == 1


def test_worker_batches_give_every_worker_several_and_stay_above_the_minimum(
    tmp_path: Path,
) -> None:
    size = COVID_NEWS.stat().st_size
    for workers in (2, 3):
        batch = runners.worker_batch_bytes([COVID_NEWS], workers)
        assert size // batch >= runners.BATCHES_PER_WORKER * workers
    small = tmp_path / "small.jsonl"
    small.write_bytes(b"x" * 1000)
    assert runners.worker_batch_bytes([small], 2) == runners.MIN_WORKER_BATCH_BYTES


def test_ingest_cuts_a_batch_where_its_text_reaches_the_size_given() -> None:
    from flows.pipeline import ingest_batch
    from flows.store.records import InputFormat, RawDocument, Reject, RejectReason

    def stream() -> Iterator[RawDocument | Reject]:
        yield Reject("a.jsonl", "0", RejectReason.EMPTY, "empty")
        for n in range(1, 10):
            yield RawDocument("a.jsonl", str(n), "新闻" * 50, InputFormat.TEXT)  # 300 bytes

    items = stream()
    assert len(ingest_batch.fn(items, 0, 256, 600).value) == 3  # the reject, then 2 x 300 bytes
    assert len(ingest_batch.fn(items, 1, 256, None).value) == 7  # the rest: by count only
    assert len(ingest_batch.fn(stream(), 0, 4, 10_000).value) == 4  # the count still bounds it
