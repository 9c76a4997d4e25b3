"""`zhnews check` / `check_output`: each contract rule is caught, and a good output passes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from flows.ops.cli import app
from flows.store import tables
from flows.store.check import check_output
from flows.store.tables import Table
from tests.conftest import document_row

DAY = dt.date(2026, 11, 23)
TEXT = "临沂市召开会议\n\n临沂市新增病例3例。"


def _document(doc_id: str = "d1", text: str = TEXT) -> dict[str, object]:
    return document_row(doc_id, text, title="临沂市召开会议")


def _entity(start: int, end: int, text: str | None = None, doc_id: str = "d1") -> dict:
    return {
        "doc_id": doc_id,
        "label": "LOC",
        "text": TEXT[start:end] if text is None else text,
        "start_char": start,
        "end_char": end,
        "sentence": 0,
        "run_id": "r1",
    }


def _reject(reason: str, record_id: str | None = None) -> dict[str, object]:
    return {
        "source": "feed.jsonl",
        "record_id": record_id,
        "reason": reason,
        "detail": "line 1: bad",
        "run_id": "r1",
    }


def _write(output: Path, table: Table, rows: list[dict], part: str = "r1-00000") -> Path:
    return tables.write_part(output, table, tables.to_table(table, rows), part=part, day=DAY)


def _division(code: str, name: str, level: str, parent: str | None) -> dict[str, object]:
    return {
        "code": code,
        "name": name,
        "level": level,
        "parent_code": parent,
        "province": "山东省",
        "prefecture": None if level == "province" else "临沂市",
        "former_names": [],
    }


DIVISIONS = [
    _division("370000", "山东省", "province", None),
    _division("371300", "临沂市", "prefecture", "370000"),
]


def _batch(output: Path, entities: list[dict], documents: list[dict] | None = None) -> None:
    """One committed batch: children first, then its documents part; the run's divisions."""
    _write(output, Table.ENTITIES, entities)
    _write(output, Table.DOCUMENTS, [_document()] if documents is None else documents)
    tables.write_whole(output, Table.DIVISIONS, tables.to_table(Table.DIVISIONS, DIVISIONS))


def _official(person: str, start: int, end: int, adcode: str | None = "371300") -> dict:
    return {
        "doc_id": "d1",
        "run_id": "r1",
        "person": person,
        "start_char": start,
        "end_char": end,
        "title": "副市长",
        "organisation": None,
        "adcode": adcode,
        "sentence": 0,
    }


def _rules(output: Path) -> set[tuple[str, str]]:
    return {(v.table, v.rule) for v in check_output(output)}


def test_a_consistent_output_has_no_violation(tmp_path: Path) -> None:
    _batch(tmp_path, [_entity(0, 2), _entity(9, 11)])
    _write(tmp_path, Table.REJECTS, [_reject("malformed_json", "line:1")])
    assert check_output(tmp_path) == []


def test_empty_output_has_no_violation(tmp_path: Path) -> None:
    assert check_output(tmp_path) == []


def test_an_output_needs_its_divisions(tmp_path: Path) -> None:
    _batch(tmp_path, [_entity(0, 2)])
    (tables.table_dir(tmp_path, Table.DIVISIONS) / "divisions.parquet").unlink()
    assert _rules(tmp_path) == {("divisions", "missing")}


def test_adcodes_must_be_divisions(tmp_path: Path) -> None:
    _batch(
        tmp_path, [{**_entity(0, 3), "adcode": "371300"}, {**_entity(9, 12), "adcode": "379999"}]
    )
    _write(tmp_path, Table.OFFICIALS, [_official("临沂", 0, 2, adcode="000001")])
    assert _rules(tmp_path) == {
        ("entities", "adcode not in divisions"),
        ("officials", "adcode not in divisions"),
    }


def test_officials_quote_the_person_from_the_text(tmp_path: Path) -> None:
    _batch(tmp_path, [])
    _write(tmp_path, Table.OFFICIALS, [_official("临沂", 0, 2), _official("隽新阳", 9, 12)])
    [violation] = check_output(tmp_path)
    assert (violation.table, violation.rule) == (
        "officials",
        "person != documents.text[start_char:end_char]",
    )
    assert "隽新阳" in violation.detail


def test_divisions_are_replaced_not_appended(tmp_path: Path) -> None:
    for _ in range(2):
        tables.write_whole(tmp_path, Table.DIVISIONS, tables.to_table(Table.DIVISIONS, DIVISIONS))
    assert tables.read_table(tmp_path, Table.DIVISIONS).to_pylist() == DIVISIONS


