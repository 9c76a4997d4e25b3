"""Our compiled pkuseg segmentation (flows/nlp/pkuseg_features.pyx, pkuseg_crf.pyx) against
spacy-pkuseg's own feature extraction and segmentation, on the shipped segmenter model."""

from __future__ import annotations

import itertools
import json
import pickle

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
from flows.nlp.pkuseg_crf import PkusegCRF
from flows.nlp.tokenizer import FastPkuseg, PkusegTokenizer, segmentation_view
from tests.conftest import SEEDS, SHARED

# Han characters frequent in news (so dictionary words occur), digits and letters in both
# widths (pkuseg folds them into classes), the characters pkuseg renames ("-._,|/*:"), the
# "*" of its class names, and a character outside the BMP.
ALPHABET = "临沂市住房和城乡建设局中国人民政府北京上海疫情防控工作会议召开年月日的了在是有" + (
    "0123456789０１２AbＡｂ-._,|/*:，。、（）&Num𠀀"
)
COVID_NEWS = SHARED / "corpora" / "covid_news" / "xwlb_covid_2020_2021.jsonl"


def shipped() -> Language:
    return load_pipeline(MODEL)


def spacy_tokenizer() -> ChineseTokenizer:
    """spaCy's own pkuseg tokenizer with the shipped segmenter model, user dictionary included."""
    config = {"nlp": {"tokenizer": {"@tokenizers": "spacy.zh.ChineseTokenizer"}}}
    return spacy.load(MODEL, enable=[], config=config).tokenizer


def pkuseg_features(text: str) -> list[list[int]]:
    """spacy-pkuseg's feature indices of each character of `text`."""
    extractor = shipped().tokenizer.pkuseg_seg.feature_extractor
    nodes = list(extractor.normalize_text(text))
    return [extractor.get_node_features_idx(i, nodes) for i in range(len(nodes))]


def news_pieces(items: int) -> list[str]:
    """What pkuseg segments of the first `items` COVID news items and of the seeds: their
    whitespace-separated pieces, as the tokenizer hands them over (`segmentation_view`)."""
    with COVID_NEWS.open(encoding="utf-8") as lines:
        texts = [clean_text(json.loads(line)["text"]) for line in itertools.islice(lines, items)]
    texts += [clean_text(path.read_text(encoding="utf-8")) for path in sorted(SEEDS.iterdir())]
    return [piece for text in texts for piece in segmentation_view(text).split()]


@pytest.mark.slow
def test_shipped_pipeline_uses_our_pkuseg_tokenizer() -> None:
    nlp = shipped()
    assert isinstance(nlp.tokenizer, PkusegTokenizer)
    assert isinstance(nlp.tokenizer, ChineseTokenizer)
    assert nlp.tokenizer.segmenter == "pkuseg"
    assert isinstance(nlp.tokenizer.pkuseg_seg, FastPkuseg)
    assert isinstance(nlp.tokenizer.pkuseg_seg.crf, PkusegCRF)
    assert nlp.config["nlp"]["tokenizer"]["@tokenizers"] == "zhnews.ChineseTokenizer.v1"


@pytest.mark.slow
@settings(max_examples=300)
@given(st.text(alphabet=ALPHABET, max_size=40) | st.text(max_size=12))
def test_features_equal_spacy_pkuseg_features(text: str) -> None:
    assert shipped().tokenizer.pkuseg_seg.crf.features(text) == pkuseg_features(text)


@pytest.mark.slow
def test_features_and_words_equal_spacy_pkusegs_on_news() -> None:
    segmenter = shipped().tokenizer.pkuseg_seg
    pieces = news_pieces(items=200)
    assert sum(map(len, pieces)) > 100_000
    for piece in pieces:
        assert segmenter.crf.features(piece) == pkuseg_features(piece)
    # spacy-pkuseg's own `_cut` (its features, scores, Viterbi and word assembly).
    for piece in pieces[:2000]:
        assert segmenter.crf.cut(piece) == spacy_pkuseg.pkuseg._cut(segmenter, piece)


@pytest.mark.slow
def test_features_of_a_model_without_word_features(monkeypatch: pytest.MonkeyPatch) -> None:
    segmenter = shipped().tokenizer.pkuseg_seg
    monkeypatch.setattr(spacy_pkuseg.feature_extractor.config, "wordFeature", False)
    crf = PkusegCRF(
        segmenter.feature_extractor,
        segmenter.model.w,
        segmenter.idx_to_tag,
        word_min=2,
        word_max=6,
        word_features=False,
    )
    expected = pkuseg_features("临沂市召开会议")
    assert crf.features("临沂市召开会议") == expected
    assert all(len(row) <= 9 for row in expected)  # no word features were looked up


@pytest.mark.slow
def test_compiled_segmentation_survives_pickling() -> None:
    crf = shipped().tokenizer.pkuseg_seg.crf
    text = "市疫情防控指挥部督导组到巨野河街道检查。"
    assert pickle.loads(pickle.dumps(crf)).cut(text) == crf.cut(text)


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
