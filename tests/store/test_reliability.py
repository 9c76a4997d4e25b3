"""Reliability (issue 7): bad input, SIGKILL at any point and concurrent runs lose nothing.

Every scenario ends with `check_output`. Kill and concurrency tests run `zhnews run` in
subprocesses that share the session's Prefect test server (PREFECT_API_URL), and compare the
tables with an uninterrupted run's: every column but `run_id` (CONTRACT.md); `runs` is exempt.
"""

from __future__ import annotations

import ast
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.language import Language

from flows.inputs.clean import clean_document
from flows.nlp import model as nlp
from flows.store import tables
from flows.store.check import check_output
from flows.store.records import CleanDocument, InputFormat, RawDocument, RejectReason
from flows.store.tables import Table
from tests.conftest import REPO_ROOT, SEEDS
from tests.torture import ARTICLE, Case, write_torture_corpus

BATCH_SIZE = 2  # small batches: many commit points in a small corpus

# --- helpers -------------------------------------------------------------------------------


def _read_everything(output: Path) -> int:
    """Read every table as users do (our reader and DuckDB's glob); the number of rows."""
    rows = 0
    for table in Table:
        rows += tables.read_table(output, table).num_rows
        if tables.part_files(output, table):
            glob = tables.dataset_glob(output, table)
            duckdb.sql(f"select * from read_parquet('{glob}', hive_partitioning=true)").fetchall()
    return rows


class Reader(threading.Thread):
    """Reads every table in a loop while a run writes, recording any error it meets."""

    def __init__(self, output: Path) -> None:
        super().__init__(daemon=True)
        self.output = output
        self.stop = threading.Event()
        self.errors: list[Exception] = []
        self.reads = 0

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                _read_everything(self.output)
                self.reads += 1
            except Exception as error:  # any failure to read is the finding
                self.errors.append(error)
            time.sleep(0.05)

    def finish(self) -> None:
        self.stop.set()
        self.join(10)
        assert self.errors == []
        assert self.reads > 0


def _cli_env() -> dict[str, str]:
    """Environment for `zhnews` subprocesses: the session's Prefect server, one thread."""
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    assert url, "prefect_harness must be active"
    return {**os.environ, "PREFECT_API_URL": url, "OMP_NUM_THREADS": "1"}


# A `zhnews run` with a fault injected: argv is POINT N, then the CLI's arguments. Most points
# SIGKILL the process at the Nth time it gets there; "slow" delays the first NLP batch N/10 s.
_FAULTY_RUN = """
import io, os, signal, sys, time
from flows.inputs import ingest
from flows.nlp import model as nlp
from flows.store import commits, tables
from flows.ops.cli import app

point, n = sys.argv[1], int(sys.argv[2])
calls = {"count": 0}

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def nth():
    calls["count"] += 1
    return calls["count"] == n

def before(module, name):
    original = getattr(module, name)
    def wrapper(*args, **kwargs):
        if nth():
            die()
        return original(*args, **kwargs)
    setattr(module, name, wrapper)

if point == "read":
    before(ingest, "_read_file")
elif point == "infer":
    before(nlp, "annotate")
elif point == "slow":
    annotate = nlp.annotate
    def slow_annotate(*args, **kwargs):
        calls["count"] += 1
        time.sleep(n / 10 if calls["count"] == 1 else 0)
        return annotate(*args, **kwargs)
    nlp.annotate = slow_annotate
elif point == "runs_row":
    before(tables, "write_run")
elif point == "temp_file":
    original = tables.pq.write_table
    def torn(data, sink, **kwargs):
        if not nth():
            return original(data, sink, **kwargs)
        buffer = io.BytesIO()
        original(data, buffer, **kwargs)
        with open(sink, "wb") as handle:
            handle.write(buffer.getvalue()[: buffer.tell() // 2])
            handle.flush()
            os.fsync(handle.fileno())
        die()
    tables.pq.write_table = torn
elif point == "before_commit":  # the nth commit's staging is complete, its journal not written
    write_json = commits._write_json
    def journal(path, value):
        if path.name.startswith(tables.JOURNAL_PREFIX) and nth():
            die()
        return write_json(path, value)
    commits._write_json = journal
elif point == "after_commit":  # the nth journal is written, no table swapped yet
    before(commits, "_complete")
elif point == "swap":  # between the table swaps of a commit
    before(commits, "_swap")
sys.argv = ["zhnews", *sys.argv[3:]]
app()
"""


