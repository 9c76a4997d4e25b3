from __future__ import annotations

import datetime as dt
import multiprocessing
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

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


DAY = dt.date(2026, 11, 23)


def _commit(output: Path, parts: dict[Table, pa.Table], label: str = "r1-00000", **kw) -> None:
    tables.commit_batch(output, parts, label=label, day=DAY, **kw)


def test_every_table_round_trips_through_parquet_and_duckdb(tmp_path: Path) -> None:
    _commit(
        tmp_path,
        {
            Table.DOCUMENTS: tables.to_table(Table.DOCUMENTS, [_document_row("d1")]),
            Table.ENTITIES: tables.to_table(Table.ENTITIES, _entity_rows("d1", 3)),
        },
    )
    back = tables.read_table(tmp_path, Table.ENTITIES)
    assert back.schema == SCHEMAS[Table.ENTITIES]
    assert back.to_pylist() == _entity_rows("d1", 3)
    glob = tables.dataset_glob(tmp_path, Table.DOCUMENTS)
    row = duckdb.sql(
        f"select doc_id, ingest_date, published_at = timestamptz '2022-03-28 10:18:03+08', "
        f"published_date from read_parquet('{glob}', hive_partitioning=true)"
    ).fetchall()
    assert row == [("d1", dt.date(2026, 11, 23), True, dt.date(2022, 3, 28))]


@given(st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)))
def test_published_date_is_the_shanghai_calendar_day(local: dt.datetime) -> None:
    published = local.replace(microsecond=0, tzinfo=ZoneInfo("Asia/Shanghai"))
    row = _document_row("d1") | {"published_at": published}
    data = tables.to_table(Table.DOCUMENTS, [row, _document_row("d2") | {"published_at": None}])
    assert data["published_date"].to_pylist() == [local.date(), None]


def test_the_ingest_date_is_today_in_shanghai() -> None:
    before = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    assert tables.today() in {before, dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()}


def test_to_table_rejects_rows_that_break_the_schema() -> None:
    with pytest.raises((pa.ArrowInvalid, pa.ArrowTypeError, TypeError)):
        tables.to_table(Table.NUMBERS, [{"doc_id": "d", "text": "3例", "start_char": "x"}])


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
