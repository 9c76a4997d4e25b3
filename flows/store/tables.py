"""Every Parquet table of zhnews: schemas declared once, atomic commits, readers, recovery.

Layout: `OUTPUT/<table>/ingest_date=YYYY-MM-DD/part-<label>-<n>.parquet` (the day in
Asia/Shanghai), readable as `read_parquet('OUTPUT/<table>/**/*.parquet', hive_partitioning=true)`.

Commits. Everything that changes the tables (a batch, a `--reprocess` batch, compaction,
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
import fcntl
import json
import os
import shutil
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

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


class OutputLockedError(RuntimeError):
    """Another zhnews process holds the output directory."""


def today() -> dt.date:
    """The ingest date: today in Asia/Shanghai."""
    return dt.datetime.now(ZoneInfo(SHANGHAI)).date()


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
    """Dataclass records as row dicts, with extra columns such as doc_id and run_id."""
    for record in records:
        yield {**asdict(record), **extra}  # type: ignore[call-overload]


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


def _write_json(path: Path, value: object) -> None:
    """Replace a JSON file atomically (temporary file, fsync, rename, fsync the directory)."""
    temp = path.with_name(f".{path.name}{TEMP_SUFFIX}")
    with temp.open("w", encoding="utf-8") as sink:
        json.dump(value, sink, ensure_ascii=False, sort_keys=True)
        sink.flush()
        os.fsync(sink.fileno())
    os.replace(temp, path)
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
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
    _fsync_dir(directory)
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
    _fsync_dir(live.parent)


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
                    _fsync_file(self.staging / table.value / name / part)
            root = self.staging / table.value / (scope or "")
            for directory in [*(root.iterdir() if scope is None else []), root]:
                _fsync_dir(directory)
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
        for table, data in new_parts.items():
            tx.write(table, day, data)


def _identities(data: pa.Table | None) -> set[tuple[str, str | None]]:
    if data is None:
        return set()
    return set(zip(data["source"].to_pylist(), data["record_id"].to_pylist(), strict=True))


def _retire_replaced(tx: Transaction, parts: Mapping[Table, pa.Table], own: set[str]) -> pa.Table:
    """Retire in `tx` the earlier rows of the batch's inputs; the batch's documents, updated."""
    output = tx.output
    new_documents = parts.get(Table.DOCUMENTS, SCHEMAS[Table.DOCUMENTS].empty_table())
    inputs = _identities(new_documents) | _identities(parts.get(Table.REJECTS))

    def retired_mask(data: pa.Table) -> list[bool]:
        keys = zip(data["source"].to_pylist(), data["record_id"].to_pylist(), strict=True)
        runs = data["run_id"].to_pylist()
        return [key in inputs and run not in own for key, run in zip(keys, runs, strict=True)]

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
    for path in committed_part_files(output, Table.REJECTS):
        data = read_part(path, Table.REJECTS)
        mask = retired_mask(data)
        if any(mask):
            _rewrite(tx, path, data.filter(pc.invert(pa.array(mask, pa.bool_()))))
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


def write_run(output: Path, summary: object, *, model_version: str) -> None:
    """Commit the run's row to the `runs` table."""
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
