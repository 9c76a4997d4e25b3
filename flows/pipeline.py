"""The zhnews flow: ingest -> clean -> nlp (entities, dates, numbers) -> slogans -> write.

The flow only wires the stages; each stage is a Prefect task over one batch of documents,
since a task run costs milliseconds and a document only a fraction of that.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from flows import ingest, nlp, slogans, tables
from flows.clean import clean_document
from flows.records import CleanDocument, RawDocument, Reject, SloganMention
from flows.tables import Table

DEFAULT_BATCH_SIZE = 64
DEFAULT_MAX_CHARS = 1_000_000
T = TypeVar("T")


@dataclass
class RunSummary:
    """Counts and timings of one run; also the `runs` table row and the run's artifact."""

    run_id: str
    inputs: list[str]
    started_at: dt.datetime
    rows: Counter[str] = field(default_factory=Counter)
    stage_seconds: Counter[str] = field(default_factory=Counter)
    input_documents: int = 0
    skipped_documents: int = 0
    reject_reasons: Counter[str] = field(default_factory=Counter)
    top_entities: Counter[str] = field(default_factory=Counter)
    top_slogans: Counter[str] = field(default_factory=Counter)

    @property
    def rejects(self) -> int:
        return sum(self.reject_reasons.values())

    def markdown(self) -> str:
        lines = [f"# zhnews run `{self.run_id}`", "", "| table | new rows |", "|---|---|"]
        lines += [f"| {t.value} | {self.rows[t.value]} |" for t in Table if t is not Table.RUNS]
        lines += ["", f"Inputs: {self.input_documents} documents, {self.skipped_documents} "
                  f"already processed, {self.rejects} rejected."]
        if self.reject_reasons:
            lines += ["", "Rejects: " + ", ".join(f"{k} {v}" for k, v in self.reject_reasons.items())]
        if self.stage_seconds:
            slowest = max(self.stage_seconds, key=self.stage_seconds.__getitem__)
            lines += ["", "Stage seconds: " + ", ".join(
                f"{k} {v:.2f}" for k, v in self.stage_seconds.items()
            ) + f" (slowest: {slowest})"]
        for title, counter in (("Top entities", self.top_entities), ("Top slogans", self.top_slogans)):
            if counter:
                lines += ["", f"{title}: " + ", ".join(f"{k} ({v})" for k, v in counter.most_common(10))]
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class CleanedBatch:
    documents: list[CleanDocument]
    rejects: list[Reject]


@task(task_run_name="ingest batch {batch_no}", cache_policy=NO_CACHE)
def ingest_batch(files: Sequence[Path], batch_no: int, max_chars: int) -> list[RawDocument | Reject]:
    """Read and decode one batch of input files."""
    return list(ingest.iter_inputs(files, max_chars=max_chars))


@task(task_run_name="clean batch {batch_no}", cache_policy=NO_CACHE)
def clean_batch(raw: Sequence[RawDocument | Reject], batch_no: int) -> CleanedBatch:
    """HTML to text, pinyin, Traditional to Simplified, boilerplate, metadata."""
    documents, rejects = [], []
    for item in raw:
        result = item if isinstance(item, Reject) else clean_document(item)
        (rejects if isinstance(result, Reject) else documents).append(result)
    return CleanedBatch(documents, rejects)


@task(task_run_name="nlp batch {batch_no}", cache_policy=NO_CACHE)
def extract_entities_dates_numbers(
    documents: Sequence[CleanDocument], batch_no: int
) -> list[nlp.Annotations]:
    """Entities, dates and numbers from the spaCy pipeline."""
    return nlp.annotate(nlp.load_pipeline(), documents)


@functools.cache
def slogan_matcher() -> slogans.SloganMatcher:
    """The lexicon automaton, built once per worker."""
    return slogans.SloganMatcher(slogans.SloganLexicon.load())


@task(task_run_name="slogans batch {batch_no}", cache_policy=NO_CACHE)
def match_slogans(documents: Sequence[CleanDocument], batch_no: int) -> list[list[SloganMention]]:
    """Lexicon, template and discovered slogans of each document's body."""
    matcher = slogan_matcher()
    return [matcher.find(d.text, body_start=d.body_start) for d in documents]


