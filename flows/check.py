"""`zhnews check`: validate every table of an output directory against the contract."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from flows import tables
from flows.tables import SCHEMAS, Table


@dataclass(frozen=True, slots=True)
class Violation:
    table: str
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.table}] {self.rule}: {self.detail}"


def check_output(output: Path, *, max_examples: int = 5) -> list[Violation]:
    """Schemas, foreign keys, span texts and unique keys; an empty list means all good."""
    violations: list[Violation] = []
    for table in Table:
        for path in tables.part_files(output, table):
            schema = pq.read_schema(path)
            if not schema.equals(SCHEMAS[table]):
                violations.append(Violation(table, "schema", f"{path} does not match the declared schema"))
    if violations:
        return violations
    documents = tables.read_table(output, Table.DOCUMENTS, ["doc_id", "source", "record_id", "text"])
    texts = dict(zip(documents["doc_id"].to_pylist(), documents["text"].to_pylist(), strict=True))
    for table in Table:
        data = tables.read_table(output, table)
        keys = Counter(tuple(row[k] for k in tables.KEYS[table]) for row in
                       data.select(list(tables.KEYS[table])).to_pylist())
        duplicates = [key for key, count in keys.items() if count > 1]
        if duplicates:
            violations.append(Violation(table, "duplicate key",
                                        f"{len(duplicates)} keys, e.g. {duplicates[:max_examples]}"))
        if table not in tables.CHILD_TABLES:
            continue
        orphans, mismatches = [], []
        for row in data.select(["doc_id", "text", "start_char", "end_char"]).to_pylist():
            text = texts.get(row["doc_id"])
            if text is None:
                orphans.append(row["doc_id"])
            elif text[row["start_char"]:row["end_char"]] != row["text"]:
                mismatches.append(row)
        if orphans:
            violations.append(Violation(table, "doc_id not in documents",
                                        f"{len(orphans)} rows, e.g. {orphans[:max_examples]}"))
        if mismatches:
            violations.append(Violation(table, "text != documents.text[start_char:end_char]",
                                        f"{len(mismatches)} rows, e.g. {mismatches[:max_examples]}"))
    return violations
