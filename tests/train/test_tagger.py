"""The POS tagger's corpus, its tag mapping and the shipped component (flows/train/tagger.py)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
import spacy
from spacy.parts_of_speech import IDS as UD_POS
from spacy.tokens import DocBin
from spacy.vocab import Vocab

from flows import CHECKOUT_MODEL as MODEL_DIR
from flows.nlp.model import load_pipeline
from flows.nlp.pos import PD_TO_UD
from flows.train.corpora import DEFAULT_CORPORA, peoples_daily_sentences
from flows.train.tagger import (
    PEOPLES_DAILY,
    TAGGER_COMPONENTS,
    add_to_pipeline,
    convert_corpus,
    evaluate_tagger,
    run_training,
)

COVID_NEWS = DEFAULT_CORPORA / "covid_news" / "xwlb_covid_2020_2021.jsonl"
shipped = pytest.mark.skipif(
    "tagger" not in spacy.util.load_config(MODEL_DIR / "config.cfg")["nlp"]["pipeline"],
    reason="models/zh_news has no tagger",
)


def test_every_peoples_daily_tag_maps_to_a_ud_class() -> None:
    tags = {
        tag
        for pairs in peoples_daily_sentences(DEFAULT_CORPORA / PEOPLES_DAILY)
        for _, tag in pairs
    }
    assert tags <= PD_TO_UD.keys()
    assert set(PD_TO_UD.values()) <= UD_POS.keys()


def test_dev_is_the_last_block_of_whole_paragraphs(tmp_path: Path) -> None:
    train_size, dev_size = convert_corpus(tmp_path, limit=200)
    assert (train_size, dev_size) == (180, 20)
    paragraphs = list(
        itertools.islice(peoples_daily_sentences(DEFAULT_CORPORA / PEOPLES_DAILY), 200)
    )
    vocab = Vocab()
    for name, block in (("train", paragraphs[:180]), ("dev", paragraphs[180:])):
        docs = list(DocBin().from_disk(tmp_path / f"{name}.spacy").get_docs(vocab))
        assert [[(t.text, t.tag_) for t in doc] for doc in docs] == block


@pytest.mark.slow
@shipped
def test_the_shipped_tagger_reads_the_shipped_tok2vec_and_scores_on_dev(tmp_path: Path) -> None:
    nlp = load_pipeline()
    assert nlp.pipe_names.index("tagger") < nlp.pipe_names.index("zhnews_numbers")
    add_to_pipeline(nlp)  # raises if the tagger was trained on another tok2vec
    convert_corpus(tmp_path, limit=1000)
    score = evaluate_tagger(
        spacy.load(MODEL_DIR, enable=["tok2vec", *TAGGER_COMPONENTS]), tmp_path / "dev.spacy"
    )
    assert score.coverage > 0.8
    assert score.accuracy > 0.85


@pytest.mark.slow
@shipped
def test_tags_and_ud_classes_on_news() -> None:
    with COVID_NEWS.open(encoding="utf-8") as lines:
        text = json.loads(next(lines))["text"]
    doc = load_pipeline()(text)
    assert all(token.tag_ in PD_TO_UD for token in doc if not token.is_space)
    assert all(token.pos_ == PD_TO_UD[token.tag_] for token in doc if not token.is_space)
    punctuation = [token for token in doc if token.text in "，。、"]
    assert punctuation and all(token.tag_ == "w" for token in punctuation)


@pytest.mark.slow
def test_a_training_smoke_run_adds_a_tagger_on_the_same_tok2vec(tmp_path: Path) -> None:
    convert_corpus(tmp_path / "corpus", limit=60)
    run_training(Path(__file__).parents[2] / "configs" / "tagger.cfg", tmp_path, max_steps=3)
    trained = tmp_path / "model-last"
    assert (trained / "tok2vec" / "model").read_bytes() == (
        MODEL_DIR / "tok2vec" / "model"
    ).read_bytes()
    nlp = spacy.load(MODEL_DIR, exclude=list(TAGGER_COMPONENTS))
    add_to_pipeline(nlp, source=trained)
    names = nlp.pipe_names
    assert names[names.index("ner") + 1 : names.index("ner") + 3] == list(TAGGER_COMPONENTS)
    doc = nlp("巴基斯坦政府调集6万副护目镜。")
    assert all(token.tag_ for token in doc) and all(token.pos_ for token in doc)
