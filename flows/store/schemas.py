"""The tables' schemas, declared once with their data-dictionary text, and building rows in them.

The writer, `zhnews check`, the BI catalogue and docs/tables.md all read `SCHEMAS`; `KEYS`,
`CHILD_TABLES`, `UNPARTITIONED` and `DERIVED_COLUMNS` say how the tables relate and migrate.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import fields
from enum import StrEnum

import pyarrow as pa
import pyarrow.compute as pc

from flows.store.records import RejectReason

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


SCHEMAS: dict[Table, pa.Schema] = {
    Table.DOCUMENTS: _table(
        "One row per occurrence of a cleaned news article: an input file or JSONL line.",
        _column(
            "doc_id",
            pa.string(),
            "Stable id of the cleaned text: the first 16 hex digits of its SHA-256.",
            nullable=False,
        ),
        _column("source", pa.string(), "Input file path as given to zhnews run.", nullable=False),
        _column("record_id", pa.string(), "The JSONL line's id; null for .txt and .html files."),
        _column("title", pa.string(), "Headline, also the first line of text; null when none."),
        _column(
            "published_at",
            pa.timestamp("ms", tz=SHANGHAI),
            "Publication time (Asia/Shanghai; a date-only publication is its midnight); "
            "null when the year is unknown.",
        ),
        _column(
            "published_date",
            pa.date32(),
            "Publication day in Asia/Shanghai (group by this, not published_at); "
            "null when the year is unknown.",
        ),
        _column(
            "published_partial",
            pa.string(),
            "TimeML-like publication date when the year is unknown (XXXX-02-07); else null.",
        ),
        _column(
            "outlet",
            pa.string(),
            "Publishing outlet(s) from the input, its 来源 line or its dateline, joined with '; '.",
        ),
        _column("author", pa.string(), "Author or editor named in the header lines."),
        _column("url", pa.string(), "The article's URL when the input gives one."),
        _column(
            "text",
            pa.string(),
            "Cleaned Simplified-Chinese text: title line, blank line, one body paragraph per "
            "line; every offset indexes it.",
            nullable=False,
        ),
        _column("n_chars", pa.int32(), "Characters in text.", nullable=False),
        _column(
            "chars_removed",
            pa.int64(),
            "Characters of text lines that cleaning dropped as boilerplate (markup, pinyin and "
            "script conversion do not count); null in outputs written before it was recorded.",
        ),
        _column(
            "is_first_occurrence",
            pa.bool_(),
            "False when the same text was already processed from another source; such rows "
            "get no child rows.",
            nullable=False,
        ),
        _RUN_ID,
    ),
    Table.ENTITIES: _table(
        "Named-entity mentions: people, organisations and places, one row per occurrence.",
        _doc_id("mentioning it"),
        _column(
            "label",
            pa.string(),
            "PERSON, ORG (bodies, enterprises, hospitals) or LOC (places).",
            nullable=False,
        ),
        _column("text", pa.string(), "The mention as written in the text.", nullable=False),
        *_SPAN,
        _column(
            "sentence",
            pa.int32(),
            "0-based index of the sentence within documents.text.",
            nullable=False,
        ),
        _column(
            "adcode",
            pa.string(),
            "GB/T 2260 code (divisions.code) of today's division a LOC names or a government or "
            "party body governs; null for other mentions and for names left ambiguous.",
        ),
        _RUN_ID,
    ),
    Table.DATES: _table(
        "Dates and date ranges mentioned in the text (not the publication date).",
        _doc_id("mentioning it"),
        _column("text", pa.string(), "The date expression as written.", nullable=False),
        *_SPAN,
        _column(
            "value",
            pa.string(),
            "TimeML-like value: 2022-03-27, 2022-03, 2022-Q1, XXXX-03-27, 2022-01-08/2022-03-28.",
        ),
        _column(
            "date_start", pa.date32(), "First calendar day meant (inclusive); null if unresolved."
        ),
        _column(
            "date_end",
            pa.date32(),
            "Last calendar day meant (inclusive; an open range ends on the publication day).",
        ),
        _column(
            "grain",
            pa.string(),
            "day, month, quarter, year, range, duration, relative-unresolved or time.",
            nullable=False,
        ),
        _RUN_ID,
    ),
    Table.NUMBERS: _table(
        "Numbers, amounts of money and percentages mentioned in the text.",
        _doc_id("mentioning it"),
        _column("text", pa.string(), "The number as written, with its unit.", nullable=False),
        *_SPAN,
        _column(
            "value",
            pa.float64(),
            "The number as written, scaled (70.91亿元 is 7091000000.0; 22% is 22.0).",
            nullable=False,
        ),
        _column("unit", pa.string(), "Unit or measure word (元, %, 人, 个); null when none."),
        _column("kind", pa.string(), "cardinal, money, percent or ordinal.", nullable=False),
        _column(
            "approx",
            pa.bool_(),
            "True when marked as approximate (约, 余, 多, 超过, 以上, …).",
            nullable=False,
        ),
        _RUN_ID,
    ),
    Table.SLOGANS: _table(
        "Political slogans (提法) found in the text: lexicon, template and discovered matches.",
        _doc_id("mentioning it"),
        _column(
            "slogan_id", pa.string(), "Lexicon id of the slogan; null for discovered candidates."
        ),
        _column(
            "canonical",
            pa.string(),
            "The lexicon's canonical form (a template's canonical for template matches).",
            nullable=False,
        ),
        _column("category", pa.string(), "The lexicon's category of the slogan; null if none."),
        _column("text", pa.string(), "The slogan as written in the text.", nullable=False),
        *_SPAN,
        _column(
            "method",
            pa.string(),
            "How it was found: lexicon, template or discovered.",
            nullable=False,
        ),
        _column(
            "score",
            pa.float64(),
            "Confidence in [0, 1]: 1 for lexicon and template matches; a discovered candidate's "
            "structural score (only those at or above the component's discovery_threshold are "
            "written).",
        ),
        _RUN_ID,
    ),
    Table.OFFICIALS: _table(
        "Persons with a post (临沂市委常委、副市长隽新阳): one row per person, title and "
        "organisation per document.",
        _doc_id("naming them"),
        _RUN_ID,
        _column("person", pa.string(), "The name as written in the text.", nullable=False),
        _column(
            "start_char",
            pa.int32(),
            "Offset of the name's first mention with this post in documents.text.",
            nullable=False,
        ),
        _column(
            "end_char",
            pa.int32(),
            "Offset just past that mention: person = documents.text[start_char:end_char].",
            nullable=False,
        ),
        _column(
            "title",
            pa.string(),
            "The post without its place (市委常委, 副市长, 局长); generic leadership bodies "
            "stay in it (区政协主席).",
            nullable=False,
        ),
        _column(
            "organisation",
            pa.string(),
            "The named body the post belongs to (临沂市住房和城乡建设局, 国务院); else null.",
        ),
        _column(
            "adcode",
            pa.string(),
            "GB/T 2260 code of the post's jurisdiction (divisions.code); null for national "
            "posts, posts below the county and posts outside government and party.",
        ),
        _column(
            "sentence",
            pa.int32(),
            "0-based index of that mention's sentence within documents.text.",
            nullable=False,
        ),
    ),
    Table.REJECTS: _table(
        "Inputs that produced no document, and why.",
        _column("source", pa.string(), "Input file path as given.", nullable=False),
        _column("record_id", pa.string(), "The JSONL line's id, when the input is one."),
        _column(
            "reason",
            pa.string(),
            "One of: " + ", ".join(RejectReason) + ".",
            nullable=False,
        ),
        _column("detail", pa.string(), "What exactly was wrong, for a person.", nullable=False),
        _RUN_ID,
    ),
    Table.RUNS: _table(
        "One row per completed zhnews run: what it read and wrote, and how long it took.",
        _column("run_id", pa.string(), "Id of the run, in every row it wrote.", nullable=False),
        _column(
            "started_at", pa.timestamp("ms", tz="UTC"), "When the run started.", nullable=False
        ),
        _column(
            "finished_at",
            pa.timestamp("ms", tz="UTC"),
            "When the run finished writing.",
            nullable=False,
        ),
        _column("inputs", pa.list_(pa.string()), "Input paths given to the run.", nullable=False),
        _column(
            "input_documents",
            pa.int64(),
            "Documents read from the inputs, new or not.",
            nullable=False,
        ),
        _column(
            "skipped_documents",
            pa.int64(),
            "Documents skipped as already in the output.",
            nullable=False,
        ),
        *(
            _column(table, pa.int64(), f"Rows written to {table}.", nullable=False)
            for table in ("documents", "entities", "dates", "numbers", "slogans", "officials")
        ),
        _column("rejects", pa.int64(), "Inputs rejected (see rejects).", nullable=False),
        _column(
            "stage_seconds",
            pa.map_(pa.string(), pa.float64()),
            "Seconds spent per stage: ingest, clean, nlp, slogans, write.",
            nullable=False,
        ),
        _column(
            "model_version",
            pa.string(),
            "name-version of the spaCy pipeline used (models/zh_news meta.json).",
            nullable=False,
        ),
        _column("status", pa.string(), "completed.", nullable=False),
    ),
    Table.DIVISIONS: _table(
        "China's administrative divisions at province, prefecture and county level, today's "
        "(GB/T 2260 codes, from the pipeline's division data); one file replaced by every run.",
        _column("code", pa.string(), "6-digit GB/T 2260 code.", nullable=False),
        _column("name", pa.string(), "Today's full name (临沂市).", nullable=False),
        _column("level", pa.string(), "province, prefecture or county.", nullable=False),
        _column(
            "parent_code",
            pa.string(),
            "The division above; a county directly under its province has the province "
            "(济源 419001 → 410000); null for provinces.",
        ),
        _column("province", pa.string(), "Name of the province it lies in.", nullable=False),
        _column(
            "prefecture",
            pa.string(),
            "Name of the prefecture it lies in (its own for a prefecture); null for provinces "
            "and counties directly under a province.",
        ),
        _column(
            "former_names",
            pa.list_(pa.string()),
            "Names it had before a renaming or merger (章丘市 for 370114).",
            nullable=False,
        ),
    ),
}

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


# Columns a writer may leave out and a migration may find missing: how to compute them.
DERIVED_COLUMNS: dict[Table, dict[str, Callable[[pa.Table], pa.Array]]] = {
    Table.DOCUMENTS: {"published_date": _published_date},
}


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
    columns = []
    for target in schema:
        if target.name in data.column_names:
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