def _zhnews(args: list[str], fault: tuple[str, int] | None = None) -> subprocess.Popen[str]:
    """Start `zhnews ARGS`, or with a fault = (point, n) injected (see `_FAULTY_RUN`)."""
    if fault is None:
        command = [sys.executable, "-m", "flows.ops.cli", *args]
    else:
        command = [sys.executable, "-c", _FAULTY_RUN, fault[0], str(fault[1]), *args]
    return subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env=_cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run_args(inputs: list[Path], output: Path) -> list[str]:
    return ["run", *map(str, inputs), "--output", str(output), "--batch-size", str(BATCH_SIZE)]


# --- 1. torture corpus ---------------------------------------------------------------------


@dataclass(frozen=True)
class TortureRun:
    corpus: Path
    cases: list[Case]
    output: Path
    summary: object


@pytest.fixture(scope="module")
def torture_run(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> TortureRun:
    from flows.pipeline import zhnews_flow

    root = tmp_path_factory.mktemp("torture")
    corpus = root / "corpus"
    cases = write_torture_corpus(corpus)
    explicit = corpus / "notes.pdf"  # named on the command line, so read and rejected
    explicit.write_bytes(b"%PDF-1.4")
    cases.append(Case("notes.pdf", None, RejectReason.UNSUPPORTED))
    output = root / "output"
    summary = zhnews_flow([corpus, explicit], output, batch_size=4)
    return TortureRun(corpus, cases, output, summary)


def _name(source: str, corpus: Path) -> str:
    return Path(source).relative_to(corpus).as_posix()


@pytest.mark.slow
def test_torture_every_good_input_becomes_a_document(torture_run: TortureRun) -> None:
    rows = tables.read_table(torture_run.output, Table.DOCUMENTS).to_pylist()
    found = {(_name(r["source"], torture_run.corpus), r["record_id"]): r["text"] for r in rows}
    good = [case for case in torture_run.cases if case.reason is None]
    assert set(found) == {(case.name, case.record_id) for case in good}
    for case in good:
        text = found[case.name, case.record_id]
        assert case.contains is None or case.contains in text, case
        assert case.excludes is None or case.excludes not in text, case


@pytest.mark.slow
def test_torture_every_bad_input_is_rejected_with_its_reason(torture_run: TortureRun) -> None:
    rows = tables.read_table(torture_run.output, Table.REJECTS).to_pylist()
    found = Counter(
        (_name(r["source"], torture_run.corpus), r["record_id"], r["reason"]) for r in rows
    )
    expected = Counter(
        (case.name, case.record_id, case.reason.value)
        for case in torture_run.cases
        if case.reason is not None
    )
    assert found == expected
    assert all(r["detail"] for r in rows)
    too_large = {r["source"]: r["detail"] for r in rows if r["reason"] == "too_large"}
    assert "52,428,800 bytes" in too_large[str(torture_run.corpus / "huge_line.txt")]


@pytest.mark.slow
def test_torture_summary_counts_every_input(torture_run: TortureRun) -> None:
    summary = torture_run.summary
    bad = Counter(case.reason.value for case in torture_run.cases if case.reason is not None)
    assert summary.reject_reasons == bad
    assert summary.rows["documents"] == sum(case.reason is None for case in torture_run.cases)
    text = summary.markdown()
    assert f"{sum(bad.values())} rejected" in text
    assert all(f"{reason} {count}" in text for reason, count in bad.items())


@pytest.mark.slow
def test_torture_output_passes_check_and_stays_inside_output(torture_run: TortureRun) -> None:
    assert check_output(torture_run.output) == []
    root = torture_run.output.parent
    outside = {p for p in root.rglob("*") if not p.is_relative_to(torture_run.output)}
    assert outside == {torture_run.corpus, *torture_run.corpus.rglob("*")}
    for path in torture_run.output.rglob("*"):
        assert path.resolve().is_relative_to(torture_run.output.resolve())
        assert not path.is_symlink()


@pytest.mark.slow
def test_size_limit_is_configurable_and_rejected_as_too_large(
    tmp_path: Path, prefect_harness: None
) -> None:
    from flows.pipeline import zhnews_flow

    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps({"id": "x", "text": ARTICLE[-40:]}) + "\n")
    summary = zhnews_flow([tmp_path], tmp_path / "out", max_chars=len(ARTICLE) - 1)
    rejects = tables.read_table(tmp_path / "out", Table.REJECTS).to_pylist()
    assert [(Path(r["source"]).name, r["reason"]) for r in rejects] == [("a.txt", "too_large")]
    assert f"more than the limit of {len(ARTICLE) - 1:,}" in rejects[0]["detail"]
    assert summary.rows["documents"] == 1


