"""The NLP stage: `models/zh_news` loaded once per worker, its components over a batch, rows out.

`spacy.load("models/zh_news")` is the whole extractor: pkuseg tokenizer, `ner`,
`zhnews_entity_rules`, `zhnews_divisions`, `zhnews_officials`, `zhnews_dates`,
`zhnews_slogans`, `zhnews_numbers`. The flow runs the components before the slogan component
as its NLP task and the rest as its slogan task; the table rows are a projection of the
finished Docs (`annotations`).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import Model, NumpyOps, set_current_ops
from threadpoolctl import threadpool_limits

# Importing registers the components the saved pipeline names (also via entry points).
from flows import model_path
from flows.nlp import (
    divisions,
    low_rank,  # noqa: F401
    numbers,  # noqa: F401
    officials,
    pos,  # noqa: F401
    slogans,
)
from flows.store.records import (
    CleanDocument,
    DateMention,
    EntityMention,
    NumberMention,
    SloganMention,
)

# What finds the entities in MSRA's conventions (the NER bar and the benchmark), after the
# tokenizer and its token splits.
NER_COMPONENTS = ("tok2vec", "ner")
# Registered for `spacy.load` users through an entry point too (pyproject.toml).
NUMPY_BLAS_CALLBACK = "zhnews.numpy_blas.v1"
# A sentence ends at a full stop, exclamation or question mark, or at a line break.
_SENTENCE_END = re.compile(r"[。！？!?]+[”’」』）)]*|\n+")


@dataclass(frozen=True, slots=True)
class Annotations:
    """The rows one document gives the child tables."""

    doc_id: str
    entities: list[EntityMention]
    dates: list[DateMention]
    numbers: list[NumberMention]
    slogans: list[SloganMention]
    officials: list[officials.Official]


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
def load_pipeline(path: Path | None = None) -> Language:
    """Load the pipeline (`path`, else `flows.model_path`'s) once per process (each Prefect or
    Dask worker keeps its own)."""
    return spacy.load(model_path(path))


def model_version(path: Path | None = None) -> str:
    """`name-version` from the pipeline's meta.json, recorded in the runs table."""
    meta = json.loads((model_path(path) / "meta.json").read_text(encoding="utf-8"))
    return f"{meta.get('name', 'zh_news')}-{meta.get('version', '0')}"


def division_rows(path: Path | None = None) -> list[divisions.Division]:
    """The `divisions` table: the division data saved in the pipeline, without loading it."""
    return divisions.DivisionTable.from_disk(model_path(path) / "zhnews_divisions").rows()


def sentence_starts(text: str) -> list[int]:
    """Offsets where sentences begin (0-based sentence i starts at starts[i])."""
    starts = [0]
    for match in _SENTENCE_END.finditer(text):
        if match.end() < len(text):
            starts.append(match.end())
    return starts


def prepared_doc(
    nlp: Language,
    text: str,
    published: dt.datetime | None = None,
    published_partial: str | None = None,
    outlet: str | None = None,
) -> Doc:
    """The tokenized Doc of `text` with its publication date and outlet set, for the
    components to read."""
    doc = nlp.make_doc(text)
    doc._.published = published
    doc._.published_partial = published_partial
    doc._.outlet = outlet
    return doc


def ner_components(nlp: Language) -> list[str]:
    """The flow's NLP task: the components before the slogan component."""
    return nlp.pipe_names[: nlp.pipe_names.index(slogans.COMPONENT)]


def slogan_components(nlp: Language) -> list[str]:
    """The flow's slogan task: the slogan component and those after it, which read slogans."""
    return nlp.pipe_names[nlp.pipe_names.index(slogans.COMPONENT) :]


def annotate(
    nlp: Language, docs: Iterable[Doc], components: Sequence[str], *, batch_size: int = 32
) -> list[Doc]:
    """Run the named components of `nlp`, in pipeline order, over a batch of Docs.

    Only the named components run, without disabling the others: a worker's pipeline is
    shared by the tasks it runs.
    """
    for name, component in nlp.pipeline:
        if name in components:
            docs = _pipe(component, docs, batch_size)
    return list(docs)


def _pipe(component: object, docs: Iterable[Doc], batch_size: int) -> Iterator[Doc]:
    """A component over a stream of Docs, by batch where it can."""
    pipe = getattr(component, "pipe", None)
    if pipe is not None:
        return pipe(docs, batch_size=batch_size)
    return map(component, docs)  # type: ignore[arg-type]


def annotate_documents(nlp: Language, documents: Sequence[CleanDocument]) -> list[Annotations]:
    """The whole pipeline over cleaned documents, projected to rows."""
    docs = (
        prepared_doc(nlp, d.text, d.published_at, d.published_partial, d.outlet) for d in documents
    )
    found = annotate(nlp, docs, nlp.pipe_names)
    return [annotations(d.doc_id, doc) for d, doc in zip(documents, found, strict=True)]


def annotations(doc_id: str, doc: Doc) -> Annotations:
    """The rows of one annotated Doc: the tables are this projection of the Docs."""
    starts = sentence_starts(doc.text)
    entities = [
        EntityMention(
            label=span.label_,
            text=span.text,
            start_char=span.start_char,
            end_char=span.end_char,
            sentence=bisect.bisect_right(starts, span.start_char) - 1,
            adcode=span._.adcode,
        )
        for span in doc.ents
    ]
    found_slogans = [
        SloganMention(
            text=span.text,
            start_char=span.start_char,
            end_char=span.end_char,
            slogan_id=span._.slogan_id,
            canonical=span._.canonical,
            category=span.label_ or None,
            method=span._.method,
            score=span._.score,
        )
        for span in doc.spans.get(slogans.SPANS_KEY, ())
    ]
    return Annotations(
        doc_id,
        entities,
        doc._.dates or [],
        doc._.numbers or [],
        found_slogans,
        list(doc._.officials or ()),
    )
