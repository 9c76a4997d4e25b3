"""`zhnews check`: validate every table of an output directory against the contract.

It reads what readers read: committed parts only (see `tables.committed_part_files`), so the
leftovers of a killed run, which the next run recovers, are not violations.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from flows.store import tables
from flows.store.records import RejectReason
from flows.store.tables import SCHEMAS, Table

_REASONS = frozenset(reason.value for reason in RejectReason)


@dataclass(frozen=True, slots=True)
class Violation:
    table: str
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.table}] {self.rule}: {self.detail}"


def check_output(output: Path, *, max_examples: int = 5) -> list[Violation]:
    """Files, schemas, foreign keys, span texts and unique keys; an empty list means all good."""
    violations = _check_files(output)
    if violations:
        return violations
    documents = tables.read_table(output, Table.DOCUMENTS, ["doc_id", "text", "n_chars"])
    texts = dict(zip(documents["doc_id"].to_pylist(), documents["text"].to_pylist(), strict=True))
    for table in Table:
        data = tables.read_table(output, table)
        violations += _check_keys(table, data, max_examples)
        if table in tables.CHILD_TABLES:
            violations += _check_spans(table, data, texts, max_examples)
    violations += _check_values(documents, tables.read_table(output, Table.REJECTS), max_examples)
    violations += _check_adcodes(output, max_examples)
    return violations


def _check_adcodes(output: Path, max_examples: int) -> list[Violation]:
    """A run's output has its `divisions` table, and every adcode is one of its codes."""
    if not tables.part_files(output, Table.DIVISIONS):
        written = tables.part_files(output, Table.DOCUMENTS) or tables.part_files(
            output, Table.RUNS
        )
        return [Violation(Table.DIVISIONS, "missing", "no table")] if written else []
    codes = set(tables.read_table(output, Table.DIVISIONS, ["code"])["code"].to_pylist())
    violations = []
    for table in (Table.ENTITIES, Table.OFFICIALS):
        unknown = sorted(
            {c for c in tables.read_table(output, table, ["adcode"])["adcode"].to_pylist() if c}
            - codes
        )
        if unknown:
            detail = f"{len(unknown)} codes, e.g. {unknown[:max_examples]}"
            violations.append(Violation(table, "adcode not in divisions", detail))
    return violations


def _check_files(output: Path) -> list[Violation]:
    """Every committed part must be readable Parquet with its table's declared schema."""
    violations = []
    for table in Table:
        for path in tables.committed_part_files(output, table):
            try:
                parquet = pq.ParquetFile(path)
                schema = parquet.schema_arrow
                parquet.read()  # a valid footer does not make valid pages
            except (OSError, pa.ArrowException) as error:
                violations.append(Violation(table, "unreadable file", f"{path}: {error}"))
                continue
            if not schema.equals(SCHEMAS[table]):
                detail = f"{path} does not match the declared schema"
                violations.append(Violation(table, "schema", detail))
    return violations


def _check_keys(table: Table, data: pa.Table, max_examples: int) -> list[Violation]:
    """No two rows of a table share its key."""
    key_rows = data.select(list(tables.KEYS[table])).to_pylist()
    keys = Counter(tuple(row.values()) for row in key_rows)
    duplicates = [key for key, count in keys.items() if count > 1]
    if not duplicates:
        return []
    detail = f"{len(duplicates)} keys, e.g. {duplicates[:max_examples]}"
    return [Violation(table, "duplicate key", detail)]


def _check_spans(
    table: Table, data: pa.Table, texts: dict[str, str], max_examples: int
) -> list[Violation]:
    """Child rows point at a document, within its text, and quote it exactly."""
    orphans, out_of_range, mismatches = [], [], []
    quoted = tables.SPAN_TEXT[table]
    for row in data.select(["doc_id", quoted, "start_char", "end_char"]).to_pylist():
        text = texts.get(row["doc_id"])
        start, end = row["start_char"], row["end_char"]
        if text is None:
            orphans.append(row["doc_id"])
        elif not 0 <= start < end <= len(text):
            out_of_range.append(row)
        elif text[start:end] != row[quoted]:
            mismatches.append(row)
    found = (
        ("doc_id not in documents", orphans),
        ("span not within 0 <= start_char < end_char <= len(documents.text)", out_of_range),
        (f"{quoted} != documents.text[start_char:end_char]", mismatches),
    )
    return [
        Violation(table, rule, f"{len(rows)} rows, e.g. {rows[:max_examples]}")
        for rule, rows in found
        if rows
    ]


def _check_values(documents: pa.Table, rejects: pa.Table, max_examples: int) -> list[Violation]:
    """Derived and enumerated values: `n_chars` is the text's length, reasons are known."""
    violations = []
    wrong_length = [
        row["doc_id"] for row in documents.to_pylist() if row["n_chars"] != len(row["text"])
    ]
    if wrong_length:
        detail = f"{len(wrong_length)} rows, e.g. {wrong_length[:max_examples]}"
        violations.append(Violation(Table.DOCUMENTS, "n_chars != len(text)", detail))
    unknown = sorted(set(rejects["reason"].to_pylist()) - _REASONS)
    if unknown:
        violations.append(Violation(Table.REJECTS, "unknown reason", f"{unknown[:max_examples]}"))
    return violations
