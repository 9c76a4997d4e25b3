"""Low-rank `tok2vec` (flows/nlp/low_rank.py) initialised by truncated SVD of a trained one
(flows/train/low_rank.py): shapes, cost, and the same function at full rank."""

from __future__ import annotations

import importlib
import itertools
import tomllib
from pathlib import Path

import numpy
import pytest
import spacy
from spacy.lang.zh import Chinese
from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import Adam, Model

from flows import CHECKOUT_MODEL as MODEL_DIR
from flows.nlp.low_rank import (
    LOW_RANK_EMBED,
    LOW_RANK_ENCODER,
    low_rank_maxout,
    multiply_adds_per_token,
)
from flows.train.distill import copy_weights, load_ner, student_from_teacher
from flows.train.feature_match import batches, feature_loss
from flows.train.low_rank import low_rank_config, truncated_factors

WIDTH = 16
TOK2VEC = {
    "@architectures": "spacy.Tok2Vec.v2",
    "embed": {
        "@architectures": "spacy.MultiHashEmbed.v2",
        "width": WIDTH,
        "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"],
        "rows": [50, 20, 20, 10],
        "include_static_vectors": False,
    },
    "encode": {
        "@architectures": "spacy.MaxoutWindowEncoder.v2",
        "width": WIDTH,
        "depth": 3,
        "window_size": 1,
        "maxout_pieces": 3,
    },
}
TEXTS = ["国务院总理李克强在北京会见美国客人。", "济南市历城区疫情防控指挥部发布通告", "好"]


def tok2vec(config: dict) -> Model:
    return spacy.util.registry.resolve({"model": config})["model"]


def docs() -> list[Doc]:
    nlp = Chinese()  # characters as tokens: no segmenter needed
    return [nlp.make_doc(text) for text in TEXTS]


def trained_tok2vec() -> Model:
    """A randomly initialised spaCy tok2vec, standing in for a trained one."""
    model = tok2vec(TOK2VEC)
    model.initialize(X=docs())
    return model


def low_rank_copy(teacher: Model, rank: int, embed_rank: int | None = None) -> Model:
    config = low_rank_config(
        {"components": {"tok2vec": {"model": {**TOK2VEC}}}}, rank=rank, embed_rank=embed_rank
    )
    student = tok2vec(config["components"]["tok2vec"]["model"])
    copy_weights(teacher, student)
    return student


def test_truncated_factors_give_the_best_approximation_of_the_maxout_weight() -> None:
    weight = numpy.random.default_rng(0).normal(size=(8, 3, 20)).astype("float32")
    first, second = truncated_factors(weight, 20)
    assert (first.shape, second.shape) == ((20, 20), (8, 3, 20))
    product = second.reshape(24, 20) @ first
    numpy.testing.assert_allclose(product, weight.reshape(24, 20), atol=1e-4)
    # Truncated: the error is the dropped singular values, and it grows as the rank falls.
    singular = numpy.linalg.svd(weight.reshape(24, 20), compute_uv=False)
    errors = []
    for rank in (15, 10, 5):
        first, second = truncated_factors(weight, rank)
        error = numpy.linalg.norm(second.reshape(24, rank) @ first - weight.reshape(24, 20))
        assert error == pytest.approx(numpy.sqrt((singular[rank:] ** 2).sum()), rel=1e-3)
        errors.append(error)
    assert errors == sorted(errors)


def test_a_low_rank_maxout_goes_through_rank_dimensions() -> None:
    block = low_rank_maxout(nO=16, nI=48, nP=3, rank=8)
    block.initialize(X=numpy.zeros((4, 48), dtype="float32"))
    assert block.predict(numpy.ones((5, 48), dtype="float32")).shape == (5, 16)
    assert multiply_adds_per_token(block) == 8 * 48 + 16 * 3 * 8
    with pytest.raises(ValueError, match="rank 49"):
        low_rank_maxout(nO=16, nI=48, nP=3, rank=49)


def test_at_full_rank_the_factorised_tok2vec_computes_the_teachers_vectors() -> None:
    teacher = trained_tok2vec()
    # Encoder Maxouts are 3 x 16 -> 16 x 3 (rank 48 is full), the embedding's 4 x 16 -> 16 x 3.
    student = low_rank_copy(teacher, rank=3 * WIDTH, embed_rank=3 * WIDTH)
    for expected, found in zip(teacher.predict(docs()), student.predict(docs()), strict=True):
        assert found.shape == expected.shape == (expected.shape[0], WIDTH)
        numpy.testing.assert_allclose(found, expected, atol=1e-4)