def test_span_text_must_match_the_document(tmp_path: Path) -> None:
    _batch(tmp_path, [_entity(0, 2, text="济宁")])
    [violation] = check_output(tmp_path)
    assert violation.rule == "text != documents.text[start_char:end_char]"
    assert "济宁" in violation.detail


@pytest.mark.parametrize(("start", "end"), [(-2, 0), (3, 3), (5, 2), (len(TEXT), len(TEXT) + 2)])
def test_span_must_lie_inside_the_text(tmp_path: Path, start: int, end: int) -> None:
    # Text equal to Python's slice, so only the range rule can catch these.
    _batch(tmp_path, [_entity(start, end)])
    assert _rules(tmp_path) == {
        ("entities", "span not within 0 <= start_char < end_char <= len(documents.text)")
    }


def test_child_rows_need_their_document(tmp_path: Path) -> None:
    _batch(tmp_path, [_entity(0, 2, doc_id="gone")])
    assert _rules(tmp_path) == {("entities", "doc_id not in documents")}


@pytest.mark.parametrize(
    ("table", "rows"),
    [
        (Table.ENTITIES, [_entity(0, 2), _entity(0, 2)]),
        (Table.REJECTS, [_reject("duplicate_id", "a1"), _reject("duplicate_id", "a1")]),
    ],
)
def test_duplicate_keys_are_violations(tmp_path: Path, table: Table, rows: list[dict]) -> None:
    _batch(tmp_path, [])
    _write(tmp_path, table, rows)
    assert _rules(tmp_path) == {(table.value, "duplicate key")}


def test_the_same_document_twice_is_a_duplicate(tmp_path: Path) -> None:
    _batch(tmp_path, [])
    _write(tmp_path, Table.DOCUMENTS, [_document()], part="r2-00000")
    assert _rules(tmp_path) == {("documents", "duplicate key")}


def test_n_chars_must_be_the_text_length(tmp_path: Path) -> None:
    _batch(tmp_path, [], documents=[{**_document(), "n_chars": 3}])
    assert _rules(tmp_path) == {("documents", "n_chars != len(text)")}


def test_reject_reasons_must_be_known(tmp_path: Path) -> None:
    _write(tmp_path, Table.REJECTS, [_reject("cosmic_rays")])
    assert _rules(tmp_path) == {("rejects", "unknown reason")}


def test_a_corrupt_part_is_reported_not_raised(tmp_path: Path) -> None:
    path = _write(tmp_path, Table.DOCUMENTS, [_document()])
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    [violation] = check_output(tmp_path)
    assert (violation.table, violation.rule) == ("documents", "unreadable file")
    assert str(path) in violation.detail


def test_a_part_with_another_schema_is_reported(tmp_path: Path) -> None:
    _batch(tmp_path, [])
    directory = tables.table_dir(tmp_path, Table.NUMBERS) / f"ingest_date={DAY}"
    directory.mkdir(parents=True)
    # Same name as the committed batch, so readers would take it for part of it.
    pq.write_table(
        pa.table({"doc_id": ["d1"], "value": ["3"]}), directory / "part-r1-00000.parquet"
    )
    assert _rules(tmp_path) == {("numbers", "schema")}


def test_uncommitted_child_parts_are_not_data_and_recover_removes_them(tmp_path: Path) -> None:
    _batch(tmp_path, [_entity(0, 2)])
    # A killed run: its entities part was written, its documents part never was.
    orphan = _write(tmp_path, Table.ENTITIES, [_entity(0, 2, doc_id="d9")], part="r2-00000")
    assert check_output(tmp_path) == []
    assert tables.read_table(tmp_path, Table.ENTITIES).num_rows == 1
    assert tables.recover(tmp_path) == [orphan]


def test_cli_exit_status_and_report(tmp_path: Path) -> None:
    runner = CliRunner()
    _batch(tmp_path, [_entity(0, 2)])
    good = runner.invoke(app, ["check", str(tmp_path)])
    assert good.exit_code == 0
    assert "0 violation(s)" in good.output
    _write(tmp_path, Table.ENTITIES, [_entity(0, 2, doc_id="gone")], part="r1-00000")
    bad = runner.invoke(app, ["check", str(tmp_path)])
    assert bad.exit_code == 1
    assert "[entities] doc_id not in documents" in bad.output
    assert runner.invoke(app, ["check", str(tmp_path / "missing")]).exit_code == 2
