"""Where the parts live and how every change to them commits atomically, and recovery.

Everything that changes the tables (a batch, a `--reprocess` batch, compaction,
migration, a `runs` row) is one `Transaction`: it stages the partitions it changes in
`OUTPUT/.zhnews/staging/<txid>/<table>/` (committed parts hard-linked, new parts written,
replaced parts left out), writes a journal naming each changed table's new file lists (the
commit point), then swaps, per table, the staged directory with the live one in one
`renameat2(RENAME_EXCHANGE)` (child tables first, `documents` last): the partition directory
when one partition of the table changed (a batch), else the whole table directory, its other
partitions hard-linked too (a `--reprocess` or compaction across days). It then records the
lists in `OUTPUT/.zhnews/manifest.json`, the one record of what is committed. So a reader of
the glob sees each table as it was before a commit or after it, each row once, never a part
deleted before its replacement is in place; a kill before the journal leaves the old state
(its staging is dropped), a kill after it is rolled forward by `recover` at the start of the
next run or compaction; `zhnews check` compares the live files with the manifest.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import json
import os
import shutil
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from flows.store.schemas import CHILD_TABLES, PARTITIONED, SCHEMAS, UNPARTITIONED, Table

STATE_DIR = ".zhnews"
MANIFEST_NAME = "manifest.json"
JOURNAL_PREFIX = "journal-"
REPROCESS_NAME = "reprocess.json"
TEMP_SUFFIX = ".tmp"
# Tables are swapped in this order, so a reader between two swaps of one commit may see
# child rows of a document not yet visible, never a document without its rows.
_APPLY_ORDER = (*CHILD_TABLES, Table.REJECTS, Table.RUNS, Table.DOCUMENTS)
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def table_dir(output: Path, table: Table) -> Path:
    return output / table.value


def partition_name(table: Table, day: dt.date) -> str:
    """A partition's directory relative to the output, e.g. `entities/ingest_date=2026-12-07`."""
    return f"{table.value}/ingest_date={day.isoformat()}"


def dataset_glob(output: Path, table: Table) -> str:
    """The glob every reader uses; also documented for DuckDB users in the README."""
    return str(table_dir(output, table) / "**" / "*.parquet")


def part_files(output: Path, table: Table) -> list[Path]:
    """The parts readers see now (what the glob matches)."""
    if table in UNPARTITIONED:
        return sorted(table_dir(output, table).glob(f"{table.value}.parquet"))
    return sorted(table_dir(output, table).glob("*/*.parquet"))


def committed_part_files(output: Path, table: Table) -> list[Path]:
    """The parts the manifest records as committed (an unpartitioned table's one file is
    replaced whole by `write_whole`, outside the manifest)."""
    if table in UNPARTITIONED:
        return part_files(output, table)
    return sorted(
        output / partition / name
        for partition, names in load_manifest(output).items()
        if partition.startswith(f"{table.value}/")
        for name in names
    )


# --- the commit record ------------------------------------------------------------------------


def state_dir(output: Path) -> Path:
    return output / STATE_DIR


def load_manifest(output: Path) -> dict[str, list[str]]:
    """Committed partitions and their part names; empty for a new (or pre-manifest) output."""
    path = state_dir(output) / MANIFEST_NAME
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))["partitions"]


def journals(output: Path) -> list[Path]:
    """Commits written but not yet completed (at most one, left by a killed process)."""
    return sorted(state_dir(output).glob(f"{JOURNAL_PREFIX}*.json"))


def has_legacy_layout(output: Path) -> bool:
    """Tables written by a zhnews older than the manifest."""
    return not (state_dir(output) / MANIFEST_NAME).exists() and any(
        part_files(output, table) for table in PARTITIONED
    )


def is_output(output: Path) -> bool:
    """True when zhnews wrote to `output`: a commit record, a journal or an older version's
    tables (what `check`, `compact`, `catalog` and `report` can work on)."""
    return (
        (state_dir(output) / MANIFEST_NAME).exists()
        or bool(journals(output))
        or has_legacy_layout(output)
    )


def _write_json(path: Path, value: object) -> None:
    """Replace a JSON file atomically (temporary file, fsync, rename, fsync the directory)."""
    temp = path.with_name(f".{path.name}{TEMP_SUFFIX}")
    with temp.open("w", encoding="utf-8") as sink:
        json.dump(value, sink, ensure_ascii=False, sort_keys=True)
        sink.flush()
        os.fsync(sink.fileno())
    os.replace(temp, path)
    _fsync(path.parent)


