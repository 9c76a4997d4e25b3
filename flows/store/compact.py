"""`zhnews compact`: each table partition's small parts rewritten as a few large files.

Every run commits one part per table per batch; readers of a year of hourly runs would open
tens of thousands of files. Compaction reads a partition's parts and writes them again with
pyarrow datasets (files of up to `ROWS_PER_FILE` rows, row groups of up to `ROWS_PER_GROUP`),
as one `tables.Transaction`: readers see the partition's old parts or its new ones, and a kill
at any moment loses nothing (see `flows.store.tables`). Parts an older zhnews wrote with
another schema are rewritten in the declared one on the way (the migration).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from flows.store import tables
from flows.store.tables import Table

# A run compacts, at its start and its end, every partition with this many parts or more
# (an hourly run of one batch reaches it in a day and a half).
AUTO_COMPACT_PARTS = 32
ROWS_PER_FILE = 4_000_000
ROWS_PER_GROUP = 1_000_000


@dataclass
class Compaction:
    """What a compaction did: parts per table before and after."""

    files_before: dict[str, int] = field(default_factory=dict)
    files_after: dict[str, int] = field(default_factory=dict)
    partitions: int = 0

    def lines(self) -> list[str]:
        return [
            f"{table}: {self.files_before[table]} -> {self.files_after[table]} files"
            for table in self.files_before
        ]


def _partitions(output: Path) -> dict[tuple[Table, dt.date], list[Path]]:
    found: dict[tuple[Table, dt.date], list[Path]] = {}
    for table in tables.PARTITIONED:
        for path in tables.committed_part_files(output, table):
            day = dt.date.fromisoformat(path.parent.name.removeprefix("ingest_date="))
            found.setdefault((table, day), []).append(path)
    return found


def _needs_rewrite(path: Path, table: Table) -> bool:
    """An older zhnews's part: another schema, or no rows (which it used to write)."""
    metadata = pq.read_metadata(path)
    return metadata.num_rows == 0 or not metadata.schema.to_arrow_schema().equals(
        tables.SCHEMAS[table], check_metadata=False
    )


def compact(output: Path, *, min_parts: int = 2) -> Compaction:
    """Rewrite every partition with `min_parts` parts or more, or with an outdated part.

    The caller holds the output's lock and has run `tables.recover`.
    """
    partitions = _partitions(output)
    report = Compaction()
    for table in tables.PARTITIONED:
        report.files_before[table.value] = sum(
            len(paths) for (t, _), paths in partitions.items() if t is table
        )
    chosen = {
        key: paths
        for key, paths in partitions.items()
        if len(paths) >= min_parts or any(_needs_rewrite(path, key[0]) for path in paths)
    }
    if chosen:
        label = f"compact-{uuid.uuid4().hex[:8]}"
        with tables.transaction(output, label) as tx:
            for (table, day), paths in chosen.items():
                data = pa.concat_tables(tables.read_part(path, table) for path in paths)
                for path in paths:
                    tx.retire(path)
                ds.write_dataset(
                    data,
                    tx.partition(table, day),
                    format="parquet",
                    basename_template=f"part-{label}-{{i}}.parquet",
                    file_options=ds.ParquetFileFormat().make_write_options(compression="zstd"),
                    max_rows_per_file=ROWS_PER_FILE,
                    max_rows_per_group=ROWS_PER_GROUP,
                    existing_data_behavior="overwrite_or_ignore",
                )
        report.partitions = len(chosen)
    for table in tables.PARTITIONED:
        report.files_after[table.value] = len(tables.committed_part_files(output, table))
    return report


def compact_output(output: Path) -> Compaction:
    """`zhnews compact`: under the output's lock (`tables.OutputLockedError` when a run holds
    it), finish what a killed process left, then compact every partition of two parts or more."""
    with tables.output_lock(output):
        tables.recover(output)
        return compact(output)