# --- 5. offsets hold through the whole extraction ------------------------------------------

_NEWS_PIECES = st.sampled_from(
    [
        *"临沂市济南山东省人民政府张三李四：，。、“”《》（）()0123456789%亿万元个例\n ",
        *("3月27日", "2022年", "1月8日以来", "今年以来", "22.5万人次", "106个", "70.91亿元"),
        *("外防输入、内防反弹", "非必要不离盘", "国(guó)", "<p>", "来源：临沂日报", "１２"),
    ]
)


@pytest.fixture(scope="module")
def pipeline() -> Language:
    return nlp.load_pipeline()


@pytest.mark.slow
@settings(max_examples=60)
@given(text=st.one_of(st.text(max_size=200), st.lists(_NEWS_PIECES, max_size=60).map("".join)))
def test_every_extracted_span_quotes_the_cleaned_text(pipeline: Language, text: str) -> None:
    document = clean_document(RawDocument("fuzz.txt", None, text, InputFormat.TEXT))
    if not isinstance(document, CleanDocument):
        return
    [found] = nlp.annotate_documents(pipeline, [document])
    mentions = [*found.entities, *found.dates, *found.numbers, *found.slogans]
    for mention in mentions:
        assert 0 <= mention.start_char < mention.end_char <= len(document.text), mention
        assert document.text[mention.start_char : mention.end_char] == mention.text, mention


# --- 6. input is data only ------------------------------------------------------------------

_UNSAFE_MODULES = {"pickle", "dill", "marshal", "shelve", "joblib", "yaml"}
_UNSAFE_CALLS = {"eval", "exec", "compile", "__import__"}


def test_no_pipeline_module_evaluates_or_unpickles_anything() -> None:
    found = []
    for path in sorted((REPO_ROOT / "flows").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module.split(".")[0]]
            if _UNSAFE_MODULES.intersection(names):
                found.append(f"{path.name}:{node.lineno} imports {names}")
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in _UNSAFE_CALLS:
                found.append(f"{path.name}:{node.lineno} calls {node.func.id}")
    assert found == []


# --- 2. crash safety -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def kill_corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The seeds, a small JSONL feed and two bad files: seven batches of two inputs."""
    root = tmp_path_factory.mktemp("kill_corpus")
    feed = root / "feed.jsonl"
    seed = (SEEDS / "000_09d1d3fb153f71d8.txt").read_text(encoding="utf-8")
    paragraphs = [line for line in seed.splitlines() if len(line) > 40][:5]
    lines = [json.dumps({"id": f"p{i}", "text": p}) for i, p in enumerate(paragraphs)]
    feed.write_text("\n".join([*lines, "{broken", lines[0]]) + "\n", encoding="utf-8")
    (root / "empty.txt").write_bytes(b"")
    (root / "noise.txt").write_bytes(bytes(random.Random(1).randrange(256) for _ in range(999)))
    return [SEEDS, root]


