"""The throughput benchmark and the matrix backend it justifies (ops/bench.py, nlp/model.py)."""

from __future__ import annotations

import json

import pytest
import spacy
from thinc.api import NumpyOps, get_current_ops

from flows import CHECKOUT_MODEL as MODEL
from flows import REPO_ROOT
from flows.nlp.model import NER_COMPONENTS
from flows.ops.bench import (
    Throughput,
    load_on_thincs_default_ops,
    machine_description,
    measure_ner,
)

ANNOTATED = REPO_ROOT / "data" / "annotated" / "ner_news.jsonl"


def annotated_texts(count: int) -> list[str]:
    with ANNOTATED.open(encoding="utf-8") as lines:
        return [json.loads(line)["text"] for _, line in zip(range(count), lines, strict=False)]


def entities(nlp: spacy.Language, texts: list[str]) -> list[list[tuple[int, int, str]]]:
    return [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in nlp.pipe(texts)]


@pytest.mark.slow
def test_the_pipeline_chooses_numpy_blas_and_finds_the_same_entities_as_thincs_default() -> None:
    texts = annotated_texts(300)
    default_ops = get_current_ops()
    blis = load_on_thincs_default_ops(MODEL, enable=NER_COMPONENTS)
    numpy_blas = spacy.load(MODEL, enable=NER_COMPONENTS)
    for nlp, use_blis in ((blis, True), (numpy_blas, False)):
        for name in NER_COMPONENTS:
            ops = {type(node.ops) for node in nlp.get_pipe(name).model.walk()}
            blis_use = {node.ops.use_blis for node in nlp.get_pipe(name).model.walk()}
            assert (ops, blis_use) == ({NumpyOps}, {use_blis})
    # The choice is the pipeline's: thinc's default for everything else stays as it was.
    assert get_current_ops() is default_ops
    found = entities(numpy_blas, texts)
    assert sum(map(len, found)) > 500
    assert found == entities(blis, texts)


@pytest.mark.slow
def test_bench_times_every_stage_on_the_same_text() -> None:
    texts = annotated_texts(60)
    results = measure_ner(MODEL, texts, rounds=3)
    assert [r.stage.split(" (")[0] for r in results] == [
        "tokenizer",
        "tokenizer",
        "tokenizer + tok2vec + ner",
        "tokenizer + tok2vec + ner",
        "whole pipeline",
    ]
    assert {r.chars for r in results} == {sum(map(len, texts))}
    assert all(r.chars_per_second > 1000 for r in results)
    assert all(len(r.seconds) == 3 for r in results)


def test_throughput_is_the_median_round() -> None:
    result = Throughput("stage", 1000, (2.0, 0.5, 1.0))
    assert result.chars_per_second == 1000
    assert str(result) == "stage: 1000 chars, 1,000 chars/s (median of 3 rounds; 500-2,000)"


def test_bench_names_the_cpu_and_the_blas_it_ran_on() -> None:
    description = machine_description()
    assert "CPUs; numpy BLAS: " in description
    assert "none found" not in description  # numpy always brings a BLAS (OpenBLAS on PyPI)
