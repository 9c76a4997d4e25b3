"""The distilled student: its silver corpus (no dev text, the teacher's labels) and its start
from the teacher's weights (flows/train/distill.py)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin
from thinc.api import Model

from flows import CHECKOUT_MODEL as MODEL_DIR
from flows.train.corpora import COVID_NEWS, DEFAULT_CORPORA
from flows.train.distill import (
    dev_items,
    distill,
    load_ner,
    silver_docbin,
    student_from_teacher,
    unlabelled_sentences,
)
from flows.train.splits import ANNOTATED_NEWS, DevSplit, article_of, is_news_dev

needs_corpora = pytest.mark.skipif(
    not (DEFAULT_CORPORA / COVID_NEWS).exists(), reason="../shared/corpora not present"
)


def annotated_records() -> list[dict[str, object]]:
    with ANNOTATED_NEWS.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def test_every_item_with_a_dev_sentence_of_either_split_is_excluded() -> None:
    excluded = dev_items()
    records = annotated_records()
    for split in DevSplit:
        dev = {article_of(r["id"]) for r in records if is_news_dev(r["id"], split)}
        assert dev and dev <= excluded
    # Items whose sentences are all train under both splits stay available.
    train_only = {article_of(r["id"]) for r in records} - excluded
    assert train_only
    for record in records:
        if article_of(record["id"]) in train_only:
            assert not any(is_news_dev(record["id"], split) for split in DevSplit)


@needs_corpora
def test_unlabelled_sentences_leave_out_the_excluded_items(tmp_path: Path) -> None:
    with (DEFAULT_CORPORA / COVID_NEWS).open(encoding="utf-8") as lines:
        items = [json.loads(line) for line in itertools.islice(lines, 6)]
    corpus = tmp_path / COVID_NEWS
    corpus.parent.mkdir(parents=True)
    corpus.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")
    everything = list(unlabelled_sentences(tmp_path, excluded=frozenset()))
    left_out = items[2]
    kept = list(unlabelled_sentences(tmp_path, excluded=frozenset({left_out["id"]})))
    own = set(
        unlabelled_sentences(
            tmp_path, excluded=frozenset(i["id"] for i in items) - {left_out["id"]}
        )
    )
    assert own and not own & set(kept)
    assert len(kept) + len(own) == len(everything)
    assert all(len(sentence) >= 8 and sentence == sentence.strip() for sentence in everything)


@pytest.mark.slow
@needs_corpora
def test_silver_labels_are_the_teachers_and_a_full_depth_student_is_the_teacher() -> None:
    teacher = load_ner(MODEL_DIR)
    sentences = list(itertools.islice(unlabelled_sentences(limit=3), 40))
    silver = list(silver_docbin(teacher, sentences).get_docs(teacher.vocab))
    expected = [[(e.start_char, e.end_char, e.label_) for e in teacher(s).ents] for s in sentences]
    found = [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in silver]
    assert [doc.text for doc in silver] == sentences
    assert found == expected and sum(map(len, found)) > 20

    depth = teacher.config["components"]["tok2vec"]["model"]["encode"]["depth"]
    same = student_from_teacher(teacher, depth=depth)
    assert [[(e.start_char, e.end_char, e.label_) for e in same(s).ents] for s in sentences] == (
        expected
    )
    # A shallower student keeps the teacher's embedding and its first encoder layers.
    student = student_from_teacher(teacher, depth=2)
    teacher_model = teacher.get_pipe("tok2vec").model
    student_model = student.get_pipe("tok2vec").model
    encoders = [m.get_ref("encode").layers[0].layers for m in (teacher_model, student_model)]
    assert (len(encoders[0]), len(encoders[1])) == (depth, 2)
    for source, copied in zip(encoders[0], encoders[1], strict=False):
        assert params(source) == params(copied)
    assert params(teacher_model.get_ref("embed")) == params(student_model.get_ref("embed"))


def params(model: Model) -> list[tuple[str, bytes]]:
    """Every parameter of `model`'s layers, in walk order."""
    return [
        (name, layer.get_param(name).tobytes())
        for layer in model.walk()
        for name in layer.param_names
        if layer.has_param(name)
    ]


def smoke_distill(tmp_path: Path, **student: object) -> Path:
    """`distill` on 30 gold lines and 2 silver items from 0.7.0's segmenter (with an empty
    user dictionary, as training/segmenter-shipped); returns OUT_DIR."""
    segmenter = tmp_path / "segmenter"
    segmenter.mkdir()
    for path in (MODEL_DIR / "tokenizer" / "pkuseg_model").iterdir():
        (segmenter / path.name).write_bytes(path.read_bytes())
    (segmenter / "user_dict.txt").write_text("", encoding="utf-8")
    out_dir = tmp_path / "student"
    distill(
        MODEL_DIR,
        out_dir,
        config_path=Path("configs/ner.cfg"),
        pkuseg_model=segmenter,
        limit=30,
        silver_limit=2,
        **student,  # type: ignore[arg-type]
    )
    return out_dir


@pytest.mark.slow
@needs_corpora
def test_smoke_distillation_trains_a_loadable_shallower_student(tmp_path: Path) -> None:
    out_dir = smoke_distill(tmp_path, depth=1, max_steps=2)
    silver = DocBin().from_disk(out_dir / "corpus" / "silver.spacy")
    gold = DocBin().from_disk(out_dir / "corpus" / "train.spacy")
    merged = DocBin().from_disk(out_dir / "corpus" / "train-with-silver.spacy")
    assert len(silver) > 0 and len(merged) == len(gold) + len(silver)
    nlp = spacy.load(out_dir / "model-last")
    assert nlp.pipe_names == ["tok2vec", "ner"]
    assert nlp.get_pipe("ner").labels == ("LOC", "ORG", "PERSON")
    assert nlp.config["components"]["tok2vec"]["model"]["encode"]["depth"] == 1


@pytest.mark.slow
@needs_corpora
def test_smoke_feature_distillation_trains_only_the_low_rank_tok2vec(tmp_path: Path) -> None:
    out_dir = smoke_distill(tmp_path, rank=32, max_steps=3, eval_frequency=2, match_features=True)
    teacher = load_ner(MODEL_DIR)
    last = spacy.load(out_dir / "model-last")
    assert last.config["components"]["tok2vec"]["model"]["encode"]["rank"] == 32
    # Only tok2vec trains: model-best (step 0 unless a step scored higher) and model-last read
    # with the teacher's ner.
    for saved in (last, spacy.load(out_dir / "model-best")):
        assert saved.get_pipe("ner").to_bytes() == teacher.get_pipe("ner").to_bytes()
    untrained = student_from_teacher(teacher, rank=32).get_pipe("tok2vec").model
    assert untrained.to_bytes() != last.get_pipe("tok2vec").model.to_bytes()