@pytest.fixture(scope="module")
def baseline(
    kill_corpus: list[Path], tmp_path_factory: pytest.TempPathFactory, prefect_harness: None
) -> dict[str, Counter[tuple[str, ...]]]:
    """The tables of one uninterrupted run over the kill corpus."""
    from flows.pipeline import zhnews_flow

    output = tmp_path_factory.mktemp("baseline")
    zhnews_flow(kill_corpus, output, batch_size=BATCH_SIZE)
    contents = tables.table_contents(output)
    assert contents["documents"] and contents["rejects"] and contents["numbers"]
    return contents


def _rerun_and_compare(inputs: list[Path], output: Path, baseline: dict) -> None:
    """After any interruption: nothing corrupt, and a rerun gives the uninterrupted tables."""
    from flows.pipeline import zhnews_flow

    if tables.journals(output):
        # Killed after a commit point: reported until the next run (here: recovery) completes it.
        assert "unfinished commit" in {v.rule for v in check_output(output)}
        tables.recover(output)
    assert check_output(output) == []
    _read_everything(output)
    zhnews_flow(inputs, output, batch_size=BATCH_SIZE)
    assert check_output(output) == []
    assert tables.table_contents(output) == baseline
    assert not (output / tables.STATE_DIR / "staging").exists()
    assert tables.PendingReprocess.load(output) is None


# (point, n): die before the nth file is read, before the nth `nlp.annotate` (a batch's nlp
# and slogan tasks call it once each), mid-way through the nth Parquet file, just before or
# just after the nth commit's journal, before the nth table swap (the third table of the
# first batch), before `runs`.
KILL_POINTS = [
    ("read", 4),
    ("infer", 2),
    ("temp_file", 3),
    ("before_commit", 2),
    ("after_commit", 3),
    ("swap", 3),
    ("runs_row", 1),
]


@pytest.mark.slow
@pytest.mark.parametrize(("point", "n"), KILL_POINTS, ids=[f"{p}-{n}" for p, n in KILL_POINTS])
def test_sigkill_at_a_point_then_rerun_gives_the_same_tables(
    point: str, n: int, kill_corpus: list[Path], baseline: dict, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    process = _zhnews(_run_args(kill_corpus, output), fault=(point, n))
    _, stderr = process.communicate(timeout=180)
    assert process.returncode == -signal.SIGKILL, stderr[-3000:]
    if point == "temp_file":
        assert list((output / tables.STATE_DIR / "staging").glob("*/*/*/*.parquet"))
    assert bool(tables.journals(output)) == (point in ("after_commit", "swap"))
    _rerun_and_compare(kill_corpus, output, baseline)


# A --reprocess killed: in an NLP batch, between the table swaps of a later batch.
REPROCESS_KILL_POINTS = [("infer", 3), ("swap", 9)]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("point", "n"), REPROCESS_KILL_POINTS, ids=[f"{p}-{n}" for p, n in REPROCESS_KILL_POINTS]
)
def test_an_interrupted_reprocess_is_finished_by_the_next_plain_run(
    point: str, n: int, kill_corpus: list[Path], baseline: dict, tmp_path: Path
) -> None:
    from flows.pipeline import zhnews_flow

    output = tmp_path / "out"
    first_run = zhnews_flow(kill_corpus, output, batch_size=BATCH_SIZE).run_id
    process = _zhnews([*_run_args(kill_corpus, output), "--reprocess"], fault=(point, n))
    _, stderr = process.communicate(timeout=180)
    assert process.returncode == -signal.SIGKILL, stderr[-3000:]
    assert tables.PendingReprocess.load(output) is not None
    tables.recover(output)
    # Killed between batches: each input has its old rows or its new ones, never both.
    assert check_output(output) == []
    _rerun_and_compare(kill_corpus, output, baseline)
    for table in (Table.DOCUMENTS, Table.REJECTS):  # every input was processed again
        assert first_run not in tables.read_table(output, table, ["run_id"])["run_id"].to_pylist()


