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
_SPAN = [
    pa.field("start_char", pa.int32(), nullable=False),
    pa.field("end_char", pa.int32(), nullable=False),
]


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
    Table.DOCUMENTS: pa.schema(
        [
            pa.field("doc_id", pa.string(), nullable=False),
            pa.field("source", pa.string(), nullable=False),
            pa.field("record_id", pa.string()),
            pa.field("title", pa.string()),
            pa.field("published_at", pa.timestamp("ms", tz=SHANGHAI)),
            pa.field("published_partial", pa.string()),
            pa.field("outlet", pa.string()),
            pa.field("author", pa.string()),
            pa.field("url", pa.string()),
            pa.field("text", pa.string(), nullable=False),
            pa.field("n_chars", pa.int32(), nullable=False),
            # False when the same text was already processed under another source.
            pa.field("is_first_occurrence", pa.bool_(), nullable=False),
            pa.field("run_id", pa.string(), nullable=False),
        ]
    ),
    Table.ENTITIES: pa.schema(
        [
            pa.field("doc_id", pa.string(), nullable=False),
            pa.field("label", pa.string(), nullable=False),
            pa.field("text", pa.string(), nullable=False),
            *_SPAN,
            pa.field("sentence", pa.int32(), nullable=False),
            # GB/T 2260 code of the division a LOC names or a government body governs.
            pa.field("adcode", pa.string()),
            pa.field("run_id", pa.string(), nullable=False),
        ]
    ),
    Table.DATES: pa.schema(
        [
            pa.field("doc_id", pa.string(), nullable=False),
            pa.field("text", pa.string(), nullable=False),
            *_SPAN,
            pa.field("value", pa.string()),
            pa.field("date_start", pa.date32()),
            pa.field("date_end", pa.date32()),
            pa.field("grain", pa.string(), nullable=False),
            pa.field("run_id", pa.string(), nullable=False),
        ]
    ),
    Table.NUMBERS: pa.schema(
        [
            pa.field("doc_id", pa.string(), nullable=False),
            pa.field("text", pa.string(), nullable=False),
            *_SPAN,
            pa.field("value", pa.float64(), nullable=False),
            pa.field("unit", pa.string()),
            pa.field("kind", pa.string(), nullable=False),
            pa.field("approx", pa.bool_(), nullable=False),
            pa.field("run_id", pa.string(), nullable=False),
        ]
    ),
    Table.SLOGANS: pa.schema(
        [
            pa.field("doc_id", pa.string(), nullable=False),
            pa.field("slogan_id", pa.string()),
            pa.field("canonical", pa.string(), nullable=False),
            pa.field("category", pa.string()),
            pa.field("text", pa.string(), nullable=False),
            *_SPAN,
            pa.field("method", pa.string(), nullable=False),
            pa.field("run_id", pa.string(), nullable=False),
        ]
    ),
    Table.OFFICIALS: pa.schema(
        [
            pa.field("doc_id", pa.string(), nullable=False),
            pa.field("run_id", pa.string(), nullable=False),
            # The name's first mention with the post.
            pa.field("person", pa.string(), nullable=False),
            *_SPAN,
            pa.field("title", pa.string(), nullable=False),
            pa.field("organisation", pa.string()),
            pa.field("adcode", pa.string()),
            pa.field("sentence", pa.int32(), nullable=False),
        ]
    ),
    Table.REJECTS: pa.schema(
        [
            pa.field("source", pa.string(), nullable=False),
            pa.field("record_id", pa.string()),
            pa.field("reason", pa.string(), nullable=False),
            pa.field("detail", pa.string(), nullable=False),
            pa.field("run_id", pa.string(), nullable=False),
        ]
    ),
    Table.RUNS: pa.schema(
        [
            pa.field("run_id", pa.string(), nullable=False),
            pa.field("started_at", pa.timestamp("ms", tz="UTC"), nullable=False),
            pa.field("finished_at", pa.timestamp("ms", tz="UTC"), nullable=False),
            pa.field("inputs", pa.list_(pa.string()), nullable=False),
            pa.field("input_documents", pa.int64(), nullable=False),
            pa.field("skipped_documents", pa.int64(), nullable=False),
            pa.field("documents", pa.int64(), nullable=False),
            pa.field("entities", pa.int64(), nullable=False),
            pa.field("dates", pa.int64(), nullable=False),
            pa.field("numbers", pa.int64(), nullable=False),
            pa.field("slogans", pa.int64(), nullable=False),
            pa.field("officials", pa.int64(), nullable=False),
            pa.field("rejects", pa.int64(), nullable=False),
            pa.field("stage_seconds", pa.map_(pa.string(), pa.float64()), nullable=False),
            pa.field("model_version", pa.string(), nullable=False),
            pa.field("status", pa.string(), nullable=False),
        ]
    ),
    # Today's divisions, from the pipeline's saved data (flows/nlp/divisions.py).
    Table.DIVISIONS: pa.schema(
        [
            pa.field("code", pa.string(), nullable=False),
            pa.field("name", pa.string(), nullable=False),
            pa.field("level", pa.string(), nullable=False),
            pa.field("parent_code", pa.string()),
            pa.field("province", pa.string(), nullable=False),
            pa.field("prefecture", pa.string()),
            pa.field("former_names", pa.list_(pa.string()), nullable=False),
        ]
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
