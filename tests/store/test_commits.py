"""The commit protocol: what readers see at each step of a commit, and after a kill there.

A kill is simulated in-process: the step raises `Killed` and nothing is cleaned up (the
transaction's abort is disabled too), so the output is left as SIGKILL would leave it; then
`recover` runs as the next run or compaction would.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flows.store import commits, compact, tables
from flows.store.check import check_output
from flows.store.tables import Table
from tests.conftest import document_row
from tests.store.test_check import DIVISIONS

DAY = dt.date(2026, 11, 23)
TEXT = "临沂市召开会议\n\n临沂市新增病例3例。"
TEXT2 = "诸城市召开会议\n\n诸城市新增病例5例。"


class Killed(BaseException):
    """Stands for SIGKILL: not an Exception, so nothing on the way out handles it."""


def _document(doc_id: str, text: str, source: str = "feed.jsonl", record: str = "a1", **kw):
    return document_row(doc_id, text, source=source, record_id=record, **kw)


def _entity(doc_id: str, text: str, run_id: str = "r1") -> dict[str, object]:
    start = text.index("市") - 2
    return {
        "doc_id": doc_id,
        "label": "LOC",
        "text": text[start : start + 3],
        "start_char": start,
        "end_char": start + 3,
        "sentence": 0,
        "run_id": run_id,
    }


def _reject(record: str, run_id: str = "r1") -> dict[str, object]:
    return {
        "source": "feed.jsonl",
        "record_id": record,
        "reason": "malformed_json",
        "detail": "line 2",
        "run_id": run_id,
    }


def _parts(documents: list[dict], entities: list[dict], rejects: list[dict]) -> dict:
    return {
        Table.DOCUMENTS: tables.to_table(Table.DOCUMENTS, documents),
        Table.ENTITIES: tables.to_table(Table.ENTITIES, entities),
        Table.REJECTS: tables.to_table(Table.REJECTS, rejects),
    }


def _seen_by_readers(output: Path) -> dict[str, Counter]:
    """Every table as DuckDB reads the README's glob, rows without run_id."""
    seen = {}
    for table in (Table.DOCUMENTS, Table.ENTITIES, Table.REJECTS):
        if not tables.part_files(output, table):
            seen[table.value] = Counter()
            continue
        names = [n for n in tables.SCHEMAS[table].names if n != "run_id"]
        rows = duckdb.sql(
            f"select {', '.join(names)} from read_parquet('{tables.dataset_glob(output, table)}')"
        ).fetchall()
        seen[table.value] = Counter(rows)
    return seen


def _write_divisions(output: Path) -> None:
    """Every run's output has its divisions (replaced whole, outside the commits)."""
    tables.write_whole(output, Table.DIVISIONS, tables.to_table(Table.DIVISIONS, DIVISIONS))


def _first_output(output: Path) -> None:
    """feed.jsonl a1 (text 1, with an entity), a2 rejected; b.txt repeats text 1."""
    _write_divisions(output)
    tables.commit_batch(
        output,
        _parts(
            [
                _document("d1", TEXT),
                _document("d1", TEXT, "b.txt", None, is_first_occurrence=False),
            ],
            [_entity("d1", TEXT)],
            [_reject("a2")],
        ),
        label="r1-00000",
        day=DAY,
    )


def _reprocess_batch(output: Path) -> None:
    """A --reprocess of feed.jsonl: a1 now cleans to text 2, a2 is rejected again."""
    tables.commit_batch(
        output,
        _parts(
            [_document("d2", TEXT2, run_id="r2")],
            [_entity("d2", TEXT2, "r2")],
            [_reject("a2", "r2")],
        ),
        label="r2-00000",
        day=DAY + dt.timedelta(days=1),
        replacing=["r2"],
    )


def test_reprocess_replaces_by_input_and_keeps_what_another_occurrence_needs(
    tmp_path: Path,
) -> None:
    _first_output(tmp_path)
    _reprocess_batch(tmp_path)
    assert check_output(tmp_path) == []
    documents = tables.read_table(tmp_path, Table.DOCUMENTS).to_pylist()
    # b.txt still holds text 1: it becomes its first occurrence and keeps its entity.
    assert sorted((d["doc_id"], d["source"], d["is_first_occurrence"]) for d in documents) == [
        ("d1", "b.txt", True),
        ("d2", "feed.jsonl", True),
    ]
    entities = tables.read_table(tmp_path, Table.ENTITIES)["doc_id"].to_pylist()
    assert sorted(entities) == ["d1", "d2"]
    rejects = tables.read_table(tmp_path, Table.REJECTS)["run_id"].to_pylist()
    assert rejects == ["r2"]  # replaced, not duplicated


