"""`spacy.load("models/zh_news")` over each `documents.text` gives the flow's rows.

The contract's library promise, checked as a spaCy user would call it: make_doc, set the
publication date read back from the table, run the pipeline, read `doc.ents` (with
`span._.adcode`), `doc._.dates`, `doc._.numbers`, `doc.spans["slogans"]` and `doc._.officials`;
the tables are read back with DuckDB. On the seeds and on CCTV news items of the annotated sets
(data/annotated/linking, data/annotated/ner_news_articles.jsonl's dev split).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import duckdb
import pytest
import spacy
from spacy.tokens import Doc

from flows import CHECKOUT_MODEL as MODEL_DIR
from flows.nlp.model import sentence_starts
from flows.store.tables import Table
from tests.conftest import REPO_ROOT, SEEDS, SHARED

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

COVID_NEWS = SHARED / "corpora" / "covid_news" / "xwlb_covid_2020_2021.jsonl"
ANNOTATED = REPO_ROOT / "data" / "annotated"

# The columns a table row takes from the Doc (keys and run columns aside).
COLUMNS = {
    Table.ENTITIES: ("label", "text", "start_char", "end_char", "sentence", "adcode"),
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
    Table.OFFICIALS: (
        "person",
        "start_char",
        "end_char",
        "title",
        "organisation",
        "adcode",
        "sentence",
    ),
}


def doc_rows(doc: Doc) -> dict[Table, Counter[tuple[object, ...]]]:
    """What the Doc says each table holds for it."""
    starts = sentence_starts(doc.text)
    entities = [
        (
            *(e.label_, e.text, e.start_char, e.end_char),
            *(sum(s <= e.start_char for s in starts) - 1, e._.adcode),
        )
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
        Table.OFFICIALS: Counter(_fields(o, COLUMNS[Table.OFFICIALS]) for o in doc._.officials),
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


def library_and_table_rows(
    inputs: Path, output: Path
) -> list[tuple[str, dict[Table, Counter[tuple[object, ...]]], dict[Table, Counter]]]:
    """Run the flow on `inputs`, then for each document: (doc_id, the Doc's rows, the tables')."""
    from flows.pipeline import zhnews_flow

    zhnews_flow([inputs], output)
    nlp = spacy.load(MODEL_DIR)
    found = []
    with duckdb.connect() as connection:
        documents = connection.execute(
            "SELECT doc_id, text, published_at, published_partial, outlet FROM "
            "read_parquet(?, hive_partitioning = true) ORDER BY source, record_id",
            [f"{output}/documents/**/*.parquet"],
        ).fetchall()
        for doc_id, text, published_at, published_partial, outlet in documents:
            doc = nlp.make_doc(text)
            doc._.published = published_at
            doc._.published_partial = published_partial
            doc._.outlet = outlet
            doc = nlp(doc)
            assert doc.text == text
            found.append((doc_id, doc_rows(doc), table_rows(connection, output, doc_id)))
    return found


def test_spacy_load_gives_the_rows_the_flow_writes_for_every_seed(tmp_path: Path) -> None:
    found = library_and_table_rows(SEEDS, tmp_path / "output")
    assert len(found) == len(list(SEEDS.iterdir()))
    for doc_id, from_doc, expected in found:
        assert from_doc == expected, doc_id
        # Officials aside (seed 001 names none), a table without rows would prove little.
        assert all(rows for t, rows in expected.items() if t is not Table.OFFICIALS), doc_id
    assert sum(bool(rows[Table.OFFICIALS]) for _, _, rows in found) >= 3


def held_back_news_ids() -> set[str]:
    """Corpus ids of the annotated CCTV items that no rule was tuned on: the linking set (dev
    and test) and the dev split of the whole-article NER set."""
    with (ANNOTATED / "linking" / "linking.jsonl").open(encoding="utf-8") as lines:
        ids = {json.loads(line)["id"] for line in lines}
    with (ANNOTATED / "ner_news_articles.jsonl").open(encoding="utf-8") as lines:
        records = map(json.loads, lines)
        ids |= {r["id"].split(":")[0] for r in records if r["split"] == "dev"}
    return ids


@pytest.mark.skipif(not COVID_NEWS.exists(), reason="../shared/corpora/covid_news not present")
def test_spacy_load_gives_the_rows_the_flow_writes_for_annotated_news(tmp_path: Path) -> None:
    wanted = held_back_news_ids()
    news = tmp_path / "news.jsonl"
    with COVID_NEWS.open(encoding="utf-8") as corpus, news.open("w", encoding="utf-8") as out:
        out.writelines(line for line in corpus if json.loads(line)["id"] in wanted)
    found = library_and_table_rows(news, tmp_path / "output")
    assert len(found) >= 60
    for doc_id, from_doc, expected in found:
        assert from_doc == expected, doc_id
    totals = Counter({t: sum(sum(rows[t].values()) for _, _, rows in found) for t in COLUMNS})
    # Every table and the codes are exercised (a comparison of empty tables proves little).
    assert min(totals.values()) >= 20, totals
    coded = sum(n for _, _, rows in found for row, n in rows[Table.ENTITIES].items() if row[-1])
    assert coded >= 100
