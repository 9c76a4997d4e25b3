"""`spacy.load("models/zh_news")` over each seed's `documents.text` gives the flow's rows.

The contract's library promise, checked as a spaCy user would call it: make_doc, set the
publication date read back from the table, run the pipeline, read `doc.ents`, `doc._.dates`,
`doc._.numbers` and `doc.spans["slogans"]`; the tables are read back with DuckDB.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import duckdb
import pytest
import spacy
from spacy.tokens import Doc

from flows import CHECKOUT_MODEL as MODEL_DIR
from flows.nlp.model import sentence_starts
from flows.store.tables import Table
from tests.conftest import SEEDS

# The columns a table row takes from the Doc (keys and run columns aside).
COLUMNS = {
    Table.ENTITIES: ("label", "text", "start_char", "end_char", "sentence"),
    Table.DATES: ("text", "start_char", "end_char", "value", "date_start", "date_end", "grain"),
    Table.NUMBERS: ("text", "start_char", "end_char", "value", "unit", "kind", "approx"),
    Table.SLOGANS: (
        "text",
        "start_char",
        "end_char",
        "slogan_id",
        "canonical",
        "category",
        "method",
    ),
}


def doc_rows(doc: Doc) -> dict[Table, Counter[tuple[object, ...]]]:
    """What the Doc says each table holds for it."""
    starts = sentence_starts(doc.text)
    entities = [
        (e.label_, e.text, e.start_char, e.end_char, sum(s <= e.start_char for s in starts) - 1)
        for e in doc.ents
    ]
    slogans = [
        (
            *(s.text, s.start_char, s.end_char),
            *(s._.slogan_id, s._.canonical, s.label_ or None, s._.method),
        )
        for s in doc.spans["slogans"]
    ]
    return {
        Table.ENTITIES: Counter(entities),
        Table.DATES: Counter(_fields(d, COLUMNS[Table.DATES]) for d in doc._.dates),
        Table.NUMBERS: Counter(_fields(n, COLUMNS[Table.NUMBERS]) for n in doc._.numbers),
        Table.SLOGANS: Counter(slogans),
    }


def _fields(mention: object, names: tuple[str, ...]) -> tuple[object, ...]:
    return tuple(getattr(mention, name) for name in names)


def table_rows(
    connection: duckdb.DuckDBPyConnection, output: Path, doc_id: str
) -> dict[Table, Counter[tuple[object, ...]]]:
    """Each child table's rows of one document, read back from the Parquet."""
    rows = {}
    for table, columns in COLUMNS.items():
        glob = f"{output}/{table.value}/**/*.parquet"
        found = connection.execute(
            f"SELECT {', '.join(columns)} FROM read_parquet(?, hive_partitioning = true) "
            "WHERE doc_id = ?",
            [glob, doc_id],
        ).fetchall()
        rows[table] = Counter(found)
    return rows


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_spacy_load_gives_the_rows_the_flow_writes_for_every_seed(tmp_path: Path) -> None:
    from flows.pipeline import zhnews_flow

    output = tmp_path / "output"
    zhnews_flow([SEEDS], output)
    nlp = spacy.load(MODEL_DIR)
    with duckdb.connect() as connection:
        documents = connection.execute(
            "SELECT doc_id, text, published_at, published_partial FROM "
            "read_parquet(?, hive_partitioning = true) ORDER BY source",
            [f"{output}/documents/**/*.parquet"],
        ).fetchall()
        assert len(documents) == len(list(SEEDS.iterdir()))
        for doc_id, text, published_at, published_partial in documents:
            doc = nlp.make_doc(text)
            doc._.published = published_at
            doc._.published_partial = published_partial
            doc = nlp(doc)
            assert doc.text == text
            expected = table_rows(connection, output, doc_id)
            assert doc_rows(doc) == expected, doc_id
            assert all(expected.values()), f"{doc_id}: a table without rows proves little"
