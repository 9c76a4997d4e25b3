"""A small output with every table analysts query, officials and divisions included.

Issue 20 adds `entities.adcode`, `officials` and `divisions` (CONTRACT.md gives their columns);
this output has them, written the way the writer writes parts, so the catalogue's division views
are tested before and after that lands. The texts are real seed sentences (seeds/000, 002).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flows.store.tables import SCHEMAS, Table

SHANGHAI = ZoneInfo("Asia/Shanghai")
INGEST_DAY = dt.date(2026, 12, 7)


RUN = "20261207T010000-abcdef"
LINYI = "临沂市住建局：开展建筑工地疫情防控督导检查\n\n临沂市住建局局长王春带队督导兰山区建筑工地。"
ZHUCHENG = (
    "诸城市委书记桂明东调研\n\n桂明东在诸城市龙都街道调研，潍坊市有关部门参加。"
    "诸城市要两手抓、两不误。"
)
# 00:30 Shanghai on 28 March is still 27 March in UTC: published_date must say the 28th.
DOCUMENTS = [
    ("d-linyi", "seeds/000.txt", LINYI, dt.datetime(2022, 3, 28, 0, 30, tzinfo=SHANGHAI), "大众网"),
    (
        "d-zhucheng",
        "seeds/002.txt",
        ZHUCHENG,
        dt.datetime(2020, 2, 27, tzinfo=SHANGHAI),
        "潍坊日报",
    ),
    # The same text again from another outlet: a documents row, no child rows.
    (
        "d-zhucheng",
        "other/002.html",
        ZHUCHENG,
        dt.datetime(2020, 2, 28, tzinfo=SHANGHAI),
        "诸城发布",
    ),
]


def _span(doc_id: str, text: str, surface: str, occurrence: int = 0) -> dict[str, object]:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(surface, start + 1)
    return {
        "doc_id": doc_id,
        "text": surface,
        "start_char": start,
        "end_char": start + len(surface),
    }


def _entity(
    doc_id: str, text: str, surface: str, label: str, adcode: str | None, occurrence: int = 0
) -> dict[str, object]:
    span = _span(doc_id, text, surface, occurrence)
    sentence = len(re.findall(r"\n\n|。", text[: span["start_char"]]))  # the title is one
    return {**span, "label": label, "sentence": sentence, "adcode": adcode, "run_id": RUN}


ENTITIES = [
    _entity("d-linyi", LINYI, "临沂市住建局", "ORG", "371300"),
    _entity("d-linyi", LINYI, "临沂市住建局", "ORG", "371300", 1),
    _entity("d-linyi", LINYI, "王春", "PERSON", None),
    _entity("d-linyi", LINYI, "兰山区", "LOC", "371302"),
    _entity("d-zhucheng", ZHUCHENG, "诸城市委", "ORG", "370782"),
    _entity("d-zhucheng", ZHUCHENG, "桂明东", "PERSON", None),
    _entity("d-zhucheng", ZHUCHENG, "桂明东", "PERSON", None, 1),
    _entity("d-zhucheng", ZHUCHENG, "诸城市", "LOC", "370782", 1),
    _entity("d-zhucheng", ZHUCHENG, "龙都街道", "LOC", None),
    _entity("d-zhucheng", ZHUCHENG, "潍坊市", "LOC", "370700"),
    _entity("d-zhucheng", ZHUCHENG, "诸城市", "LOC", "370782", 2),
]
DIVISION_ROWS = [
    ("370000", "山东省", "province", None, "山东省", None),
    ("370700", "潍坊市", "prefecture", "370000", "山东省", "潍坊市"),
    ("370782", "诸城市", "county", "370700", "山东省", "潍坊市"),
    ("371300", "临沂市", "prefecture", "370000", "山东省", "临沂市"),
    ("371302", "兰山区", "county", "371300", "山东省", "临沂市"),
]


def write_parquet(directory: Path, rows: list[dict], schema: pa.Schema, name: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), directory / f"part-{name}.parquet")


def partition(output: Path, table: str) -> Path:
    return output / table / f"ingest_date={INGEST_DAY.isoformat()}"


@pytest.fixture
def bi_output(tmp_path: Path) -> Path:
    """One run's output with officials, divisions and entities.adcode (issue 20)."""
    output = tmp_path / "out"
    documents = SCHEMAS[Table.DOCUMENTS].append(pa.field("published_date", pa.date32()))
    seen: set[str] = set()
    document_rows = []
    for doc_id, source, text, published, outlet in DOCUMENTS:
        title, _, _ = text.partition("\n")
        document_rows.append(
            {
                "doc_id": doc_id,
                "source": source,
                "title": title,
                "published_at": published,
                "published_date": published.date(),
                "outlet": outlet,
                "text": text,
                "n_chars": len(text),
                "is_first_occurrence": doc_id not in seen,
                "run_id": RUN,
            }
        )
        seen.add(doc_id)
    write_parquet(partition(output, "documents"), document_rows, documents, RUN)
    write_parquet(partition(output, "entities"), ENTITIES, SCHEMAS[Table.ENTITIES], RUN)
    slogan = {
        **_span("d-zhucheng", ZHUCHENG, "两手抓、两不误"),
        "slogan_id": "s-0001",
        "canonical": "两手抓、两不误",
        "category": "工作方法",
        "method": "lexicon",
        "run_id": RUN,
    }
    write_parquet(partition(output, "slogans"), [slogan], SCHEMAS[Table.SLOGANS], RUN)
    reject = {"source": "other/empty.txt", "reason": "empty", "detail": "0 bytes", "run_id": RUN}
    write_parquet(partition(output, "rejects"), [reject], SCHEMAS[Table.REJECTS], RUN)
    officials = [
        {**_span("d-linyi", LINYI, "王春"), "person": "王春", "title": "局长"},
        {**_span("d-zhucheng", ZHUCHENG, "桂明东"), "person": "桂明东", "title": "书记"},
    ]
    officials[0] |= {"organisation": "临沂市住建局", "adcode": "371300", "sentence": 1}
    officials[1] |= {"organisation": "诸城市委", "adcode": "370782", "sentence": 0}
    for row in officials:
        row |= {"run_id": RUN}
        row.pop("text")
    write_parquet(partition(output, "officials"), officials, SCHEMAS[Table.OFFICIALS], RUN)
    names = ("code", "name", "level", "parent_code", "province", "prefecture")
    divisions = [
        {**dict(zip(names, row, strict=True)), "former_names": []} for row in DIVISION_ROWS
    ]
    write_parquet(output / "divisions", divisions, SCHEMAS[Table.DIVISIONS], "current")
    return output