@pytest.mark.slow
def test_two_reprocess_runs_change_nothing_and_duplicate_nothing(
    kill_corpus: list[Path], baseline: dict, tmp_path: Path, prefect_harness: None
) -> None:
    from flows.pipeline import zhnews_flow

    output = tmp_path / "out"
    zhnews_flow(kill_corpus, output, batch_size=BATCH_SIZE)
    for _ in range(2):
        zhnews_flow(kill_corpus, output, batch_size=BATCH_SIZE, reprocess=True)
        assert check_output(output) == []
        assert tables.table_contents(output) == baseline
    assert all(
        pq.read_metadata(path).num_rows for t in Table for path in tables.part_files(output, t)
    )


KILL_DELAYS = [0.0, 0.6]  # seconds after the first batch commits


@pytest.mark.slow
@pytest.mark.parametrize("delay", KILL_DELAYS)
def test_sigkill_from_outside_while_readers_read(
    delay: float, kill_corpus: list[Path], baseline: dict, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    process = _zhnews(_run_args(kill_corpus, output))
    watcher = Reader(output)
    watcher.start()
    deadline = time.monotonic() + 120
    while not tables.part_files(output, Table.DOCUMENTS) and process.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    watcher.finish()
    _rerun_and_compare(kill_corpus, output, baseline)


# --- 3. concurrent runs --------------------------------------------------------------------


@pytest.mark.slow
def test_a_run_on_a_locked_output_is_refused_and_writes_nothing(
    kill_corpus: list[Path], tmp_path: Path, prefect_harness: None
) -> None:
    output = tmp_path / "out"
    with tables.output_lock(output):
        process = _zhnews(_run_args(kill_corpus, output))
        _, stderr = process.communicate(timeout=180)
    assert process.returncode == 3
    assert "being written by another zhnews run" in stderr
    assert [p.name for p in output.iterdir()] == [".zhnews.lock"]


@pytest.mark.slow
@pytest.mark.parametrize("split", [False, True], ids=["same-inputs", "split-inputs"])
def test_two_runs_at_once_never_duplicate_or_lose_rows(
    split: bool, kill_corpus: list[Path], baseline: dict, tmp_path: Path
) -> None:
    from flows.pipeline import zhnews_flow

    output = tmp_path / "out"
    inputs = [kill_corpus[:1], kill_corpus[1:]] if split else [kill_corpus, kill_corpus]
    watcher = Reader(output)
    watcher.start()
    # Each run holds the output at least 5 s once it has it. The second starts when the first
    # holds it (its first act under the lock is the divisions table): started together, the
    # first could finish before the second, still loading its model, ever asked for the lock.
    first = _zhnews(_run_args(inputs[0], output), fault=("slow", 50))
    deadline = time.monotonic() + 180
    while not (output / "divisions").exists() and first.poll() is None:
        assert time.monotonic() < deadline, "the first run never took the output"
        time.sleep(0.05)
    processes = [first, _zhnews(_run_args(inputs[1], output), fault=("slow", 50))]
    outcomes = [(process.communicate(timeout=240)[1], process.returncode) for process in processes]
    watcher.finish()
    # One run completes (exit 4 when it rejected inputs), the other is refused (exit 3).
    assert sorted(code for _, code in outcomes) in ([0, 3], [3, 4]), outcomes
    for paths, (stderr, code) in zip(inputs, outcomes, strict=True):
        if code == 3:
            assert "being written by another zhnews run" in stderr
            assert check_output(output) == []
            zhnews_flow(paths, output, batch_size=BATCH_SIZE)  # the refused run, run again
    assert check_output(output) == []
    assert tables.table_contents(output) == baseline
