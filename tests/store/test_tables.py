from __future__ import annotations

import datetime as dt
import multiprocessing
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
import pytest

from flows.store import tables
from flows.store.tables import SCHEMAS, Table
from tests.conftest import document_row


def _entity_rows(doc_id: str, n: int) -> list[dict[str, object]]:
    return [
        {
            "doc_id": doc_id,
            "label": "LOC",
            "text": "临沂",
            "start_char": i,
            "end_char": i + 2,
            "sentence": 0,
            "adcode": "371300",
            "run_id": "r1",
        }
        for i in range(n)
    ]


def _document_row(doc_id: str) -> dict[str, object]:
    published = dt.datetime(2022, 3, 28, 10, 18, 3, tzinfo=ZoneInfo("Asia/Shanghai"))
    return document_row(doc_id, published_at=published)


def test_every_table_round_trips_through_parquet_and_duckdb(tmp_path: Path) -> None:
    day = dt.date(2026, 11, 23)
    tables.write_part(
        tmp_path,
        Table.DOCUMENTS,
        tables.to_table(Table.DOCUMENTS, [_document_row("d1")]),
        part="r1-00000",
        day=day,
    )
    tables.write_part(
        tmp_path,
        Table.ENTITIES,
        tables.to_table(Table.ENTITIES, _entity_rows("d1", 3)),
        part="r1-00000",
        day=day,
    )
    back = tables.read_table(tmp_path, Table.ENTITIES)
    assert back.schema == SCHEMAS[Table.ENTITIES]
    assert back.to_pylist() == _entity_rows("d1", 3)
    glob = tables.dataset_glob(tmp_path, Table.DOCUMENTS)
    row = duckdb.sql(
        f"select doc_id, ingest_date, published_at = timestamptz '2022-03-28 10:18:03+08' "
        f"from read_parquet('{glob}', hive_partitioning=true)"
    ).fetchall()
    assert row == [("d1", dt.date(2026, 11, 23), True)]


def test_to_table_rejects_rows_that_break_the_schema() -> None:
    with pytest.raises((pa.ArrowInvalid, pa.ArrowTypeError, TypeError)):
        tables.to_table(Table.NUMBERS, [{"doc_id": "d", "text": "3例", "start_char": "x"}])


def test_recover_removes_temp_files_and_uncommitted_child_parts(tmp_path: Path) -> None:
    day = dt.date(2026, 11, 23)
    for part in ("r1-00000", "r1-00001"):
        tables.write_part(
            tmp_path,
            Table.ENTITIES,
            tables.to_table(Table.ENTITIES, _entity_rows("d1", 1)),
            part=part,
            day=day,
        )
    tables.write_part(
        tmp_path,
        Table.DOCUMENTS,
        tables.to_table(Table.DOCUMENTS, [_document_row("d1")]),
        part="r1-00000",
        day=day,
    )
    stray = tmp_path / "entities" / "ingest_date=2026-11-23" / f".x{tables.TEMP_SUFFIX}"
    stray.write_bytes(b"partial")
    removed = tables.recover(tmp_path)
    assert {p.name for p in removed} == {"part-r1-00001.parquet", stray.name}
    assert [p.name for p in tables.part_files(tmp_path, Table.ENTITIES)] == [
        "part-r1-00000.parquet"
    ]


def test_delete_doc_ids_rewrites_only_matching_rows(tmp_path: Path) -> None:
    day = dt.date(2026, 11, 23)
    rows = _entity_rows("d1", 2) + _entity_rows("d2", 1)
    tables.write_part(
        tmp_path, Table.ENTITIES, tables.to_table(Table.ENTITIES, rows), part="p", day=day
    )
    # An empty documents part commits the batch, so readers see its entities.
    tables.write_part(
        tmp_path, Table.DOCUMENTS, tables.to_table(Table.DOCUMENTS, []), part="p", day=day
    )
    assert tables.delete_doc_ids(tmp_path, {"d1"}) == 2
    assert tables.read_table(tmp_path, Table.ENTITIES)["doc_id"].to_pylist() == ["d2"]


def _hold_lock(output: Path, ready: multiprocessing.Event, release: multiprocessing.Event) -> None:
    with tables.output_lock(output):
        ready.set()
        release.wait(10)


def test_second_run_on_the_same_output_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    ready, release = multiprocessing.Event(), multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold_lock, args=(tmp_path, ready, release))
    holder.start()
    try:
        assert ready.wait(10)
        with (
            pytest.raises(tables.OutputLockedError, match="another zhnews run"),
            tables.output_lock(tmp_path),
        ):
            pass
    finally:
        release.set()
        holder.join(10)
    with tables.output_lock(tmp_path):
        pass


def _batch_parts(doc_id: str) -> dict[Table, pa.Table]:
    return {
        Table.ENTITIES: tables.to_table(Table.ENTITIES, _entity_rows(doc_id, 2)),
        Table.DOCUMENTS: tables.to_table(Table.DOCUMENTS, [_document_row(doc_id)]),
    }


def test_batch_children_are_invisible_until_the_batch_commits(tmp_path: Path) -> None:
    day = dt.date(2026, 11, 23)
    # A crash after the pending child part, before the commit record: nothing is visible,
    # and recovery removes the pending part.
    tables.write_part(
        tmp_path,
        Table.ENTITIES,
        _batch_parts("d1")[Table.ENTITIES],
        part="r1-00000",
        day=day,
        pending=True,
    )
    glob = tables.dataset_glob(tmp_path, Table.ENTITIES)
    assert duckdb.sql(f"select count(*) from glob('{glob}')").fetchall() == [(0,)]
    assert [p.name for p in tables.recover(tmp_path)] == ["part-r1-00000.parquet.pending"]
    # A crash after the commit record, before promotion: recovery completes the batch.
    parts = _batch_parts("d2")
    tables.write_part(
        tmp_path, Table.ENTITIES, parts[Table.ENTITIES], part="r1-00001", day=day, pending=True
    )
    tables.write_part(tmp_path, Table.DOCUMENTS, parts[Table.DOCUMENTS], part="r1-00001", day=day)
    assert tables.recover(tmp_path) == []
    assert tables.read_table(tmp_path, Table.ENTITIES)["doc_id"].to_pylist() == ["d2", "d2"]
    # The normal path: everything visible at once.
    tables.write_batch_parts(tmp_path, _batch_parts("d3"), part="r1-00002", day=day)
    assert not list(tmp_path.glob("*/*/*.pending"))
    assert sorted(set(tables.read_table(tmp_path, Table.ENTITIES)["doc_id"].to_pylist())) == [
        "d2",
        "d3",
    ]
