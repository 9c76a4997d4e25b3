"""Every Parquet table of zhnews: schemas declared once, atomic writes, readers, recovery.

Layout: `OUTPUT/<table>/ingest_date=YYYY-MM-DD/part-<run_id>-<batch>.parquet`, readable as
`read_parquet('OUTPUT/<table>/**/*.parquet', hive_partitioning=true)`.

Crash safety: every file is written under a temporary name (`*.parquet.tmp`, which the glob
does not match) and renamed into place. A batch writes its child tables first and its
`documents` file last, so the `documents` file is the batch's commit record: at the start of
a run, `recover` deletes temporary files and any child file whose batch never committed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

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
            "empty, binary, undecodable, too_large, malformed_json, bad_field, duplicate_id, "
            "no_text, unreadable or unsupported.",
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
TEMP_SUFFIX = ".parquet.tmp"
PENDING_SUFFIX = ".pending"


class OutputLockedError(RuntimeError):
    """Another zhnews run holds the output directory."""


def to_table(table: Table, rows: Iterable[Mapping[str, object]]) -> pa.Table:
    """Build an Arrow table from row mappings, validated against the declared schema."""
    return pa.Table.from_pylist(list(rows), schema=SCHEMAS[table])


def record_rows(records: Iterable[object], **extra: object) -> Iterator[dict[str, object]]:
    """Dataclass records as row dicts, with extra columns such as doc_id and run_id."""
    for record in records:
        yield {**asdict(record), **extra}  # type: ignore[call-overload]


def table_dir(output: Path, table: Table) -> Path:
    return output / table.value


def dataset_glob(output: Path, table: Table) -> str:
    """The glob every reader uses; also documented for DuckDB users in the README."""
    return str(table_dir(output, table) / "**" / "*.parquet")


def write_part(
    output: Path, table: Table, data: pa.Table, *, part: str, day: dt.date, pending: bool = False
) -> Path:
    """Write one Parquet file atomically (temp file, fsync, rename) and return its path.

    A `pending` part is renamed to `*.parquet.pending`, which readers' globs do not match,
    until `write_batch_parts` promotes it.
    """
    if data.schema != SCHEMAS[table]:
        data = data.cast(SCHEMAS[table])
    directory = table_dir(output, table) / f"ingest_date={day.isoformat()}"
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / f"part-{part}.parquet{PENDING_SUFFIX if pending else ''}"
    temp = directory / f".part-{part}-{uuid.uuid4().hex[:8]}{TEMP_SUFFIX}"
    with temp.open("wb") as sink:
        pq.write_table(data, sink, compression="zstd")
        sink.flush()
        os.fsync(sink.fileno())
    os.replace(temp, final)
    _fsync_dir(directory)
    return final


def write_batch_parts(
    output: Path, parts: Mapping[Table, pa.Table], *, part: str, day: dt.date
) -> None:
    """Write one batch so that readers see all of it or none of it.

    Child parts (and rejects) are written pending, then the `documents` part, the batch's
    commit record, then the pending parts are promoted; `recover` completes a promotion that a
    crash interrupted, or discards the parts of a batch that never committed.
    """
    pending = [
        write_part(output, table, data, part=part, day=day, pending=True)
        for table, data in parts.items()
        if table is not Table.DOCUMENTS
    ]
    write_part(output, Table.DOCUMENTS, parts[Table.DOCUMENTS], part=part, day=day)
    for path in pending:
        _promote(path)


def _promote(pending: Path) -> None:
    os.replace(pending, pending.with_name(pending.name.removesuffix(PENDING_SUFFIX)))
    _fsync_dir(pending.parent)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_whole(output: Path, table: Table, data: pa.Table) -> Path:
    """Replace an unpartitioned table's one file atomically (temp file, fsync, rename)."""
    if data.schema != SCHEMAS[table]:
        data = data.cast(SCHEMAS[table])
    directory = table_dir(output, table)
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob(f".*{TEMP_SUFFIX}"):
        stale.unlink(missing_ok=True)
    final = directory / f"{table.value}.parquet"
    temp = directory / f".{table.value}-{uuid.uuid4().hex[:8]}{TEMP_SUFFIX}"
    with temp.open("wb") as sink:
        pq.write_table(data, sink, compression="zstd")
        sink.flush()
        os.fsync(sink.fileno())
    os.replace(temp, final)
    _fsync_dir(directory)
    return final


def part_files(output: Path, table: Table) -> list[Path]:
    if table in UNPARTITIONED:
        return sorted(table_dir(output, table).glob(f"{table.value}.parquet"))
    return sorted(table_dir(output, table).glob("*/part-*.parquet"))


def committed_part_files(output: Path, table: Table) -> list[Path]:
    """The parts readers see: a child part only once its batch's `documents` part exists.

    A run killed between a batch's child parts and its `documents` part leaves child rows
    whose documents were never written; they are not data until the batch commits (`recover`
    deletes them at the start of the next run).
    """
    parts = part_files(output, table)
    if table not in CHILD_TABLES:
        return parts
    committed = {path.name for path in part_files(output, Table.DOCUMENTS)}
    return [path for path in parts if path.name in committed]