def _fsync(path: Path) -> None:
    """Flush a written file, or a directory's entries (so that renames in it survive a crash)."""
    fd = os.open(path, os.O_RDONLY)
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
    _fsync(directory)
    return final


_libc = ctypes.CDLL(None, use_errno=True)


def _swap(staged: Path, live: Path) -> None:
    """Put a staged table or partition directory in place of the live one in one step (the
    old one goes to `staged`); one that did not exist yet is simply renamed into place."""
    if not live.exists():
        live.parent.mkdir(parents=True, exist_ok=True)
        os.rename(staged, live)
    elif _libc.renameat2(
        _AT_FDCWD, os.fsencode(staged), _AT_FDCWD, os.fsencode(live), _RENAME_EXCHANGE
    ):
        code = ctypes.get_errno()
        raise OSError(code, f"cannot swap {live} with its new version: {os.strerror(code)}")
    _fsync(live.parent)


Listing = dict[str, list[str]]  # partition directory name -> part names


def _listing(directory: Path) -> Listing:
    """The parts of a (live or staged) table directory, by partition."""
    if not directory.exists():
        return {}
    return {
        partition.name: sorted(os.listdir(partition))
        for partition in sorted(directory.iterdir())
        if partition.is_dir() and any(partition.iterdir())
    }


def _committed_listing(manifest: Mapping[str, list[str]], table: Table) -> Listing:
    prefix = f"{table.value}/"
    return {
        name.removeprefix(prefix): parts
        for name, parts in manifest.items()
        if name.startswith(prefix)
    }


@dataclass
class Transaction:
    """One atomic change to the tables; see the module docstring for the protocol."""

    output: Path
    label: str
    txid: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    _written: int = 0

    @property
    def staging(self) -> Path:
        return state_dir(self.output) / "staging" / self.txid

    def partition(self, table: Table, day: dt.date) -> Path:
        """The staged directory of a partition, to change: its committed parts hard-linked."""
        name = f"ingest_date={day.isoformat()}"
        staged = self.staging / table.value / name
        if not staged.exists():
            staged.mkdir(parents=True)
            for part in _committed_listing(load_manifest(self.output), table).get(name, []):
                os.link(table_dir(self.output, table) / name / part, staged / part)
        return staged

    def new_part_name(self) -> str:
        """A part name never used before in this output (names identify partition states)."""
        self._written += 1
        return f"part-{self.label}-{self._written:03d}.parquet"

    def write(self, table: Table, day: dt.date, data: pa.Table) -> Path | None:
        """Add rows as a new part of the partition; its path once committed (no part for no
        rows)."""
        if data.num_rows == 0:
            return None
        data = data if data.schema == SCHEMAS[table] else data.cast(SCHEMAS[table])
        name = self.new_part_name()
        pq.write_table(data, self.partition(table, day) / name, compression="zstd")
        return self.output / partition_name(table, day) / name

    def retire(self, part: Path) -> None:
        """Leave a committed part out of the new state (its rows are replaced or retired)."""
        table = Table(part.parent.parent.name)
        day = dt.date.fromisoformat(part.parent.name.removeprefix("ingest_date="))
        (self.partition(table, day) / part.name).unlink()

    def commit(self) -> None:
        """Make durable, write the journal (the commit point), apply, record."""
        manifest = load_manifest(self.output)
        changed = {}
        for table in map(Table, sorted(os.listdir(self.staging)) if self.staging.exists() else []):
            committed = _committed_listing(manifest, table)
            staged = _listing(self.staging / table.value)
            touched = {p.name for p in (self.staging / table.value).iterdir()}
            listing = {n: parts for n, parts in committed.items() if n not in touched} | staged
            if listing == committed:
                continue
            scope = self._stage_scope(table, committed, listing)
            for name in set(staged) & {n for n in listing if listing[n] != committed.get(n)}:
                for part in listing[name]:
                    _fsync(self.staging / table.value / name / part)
            root = self.staging / table.value / (scope or "")
            for directory in [*(root.iterdir() if scope is None else []), root]:
                _fsync(directory)
            changed[table.value] = {"listing": listing, "swap": scope}
        if changed:
            journal = state_dir(self.output) / f"{JOURNAL_PREFIX}{self.txid}.json"
            _write_json(journal, {"txid": self.txid, "label": self.label, "tables": changed})
            _complete(self.output, journal)
        else:
            self.abort()

    def _stage_scope(self, table: Table, committed: Listing, listing: Listing) -> str | None:
        """What one swap must replace for the table to change at once: the one partition that
        changed (the usual batch), else the whole table (its other partitions hard-linked)."""
        names = {n for n in committed.keys() | listing.keys() if committed.get(n) != listing.get(n)}
        if len(names) == 1 and (name := names.pop()) in listing:
            return name
        staged = self.staging / table.value
        for name, parts in listing.items():
            if not (staged / name).exists():
                (staged / name).mkdir()
                for part in parts:
                    os.link(table_dir(self.output, table) / name / part, staged / name / part)
        for partition in staged.iterdir():
            if not any(partition.iterdir()):
                partition.rmdir()  # no rows left: no partition
        return None

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
        with contextlib.suppress(OSError):
            self.staging.parent.rmdir()


