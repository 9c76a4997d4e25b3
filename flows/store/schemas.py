"""The tables' schemas, declared once with their data-dictionary text in tables.toml, and
building rows in them.

The writer, `zhnews check`, the BI catalogue and docs/tables.md all read `SCHEMAS`; `KEYS`,
`CHILD_TABLES`, `UNPARTITIONED` and `DERIVED_COLUMNS` say how the tables relate and migrate.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import fields
from enum import StrEnum
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from flows.store.records import RejectReason, RunStatus

SHANGHAI = "Asia/Shanghai"


def _column(name: str, type_: pa.DataType, description: str, *, nullable: bool = True) -> pa.Field:
    """A column with its data-dictionary text, which Parquet, the catalogue and docs/ carry."""
    return pa.field(name, type_, nullable=nullable, metadata={"description": description})


def _table(description: str, *columns: pa.Field) -> pa.Schema:
    return pa.schema(columns, metadata={"description": description})


def _doc_id(what: str) -> pa.Field:
    return _column(
        "doc_id", pa.string(), f"The document {what} (documents.doc_id).", nullable=False
    )


_RUN_ID = _column(
    "run_id", pa.string(), "The run that wrote the row (runs.run_id).", nullable=False
)
_SPAN = [
    _column(
        "start_char",
        pa.int32(),
        "Offset of the first character in documents.text (Python string index, code points).",
        nullable=False,
    ),
    _column(
        "end_char",
        pa.int32(),
        "Offset just past the last character: text = documents.text[start_char:end_char].",
        nullable=False,
    ),
]
# Hive partition column of every partitioned table: part of the path, not of the files.
PARTITION_COLUMN = _column(
    "ingest_date",
    pa.date32(),
    "Day the row was written (Asia/Shanghai), the dataset's partition; not the publication day.",
)


class Table(StrEnum):
    DOCUMENTS = "documents"
    ENTITIES = "entities"
    DATES = "dates"
    NUMBERS = "numbers"
    SLOGANS = "slogans"
    OFFICIALS = "officials"
    REJECTS = "rejects"
    RUNS = "runs"
    DIVISIONS = "divisions"


# The column types tables.toml names.
_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "date32": pa.date32(),
    "timestamp_shanghai": pa.timestamp("ms", tz=SHANGHAI),
    "timestamp_utc": pa.timestamp("ms", tz="UTC"),
    "list_string": pa.list_(pa.string()),
    "map_string_float64": pa.map_(pa.string(), pa.float64()),
}
# Values the descriptions of tables.toml may name in braces.
_DESCRIPTION_VALUES = {
    "reject_reasons": ", ".join(RejectReason),
    "run_statuses": ", ".join(RunStatus),
}


def _declared_columns(entry: Mapping[str, Any]) -> list[pa.Field]:
    """The column(s) one `[[table.columns]]` entry of tables.toml declares."""
    if "counts" in entry:
        return [
            _column(table, pa.int64(), f"Rows written to {table}.", nullable=False)
            for table in entry["counts"]
        ]
    shared = entry.get("shared")
    if shared == "doc_id":
        return [_doc_id(entry["what"])]
    if shared is not None:
        return {"run_id": [_RUN_ID], "span": _SPAN}[shared]
    description = entry["description"].format_map(_DESCRIPTION_VALUES)
    required = entry.get("required", False)
    return [_column(entry["name"], _TYPES[entry["type"]], description, nullable=not required)]


def _declared_schemas(path: Path) -> dict[Table, pa.Schema]:
    with path.open("rb") as declarations:
        tables = tomllib.load(declarations)
    declared = {
        Table(name): _table(
            table["description"],
            *(column for entry in table["columns"] for column in _declared_columns(entry)),
        )
        for name, table in tables.items()
    }
    return {table: declared[table] for table in Table}  # every table, in Table's order


SCHEMAS: dict[Table, pa.Schema] = _declared_schemas(Path(__file__).with_name("tables.toml"))

# Child tables and their key columns besides doc_id (see CONTRACT.md).
CHILD_TABLES = (Table.ENTITIES, Table.DATES, Table.NUMBERS, Table.SLOGANS, Table.OFFICIALS)
# Tables of one file replaced by every run, not partitioned by ingest date.
UNPARTITIONED = (Table.DIVISIONS,)
PARTITIONED = tuple(table for table in Table if table not in UNPARTITIONED)
# The column a child table's span quotes from documents.text.
SPAN_TEXT: dict[Table, str] = {table: "text" for table in CHILD_TABLES} | {
    Table.OFFICIALS: "person"
}
KEYS: dict[Table, tuple[str, ...]] = {
    Table.DOCUMENTS: ("doc_id", "source", "record_id"),
    Table.ENTITIES: ("doc_id", "start_char", "end_char", "label"),
    Table.DATES: ("doc_id", "start_char", "end_char"),
    Table.NUMBERS: ("doc_id", "start_char", "end_char", "kind"),
    Table.SLOGANS: ("doc_id", "start_char", "end_char", "method"),
    Table.OFFICIALS: ("doc_id", "person", "title", "organisation"),
    Table.REJECTS: ("source", "record_id", "reason"),
    Table.RUNS: ("run_id",),
    Table.DIVISIONS: ("code",),
}


def _published_date(data: pa.Table) -> pa.Array:
    return pc.local_timestamp(data["published_at"]).cast(pa.date32())


def _run_status(data: pa.Table) -> pa.Array:
    # Only for parts written before failed runs were recorded: those hold finished runs only.
    with_rejects = pc.greater(data["rejects"], 0)
    return pc.if_else(with_rejects, RunStatus.COMPLETED_WITH_REJECTS, RunStatus.COMPLETED)


# Columns a writer may leave out and a migration may find missing: how to compute them.
DERIVED_COLUMNS: dict[Table, dict[str, Callable[[pa.Table], pa.Array]]] = {
    Table.DOCUMENTS: {"published_date": _published_date},
    Table.RUNS: {"status": _run_status},
}
# Columns derived again when a part lacks the column named: a `runs` part without `error`
# was written when `status` was `completed` whatever the rejects.
REDERIVED_WITHOUT: dict[Table, dict[str, str]] = {Table.RUNS: {"status": "error"}}


def to_table(table: Table, rows: Iterable[Mapping[str, object]]) -> pa.Table:
    """Build an Arrow table from row mappings, validated against the declared schema.

    Derived columns (`DERIVED_COLUMNS`) the rows leave out are computed.
    """
    rows = list(rows)
    derived = DERIVED_COLUMNS.get(table, {})
    given = {name for row in rows for name in row}
    schema = pa.schema([f for f in SCHEMAS[table] if f.name in given or f.name not in derived])
    return conform(table, pa.Table.from_pylist(rows, schema=schema))


def conform(table: Table, data: pa.Table) -> pa.Table:
    """`data` in the declared schema: missing derived columns computed, others null."""
    schema = SCHEMAS[table]
    derived = DERIVED_COLUMNS.get(table, {})
    stale = {
        name
        for name, marker in REDERIVED_WITHOUT.get(table, {}).items()
        if marker not in data.column_names
    }
    columns = []
    for target in schema:
        if target.name in data.column_names and target.name not in stale:
            columns.append(data[target.name])
        elif target.name in derived:
            columns.append(derived[target.name](data))
        elif target.nullable:
            columns.append(pa.nulls(data.num_rows, target.type))
        else:
            raise ValueError(f"{table}.{target.name} is missing and has no DERIVED_COLUMNS entry")
    return pa.Table.from_arrays(columns, schema=schema)


def record_rows(records: Iterable[object], **extra: object) -> Iterator[dict[str, object]]:
    """Dataclass records as row dicts, with extra columns such as doc_id and run_id.

    Field by field, not `dataclasses.asdict`: the records hold scalars (and lists of strings),
    which asdict would deep-copy, at a few microseconds per value over every row of a run."""
    for record in records:
        row = {name: getattr(record, name) for name in _field_names(type(record))}
        row.update(extra)
        yield row


@functools.cache
def _field_names(record_type: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(record_type))
