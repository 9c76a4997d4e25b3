"""Static word vectors trained on the raw text of all corpora (a lever for the NER tok2vec).

People's Daily keeps its gold segmentation; every other text is segmented by our pkuseg model,
so the vector table covers the tokens the pipeline will actually see.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from flows.inputs.clean import halfwidth_alnum
from flows.train.corpora import (
    COVID_NEWS,
    DEFAULT_CORPORA,
    bio_sentences,
    peoples_daily_sentences,
)
from flows.train.ner import segmenter_nlp
from flows.train.splits import DevSplit, held_out_texts, is_msra_dev_line


def raw_texts(corpora: Path, *, held_out: DevSplit | None = None) -> Iterator[str]:
    """Unlabelled text of MSRA, CLUENER and the COVID news; with `held_out`, less the text of
    that split's dev sets (MSRA lines, news items, CLUENER records)."""
    skipped = held_out_texts(held_out) if held_out else frozenset()
    for index, (text, _) in enumerate(bio_sentences(corpora / "msra_ner" / "train.bio")):
        if held_out is None or not is_msra_dev_line(index, held_out):
            yield text
    with (corpora / "cluener2020" / "train.json").open(encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if f"cluener:{number}" not in skipped:
                yield json.loads(line)["text"]
    with (corpora / COVID_NEWS).open(encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            if item.get("id") not in skipped:
                yield from (p for p in (item.get("title") or "", item.get("text") or "") if p)


def tokenised_sentences(
    corpora: Path, pkuseg_model: Path, *, held_out: DevSplit | None = None
) -> Iterator[list[str]]:
    """People's Daily in its own words, then `raw_texts` in our segmenter's words."""
    for pairs in peoples_daily_sentences(corpora / "peoples_daily_1998" / "199801.txt"):
        yield [word for word, _ in pairs]
    nlp = segmenter_nlp(pkuseg_model)
    for text in raw_texts(corpora, held_out=held_out):
        for paragraph in halfwidth_alnum(text).split("\n"):
            if paragraph.strip():
                yield [t.text for t in nlp.make_doc(paragraph) if not t.is_space]


def train_vectors(
    out_dir: Path,
    pkuseg_model: Path,
    *,
    corpora: Path = DEFAULT_CORPORA,
    dims: int = 100,
    min_count: int = 3,
    max_rows: int = 50_000,
    split: DevSplit = DevSplit.BLOCKS,
) -> Path:
    """Train word2vec and convert it with `spacy init vectors`; returns the vectors pipeline dir.

    The text of `split`'s NER dev sets is left out, as for pretraining.
    """
    from gensim.models import Word2Vec  # training-only dependency

    out_dir.mkdir(parents=True, exist_ok=True)
    sentences = list(tokenised_sentences(corpora, pkuseg_model, held_out=split))
    print(f"vectors: {len(sentences)} sentences, {sum(map(len, sentences))} tokens", flush=True)
    model = Word2Vec(
        sentences, vector_size=dims, min_count=min_count, workers=1, seed=0, epochs=5, sg=1
    )
    text_path = out_dir / "vectors.txt"
    model.wv.save_word2vec_format(str(text_path), binary=False)
    vectors_dir = out_dir / "pipeline"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "spacy",
            "init",
            "vectors",
            "zh",
            str(text_path),
            str(vectors_dir),
            "--prune",
            str(max_rows),
        ],
        check=True,
    )
    return vectors_dir
