"""Throughput of the NER pipeline (tokenizer with its token splits + tok2vec + ner) on one core."""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.language import Language
from thinc.api import use_ops
from threadpoolctl import threadpool_info

from flows.nlp import MODEL_DIR, NER_COMPONENTS, use_numpy_blas
from flows.train.corpora import DEFAULT_CORPORA

COVID_NEWS = DEFAULT_CORPORA / "covid_news" / "xwlb_covid_2020_2021.jsonl"


@dataclass(frozen=True, slots=True)
class Throughput:
    stage: str
    chars: int
    seconds: float

    @property
    def chars_per_second(self) -> float:
        return self.chars / self.seconds

    def __str__(self) -> str:
        rate = f"{self.chars_per_second:,.0f} chars/s"
        return f"{self.stage}: {self.chars} chars in {self.seconds:.2f}s = {rate}"


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


def news_paragraphs(path: Path = COVID_NEWS, max_chars: int = 300_000) -> Iterator[str]:
    """Paragraphs of the COVID news items, up to `max_chars` characters in all."""
    total = 0
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            for paragraph in (json.loads(line).get("text") or "").split("\n"):
                if paragraph.strip() and total < max_chars:
                    total += len(paragraph)
                    yield paragraph


def measure_ner(model: Path = MODEL_DIR, texts: list[str] | None = None) -> list[Throughput]:
    """Chars/s of the tokenizer alone and of tokenizer + tok2vec + ner, after a warm-up.

    Two lines are for comparison: spaCy's own pkuseg tokenizer (spacy-pkuseg's per-character
    feature extraction, no token splits) on the same segmenter model, against ours
    (flows/segmenter.py, token splits included); and the pipeline under thinc's default CPU ops
    (blis), against the numpy BLAS that zhnews uses (`use_numpy_blas`). Everything runs on one
    thread.
    """
    texts = texts if texts is not None else list(news_paragraphs())
    spacy_tokenizer = spacy.load(
        model,
        enable=[],
        config={"nlp": {"tokenizer": {"@tokenizers": "spacy.zh.ChineseTokenizer"}}},
    ).tokenizer
    with use_ops("numpy"):
        blis_nlp = spacy.load(model, enable=NER_COMPONENTS)
    use_numpy_blas()
    nlp = spacy.load(model, enable=NER_COMPONENTS)
    return [
        _time_tokenizer("tokenizer (spaCy's pkuseg, for comparison)", spacy_tokenizer, texts),
        _time_tokenizer("tokenizer (pkuseg + token splits)", nlp.make_doc, texts),
        _time_pipeline("tokenizer + tok2vec + ner (thinc's blis, for comparison)", blis_nlp, texts),
        _time_pipeline("tokenizer + tok2vec + ner", nlp, texts),
    ]


def _time_pipeline(stage: str, nlp: Language, texts: list[str]) -> Throughput:
    list(nlp.pipe(texts[:50]))
    started = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=64):
        pass
    return Throughput(stage, sum(map(len, texts)), time.perf_counter() - started)


def _time_tokenizer(stage: str, tokenizer: Callable[[str], object], texts: list[str]) -> Throughput:
    started = time.perf_counter()
    for text in texts:
        tokenizer(text)
    return Throughput(stage, sum(map(len, texts)), time.perf_counter() - started)
