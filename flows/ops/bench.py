"""Throughput of the pipeline on one core: the tokenizer with its token splits, tok2vec + ner,
and every component (`zhnews bench`)."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from thinc.api import use_ops
from threadpoolctl import threadpool_info

from flows import model_path
from flows.nlp.model import NER_COMPONENTS
from flows.train.corpora import COVID_NEWS, DEFAULT_CORPORA


@dataclass(frozen=True, slots=True)
class Throughput:
    """One stage's timings, one per round: a shared host drifts by 15% within minutes, so the
    median of several rounds is the number, and the range says how steady the host was."""

    stage: str
    chars: int
    seconds: tuple[float, ...]

    @property
    def chars_per_second(self) -> float:
        return self.chars / statistics.median(self.seconds)

    def __str__(self) -> str:
        slowest, fastest = (self.chars / s for s in (max(self.seconds), min(self.seconds)))
        rate = f"{self.chars_per_second:,.0f} chars/s"
        spread = f"median of {len(self.seconds)} rounds; {slowest:,.0f}-{fastest:,.0f}"
        return f"{self.stage}: {self.chars} chars, {rate} ({spread})"


def machine_description() -> str:
    """The CPU and numpy's BLAS: throughput depends on both, so every benchmark names them."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        models = [
            line for line in cpuinfo.read_text().splitlines() if line.startswith("model name")
        ]
        cpu = models[0].partition(":")[2].strip() if models else cpu
    blas = [
        f"{lib['internal_api']} {lib['version']} ({lib.get('architecture') or 'generic'} kernels)"
        for lib in threadpool_info()
        if lib["user_api"] == "blas"
    ]
    return f"{cpu}, {os.cpu_count()} CPUs; numpy BLAS: {', '.join(blas) or 'none found'}"


def news_paragraphs(
    path: Path = DEFAULT_CORPORA / COVID_NEWS, max_chars: int = 300_000
) -> Iterator[str]:
    """Paragraphs of the COVID news items, up to `max_chars` characters in all."""
    total = 0
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            for paragraph in (json.loads(line).get("text") or "").split("\n"):
                if paragraph.strip() and total < max_chars:
                    total += len(paragraph)
                    yield paragraph


def measure_ner(
    model: Path | None = None, texts: list[str] | None = None, rounds: int = 5
) -> list[Throughput]:
    """Chars/s of the tokenizer alone, of tokenizer + tok2vec + ner and of the whole pipeline
    (the tagger and the rule components too), after a warm-up.

    Two lines are for comparison: spaCy's own pkuseg tokenizer (spacy-pkuseg's per-character
    feature extraction, no token splits) on the same segmenter model, against ours
    (flows/nlp/tokenizer.py, token splits included); and the pipeline under thinc's default CPU
    ops (blis), against the numpy BLAS that zhnews' pipeline chooses (`numpy_blas_pipeline`).
    Everything runs on one thread. Each round times every stage once, in turn, so a change in
    the host's speed hits all stages alike.
    """
    if rounds < 1:
        raise ValueError(f"rounds must be at least 1, not {rounds}")
    texts = texts if texts is not None else list(news_paragraphs())
    model = model_path(model)
    spacy_tokenizer = spacy.load(
        model,
        enable=[],
        config={"nlp": {"tokenizer": {"@tokenizers": "spacy.zh.ChineseTokenizer"}}},
    ).tokenizer
    blis_nlp = load_on_thincs_default_ops(model, enable=NER_COMPONENTS)
    nlp = spacy.load(model, enable=NER_COMPONENTS)
    whole = spacy.load(model)
    for pipeline in (blis_nlp, nlp, whole):
        list(pipeline.pipe(texts[:50]))  # warm-up: first calls allocate
    stages: dict[str, Callable[[], None]] = {
        "tokenizer (spaCy's pkuseg, for comparison)": lambda: _tokenize(spacy_tokenizer, texts),
        "tokenizer (pkuseg + token splits)": lambda: _tokenize(nlp.make_doc, texts),
        "tokenizer + tok2vec + ner (thinc's blis, for comparison)": lambda: _pipe(blis_nlp, texts),
        "tokenizer + tok2vec + ner": lambda: _pipe(nlp, texts),
        "whole pipeline (every component)": lambda: _pipe(whole, texts),
    }
    seconds: dict[str, list[float]] = {stage: [] for stage in stages}
    for _ in range(rounds):
        for stage, run in stages.items():
            started = time.perf_counter()
            run()
            seconds[stage].append(time.perf_counter() - started)
    chars = sum(map(len, texts))
    return [Throughput(stage, chars, tuple(times)) for stage, times in seconds.items()]


def load_on_thincs_default_ops(model: Path, **options: Any) -> Language:
    """The pipeline as thinc would run it without zhnews' choice of BLAS (blis), to compare."""
    config = {"nlp": {"after_pipeline_creation": None}}
    with use_ops("numpy"):
        return spacy.load(model, config=config, **options)


def _pipe(nlp: Language, texts: list[str]) -> None:
    for _ in nlp.pipe(texts, batch_size=64):
        pass


def _tokenize(tokenizer: Callable[[str], object], texts: list[str]) -> None:
    for text in texts:
        tokenizer(text)
