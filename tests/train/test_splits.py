"""The NER dev splits: MSRA in contiguous blocks, our news by article, the old split on request."""

from __future__ import annotations

import itertools
import json
import shutil
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from flows.train.corpora import DEFAULT_CORPORA, bio_sentences
from flows.train.ner import annotated_news_examples, convert_corpora, msra_examples
from flows.train.package import training_texts
from flows.train.segmenter import USER_DICT
from flows.train.splits import (
    ANNOTATED_NEWS,
    MSRA_BLOCK_LINES,
    MSRA_BLOCK_PERIOD,
    DevSplit,
    article_of,
    held_out_texts,
    is_msra_dev_line,
    is_news_dev,
    news_article_splits,
)
from flows.train.vectors import raw_texts

MSRA_LINES = 50_658  # sentences of MSRA NER train (models/README.md)
needs_msra = pytest.mark.skipif(
    not (DEFAULT_CORPORA / "msra_ner" / "train.bio").exists(),
    reason="../shared/corpora not present",
)


def dev_runs(lines: int, split: DevSplit) -> list[range]:
    """The maximal runs of consecutive dev lines among the first `lines`."""
    runs, index = [], 0
    for is_dev, group in itertools.groupby(range(lines), lambda i: is_msra_dev_line(i, split)):
        size = len(list(group))
        if is_dev:
            runs.append(range(index, index + size))
        index += size
    return runs


def test_msra_dev_blocks_are_contiguous_spread_and_about_five_percent() -> None:
    runs = dev_runs(MSRA_LINES, DevSplit.BLOCKS)
    assert [len(run) for run in runs] == [MSRA_BLOCK_LINES] * 10
    # One block per period, each at the period's end, so blocks never touch one another.
    assert [run.stop for run in runs] == [MSRA_BLOCK_PERIOD * (n + 1) for n in range(10)]
    dev = sum(map(len, runs))
    assert 0.045 < dev / MSRA_LINES < 0.055
    # Deterministic: the same lines every time.
    assert runs == dev_runs(MSRA_LINES, DevSplit.BLOCKS)


def test_interleaved_split_is_every_twentieth_line() -> None:
    dev = [i for i in range(MSRA_LINES) if is_msra_dev_line(i, DevSplit.INTERLEAVED)]
    assert dev == list(range(0, MSRA_LINES, 20))
    assert all(len(run) == 1 for run in dev_runs(MSRA_LINES, DevSplit.INTERLEAVED))


@needs_msra
@pytest.mark.parametrize(
    ("split", "dev_sentences", "dev_entities"),
    # The interleaved numbers are those models/README.md gives for the split of 0.7.0.
    [(DevSplit.INTERLEAVED, 2_533, 3_692), (DevSplit.BLOCKS, 2_500, None)],
)
def test_msra_examples_cover_every_line_once(
    split: DevSplit, dev_sentences: int, dev_entities: int | None
) -> None:
    examples = list(msra_examples(DEFAULT_CORPORA, split))
    assert len(examples) == MSRA_LINES
    parts = Counter(part for part, _, _ in examples)
    assert parts == {"dev": dev_sentences, "train": MSRA_LINES - dev_sentences}
    if dev_entities is not None:
        assert sum(len(spans) for part, _, spans in examples if part == "dev") == dev_entities


def test_news_sentences_are_held_out_by_article() -> None:
    ids = [f"VIDE{n}:{s}" for n in range(60) for s in range(4)]
    by_article: dict[str, set[bool]] = defaultdict(set)
    for record_id in ids:
        by_article[article_of(record_id)].add(is_news_dev(record_id, article_splits={}))
    assert all(len(sides) == 1 for sides in by_article.values())
    dev_articles = sum(sides == {True} for sides in by_article.values())
    assert 10 <= dev_articles <= 30
    # The old split scatters the sentences of an article over both sides.
    old_sides = [
        {is_news_dev(f"VIDE{n}:{s}", DevSplit.INTERLEAVED) for s in range(4)} for n in range(60)
    ]
    assert any(len(sides) == 2 for sides in old_sides)


def test_items_of_the_articles_file_keep_its_split() -> None:
    ids = [f"VIDEx{n}:{s}" for n in range(30) for s in range(3)]
    assigned = {article_of(i): ("train", "dev", "dev2")[n % 3] for n, i in enumerate(ids[::3])}
    assert all(
        is_news_dev(i, article_splits=assigned) == (assigned[article_of(i)] != "train") for i in ids
    )
    # A CLUENER record is its own unit.
    assert article_of("cluener:12") == "cluener:12"


