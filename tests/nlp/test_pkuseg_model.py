"""The pkuseg model loaded for segmentation only (flows/nlp/pkuseg_model.py) against
spacy-pkuseg's own constructor, on the shipped model."""

from __future__ import annotations

import filecmp
import itertools
import json
from pathlib import Path

import numpy as np
import pytest
import spacy_pkuseg
import srsly
from spacy.lang.zh import _get_pkuseg_trie_data

from flows import CHECKOUT_MODEL as MODEL
from flows.inputs.clean import clean_text
from flows.nlp.model import load_pipeline
from flows.nlp.pkuseg_model import PackedFeatureExtractor
from flows.nlp.tokenizer import FastPkuseg, PkusegTokenizer, segmentation_view
from tests.conftest import SEEDS, SHARED

TOKENIZER = Path(MODEL) / "tokenizer"
COVID_NEWS = SHARED / "corpora" / "covid_news" / "xwlb_covid_2020_2021.jsonl"


def constructed() -> spacy_pkuseg.pkuseg:
    """The segmenter as spaCy's `ChineseTokenizer.from_disk` builds it: pkuseg's constructor,
    then the saved processors."""
    segmenter = spacy_pkuseg.pkuseg(str(TOKENIZER / "pkuseg_model"))
    user_dict, do_process, common, other = srsly.read_msgpack(TOKENIZER / "pkuseg_processors")
    segmenter.preprocesser = spacy_pkuseg.Preprocesser(user_dict)
    segmenter.postprocesser.do_process = do_process
    segmenter.postprocesser.common_words, segmenter.postprocesser.other_words = (
        set(common),
        set(other),
    )
    return segmenter


@pytest.mark.slow
def test_loading_runs_neither_pkusegs_constructor_nor_decodes_what_inference_skips(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def constructor(*args: object, **kwargs: object) -> None:
        raise AssertionError("spacy_pkuseg.pkuseg() reads the bigrams and its default dictionary")

    monkeypatch.setattr(spacy_pkuseg.pkuseg, "__init__", constructor)
    nlp = load_pipeline(MODEL)
    segmenter = nlp.tokenizer.pkuseg_seg
    extractor = segmenter.feature_extractor
    assert isinstance(extractor, PackedFeatureExtractor)
    words = [t.text for t in nlp.make_doc("市疫情防控指挥部督导组到巨野河街道检查。")]
    assert "督导组" in words  # configs/pkuseg_user_dict.txt, from the saved processors
    # Segmenting reads neither the bigrams nor the feature dict (the compiled tables hold it).
    assert "bigram" not in extractor.__dict__
    assert "feature_to_idx" not in extractor.__dict__


@pytest.mark.slow
def test_loaded_segmenter_equals_the_constructed_one() -> None:
    ours, theirs = load_pipeline(MODEL).tokenizer.pkuseg_seg, constructed()
    assert isinstance(ours, FastPkuseg)
    extractor, expected = ours.feature_extractor, theirs.feature_extractor
    assert extractor.unigram == expected.unigram
    assert extractor.tag_to_idx == expected.tag_to_idx
    assert list(extractor.feature_index.items()) == list(expected.feature_to_idx.items())
    assert list(extractor.feature_to_idx.items()) == list(expected.feature_to_idx.items())
    assert extractor.bigram == expected.bigram
    assert np.array_equal(ours.model.w, theirs.model.w)
    assert ours.model.w.dtype == theirs.model.w.dtype
    assert vars(ours.model).keys() == vars(theirs.model).keys()
    assert [getattr(ours.model, k) for k in ("n_tag", "n_feature", "n_transition_feature")] == [
        getattr(theirs.model, k) for k in ("n_tag", "n_feature", "n_transition_feature")
    ]
    assert (ours.idx_to_tag, ours.n_feature, ours.n_tag, ours.postag) == (
        theirs.idx_to_tag,
        theirs.n_feature,
        theirs.n_tag,
        theirs.postag,
    )
    assert _get_pkuseg_trie_data(ours.preprocesser.trie) == _get_pkuseg_trie_data(
        theirs.preprocesser.trie
    )
    assert vars(ours.postprocesser) == vars(theirs.postprocesser)


@pytest.mark.slow
def test_loaded_segmenter_cuts_news_as_the_constructed_one() -> None:
    ours, theirs = load_pipeline(MODEL).tokenizer.pkuseg_seg, FastPkuseg.adopt(constructed())
    with COVID_NEWS.open(encoding="utf-8") as lines:
        texts = [clean_text(json.loads(line)["text"]) for line in itertools.islice(lines, 200)]
    texts += [clean_text(path.read_text(encoding="utf-8")) for path in sorted(SEEDS.iterdir())]
    views = [segmentation_view(text) for text in texts]
    assert sum(map(len, views)) > 100_000
    assert [ours.cut(view) for view in views] == [theirs.cut(view) for view in views]


@pytest.mark.slow
def test_saved_again_the_model_files_are_unchanged(tmp_path: Path) -> None:
    tokenizer = load_pipeline(MODEL).tokenizer
    assert isinstance(tokenizer, PkusegTokenizer)
    tokenizer.to_disk(tmp_path)
    for name in ("pkuseg_model/features.msgpack", "pkuseg_processors", "cfg"):
        assert filecmp.cmp(tmp_path / name, TOKENIZER / name, shallow=False), name
    saved, shipped = (
        np.load(path / "pkuseg_model" / "weights.npz") for path in (tmp_path, TOKENIZER)
    )
    assert saved.files == shipped.files
    assert all(np.array_equal(saved[name], shipped[name]) for name in shipped.files)
    restored = PkusegTokenizer(tokenizer.vocab).from_bytes(tokenizer.to_bytes())
    assert isinstance(restored.pkuseg_seg.feature_extractor, PackedFeatureExtractor)
    assert restored.to_bytes() == tokenizer.to_bytes()
