"""The DuckDB catalogue: views over the Parquet, analysis views, and the data dictionary."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from flows.bi.catalog import ANALYSIS_VIEWS, CATALOG_NAME, data_dictionary, write_catalog
from flows.ops.cli import app
from flows.store import tables
from flows.store.tables import SCHEMAS, Table
from tests.bi.conftest import ENTITIES, RUN, partition, write_parquet

REPO = Path(__file__).resolve().parents[2]


def _open(output: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(output / CATALOG_NAME), read_only=True)


def _views(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    return dict(
        con.execute("SELECT view_name, comment FROM duckdb_views() WHERE NOT internal").fetchall()
    )


def test_every_table_and_column_is_described_where_it_is_declared() -> None:
    for table, schema in SCHEMAS.items():
        assert schema.metadata[b"description"].strip(), table
        for column in schema:
            assert column.metadata[b"description"].strip(), f"{table}.{column.name}"


def test_parquet_parts_carry_the_declared_descriptions(tmp_path: Path) -> None:
    row = {
        "source": "a.txt",
        "record_id": None,
        "reason": "empty",
        "detail": "0 bytes",
        "run_id": RUN,
    }
    data = tables.to_table(Table.REJECTS, [row])
    with tables.transaction(tmp_path, "p") as tx:
        path = tx.write(Table.REJECTS, dt.date(2026, 12, 7), data)
    assert path is not None
    written = pq.read_schema(path)
    assert written.metadata[b"description"] == SCHEMAS[Table.REJECTS].metadata[b"description"]
    for column in SCHEMAS[Table.REJECTS]:
        assert written.field(column.name).metadata == column.metadata


def test_docs_tables_md_is_what_the_schemas_generate() -> None:
    assert (REPO / "docs" / "tables.md").read_text(encoding="utf-8") == data_dictionary(), (
        "docs/tables.md is stale: python -m flows.bi.catalog docs/tables.md"
    )


def test_catalog_has_every_view_commented_and_returning_rows(bi_output: Path) -> None:
    write_catalog(bi_output)
    with _open(bi_output) as con:
        views = _views(con)
        columns = con.execute(
            "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE NOT internal"
        ).fetchall()
        counts = {
            view: con.execute(f'SELECT count(*) FROM "{view}"').fetchone()[0] for view in views
        }
    expected = {*Table, "officials", "divisions", *(view.name for view in ANALYSIS_VIEWS)}
    assert set(views) == expected
    assert all(views.values()), views
    assert [(t, c) for t, c, comment in columns if not comment] == []
    assert {view for view, n in counts.items() if n == 0} == {
        Table.DATES,
        Table.NUMBERS,
        Table.RUNS,
    }


# One query a view: what the test reads of each analysis view.
ANALYSIS_QUERIES = {
    "mention": "SELECT published_date, outlet, place, place_adcode, place_province FROM mentions "
    "WHERE text = '王春'",
    "pairs": "SELECT label_a, label_b, documents FROM entity_pairs "
    "WHERE entity_a = '兰山区' AND entity_b = '临沂市住建局'",
    "provinces": "SELECT province, sum(mentions) FROM places_by_division GROUP BY province",
    "officials": "SELECT person, division, prefecture, documents FROM officials_by_division "
    "ORDER BY person",
    "by_day": "SELECT published_date, outlet, documents FROM documents_by_day ORDER BY ALL",
    "slogans": "SELECT month, canonical, mentions FROM slogans_by_month",
}


def test_analysis_views_join_day_outlet_place_and_divisions(bi_output: Path) -> None:
    write_catalog(bi_output)
    with _open(bi_output) as con:
        found = {name: con.execute(sql).fetchall() for name, sql in ANALYSIS_QUERIES.items()}
    mention, pairs, provinces, officials, by_day, slogans = found.values()
    # 00:30 in Shanghai is still the day before in UTC; the document was published on the 28th.
    assert mention == [(dt.date(2022, 3, 28), "大众网", "临沂市", "371300", "山东省")]
    assert pairs == [("LOC", "ORG", 1)]
    linked = sum(1 for entity in ENTITIES if entity["adcode"])
    assert provinces == [("山东省", linked)]
    assert officials == [("桂明东", "诸城市", "潍坊市", 1), ("王春", "临沂市", "临沂市", 1)]
    assert by_day == [
        (dt.date(2020, 2, 27), "潍坊日报", 1),
        (dt.date(2020, 2, 28), "诸城发布", 1),
        (dt.date(2022, 3, 28), "大众网", 1),
    ]
    assert slogans == [(dt.date(2020, 2, 1), "两手抓、两不误", 1)]


def test_views_read_new_parts_without_a_rebuild_and_a_moved_output_needs_one_catalog(
    bi_output: Path, tmp_path: Path
) -> None:
    write_catalog(bi_output)
    extra = [{**ENTITIES[0], "run_id": "later"}]
    write_parparts = partition(bi_output, "entities")
    write_parquet(
        write_parparts, extra, pq.read_schema(next(write_parparts.glob("*.parquet"))), "later"
    )
    with _open(bi_output) as con:
        assert con.execute("SELECT count(*) FROM entities").fetchone()[0] == len(ENTITIES) + 1
    moved = tmp_path / "moved"
    shutil.move(bi_output, moved)
    write_catalog(moved)
    with _open(moved) as con:
        assert con.execute("SELECT count(*) FROM mentions").fetchone()[0] == len(ENTITIES) + 1


def test_an_output_without_division_data_or_rejects_still_gets_its_views(tmp_path: Path) -> None:
    """The writer of today: no published_date, adcode, officials or divisions; no rejects."""
    output = tmp_path / "out"
    published = dt.datetime(2022, 3, 28, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    text = "兰山区开展督导\n\n临沂市兰山区开展建筑工地督导检查。"
    document = {
        "doc_id": "d1",
        "source": "a.txt",
        "title": "兰山区开展督导",
        "published_at": published,
        "text": text,
        "n_chars": len(text),
        "is_first_occurrence": True,
        "run_id": RUN,
    }
    entities = [
        {
            "doc_id": "d1",
            "label": "LOC",
            "text": "兰山区",
            "start_char": s,
            "end_char": s + 3,
            "sentence": 0 if s < 8 else 1,
            "run_id": RUN,
        }
        for s in (0, text.index("兰山区", 1))
    ]
    # Written before issue 20: entities without adcode, no officials or divisions.
    before_codes = SCHEMAS[Table.ENTITIES].remove(SCHEMAS[Table.ENTITIES].get_field_index("adcode"))
    parts = {
        Table.DOCUMENTS: tables.to_table(Table.DOCUMENTS, [document]),
        Table.ENTITIES: pa.Table.from_pylist(entities, schema=before_codes),
    }
    for table, data in parts.items():
        directory = tables.table_dir(output, table) / "ingest_date=2026-12-07"
        directory.mkdir(parents=True)
        pq.write_table(data, directory / "part-p.parquet")
    write_catalog(output)
    with _open(output) as con:
        views = _views(con)
        assert con.execute("SELECT count(*) FROM rejects").fetchone() == (0,)
        assert (
            con.execute("SELECT published_date, place FROM mentions").fetchall()
            == [(dt.date(2022, 3, 28), "兰山区")] * 2
        )
    # Declared tables without files get empty views; views that need adcode are left out.
    assert "places_by_division" not in views
    assert {"mentions", "slogans_by_month", "entity_pairs", "documents_by_day"} <= set(views)


@pytest.mark.parametrize("command", [["catalog"], ["report", "--out", "r.html"]])
def test_a_missing_output_is_a_usage_error(command: list[str], tmp_path: Path) -> None:
    result = CliRunner().invoke(app, [command[0], str(tmp_path / "missing"), *command[1:]])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "missing" in result.output


def test_documents_written_before_published_date_get_it_in_the_view(bi_output: Path) -> None:
    """A part of the writer of today (no published_date) beside parts that have the column."""
    text = "兰山区开展督导\n\n临沂市兰山区开展建筑工地督导检查。"
    late_evening_utc = dt.datetime(2022, 3, 27, 16, 30, tzinfo=dt.UTC)  # 00:30 on the 28th
    document = {
        "doc_id": "d-old",
        "source": "old.txt",
        "published_at": late_evening_utc,
        "text": text,
        "n_chars": len(text),
        "is_first_occurrence": True,
        "run_id": "old",
    }
    old = tables.to_table(Table.DOCUMENTS, [document]).drop_columns(["published_date"])
    directory = tables.table_dir(bi_output, Table.DOCUMENTS) / "ingest_date=2026-12-07"
    directory.mkdir(parents=True, exist_ok=True)
    pq.write_table(old, directory / "part-old.parquet")
    write_catalog(bi_output)
    with _open(bi_output) as con:
        days = con.execute("SELECT doc_id, published_date FROM documents ORDER BY ALL").fetchall()
    assert days == [
        ("d-linyi", dt.date(2022, 3, 28)),
        ("d-old", dt.date(2022, 3, 28)),
        ("d-zhucheng", dt.date(2020, 2, 27)),
        ("d-zhucheng", dt.date(2020, 2, 28)),
    ]


def test_an_empty_output_gets_a_view_per_table_that_returns_no_rows(tmp_path: Path) -> None:
    write_catalog(tmp_path)
    with _open(tmp_path) as con:
        views = _views(con)
        counts = {
            view: con.execute(f'SELECT count(*) FROM "{view}"').fetchone()[0] for view in views
        }
    assert set(Table) <= set(views)
    assert {"articles", "mentions", "documents_by_day", "slogans_by_month"} <= set(views)
    assert set(counts.values()) == {0}


def test_a_report_into_a_missing_directory_is_a_usage_error(bi_output: Path) -> None:
    out = bi_output / "no-such-dir" / "report.html"
    result = CliRunner().invoke(app, ["report", str(bi_output), "--out", str(out)])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "no-such-dir" in result.output