def test_reprocess_of_the_same_text_replaces_its_rows_once(tmp_path: Path) -> None:
    _first_output(tmp_path)
    for run in ("r2", "r3"):
        tables.commit_batch(
            tmp_path,
            _parts([_document("d1", TEXT, run_id=run)], [_entity("d1", TEXT, run)], []),
            label=f"{run}-00000",
            day=DAY,
            replacing=[run],
        )
    assert check_output(tmp_path) == []
    documents = tables.read_table(tmp_path, Table.DOCUMENTS).to_pylist()
    assert sorted((d["source"], d["is_first_occurrence"], d["run_id"]) for d in documents) == [
        ("b.txt", False, "r1"),
        ("feed.jsonl", True, "r3"),
    ]
    assert tables.read_table(tmp_path, Table.ENTITIES)["run_id"].to_pylist() == ["r3"]
    # No part without rows is left behind.
    assert all(pq.read_metadata(p).num_rows for t in Table for p in tables.part_files(tmp_path, t))


# Each step of a commit, as (function in flows.store.commits, nth call): making a staged part
# durable (a commit's first fsync), writing the journal (the commit point), each partition
# swap, recording the manifest.
STEPS = [
    ("_fsync", 1),
    ("_write_json", 1),
    ("_swap", 1),
    ("_swap", 2),
    ("_swap", 3),
    ("_write_json", 2),
]


