"""Our pkuseg feature extraction against spacy-pkuseg's own, on the shipped segmenter model."""

from __future__ import annotations

import pytest
import spacy
import spacy_pkuseg
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.lang.zh import ChineseTokenizer
from spacy.language import Language

from flows import CHECKOUT_MODEL as MODEL
from flows.inputs.clean import clean_text
from flows.nlp.model import load_pipeline
from flows.nlp.tokenizer import FastPkuseg, PkusegTokenizer, SentenceFeatures, segmentation_view
from tests.conftest import SEEDS

# Han characters frequent in news (so dictionary words occur), digits and letters in both
# widths (pkuseg folds them into classes), and the characters pkuseg renames ("-._,|/*:").
ALPHABET = "临沂市住房和城乡建设局中国人民政府北京上海疫情防控工作会议召开年月日的了在是有" + (
    "0123456789０１２AbＡｂ-._,|/*:，。、（）"
)


def shipped() -> Language:
    return load_pipeline(MODEL)


def spacy_tokenizer() -> ChineseTokenizer:
    """spaCy's own pkuseg tokenizer with the shipped segmenter model, user dictionary included."""
    config = {"nlp": {"tokenizer": {"@tokenizers": "spacy.zh.ChineseTokenizer"}}}
    return spacy.load(MODEL, enable=[], config=config).tokenizer


@pytest.mark.slow
def test_shipped_pipeline_uses_our_pkuseg_tokenizer() -> None:
    nlp = shipped()
    assert isinstance(nlp.tokenizer, PkusegTokenizer)
    assert isinstance(nlp.tokenizer, ChineseTokenizer)
    assert nlp.tokenizer.segmenter == "pkuseg"
    assert isinstance(nlp.tokenizer.pkuseg_seg, FastPkuseg)
    assert nlp.config["nlp"]["tokenizer"]["@tokenizers"] == "zhnews.ChineseTokenizer.v1"


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, min_size=1, max_size=40))
def test_features_equal_spacy_pkuseg_features(text: str) -> None:
    extractor = shipped().tokenizer.pkuseg_seg.feature_extractor
    features = shipped().tokenizer.pkuseg_seg.sentence_features
    nodes = list(extractor.normalize_text(text))
    assert features.nodes(text) == nodes
    expected = [extractor.get_node_features_idx(i, nodes) for i in range(len(nodes))]
    assert features(nodes) == expected


@pytest.mark.slow
def test_sentence_features_of_a_model_without_word_features(monkeypatch) -> None:
    extractor = shipped().tokenizer.pkuseg_seg.feature_extractor
    monkeypatch.setattr(spacy_pkuseg.feature_extractor.config, "wordFeature", False)
    features = SentenceFeatures(extractor)
    nodes = list(extractor.normalize_text("临沂市召开会议"))
    expected = [extractor.get_node_features_idx(i, nodes) for i in range(len(nodes))]
    assert features(nodes) == expected
    assert all(len(row) <= 9 for row in expected)  # no word features were looked up


@pytest.mark.slow
def test_same_words_as_spacy_tokenizer_on_every_seed_paragraph() -> None:
    ours, theirs = shipped().tokenizer, spacy_tokenizer()
    paragraphs = [
        paragraph
        for path in sorted(SEEDS.iterdir())
        for paragraph in clean_text(path.read_text(encoding="utf-8")).split("\n")
        if paragraph.strip()
    ]
    assert len(paragraphs) > 50
    for paragraph in paragraphs:
        # Both segment the view (ASCII punctuation by Han full-width); ours then cuts by the
        # token-split table (flows/nlp/token_splits.py) and keeps the paragraph's characters.
        view = segmentation_view(paragraph)
        expected = ours.splits.split(t.text for t in theirs(view))
        doc = ours(paragraph)
        assert doc.text == paragraph
        assert [view[t.idx : t.idx + len(t)] for t in doc] == expected


@pytest.mark.slow
def test_serialised_tokenizer_stays_fast_and_keeps_the_user_dictionary() -> None:
    tokenizer = shipped().tokenizer
    restored = PkusegTokenizer(tokenizer.vocab, segmenter="pkuseg").from_bytes(tokenizer.to_bytes())
    assert isinstance(restored.pkuseg_seg, FastPkuseg)
    text = "市疫情防控指挥部督导组到巨野河街道检查。"
    assert [t.text for t in restored(text)] == [t.text for t in tokenizer(text)]
    assert "督导组" in [t.text for t in restored(text)]  # configs/pkuseg_user_dict.txt


@pytest.mark.slow
def test_ascii_punctuation_by_han_is_read_as_full_width_and_the_text_is_kept() -> None:
    nlp = shipped()
    paragraphs = [
        paragraph
        for path in sorted(SEEDS.iterdir())
        for paragraph in clean_text(path.read_text(encoding="utf-8")).split("\n")
        if segmentation_view(paragraph) != paragraph
    ]
    assert len(paragraphs) > 10
    for paragraph in paragraphs:
        doc, full_width = nlp(paragraph), nlp(segmentation_view(paragraph))
        assert doc.text == paragraph
        assert [(e.label_, e.start_char, e.end_char) for e in doc.ents] == [
            (e.label_, e.start_char, e.end_char) for e in full_width.ents
        ]