def read_table(output: Path, table: Table, columns: Sequence[str] | None = None) -> pa.Table:
    """All committed rows of one table (empty, with the declared schema, when none)."""
    schema = SCHEMAS[table]
    parts = [
        pq.read_table(path, columns=columns, schema=schema)
        for path in committed_part_files(output, table)
    ]
    if not parts:
        selected = schema if columns is None else pa.schema([schema.field(c) for c in columns])
        return selected.empty_table()
    return pa.concat_tables(parts)


def recover(output: Path) -> list[Path]:
    """Clean up after a crashed run; returns the files removed.

    Temp files go; pending parts of committed batches are promoted, others removed; so are
    child parts whose batch has no `documents` part.
    """
    removed = list(output.glob(f"*/*/*{TEMP_SUFFIX}"))
    committed_names = {path.name for path in part_files(output, Table.DOCUMENTS)}
    for pending in output.glob(f"*/*/*{PENDING_SUFFIX}"):
        if pending.name.removesuffix(PENDING_SUFFIX) in committed_names:
            _promote(pending)
        else:
            removed.append(pending)
    for table in CHILD_TABLES:
        committed = set(committed_part_files(output, table))
        removed.extend(path for path in part_files(output, table) if path not in committed)
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


@contextlib.contextmanager
def output_lock(output: Path) -> Iterator[None]:
    """Hold the output directory exclusively for one run; a second run fails at once."""
    output.mkdir(parents=True, exist_ok=True)
    with (output / ".zhnews.lock").open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputLockedError(
                f"{output} is being written by another zhnews run; wait for it to finish "
                "(a lock on .zhnews.lock is held)"
            ) from None
        yield


@dataclass(frozen=True, slots=True)
class SeenDocuments:
    """What earlier runs already committed, to skip or deduplicate new input."""

    keys: frozenset[tuple[str, str, str | None]]  # (doc_id, source, record_id)
    doc_ids: frozenset[str]

    @classmethod
    def empty(cls) -> SeenDocuments:
        return cls(keys=frozenset(), doc_ids=frozenset())

    @classmethod
    def load(cls, output: Path) -> SeenDocuments:
        documents = read_table(output, Table.DOCUMENTS, ["doc_id", "source", "record_id"])
        rows = documents.to_pylist()
        return cls(
            keys=frozenset((r["doc_id"], r["source"], r["record_id"]) for r in rows),
            doc_ids=frozenset(r["doc_id"] for r in rows),
        )


def seen_rejects(output: Path) -> set[tuple[str, str | None, str]]:
    """(source, record_id, reason) of rejects already recorded, so reruns add none twice."""
    rows = read_table(output, Table.REJECTS, ["source", "record_id", "reason"]).to_pylist()
    return {(r["source"], r["record_id"], r["reason"]) for r in rows}


def delete_doc_ids(output: Path, doc_ids: set[str]) -> int:
    """Rewrite, atomically, every part holding rows of `doc_ids` without them."""
    if not doc_ids:
        return 0
    removed = 0
    keep = pa.array(sorted(doc_ids), pa.string())
    for table in (*CHILD_TABLES, Table.DOCUMENTS):
        for path in part_files(output, table):
            data = pq.read_table(path, schema=SCHEMAS[table])
            mask = pc.invert(pc.is_in(data["doc_id"], value_set=keep))
            kept = data.filter(mask)
            if kept.num_rows < data.num_rows:
                removed += data.num_rows - kept.num_rows
                day = dt.date.fromisoformat(path.parent.name.removeprefix("ingest_date="))
                write_part(output, table, kept, part=path.stem.removeprefix("part-"), day=day)
    return removed


def write_run(output: Path, summary: object, *, model_version: str) -> Path:
    """Append the run's row to the `runs` table."""
    row = {
        "run_id": summary.run_id,
        "started_at": summary.started_at,
        "finished_at": dt.datetime.now(dt.UTC),
        "inputs": summary.inputs,
        "input_documents": summary.input_documents,
        "skipped_documents": summary.skipped_documents,
        **{t.value: summary.rows[t.value] for t in (Table.DOCUMENTS, *CHILD_TABLES)},
        "rejects": summary.rejects,
        "stage_seconds": list(summary.stage_seconds.items()),
        "model_version": model_version,
        "status": "completed",
    }
    return write_part(
        output, Table.RUNS, to_table(Table.RUNS, [row]), part=summary.run_id, day=dt.date.today()
    )


def table_contents(output: Path) -> dict[str, Counter[tuple[str, ...]]]:
    """Every table but `runs` as a multiset of rows without `run_id`.

    Two outputs have "the same table contents" (CONTRACT.md) when these are equal: reruns,
    kill-and-rerun and runners are compared with it.
    """
    contents = {}
    for table in Table:
        if table is Table.RUNS:
            continue
        names = [name for name in SCHEMAS[table].names if name != "run_id"]
        rows = read_table(output, table, names).to_pylist()
        contents[table.value] = Counter(tuple(str(row[n]) for n in names) for row in rows)
    return contents
