"""The NLP stage: `models/zh_news` loaded once per worker, `nlp.pipe` over a batch, rows out.

`spacy.load("models/zh_news")` is the whole extractor: pkuseg tokenizer, `ner`,
`zhnews_entity_rules`, `zhnews_dates`, `zhnews_numbers`. This module turns its output into
the records the tables are built from.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import spacy
from spacy.language import Language
from thinc.api import Model, NumpyOps, set_current_ops
from threadpoolctl import threadpool_limits

# Importing registers the components the saved pipeline names (also via entry points).
from flows import REPO_ROOT
from flows.nlp import (
    numbers,  # noqa: F401
)
from flows.store.records import (
    CleanDocument,
    DateMention,
    EntityMention,
    NumberMention,
    SloganMention,
)

MODEL_DIR = REPO_ROOT / "models" / "zh_news"
# What finds the entities in MSRA's conventions (the NER bar and the benchmark), after the
# tokenizer and its token splits.
NER_COMPONENTS = ("tok2vec", "ner")
# Registered for `spacy.load` users through an entry point too (pyproject.toml).
NUMPY_BLAS_CALLBACK = "zhnews.numpy_blas.v1"
# A sentence ends at a full stop, exclamation or question mark, or at a line break.
_SENTENCE_END = re.compile(r"[。！？!?]+[”’」』）)]*|\n+")


# People's Daily and MSRA write these only full-width; next to a Han character they are Chinese
# punctuation typed on an ASCII keyboard (the seeds are full of `,`), which the segmenter would
# glue to the neighbouring word (`赵明,`).
_FULL_WIDTH_PUNCT = str.maketrans(",;:?!()", "，；：？！（）")
_ASCII_PUNCT_BY_HAN = re.compile(r"(?<=[\u4e00-\u9fff])[,;:?!()]|[,;:?!()](?=[\u4e00-\u9fff])")


def model_view(text: str) -> str:
    """The text the model reads: the same length as `text`, so offsets carry over unchanged."""
    return _ASCII_PUNCT_BY_HAN.sub(lambda m: m.group().translate(_FULL_WIDTH_PUNCT), text)


class ModelMissingError(FileNotFoundError):
    """The trained pipeline is not where it should be."""


@dataclass(frozen=True, slots=True)
class Annotations:
    """Everything the NLP stage found in one document."""

    doc_id: str
    entities: list[EntityMention]
    dates: list[DateMention]
    numbers: list[NumberMention]


def use_numpy_blas() -> None:
    """Let thinc multiply matrices with numpy's BLAS, one thread per process, from now on.

    thinc's CPU default is blis, which on our machine (AMD EPYC, AVX-512) multiplies tok2vec's
    matrices at a third of the speed of numpy's OpenBLAS (33 against 94 GFLOP/s for 2000x384 by
    384x384, measured): tok2vec takes 17 instead of 36 µs per character, and the predictions are
    the same (8,756 entities on 300,000 characters of news, none different). One thread, because
    workers are processes with a core each. Models built after the call use it (training); a
    saved zh_news pipeline chooses it itself (`numpy_blas_pipeline`).
    """
    threadpool_limits(limits=1, user_api="blas")
    set_current_ops(NumpyOps(use_blis=False))


def numpy_blas_pipeline(nlp: Language) -> Language:
    """Run every model of the pipeline on numpy's BLAS, one thread (see `use_numpy_blas`).

    The pipeline's own choice, made as `spacy.load` builds it, so that library users get the
    speed the flow gets without touching thinc's process-wide default ops. Weights are untouched.
    """
    threadpool_limits(limits=1, user_api="blas")
    ops = NumpyOps(use_blis=False)
    for _name, component in nlp.components:
        model = getattr(component, "model", None)
        if isinstance(model, Model):
            for node in model.walk():
                node.ops = ops
    return nlp


@spacy.registry.callbacks(NUMPY_BLAS_CALLBACK)
def make_numpy_blas_pipeline() -> Callable[[Language], Language]:
    """`[nlp.after_pipeline_creation]` of models/zh_news."""
    return numpy_blas_pipeline


def add_numpy_blas_to_config(nlp: Language) -> None:
    """Make a pipeline choose numpy's BLAS whenever it is loaded (packaging calls this)."""
    nlp.config["nlp"]["after_pipeline_creation"] = {"@callbacks": NUMPY_BLAS_CALLBACK}
    numpy_blas_pipeline(nlp)


@functools.cache
def load_pipeline(path: Path = MODEL_DIR) -> Language:
    """Load the pipeline once per process (each Prefect or Dask worker keeps its own)."""
    if not (path / "config.cfg").exists():
        raise ModelMissingError(
            f"no spaCy pipeline at {path}: check out models/ from git or retrain with "
            "`zhnews train segmenter` then `zhnews train ner`"
        )
    return spacy.load(path)


def model_version(path: Path = MODEL_DIR) -> str:
    """`name-version` from the pipeline's meta.json, recorded in the runs table."""
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    return f"{meta.get('name', 'zh_news')}-{meta.get('version', '0')}"


def sentence_starts(text: str) -> list[int]:
    """Offsets where sentences begin (0-based sentence i starts at starts[i])."""
    starts = [0]
    for match in _SENTENCE_END.finditer(text):
        if match.end() < len(text):
            starts.append(match.end())
    return starts


def annotate(
    nlp: Language, documents: Sequence[CleanDocument], *, batch_size: int = 32
) -> list[Annotations]:
    """Run the pipeline over a batch of documents, dates resolved against each one's date.

    The model reads `model_view(text)`; every span's text is cut from the document's own text.
    """

    def prepared(document: CleanDocument) -> spacy.tokens.Doc:
        doc = nlp.make_doc(model_view(document.text))
        doc._.published = document.published_at
        doc._.published_partial = document.published_partial
        return doc

    results = []
    docs = nlp.pipe((prepared(d) for d in documents), batch_size=batch_size)
    for document, doc in zip(documents, docs, strict=True):
        text = document.text
        starts = sentence_starts(text)
        mentions = [
            EntityMention(
                label=span.label_,
                text=text[span.start_char : span.end_char],
                start_char=span.start_char,
                end_char=span.end_char,
                sentence=bisect.bisect_right(starts, span.start_char) - 1,
            )
            for span in doc.ents
        ]
        found_dates = [replace(m, text=text[m.start_char : m.end_char]) for m in doc._.dates]
        found_numbers = [replace(m, text=text[m.start_char : m.end_char]) for m in doc._.numbers]
        results.append(Annotations(document.doc_id, mentions, found_dates, found_numbers))
    return results


def drop_numbers_in_slogans(
    found: Iterable[NumberMention], slogans: Iterable[SloganMention]
) -> list[NumberMention]:
    """Numbers inside a slogan (三管三必须, 一盘棋) are part of it, not numbers."""
    ranges = [(s.start_char, s.end_char) for s in slogans]
    return [
        n
        for n in found
        if not any(n.start_char < end and start < n.end_char for start, end in ranges)
    ]
