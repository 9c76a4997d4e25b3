"""Every Parquet table of zhnews: reading, committing batches and runs, the output lock.

Layout: `OUTPUT/<table>/ingest_date=YYYY-MM-DD/part-<label>-<n>.parquet` (the day in
Asia/Shanghai), readable as `read_parquet('OUTPUT/<table>/**/*.parquet', hive_partitioning=true)`.
The schemas are declared in `flows.store.schemas`, the commit protocol and recovery live in
`flows.store.commits`; this module re-exports what callers use of both.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from flows.store.commits import (
    JOURNAL_PREFIX,
    REPROCESS_NAME,
    STATE_DIR,
    Transaction,
    _write_json,
    committed_part_files,
    dataset_glob,
    has_legacy_layout,
    is_output,
    journals,
    part_files,
    recover,
    state_dir,
    table_dir,
    transaction,
    write_whole,
)
from flows.store.records import RunStatus
from flows.store.schemas import (
    CHILD_TABLES,
    KEYS,
    PARTITION_COLUMN,
    PARTITIONED,
    SCHEMAS,
    SHANGHAI,
    SPAN_TEXT,
    UNPARTITIONED,
    Table,
    conform,
    record_rows,
    to_table,
)

__all__ = [
    "CHILD_TABLES",
    "JOURNAL_PREFIX",
    "KEYS",
    "PARTITIONED",
    "PARTITION_COLUMN",
    "SCHEMAS",
    "SHANGHAI",
    "SPAN_TEXT",
    "STATE_DIR",
    "UNPARTITIONED",
    "OutputLockedError",
    "PendingReprocess",
    "SeenDocuments",
    "Table",
    "Transaction",
    "commit_batch",
    "committed_part_files",
    "dataset_glob",
    "has_legacy_layout",
    "is_output",
    "journals",
    "output_lock",
    "part_files",
    "read_part",
    "read_table",
    "record_rows",
    "recover",
    "seen_rejects",
    "table_contents",
    "table_dir",
    "to_table",
    "today",
    "transaction",
    "write_run",
    "write_whole",
]


class OutputLockedError(RuntimeError):
    """Another zhnews process holds the output directory."""


def today() -> dt.date:
    """The ingest date: today in Asia/Shanghai."""
    return dt.datetime.now(ZoneInfo(SHANGHAI)).date()


def is_outdated(path: Path, table: Table) -> bool:
    """Whether a part was written with another schema (an older zhnews)."""
    return not pq.read_schema(path).equals(SCHEMAS[table], check_metadata=False)


def read_part(path: Path, table: Table, columns: Sequence[str] | None = None) -> pa.Table:
    """One part in the declared schema, migrating a part an older version wrote."""
    if not is_outdated(path, table):
        return pq.read_table(path, columns=columns, schema=SCHEMAS[table])
    data = conform(table, pq.read_table(path))
    return data if columns is None else data.select(list(columns))


def read_table(output: Path, table: Table, columns: Sequence[str] | None = None) -> pa.Table:
    """All rows of one table that readers see (empty, with the declared schema, when none)."""
    schema = SCHEMAS[table]
    parts = [read_part(path, table, columns) for path in part_files(output, table)]
    if not parts:
        selected = schema if columns is None else pa.schema([schema.field(c) for c in columns])
        return selected.empty_table()
    return pa.concat_tables(parts)


@contextlib.contextmanager
def output_lock(output: Path) -> Iterator[None]:
    """Hold the output directory exclusively (a run, a compaction); a second one fails at once."""
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


# --- batches and --reprocess ------------------------------------------------------------------


def commit_batch(
    output: Path,
    parts: Mapping[Table, pa.Table],
    *,
    label: str,
    day: dt.date,
    replacing: Sequence[str] | None = None,
) -> None:
    """Commit one batch's rows in one transaction.

    With `replacing` (a `--reprocess`: the run ids whose rows are its own), the same commit
    retires what the batch's inputs, by (source, record_id), left before: their documents
    rows, rejects, and child rows of doc_ids no other occurrence keeps (a doc_id the batch
    annotates again gets its new child rows); `is_first_occurrence` is recomputed.
    """
    with transaction(output, label) as tx:
        new_parts = dict(parts)
        if replacing is not None:
            new_parts[Table.DOCUMENTS] = _retire_replaced(tx, new_parts, set(replacing))
        else:
            _retire_stale_rejects(tx, new_parts)
        for table, data in new_parts.items():
            tx.write(table, day, data)


def _retire_stale_rejects(tx: Transaction, parts: Mapping[Table, pa.Table]) -> None:
    """Retire in `tx` the rejects earlier runs recorded for the batch's inputs.

    An input is read again only when it is new, changed, or retried under other settings, so
    what this read gives (a document, or a reject of its own) supersedes what an earlier run
    rejected: a `too_large` input retried with a larger `--max-chars` leaves no reject behind.
    """
    batch = [parts[table] for table in (Table.DOCUMENTS, Table.REJECTS) if table in parts]
    inputs = set().union(*map(_identities, batch))
    if inputs:
        own = {run_id for data in batch for run_id in data["run_id"].unique().to_pylist()}
        _retire_rejects(tx, _earlier_rows_of(inputs, own))


RowMask = Callable[[pa.Table], list[bool]]


def _earlier_rows_of(inputs: set[tuple[str, str | None]], own: set[str]) -> RowMask:
    """Which rows of a documents or rejects part belong to `inputs`, by (source, record_id),
    and were written by runs other than `own`."""

    def mask(data: pa.Table) -> list[bool]:
        keys = zip(data["source"].to_pylist(), data["record_id"].to_pylist(), strict=True)
        runs = data["run_id"].to_pylist()
        return [key in inputs and run not in own for key, run in zip(keys, runs, strict=True)]

    return mask


def _retire_rejects(tx: Transaction, retired: RowMask) -> None:
    """Rewrite in `tx` every committed rejects part without its `retired` rows."""
    for path in committed_part_files(tx.output, Table.REJECTS):
        data = read_part(path, Table.REJECTS)
        mask = retired(data)
        if any(mask):
            _rewrite(tx, path, data.filter(pc.invert(pa.array(mask, pa.bool_()))))


def _identities(data: pa.Table | None) -> set[tuple[str, str | None]]:
    if data is None:
        return set()
    return set(zip(data["source"].to_pylist(), data["record_id"].to_pylist(), strict=True))


def _retire_replaced(tx: Transaction, parts: Mapping[Table, pa.Table], own: set[str]) -> pa.Table:
    """Retire in `tx` the earlier rows of the batch's inputs; the batch's documents, updated."""
    output = tx.output
    new_documents = parts.get(Table.DOCUMENTS, SCHEMAS[Table.DOCUMENTS].empty_table())
    inputs = _identities(new_documents) | _identities(parts.get(Table.REJECTS))
    retired_mask = _earlier_rows_of(inputs, own)

    key_columns = ["doc_id", "source", "record_id", "is_first_occurrence", "run_id"]
    old = {
        path: read_part(path, Table.DOCUMENTS, key_columns)
        for path in committed_part_files(output, Table.DOCUMENTS)
    }
    retired = {path: retired_mask(data) for path, data in old.items()}
    retired_ids = {
        doc_id
        for path, data in old.items()
        for doc_id, gone in zip(data["doc_id"].to_pylist(), retired[path], strict=True)
        if gone
    }
    # Surviving occurrences, in commit order, as (path, row, is_first_occurrence).
    kept: dict[str, list[tuple[Path, int, bool]]] = {}
    for path, data in old.items():
        rows = zip(data["doc_id"].to_pylist(), data["is_first_occurrence"].to_pylist(), strict=True)
        for row, ((doc_id, first), gone) in enumerate(zip(rows, retired[path], strict=True)):
            if not gone:
                kept.setdefault(doc_id, []).append((path, row, first))
    new_ids = new_documents["doc_id"].to_pylist()
    new_first = new_documents["is_first_occurrence"].to_pylist()
    annotated = {doc_id for doc_id, first in zip(new_ids, new_first, strict=True) if first}
    # Exactly one first occurrence per doc_id: a surviving one, else the batch's, else the
    # earliest survivor.
    flips: dict[Path, dict[int, bool]] = {}
    for doc_id in retired_ids | set(new_ids):
        survivors = kept.get(doc_id, [])
        if any(first for _, _, first in survivors):
            new_first = [f and i != doc_id for i, f in zip(new_ids, new_first, strict=True)]
        elif doc_id not in annotated and survivors:
            path, row, _ = survivors[0]
            flips.setdefault(path, {})[row] = True
    for path, keys in old.items():
        if any(retired[path]) or path in flips:
            data = read_part(path, Table.DOCUMENTS)
            firsts = keys["is_first_occurrence"].to_pylist()
            for row, first in flips.get(path, {}).items():
                firsts[row] = first
            data = data.set_column(
                data.schema.get_field_index("is_first_occurrence"),
                SCHEMAS[Table.DOCUMENTS].field("is_first_occurrence"),
                pa.array(firsts, pa.bool_()),
            )
            _rewrite(tx, path, data.filter(pc.invert(pa.array(retired[path], pa.bool_()))))
    dropped = pa.array(sorted((retired_ids - kept.keys()) | annotated), pa.string())
    for table in CHILD_TABLES:
        for path in committed_part_files(output, table):
            doc_ids = pq.read_table(path, columns=["doc_id"])["doc_id"]
            if pc.any(pc.is_in(doc_ids, value_set=dropped)).as_py():
                data = read_part(path, table)
                _rewrite(tx, path, data.filter(pc.invert(pc.is_in(data["doc_id"], dropped))))
    _retire_rejects(tx, retired_mask)
    return new_documents.set_column(
        new_documents.schema.get_field_index("is_first_occurrence"),
        SCHEMAS[Table.DOCUMENTS].field("is_first_occurrence"),
        pa.array(new_first, pa.bool_()),
    )


def _rewrite(tx: Transaction, part: Path, data: pa.Table) -> None:
    """Replace a committed part by `data` (none when no rows are left) within `tx`."""
    tx.retire(part)
    table = Table(part.parent.parent.name)
    tx.write(table, dt.date.fromisoformat(part.parent.name.removeprefix("ingest_date=")), data)


@dataclass(frozen=True, slots=True)
class PendingReprocess:
    """A `--reprocess` that has not finished: its inputs and the runs that worked on it.

    Written when a `--reprocess` starts and removed when it ends, so the next run knows to
    finish it (rows those runs committed are its own, not to be replaced again).
    """

    inputs: tuple[str, ...]
    run_ids: tuple[str, ...]

    @classmethod
    def load(cls, output: Path) -> PendingReprocess | None:
        path = state_dir(output) / REPROCESS_NAME
        if not path.exists():
            return None
        value = json.loads(path.read_text(encoding="utf-8"))
        return cls(tuple(value["inputs"]), tuple(value["run_ids"]))

    def save(self, output: Path) -> None:
        state_dir(output).mkdir(parents=True, exist_ok=True)
        path = state_dir(output) / REPROCESS_NAME
        _write_json(path, {"inputs": list(self.inputs), "run_ids": list(self.run_ids)})

    @staticmethod
    def clear(output: Path) -> None:
        (state_dir(output) / REPROCESS_NAME).unlink(missing_ok=True)


@dataclass(frozen=True, slots=True)
class SeenDocuments:
    """What earlier runs already committed, to skip or deduplicate new input."""

    keys: frozenset[tuple[str, str, str | None]]  # (doc_id, source, record_id)
    doc_ids: frozenset[str]

    @classmethod
    def empty(cls) -> SeenDocuments:
        return cls(keys=frozenset(), doc_ids=frozenset())

    @classmethod
    def load(cls, output: Path, run_ids: Iterable[str] | None = None) -> SeenDocuments:
        """Every committed document, or only those the runs `run_ids` wrote."""
        documents = read_table(output, Table.DOCUMENTS, ["doc_id", "source", "record_id", "run_id"])
        rows = documents.to_pylist()
        if run_ids is not None:
            runs = set(run_ids)
            rows = [row for row in rows if row["run_id"] in runs]
        return cls(
            keys=frozenset((r["doc_id"], r["source"], r["record_id"]) for r in rows),
            doc_ids=frozenset(r["doc_id"] for r in rows),
        )


def seen_rejects(
    output: Path, run_ids: Iterable[str] | None = None
) -> set[tuple[str, str | None, str]]:
    """(source, record_id, reason) of rejects already recorded (by `run_ids` when given)."""
    rows = read_table(
        output, Table.REJECTS, ["source", "record_id", "reason", "run_id"]
    ).to_pylist()
    if run_ids is not None:
        runs = set(run_ids)
        rows = [row for row in rows if row["run_id"] in runs]
    return {(r["source"], r["record_id"], r["reason"]) for r in rows}


def write_run(
    output: Path, summary: object, *, model_version: str, error: str | None = None
) -> None:
    """Commit the run's row to the `runs` table: `failed` with `error` (one line) when given,
    else `completed`, or `completed_with_rejects` when it rejected inputs."""
    if error is not None:
        status = RunStatus.FAILED
    else:
        status = RunStatus.COMPLETED_WITH_REJECTS if summary.rejects else RunStatus.COMPLETED
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
        "status": status.value,
        "error": error,
    }
    with transaction(output, summary.run_id) as tx:
        tx.write(Table.RUNS, today(), to_table(Table.RUNS, [row]))


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
