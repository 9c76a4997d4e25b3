"""The dev splits of the NER corpora: which MSRA lines and which annotated sentences are held out.

Neighbouring MSRA lines come from the same article and share its names: a name mentioned on
line i is on line i+1 in 23% of cases and still on line i+50 in 1.5% (PERSON and ORG surfaces
of two characters or more; the background rate, 5,000 lines apart, is 0.1%). Holding out
every 20th line (`DevSplit.INTERLEAVED`, the split up to zh_news 0.7.0) therefore tests on
articles the model was trained on: 24% of its dev PERSON/ORG mentions are unseen in train,
against about 40% for blocks of 100 lines or more. `DevSplit.BLOCKS` holds out the last
`MSRA_BLOCK_LINES` lines of every `MSRA_BLOCK_PERIOD`: ten blocks of 250 lines (4.9% of the
50,658), each long enough that only its edges touch the articles of the train lines around it,
and spread over the corpus so no single topic makes the dev set.

Our annotated news sentences are held out by article (the COVID item of the id), so the
sentences of one item stay on one side; an item of `ner_news_articles.jsonl` keeps that file's
split (any split there but `train` is held out). A CLUENER record is its own unit (a fragment
without an article id).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from enum import StrEnum
from functools import cache
from pathlib import Path

from flows import REPO_ROOT

MSRA_BLOCK_LINES = 250
MSRA_BLOCK_PERIOD = 5_000
INTERLEAVED_EVERY = 20
ANNOTATED_NEWS = REPO_ROOT / "data" / "annotated" / "ner_news.jsonl"
NEWS_ARTICLES = REPO_ROOT / "data" / "annotated" / "ner_news_articles.jsonl"


class DevSplit(StrEnum):
    """How the NER corpora are split: `blocks` (by article; the default) or `interleaved`
    (every 20th MSRA line and one annotated sentence in three; zh_news 0.7.0 and before)."""

    BLOCKS = "blocks"
    INTERLEAVED = "interleaved"


def is_msra_dev_line(index: int, split: DevSplit = DevSplit.BLOCKS) -> bool:
    """Whether line `index` (0-based) of MSRA NER train is held out as dev."""
    if split is DevSplit.INTERLEAVED:
        return index % INTERLEAVED_EVERY == 0
    return index % MSRA_BLOCK_PERIOD >= MSRA_BLOCK_PERIOD - MSRA_BLOCK_LINES


def article_of(record_id: str) -> str:
    """The unit a sentence id is held out with: its COVID item, or the CLUENER record itself."""
    if record_id.startswith("cluener:"):
        return record_id
    return record_id.rpartition(":")[0] or record_id


def is_news_dev(
    record_id: str,
    split: DevSplit = DevSplit.BLOCKS,
    article_splits: Mapping[str, str] | None = None,
) -> bool:
    """Whether an annotated sentence (`ner_news.jsonl` id) is held out: one unit in three by
    the hash of its id, where the unit is the sentence (`interleaved`) or its article (`blocks`,
    which follows `article_splits`, by default that of `ner_news_articles.jsonl`, for the
    items it has)."""
    if split is DevSplit.INTERLEAVED:
        return _stable_bucket(record_id) == 0
    article = article_of(record_id)
    known = news_article_splits() if article_splits is None else article_splits
    if article in known:
        return known[article] != "train"
    return _stable_bucket(article) == 0


@cache
def news_article_splits(path: Path = NEWS_ARTICLES) -> Mapping[str, str]:
    """The split of every item of `ner_news_articles.jsonl` (one split per item there)."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as lines:
        records = (json.loads(line) for line in lines if line.strip())
        return {article_of(record["id"]): record["split"] for record in records}


def held_out_texts(split: DevSplit, annotated: Path = ANNOTATED_NEWS) -> frozenset[str]:
    """The COVID items and CLUENER records (`cluener:<line>`) whose text the raw-text corpora
    leave out with `split`: those with a dev sentence in `annotated`, and the dev items of
    `ner_news_articles.jsonl` (all but its train items). None with the interleaved split, whose
    raw text kept them."""
    if split is DevSplit.INTERLEAVED:
        return frozenset()
    ids: list[str] = []
    if annotated.exists():
        with annotated.open(encoding="utf-8") as lines:
            ids = [json.loads(line)["id"] for line in lines if line.strip()]
    dev = {article_of(record_id) for record_id in ids if is_news_dev(record_id, split)}
    articles = news_article_splits()
    return frozenset(dev | {article for article, part in articles.items() if part != "train"})


def _stable_bucket(key: str, buckets: int = 3) -> int:
    return int(hashlib.sha1(key.encode()).hexdigest(), 16) % buckets