@task(task_run_name="write batch {batch_no}", cache_policy=NO_CACHE)
def write_batch(
    output: Path,
    batch_no: int,
    run_id: str,
    documents: Sequence[tuple[CleanDocument, bool]],
    annotations: Sequence[nlp.Annotations],
    slogan_lists: Sequence[list[SloganMention]],
    rejects: Sequence[Reject],
) -> Counter[str]:
    """Write the batch's tables; `documents` last, as the batch's commit record."""
    part, day = f"{run_id}-{batch_no:05d}", dt.date.today()
    children: dict[Table, list[dict[str, object]]] = {t: [] for t in tables.CHILD_TABLES}
    for found, found_slogans in zip(annotations, slogan_lists, strict=True):
        ids = {"doc_id": found.doc_id, "run_id": run_id}
        numbers = nlp.drop_numbers_in_slogans(found.numbers, found_slogans)
        children[Table.ENTITIES] += tables.record_rows(found.entities, **ids)
        children[Table.DATES] += tables.record_rows(found.dates, **ids)
        children[Table.NUMBERS] += tables.record_rows(numbers, **ids)
        children[Table.SLOGANS] += tables.record_rows(found_slogans, **ids)
    written: Counter[str] = Counter()
    for table, rows in children.items():
        tables.write_part(output, table, tables.to_table(table, rows), part=part, day=day)
        written[table.value] = len(rows)
    reject_rows = list(tables.record_rows(rejects, run_id=run_id))
    if reject_rows:
        tables.write_part(output, Table.REJECTS, tables.to_table(Table.REJECTS, reject_rows), part=part, day=day)
    written[Table.REJECTS.value] = len(reject_rows)
    document_rows = [
        {**_document_row(document), "is_first_occurrence": first, "run_id": run_id}
        for document, first in documents
    ]
    tables.write_part(output, Table.DOCUMENTS, tables.to_table(Table.DOCUMENTS, document_rows), part=part, day=day)
    written[Table.DOCUMENTS.value] = len(document_rows)
    return written


def _document_row(document: CleanDocument) -> dict[str, object]:
    names = tables.SCHEMAS[Table.DOCUMENTS].names
    return {name: getattr(document, name) for name in names if hasattr(document, name)}


def _file_batches(files: Sequence[Path], batch_size: int) -> Iterator[list[Path]]:
    """Batches of files; a JSONL file is a batch of its own, since it holds many documents."""
    small: list[Path] = []
    for path in files:
        if path.suffix.lower() == ".jsonl":
            yield [path]
        else:
            small.append(path)
            if len(small) == batch_size:
                yield small
                small = []
    if small:
        yield small


def _chunks(items: Iterable[RawDocument | Reject], size: int) -> Iterator[list[RawDocument | Reject]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


@flow(name="zhnews", log_prints=True)
def zhnews_flow(
    inputs: list[Path],
    output: Path = Path("output"),
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_chars: int = DEFAULT_MAX_CHARS,
    reprocess: bool = False,
) -> RunSummary:
    """Turn input files into the Parquet tables under `output`."""
    summary = RunSummary(
        run_id=f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}",
        inputs=[str(p) for p in inputs],
        started_at=dt.datetime.now(dt.UTC),
    )
    with tables.output_lock(output):
        tables.recover(output)
        # With --reprocess nothing counts as seen, and each batch first deletes the old rows
        # of its doc_ids, so re-processed documents are replaced, never duplicated.
        seen = tables.SeenDocuments.empty() if reprocess else tables.SeenDocuments.load(output)
        seen_keys, seen_ids = set(seen.keys), set(seen.doc_ids)
        seen_rejects = set() if reprocess else tables.seen_rejects(output)
        files = ingest.find_input_files(inputs)
        batch_no = 0
        for file_batch in _file_batches(files, batch_size):
            raw = _timed(summary, "ingest", ingest_batch, file_batch, batch_no, max_chars)
            for chunk in _chunks(raw, batch_size):
                cleaned = _timed(summary, "clean", clean_batch, chunk, batch_no)
                fresh, repeats = [], []
                for document in cleaned.documents:
                    summary.input_documents += 1
                    key = (document.doc_id, document.source, document.record_id)
                    if key in seen_keys:
                        summary.skipped_documents += 1
                        continue
                    seen_keys.add(key)
                    (repeats if document.doc_id in seen_ids else fresh).append(document)
                    seen_ids.add(document.doc_id)
                rejects = [r for r in cleaned.rejects if (r.source, r.record_id, r.reason) not in seen_rejects]
                summary.reject_reasons.update(r.reason.value for r in cleaned.rejects)
                if not (fresh or repeats or rejects):
                    continue
                if reprocess:
                    tables.delete_doc_ids(output, {d.doc_id for d in fresh + repeats})
                found = _timed(summary, "nlp", extract_entities_dates_numbers, fresh, batch_no)
                found_slogans = _timed(summary, "slogans", match_slogans, fresh, batch_no)
                documents = [(d, True) for d in fresh] + [(d, False) for d in repeats]
                written = _timed(summary, "write", write_batch, output, batch_no, summary.run_id,
                                 documents, found, found_slogans, rejects)
                summary.rows.update(written)
                for annotations in found:
                    summary.top_entities.update(f"{e.label}:{e.text}" for e in annotations.entities)
                for mentions in found_slogans:
                    summary.top_slogans.update(s.canonical for s in mentions)
                batch_no += 1
        tables.write_run(output, summary, model_version=nlp.model_version())
    create_markdown_artifact(summary.markdown(), key="zhnews-run", description="zhnews run summary")
    return summary


def _timed(summary: RunSummary, stage: str, stage_task: Callable[..., T], *args: object) -> T:
    started = time.perf_counter()
    result = stage_task(*args)
    summary.stage_seconds[stage] += time.perf_counter() - started
    return result