def test_annotated_news_split_on_the_real_file() -> None:
    examples = list(annotated_news_examples(ANNOTATED_NEWS, DevSplit.BLOCKS))
    ids = [json.loads(line)["id"] for line in ANNOTATED_NEWS.read_text("utf-8").splitlines()]
    sides: dict[str, set[str]] = defaultdict(set)
    for record_id, (part, _, _) in zip(ids, examples, strict=True):
        sides[article_of(record_id)].add(part)
    assert all(len(parts) == 1 for parts in sides.values())
    # The articles file's items keep its split; the two files share no item today.
    articles = news_article_splits()
    assert all(
        parts == {"news-train" if articles[a] == "train" else "news-dev"}
        for a, parts in sides.items()
        if a in articles
    )
    # The old split: the counts data/annotated/README.md gives.
    old = Counter(part for part, _, _ in annotated_news_examples(split=DevSplit.INTERLEAVED))
    assert old["news-dev"] == 733 and old["cluener-dev"] == 515
    new = Counter(part for part, _, _ in examples)
    assert new["cluener-dev"] == 515  # each CLUENER record is its own article
    assert 0.25 < new["news-dev"] / (new["news-dev"] + new["news-train"]) < 0.42


def test_raw_text_leaves_out_the_dev_articles() -> None:
    skipped = held_out_texts(DevSplit.BLOCKS)
    examples = zip(
        (json.loads(line)["id"] for line in ANNOTATED_NEWS.read_text("utf-8").splitlines()),
        annotated_news_examples(split=DevSplit.BLOCKS),
        strict=True,
    )
    for record_id, (part, _, _) in examples:
        assert (article_of(record_id) in skipped) == part.endswith("-dev"), record_id
    assert {a for a, part in news_article_splits().items() if part != "train"} <= skipped
    assert held_out_texts(DevSplit.INTERLEAVED) == frozenset()


@needs_msra
def test_smoke_conversion_writes_each_dev_set(tmp_path: Path) -> None:
    # The shipped segmenter, with the empty user dictionary a trained one has beside it.
    segmenter = tmp_path / "pkuseg_model"
    shutil.copytree(Path("models/zh_news/tokenizer/pkuseg_model"), segmenter)
    (segmenter / USER_DICT).write_text("", encoding="utf-8")
    report = convert_corpora(segmenter, tmp_path / "corpus", limit=20)
    assert report.sentences == {
        "dev": 20,
        "train": 20,
        "news-dev": 20,
        "news-train": 20,
        "cluener-dev": 20,
        "cluener-train": 20,
    }
    for name in ("train", "dev", "news-dev", "cluener-dev"):
        assert (tmp_path / "corpus" / f"{name}.spacy").exists(), name
    # The MSRA dev documents are the first lines of the first block.
    texts = [
        doc.text
        for doc in DocBin()
        .from_disk(tmp_path / "corpus" / "dev.spacy")
        .get_docs(spacy.blank("zh").vocab)
    ]
    first_block = [
        text.replace(" ", "").replace("\u3000", "")
        for part, text, _ in itertools.islice(msra_examples(DEFAULT_CORPORA), MSRA_BLOCK_PERIOD)
        if part == "dev"
    ]
    assert texts == first_block[:20]


@needs_msra
def test_raw_text_for_pretraining_and_vectors_leaves_out_the_dev_sets() -> None:
    msra = [text for text, _ in bio_sentences(DEFAULT_CORPORA / "msra_ner" / "train.bio")]
    every_text = list(raw_texts(DEFAULT_CORPORA))
    # The interleaved split leaves out its MSRA lines and nothing else, as before.
    assert len(list(raw_texts(DEFAULT_CORPORA, held_out=DevSplit.INTERLEAVED))) == len(
        every_text
    ) - len(range(0, MSRA_LINES, 20))
    kept = list(raw_texts(DEFAULT_CORPORA, held_out=DevSplit.BLOCKS))
    dev_only = {t for i, t in enumerate(msra) if is_msra_dev_line(i)} - {
        t for i, t in enumerate(msra) if not is_msra_dev_line(i)
    }
    assert dev_only and not dev_only & set(kept)
    # Fewer texts than the MSRA block alone: the dev articles' items are gone too.
    assert len(kept) < len(every_text) - 2_500


@needs_msra
def test_packaging_learns_from_the_train_part_of_its_split() -> None:
    first_line = next(msra_examples(DEFAULT_CORPORA))[1]  # interleaved dev, block train
    assert next(training_texts(DEFAULT_CORPORA, 1, DevSplit.BLOCKS))[0] == first_line
    assert next(training_texts(DEFAULT_CORPORA, 1, DevSplit.INTERLEAVED))[0] != first_line