@contextlib.contextmanager
def transaction(output: Path, label: str) -> Iterator[Transaction]:
    """A transaction committed when the block ends, dropped if it raises."""
    state_dir(output).mkdir(parents=True, exist_ok=True)
    tx = Transaction(output, label)
    try:
        yield tx
    except BaseException:
        tx.abort()
        raise
    tx.commit()


def _complete(output: Path, journal: Path) -> None:
    """Apply a journaled commit (again, after a crash: each step checks whether it was done)."""
    record = json.loads(journal.read_text(encoding="utf-8"))
    staging = state_dir(output) / "staging" / record["txid"]
    changed = {Table(name): entry for name, entry in record["tables"].items()}
    for table in sorted(changed, key=_APPLY_ORDER.index):
        listing, scope = changed[table]["listing"], changed[table]["swap"]
        if scope is None:
            live, staged = table_dir(output, table), staging / table.value
            done = _listing(live) == listing
        else:
            live = table_dir(output, table) / scope
            staged = staging / table.value / scope
            done = live.exists() and sorted(os.listdir(live)) == listing[scope]
        if not done:
            _swap(staged, live)
    manifest = {
        name: parts
        for name, parts in load_manifest(output).items()
        if Table(name.split("/", 1)[0]) not in changed
    }
    for table, entry in changed.items():
        manifest.update({f"{table.value}/{n}": parts for n, parts in entry["listing"].items()})
    _write_json(state_dir(output) / MANIFEST_NAME, {"version": 1, "partitions": manifest})
    journal.unlink()
    shutil.rmtree(staging, ignore_errors=True)
    with contextlib.suppress(OSError):  # not empty: another transaction's staging
        staging.parent.rmdir()


def recover(output: Path) -> None:
    """Finish or drop what a killed process left; adopt an output written before the manifest.

    A journaled commit is completed; staging without a journal (a commit killed before its
    commit point) is deleted.
    """
    state = state_dir(output)
    state.mkdir(parents=True, exist_ok=True)
    if not (state / MANIFEST_NAME).exists() and not journals(output):
        _adopt_legacy_output(output)  # for a new output, an empty manifest
    for journal in journals(output):
        _complete(output, journal)
    shutil.rmtree(state / "staging", ignore_errors=True)
    for temp in state.glob(f".*{TEMP_SUFFIX}"):
        temp.unlink()


# Older zhnews wrote a batch's child parts as `*.parquet.pending`, then its documents part
# (the batch's commit), then promoted the pending parts.
_LEGACY_PENDING = ".pending"


def _adopt_legacy_output(output: Path) -> None:
    """Finish an older version's interrupted batches, then record what is there."""
    documents = {path.name for path in part_files(output, Table.DOCUMENTS)}
    for leftover in output.glob("*/*/*"):
        committed = leftover.name.removesuffix(_LEGACY_PENDING) in documents
        if leftover.name.endswith(_LEGACY_PENDING) and committed:
            os.replace(leftover, leftover.with_name(leftover.name.removesuffix(_LEGACY_PENDING)))
        elif leftover.name.endswith((_LEGACY_PENDING, ".parquet.tmp")) or (
            leftover.parent.parent.name in {t.value for t in CHILD_TABLES}
            and leftover.suffix == ".parquet"
            and not committed
        ):
            leftover.unlink()
    manifest = {
        f"{path.parent.parent.name}/{path.parent.name}": sorted(os.listdir(path.parent))
        for table in PARTITIONED
        for path in part_files(output, table)
    }
    _write_json(state_dir(output) / MANIFEST_NAME, {"version": 1, "partitions": manifest})