def test_a_smaller_rank_costs_less_and_moves_the_vectors_more() -> None:
    teacher = trained_tok2vec()
    costs, distances = [], []
    for rank in (48, 24, 8):
        student = low_rank_copy(teacher, rank=rank)
        costs.append(multiply_adds_per_token(student))
        found = numpy.concatenate(student.predict(docs()))
        expected = numpy.concatenate(teacher.predict(docs()))
        distances.append(float(numpy.abs(found - expected).mean()))
    # The teacher: an embedding Maxout of 64 -> 48 and three encoder ones of 48 -> 48.
    assert multiply_adds_per_token(teacher) == 64 * 48 + 3 * 48 * 48
    assert costs == [r * (64 + 48) + 3 * r * (48 + 48) for r in (48, 24, 8)]
    assert distances == sorted(distances) and distances[0] < 1e-4 < distances[-1]


def test_the_low_rank_config_names_the_low_rank_architectures() -> None:
    config = low_rank_config({"components": {"tok2vec": {"model": {**TOK2VEC}}}}, rank=12)
    model = config["components"]["tok2vec"]["model"]
    assert model["embed"]["@architectures"] == LOW_RANK_EMBED
    assert model["encode"]["@architectures"] == LOW_RANK_ENCODER
    assert model["embed"]["rank"] == model["encode"]["rank"] == 12


@pytest.mark.slow
def test_a_low_rank_student_of_zh_news_saves_loads_and_at_full_rank_predicts_as_it(
    tmp_path: Path,
) -> None:
    teacher = load_ner(MODEL_DIR)
    sentences = [*TEXTS[:2], "山东省委书记在济南调研新冠肺炎疫情防控工作。"]

    def entities(nlp: Language) -> list[list[tuple[int, int, str]]]:
        return [[(e.start_char, e.end_char, e.label_) for e in nlp(s).ents] for s in sentences]

    full = student_from_teacher(teacher, rank=384)
    assert entities(full) == entities(teacher) and sum(map(len, entities(teacher))) >= 5
    student = student_from_teacher(teacher, depth=3, rank=64, embed_rank=96)
    model = student.get_pipe("tok2vec").model
    assert (
        multiply_adds_per_token(model)
        < multiply_adds_per_token(teacher.get_pipe("tok2vec").model) / 2
    )
    student.to_disk(tmp_path / "student")
    loaded = spacy.load(tmp_path / "student")
    encode = loaded.config["components"]["tok2vec"]["model"]["encode"]
    assert (encode["@architectures"], encode["rank"], encode["depth"]) == (LOW_RANK_ENCODER, 64, 3)
    assert entities(loaded) == entities(student)


def test_matching_the_teachers_vectors_brings_a_truncated_student_closer() -> None:
    teacher = trained_tok2vec()
    assert feature_loss(low_rank_copy(teacher, rank=48), teacher, docs())[0] < 1e-8
    student = low_rank_copy(teacher, rank=6)
    optimizer = Adam(0.01)
    losses = []
    for _ in range(30):
        loss, gradients, backprop = feature_loss(student, teacher, docs())
        backprop(gradients)
        student.finish_update(optimizer)
        losses.append(loss)
    assert losses[-1] < losses[0] / 2


def test_the_entry_points_name_the_registered_architectures() -> None:
    """A fresh install finds the architectures through pyproject.toml's entry points, before
    anything imports flows.nlp.model."""
    project = tomllib.loads(Path("pyproject.toml").read_text(encoding="utf-8"))
    entries = project["project"]["entry-points"]["spacy_architectures"]
    assert set(entries) == {LOW_RANK_EMBED, LOW_RANK_ENCODER}
    for name, target in entries.items():
        module, _, attribute = target.partition(":")
        function = getattr(importlib.import_module(module), attribute)
        assert spacy.registry.architectures.get(name) is function


def test_feature_batches_cover_fewer_texts_than_a_batch() -> None:
    """Fewer texts than a batch (a smoke run) still give batches, or training never ends."""
    first, second = itertools.islice(batches(TEXTS, batch_size=64, seed=0), 2)
    assert sorted(first) == sorted(second) == sorted(TEXTS)
    full = list(itertools.islice(batches([str(i) for i in range(10)], batch_size=4, seed=0), 5))
    assert [len(batch) for batch in full] == [4] * 5
    with pytest.raises(ValueError, match="no texts"):
        next(batches([], batch_size=64, seed=0))
