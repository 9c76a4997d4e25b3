"""End-to-end: the real flow on seeds/, tables read back with DuckDB."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from flows.store import tables
from flows.store.check import check_output
from flows.store.tables import Table
from tests.conftest import REPO_ROOT, SEEDS, SHARED

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]


def _query(output: Path, table: Table, sql: str) -> list[tuple]:
    glob = tables.dataset_glob(output, table)
    return duckdb.sql(sql.format(t=f"read_parquet('{glob}', hive_partitioning=true)")).fetchall()


@pytest.fixture(scope="module")
def seeds_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from flows.pipeline import zhnews_flow

    output = tmp_path_factory.mktemp("output")
    summary = zhnews_flow([SEEDS], output)
    assert summary.rejects == 0
    return output


def test_every_seed_becomes_one_document_with_title_and_date(seeds_output: Path) -> None:
    rows = _query(
        seeds_output,
        Table.DOCUMENTS,
        "select source, title, published_at, n_chars, text from {t} order by source",
    )
    assert len(rows) == 5
    by_name = {Path(r[0]).name: r for r in rows}
    first = by_name["000_09d1d3fb153f71d8.txt"]
    assert first[1] == "临沂市召开新闻发布会 通报疫情防控和经济运行保障等情况"
    assert first[2].isoformat().startswith("2022-03-28T")
    assert first[4].startswith(first[1] + "\n\n")
    assert all(r[3] == len(r[4]) for r in rows)


def test_contract_checks_pass_on_seed_output(seeds_output: Path) -> None:
    assert check_output(seeds_output) == []


def test_seed_000_extractions_match_the_customer_annotation(seeds_output: Path) -> None:
    expected = json.loads((SHARED / "examples" / "000_09d1d3fb153f71d8.json").read_text())
    doc_id = _query(
        seeds_output,
        Table.DOCUMENTS,
        "select doc_id from {t} where source like '%000_09d1d3fb153f71d8.txt'",
    )[0][0]
    numbers = _query(
        seeds_output,
        Table.NUMBERS,
        f"select text, value, unit, kind, approx from {{t}} where doc_id = '{doc_id}'",
    )
    expected_numbers = {
        (n["text"], n["value"], n["unit"], n["kind"], n["approx"]) for n in expected["numbers"]
    }
    assert len(expected_numbers & set(numbers)) >= 0.9 * len(expected_numbers)
    slogans = {
        r[0]
        for r in _query(
            seeds_output, Table.SLOGANS, f"select canonical from {{t}} where doc_id = '{doc_id}'"
        )
    }
    expected_slogans = {s["canonical"] for s in expected["slogans"]}
    assert len(expected_slogans & slogans) >= 0.8 * len(expected_slogans)
    entities = {
        (r[0], r[1])
        for r in _query(
            seeds_output, Table.ENTITIES, f"select label, text from {{t}} where doc_id = '{doc_id}'"
        )
    }
    expected_entities = {(e["label"], e["text"]) for e in expected["entities"]}
    assert len(expected_entities & entities) >= 0.8 * len(expected_entities)
    dates = {
        r[0]: r[1:]
        for r in _query(
            seeds_output,
            Table.DATES,
            f"select text, date_start, date_end from {{t}} where doc_id = '{doc_id}'",
        )
    }
    assert (
        str(dates["1月8日以来"][0]) == "2022-01-08" and str(dates["1月8日以来"][1]) == "2022-03-28"
    )


def test_rerun_adds_no_rows_and_reprocess_replaces(seeds_output: Path, tmp_path: Path) -> None:
    from flows.pipeline import zhnews_flow

    output = tmp_path / "out"
    shutil.copytree(seeds_output, output)
    before = tables.table_contents(output)
    summary = zhnews_flow([SEEDS], output)
    assert summary.skipped_documents == 5 and sum(summary.rows.values()) == 0
    assert tables.table_contents(output) == before
    zhnews_flow([SEEDS], output, reprocess=True)
    assert tables.table_contents(output) == before
    assert check_output(output) == []


def test_same_text_from_another_source_adds_a_document_row_only(
    seeds_output: Path, tmp_path: Path
) -> None:
    from flows.pipeline import zhnews_flow

    output = tmp_path / "out"
    shutil.copytree(seeds_output, output)
    copy = tmp_path / "mirror" / "copy_of_000.txt"
    copy.parent.mkdir()
    shutil.copy(SEEDS / "000_09d1d3fb153f71d8.txt", copy)
    summary = zhnews_flow([copy.parent], output)
    assert summary.rows["documents"] == 1
    assert all(summary.rows[t.value] == 0 for t in tables.CHILD_TABLES)
    assert check_output(output) == []


def test_all_five_seeds_score_against_their_annotations(seeds_output: Path) -> None:
    """Guards what was measured (see models/README.md), a little below it."""
    from flows.ops.evaluate import evaluate

    scores = evaluate(seeds_output, REPO_ROOT / "tests" / "data" / "seed_annotations")
    assert scores["dates:value"].recall >= 0.95 and scores["dates:value"].precision >= 0.95
    assert scores["numbers:exact"].recall >= 0.95 and scores["numbers:exact"].precision >= 0.9
    assert scores["slogans"].recall >= 0.9 and scores["slogans"].precision >= 0.9
    assert scores["entities"].f1 >= 0.88  # issue 2's bar for local-government text


def test_a_run_leaves_a_catalogue_and_a_report_that_renders(
    seeds_output: Path, tmp_path: Path
) -> None:
    from flows.bi.catalog import CATALOG_NAME
    from flows.bi.report import write_report
    from tests.bi.test_report import render

    with duckdb.connect(str(seeds_output / CATALOG_NAME), read_only=True) as con:
        for table in (Table.DOCUMENTS, Table.ENTITIES, Table.SLOGANS):
            direct = _query(seeds_output, table, "select count(*) from {t}")
            assert con.execute(f"select count(*) from {table}").fetchall() == direct
        assert con.execute("select count(*) from mentions").fetchall() == _query(
            seeds_output, Table.ENTITIES, "select count(*) from {t}"
        )
        uncommented = con.execute(
            "select table_name, column_name from duckdb_columns() "
            "where not internal and comment is null"
        ).fetchall()
    assert uncommented == []
    page = tmp_path / "report.html"
    charts = write_report(seeds_output, page)
    _, console = render(page)
    assert len(charts) >= 6 and console == []
