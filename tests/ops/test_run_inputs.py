"""Runs over hostile and rejected inputs: what is read again, what never is."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterable
from pathlib import Path

import pytest
from spacy.tokens import Doc

from flows import pipeline
from flows.pipeline import zhnews_flow
from flows.store import tables
from flows.store.check import check_output
from flows.store.tables import Table
from tests.conftest import SEEDS


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_rejected_input_is_read_again_once_its_cause_is_fixed(tmp_path: Path) -> None:
    inbox, out = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    seed = shutil.copy(next(SEEDS.glob("002_*.txt")), inbox)
    (inbox / "passwd.txt").symlink_to(tmp_path / "secret.txt")
    (tmp_path / "secret.txt").write_text("秘密文件内容，不应读取。" * 10, encoding="utf-8")
    first = zhnews_flow([inbox], out, max_chars=100)
    assert first.reject_reasons == {"too_large": 1, "symlink_outside": 1}
    again = zhnews_flow([inbox], out, max_chars=100)
    assert (again.skipped_files, again.rejects) == (2, 0)
    fixed = zhnews_flow([inbox], out)
    assert fixed.rows[Table.DOCUMENTS.value] == 1
    assert fixed.reject_reasons == {"symlink_outside": 1}
    documents = tables.read_table(out, Table.DOCUMENTS, ["source"]).column("source").to_pylist()
    assert documents == [str(seed)]
    # The retry's outcome replaces the first run's rejects: the seed's `too_large` is gone, the
    # link that is still outside keeps one reject.
    rejects = tables.read_table(out, Table.REJECTS, ["source", "reason"]).to_pylist()
    assert rejects == [{"source": str(inbox / "passwd.txt"), "reason": "symlink_outside"}]
    statuses = {r["run_id"]: r["status"] for r in tables.read_table(out, Table.RUNS).to_pylist()}
    assert statuses == {
        first.run_id: "completed_with_rejects",
        again.run_id: "completed",  # nothing read again: no rejects of its own
        fixed.run_id: "completed_with_rejects",
    }
    assert check_output(out) == []


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_a_document_over_the_nlp_time_limit_is_rejected_and_its_batch_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    annotate = pipeline.nlp.annotate
    stalled = next(SEEDS.glob("002_*.txt"))

    def stall_on_one_seed(nlp: object, docs: Iterable[Doc], *args: object) -> list[Doc]:
        docs = list(docs)
        if any("傅明先" in doc.text for doc in docs):  # a name only seed 002 holds
            deadline = time.perf_counter() + 120
            while time.perf_counter() < deadline:
                pass
        return annotate(nlp, docs, *args)

    monkeypatch.setattr(pipeline.nlp, "annotate", stall_on_one_seed)
    monkeypatch.setattr(pipeline, "NLP_SECONDS_PER_DOCUMENT", 3.0)
    out = tmp_path / "out"
    started = time.perf_counter()
    summary = zhnews_flow([SEEDS], out)
    assert time.perf_counter() - started < 200  # unlimited, the stalled seed takes 240 s
    assert summary.reject_reasons == {"nlp_timeout": 1}
    documents = tables.read_table(out, Table.DOCUMENTS, ["source"]).column("source").to_pylist()
    seeds = sorted(str(path) for path in SEEDS.glob("*.txt"))
    assert sorted(documents) == [s for s in seeds if s != str(stalled)]
    rejects = tables.read_table(out, Table.REJECTS).to_pylist()
    assert [(r["source"], r["reason"]) for r in rejects] == [(str(stalled), "nlp_timeout")]
    assert tables.read_table(out, Table.ENTITIES).num_rows > 0
    assert check_output(out) == []


class _StageFailed(RuntimeError):
    pass


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_a_run_that_fails_mid_way_leaves_a_failed_runs_row_with_its_committed_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    annotate, calls = pipeline.nlp.annotate, []

    def fail_on_the_third_batch(nlp: object, docs: Iterable[Doc], *args: object) -> list[Doc]:
        calls.append(1)
        if len(calls) == 5:  # the nlp then the slogan components of each batch
            raise _StageFailed("model lost\nits mind")
        return annotate(nlp, docs, *args)

    monkeypatch.setattr(pipeline.nlp, "annotate", fail_on_the_third_batch)
    out = tmp_path / "out"
    with pytest.raises(_StageFailed):  # one thread: the calls come in batch order
        zhnews_flow([SEEDS], out, batch_size=1, workers=1)
    [failed] = tables.read_table(out, Table.RUNS).to_pylist()
    assert failed["status"] == "failed"
    assert failed["error"] == "_StageFailed: model lost its mind"
    committed = tables.read_table(out, Table.DOCUMENTS, ["run_id"])["run_id"].to_pylist()
    assert committed == [failed["run_id"]] * 2
    assert failed["documents"] == 2
    entities = tables.read_table(out, Table.ENTITIES, ["run_id"]).num_rows
    assert failed["entities"] == entities > 0
    assert check_output(out) == []

    monkeypatch.undo()
    finished = zhnews_flow([SEEDS], out, batch_size=1)
    runs = {r["run_id"]: r for r in tables.read_table(out, Table.RUNS).to_pylist()}
    assert runs.keys() == {failed["run_id"], finished.run_id}
    assert (runs[finished.run_id]["status"], runs[finished.run_id]["error"]) == ("completed", None)
    documents = tables.read_table(out, Table.DOCUMENTS, ["source"]).num_rows
    assert documents == len(list(SEEDS.glob("*.txt")))
    assert check_output(out) == []