def _kill_at(monkeypatch: pytest.MonkeyPatch, name: str, n: int) -> list[object]:
    """Kill the commit at the nth call of `name`; returns where: that call's first argument."""
    original: Callable = getattr(commits, name)
    calls = {"n": 0}
    killed_at: list[object] = []

    def step(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == n:
            killed_at.append(args[0])
            raise Killed
        return original(*args, **kwargs)

    monkeypatch.setattr(commits, name, step)
    monkeypatch.setattr(commits.Transaction, "abort", lambda self: None)
    return killed_at


@pytest.mark.parametrize(("name", "n"), STEPS, ids=[f"{s}-{n}" for s, n in STEPS])
def test_a_kill_at_any_step_of_a_reprocess_leaves_old_or_new_rows(
    name: str, n: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_output, new_output, output = tmp_path / "old", tmp_path / "new", tmp_path / "out"
    for path in (old_output, new_output, output):
        _first_output(path)
    _reprocess_batch(new_output)
    old, new = _seen_by_readers(old_output), _seen_by_readers(new_output)
    killed_at = _kill_at(monkeypatch, name, n)
    with pytest.raises(Killed):
        _reprocess_batch(output)
    monkeypatch.undo()
    if name == "_fsync":
        [part] = killed_at  # a staged Parquet part, before any directory is flushed
        assert isinstance(part, Path) and part.suffix == ".parquet" and "staging" in part.parts
    # Readers see, per table, all of the old rows or all of the new ones, each once.
    seen = _seen_by_readers(output)
    assert all(seen[t] in (old[t], new[t]) for t in seen), seen
    committed = bool(tables.journals(output))
    assert committed == (name != "_fsync" and (name, n) != ("_write_json", 1))
    assert bool(check_output(output)) == committed  # a half-applied commit is reported
    tables.recover(output)
    assert _seen_by_readers(output) == (new if committed else old)
    assert check_output(output) == []
    assert not (output / tables.STATE_DIR / "staging").exists()


def _many_parts(output: Path, batches: int) -> None:
    _write_divisions(output)
    for i in range(batches):
        text = f"第{i}条：临沂市新增病例{i}例。"
        tables.commit_batch(
            output,
            _parts([_document(f"d{i}", text, record=f"a{i}")], [_entity(f"d{i}", text)], []),
            label=f"r1-{i:05d}",
            day=DAY,
        )


def test_compaction_leaves_one_large_file_per_partition_and_the_same_rows(tmp_path: Path) -> None:
    _many_parts(tmp_path, 6)
    before = tables.table_contents(tmp_path)
    report = compact.compact(tmp_path)
    assert report.files_before["documents"] == 6 and report.files_after["documents"] == 1
    assert [len(list(d.iterdir())) for d in tmp_path.glob("*/ingest_date=*")] == [1, 1]
    assert tables.table_contents(tmp_path) == before
    assert check_output(tmp_path) == []
    assert compact.compact(tmp_path).partitions == 0  # nothing left to do


@pytest.mark.parametrize(("name", "n"), STEPS[:-2], ids=[f"{s}-{n}" for s, n in STEPS[:-2]])
def test_a_kill_during_compaction_loses_nothing(
    name: str, n: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _many_parts(tmp_path, 4)
    before = _seen_by_readers(tmp_path)
    _kill_at(monkeypatch, name, n)
    with pytest.raises(Killed):
        compact.compact(tmp_path)
    monkeypatch.undo()
    assert _seen_by_readers(tmp_path) == before
    tables.recover(tmp_path)
    assert _seen_by_readers(tmp_path) == before
    assert check_output(tmp_path) == []


def test_an_older_output_is_migrated_atomically_by_compaction(tmp_path: Path) -> None:
    """The layout and schema of zhnews before the manifest and published_date."""
    old_schema = pa.schema(
        [f for f in tables.SCHEMAS[Table.DOCUMENTS] if f.name != "published_date"]
    )
    published = dt.datetime(2022, 3, 28, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    row = _document("d1", TEXT, published_at=published)
    directory = tmp_path / "documents" / f"ingest_date={DAY}"
    directory.mkdir(parents=True)
    pq.write_table(
        pa.Table.from_pylist([row], schema=old_schema), directory / "part-r0-00000.parquet"
    )
    pq.write_table(old_schema.empty_table(), directory / "part-r0-00001.parquet")
    entities = tmp_path / "entities" / f"ingest_date={DAY}"
    entities.mkdir(parents=True)
    entity = tables.to_table(Table.ENTITIES, [_entity("d1", TEXT)])
    pq.write_table(entity, entities / "part-r0-00000.parquet.pending")  # committed, not promoted
    pq.write_table(entity, entities / "part-r0-00002.parquet")  # its batch never committed
    _write_divisions(tmp_path)
    assert {v.rule for v in check_output(tmp_path)} == {"old format", "old schema"}
    tables.recover(tmp_path)
    compact.compact(tmp_path, min_parts=compact.AUTO_COMPACT_PARTS)
    assert check_output(tmp_path) == []
    [document] = tables.read_table(tmp_path, Table.DOCUMENTS).to_pylist()
    assert document["published_date"] == dt.date(2022, 3, 28)
    assert tables.read_table(tmp_path, Table.ENTITIES).num_rows == 1


def _run_row(run_id: str, rejects: int) -> dict[str, object]:
    started = dt.datetime(2026, 11, 23, 1, tzinfo=dt.UTC)
    counts = {table.value: 0 for table in (Table.DOCUMENTS, *tables.CHILD_TABLES)}
    return {
        "run_id": run_id,
        "started_at": started,
        "finished_at": started + dt.timedelta(minutes=1),
        "inputs": ["seeds"],
        "input_documents": rejects,
        "skipped_documents": 0,
        **counts,
        "rejects": rejects,
        "stage_seconds": [("write", 0.5)],
        "model_version": "zh_news-0.7.0",
        "status": "completed",
    }


def test_runs_rows_of_an_older_version_get_a_status_and_no_error(tmp_path: Path) -> None:
    """Runs rows written before failed runs were recorded: `completed` whatever the rejects,
    and, before that, no status at all."""
    directory = tmp_path / "runs" / f"ingest_date={DAY}"
    directory.mkdir(parents=True)
    without = {
        "r1": ("error",),  # status `completed` although it rejected inputs
        "r2": ("error",),
        "r3": ("error", "status"),
    }
    for (run_id, dropped), rejects in zip(without.items(), (2, 0, 1), strict=True):
        row = tables.to_table(Table.RUNS, [_run_row(run_id, rejects)]).drop_columns(list(dropped))
        pq.write_table(row, directory / f"part-{run_id}.parquet")
    _write_divisions(tmp_path)
    tables.recover(tmp_path)
    violations = check_output(tmp_path)
    assert {v.rule for v in violations} == {"old schema"}
    assert all("lacks" in v.detail and "error" in v.detail for v in violations)
    compact.compact(tmp_path, min_parts=compact.AUTO_COMPACT_PARTS)
    assert check_output(tmp_path) == []
    assert not any(
        compact._needs_rewrite(p, Table.RUNS) for p in tables.part_files(tmp_path, Table.RUNS)
    )
    runs = tables.read_table(tmp_path, Table.RUNS, ["run_id", "status", "error"]).to_pylist()
    assert sorted((r["run_id"], r["status"], r["error"]) for r in runs) == [
        ("r1", "completed_with_rejects", None),
        ("r2", "completed", None),
        ("r3", "completed_with_rejects", None),
    ]


def test_the_manifest_lists_exactly_the_files_readers_see(tmp_path: Path) -> None:
    _many_parts(tmp_path, 3)
    manifest = json.loads((tmp_path / ".zhnews" / "manifest.json").read_text())["partitions"]
    listed = {
        f"{p.parent.parent.name}/{p.parent.name}/{p.name}"
        for t in tables.PARTITIONED
        for p in tables.part_files(tmp_path, t)
    }
    assert {f"{k}/{name}" for k, names in manifest.items() for name in names} == listed


def test_compact_command_waits_for_no_run_and_reports_files(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from flows.ops.cli import app

    _many_parts(tmp_path, 3)
    runner = CliRunner()
    with tables.output_lock(tmp_path):
        locked = runner.invoke(app, ["compact", str(tmp_path)])
    assert locked.exit_code == 3
    assert len(tables.part_files(tmp_path, Table.DOCUMENTS)) == 3
    done = runner.invoke(app, ["compact", str(tmp_path)])
    assert done.exit_code == 0
    assert "documents: 3 -> 1 files" in done.output
    assert runner.invoke(app, ["compact", str(tmp_path / "missing")]).exit_code == 2
