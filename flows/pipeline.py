"""The zhnews flow: ingest -> clean -> nlp (entities, dates) -> slogans (slogans, numbers) -> write.

Each stage is a Prefect task over one batch of documents (`clean batch 7`), since a task run
costs milliseconds and a document only a fraction of that. Input is streamed: `ingest` reads
the next batch in the flow's process, `clean` and `annotate` go to a task runner (in-process,
local processes or Dask) with a bounded number of batches in flight, and `write` runs in the
flow's process in batch order. `annotate` runs `nlp` then `slogans` where the pipeline is
loaded, each on its own components of that one pipeline, so the Docs never leave the worker.
So memory stays bounded whatever the input size, one process writes, and each batch is one
commit of `flows.store.tables`.

No `from __future__ import annotations` here: served runs receive the flow function pickled
by value, and Prefect must resolve its parameter annotations without this module's globals.
"""

import contextlib
import datetime as dt
import functools
import itertools
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from prefect import Task, flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote
from spacy.tokens import Doc

from flows import DEFAULT_MAX_CHARS
from flows.bi import catalog
from flows.inputs import ingest
from flows.inputs.clean import clean_document
from flows.inputs.walk import found_inputs
from flows.nlp import model as nlp
from flows.ops.batches import (
    BatchPipeline,
    BatchStages,
    CleanedBatch,
    SeenInputs,
    unread_files,
)
from flows.ops.errors import one_line
from flows.ops.limits import TimeLimitExceeded, time_limit
from flows.ops.run_report import RunSummary, Timed, progress_bar
from flows.ops.runners import (
    Runner,
    default_workers,
    started_task_runner,
    worker_batch_bytes,
)
from flows.store import compact, tables
from flows.store.ledger import InputLedger
from flows.store.records import CleanDocument, RawDocument, Reject, RejectReason
from flows.store.tables import Table

DEFAULT_BATCH_SIZE = 64
# With worker processes every task run also costs the flow's process and the Prefect server
# CPU that the workers need on a small machine: fewer, larger batches (COVID file, 2 workers:
# 162 s at 64, 139 s at 256).
WORKER_BATCH_SIZE = 256
# The NLP time limit of a document: far above what the pipeline needs (tens of thousands of
# characters a second), so only a pathological input reaches it.
NLP_SECONDS_PER_DOCUMENT = 60.0
NLP_MIN_CHARS_PER_SECOND = 1_000
T = TypeVar("T")


class Stage(StrEnum):
    INGEST = "ingest"
    CLEAN = "clean"
    NLP = "nlp"
    SLOGANS = "slogans"
    WRITE = "write"


def _stage_task(stage: Stage) -> Callable[[Callable[..., T]], Task[..., Timed[T]]]:
    """A Prefect task run as `<stage> batch N`, timing itself where it runs."""

    def decorate(function: Callable[..., T]) -> Task[..., Timed[T]]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Timed[T]:
            started = time.perf_counter()
            value = function(*args, **kwargs)
            return Timed(value, Counter({stage.value: time.perf_counter() - started}))

        return task(
            timed,
            name=stage.value,
            task_run_name=f"{stage.value} batch {{batch_no}}",
            cache_policy=NO_CACHE,
        )

    return decorate


@_stage_task(Stage.INGEST)
def ingest_batch(
    stream: Iterator[RawDocument | Reject],
    batch_no: int,
    batch_size: int,
    batch_bytes: int | None = None,
) -> list[RawDocument | Reject]:
    """Read and decode the next batch of the input stream (in the flow's process): `batch_size`
    items, fewer when their text reaches `batch_bytes` (UTF-8)."""
    if batch_bytes is None:
        return list(itertools.islice(stream, batch_size))
    batch: list[RawDocument | Reject] = []
    size = 0
    for item in itertools.islice(stream, batch_size):
        batch.append(item)
        if isinstance(item, RawDocument):
            size += len(item.content.encode())
            if size >= batch_bytes:
                break
    return batch


@_stage_task(Stage.CLEAN)
def clean_batch(
    raw: Sequence[RawDocument | Reject], batch_no: int, accept_non_chinese: bool = False
) -> CleanedBatch:
    """HTML to text, pinyin, Traditional to Simplified, boilerplate, metadata."""
    documents, rejects = [], []
    for item in raw:
        result = (
            item
            if isinstance(item, Reject)
            else clean_document(item, accept_non_chinese=accept_non_chinese)
        )
        (rejects if isinstance(result, Reject) else documents).append(result)
    return CleanedBatch(documents, rejects)


def nlp_time_limit(documents: Sequence[CleanDocument]) -> float:
    """Seconds the NLP stage may spend on `documents`; one document over its limit is rejected
    as nlp_timeout. A batch gets one document's allowance, so a stalled document costs its
    batch little more than its own limit."""
    return NLP_SECONDS_PER_DOCUMENT + sum(d.n_chars for d in documents) / NLP_MIN_CHARS_PER_SECOND


@_stage_task(Stage.NLP)
def recognise_entities(documents: Sequence[CleanDocument], batch_no: int) -> list[Doc]:
    """Tokens, entities and dates: the pipeline's components before the slogan component."""
    pipeline = nlp.load_pipeline()
    docs = (
        nlp.prepared_doc(pipeline, d.text, d.published_at, d.published_partial, d.outlet)
        for d in documents
    )
    return nlp.annotate(pipeline, docs, nlp.ner_components(pipeline))


@_stage_task(Stage.SLOGANS)
def match_slogans(docs: list[Doc], batch_no: int) -> list[Doc]:
    """Lexicon, template and discovered slogans, then the components that read them (numbers)."""
    pipeline = nlp.load_pipeline()
    return nlp.annotate(pipeline, docs, nlp.slogan_components(pipeline))


@task(name="annotate", task_run_name="annotate batch {batch_no}", cache_policy=NO_CACHE)
def annotate_batch(
    documents: Sequence[CleanDocument], batch_no: int
) -> Timed[list[nlp.Annotations | None]]:
    """The nlp and slogan tasks in the worker that holds the pipeline; the Docs' rows out, None
    for a document over its time limit."""
    try:
        with time_limit(nlp_time_limit(documents)):
            return _annotated(documents, batch_no)
    except TimeLimitExceeded:
        pass  # find the slow documents: one at a time, each under its own limit
    rows: list[nlp.Annotations | None] = []
    seconds: Counter[str] = Counter()
    for document in documents:
        try:
            with time_limit(nlp_time_limit([document])):
                annotated = _annotated([document], batch_no)
        except TimeLimitExceeded:
            rows.append(None)
            continue
        rows += annotated.value
        seconds += annotated.seconds
    return Timed(rows, seconds)


def _annotated(
    documents: Sequence[CleanDocument], batch_no: int
) -> Timed[list[nlp.Annotations | None]]:
    # quote(): no futures inside, so Prefect need not walk every document (batches.py).
    recognised = recognise_entities(quote(documents), batch_no)
    matched = match_slogans(quote(recognised.value), batch_no)
    rows: list[nlp.Annotations | None] = [
        nlp.annotations(d.doc_id, doc) for d, doc in zip(documents, matched.value, strict=True)
    ]
    return Timed(rows, recognised.seconds + matched.seconds)


@_stage_task(Stage.WRITE)
def write_batch(
    output: Path,
    batch_no: int,
    run_id: str,
    documents: Sequence[tuple[CleanDocument, bool]],
    annotations: Sequence[nlp.Annotations],
    rejects: Sequence[Reject],
    replacing: Sequence[str] | None = None,
) -> Counter[str]:
    """Commit the batch's rows to every table at once (replacing earlier rows of its inputs
    in a `--reprocess`: `replacing` names the runs whose rows are the reprocess's own)."""
    children: dict[Table, list[dict[str, object]]] = {t: [] for t in tables.CHILD_TABLES}
    for found in annotations:
        ids = {"doc_id": found.doc_id, "run_id": run_id}
        children[Table.ENTITIES] += tables.record_rows(found.entities, **ids)
        children[Table.DATES] += tables.record_rows(found.dates, **ids)
        children[Table.NUMBERS] += tables.record_rows(found.numbers, **ids)
        children[Table.SLOGANS] += tables.record_rows(found.slogans, **ids)
        children[Table.OFFICIALS] += tables.record_rows(found.officials, **ids)
    reject_rows = list(tables.record_rows(rejects, run_id=run_id))
    document_rows = [
        {**_document_row(document), "is_first_occurrence": first, "run_id": run_id}
        for document, first in documents
    ]
    rows = {**children, Table.DOCUMENTS: document_rows, Table.REJECTS: reject_rows}
    parts = {table: tables.to_table(table, table_rows) for table, table_rows in rows.items()}
    label = f"{run_id}-{batch_no:05d}"
    tables.commit_batch(output, parts, label=label, day=tables.today(), replacing=replacing)
    return Counter({table.value: len(table_rows) for table, table_rows in rows.items()})


def write_divisions(output: Path) -> None:
    """Replace the output's `divisions` table with the pipeline's division data."""
    rows = tables.record_rows(nlp.division_rows())
    tables.write_whole(output, Table.DIVISIONS, tables.to_table(Table.DIVISIONS, rows))


@contextlib.contextmanager
def recorded_run(output: Path, summary: RunSummary) -> Iterator[Callable[..., None]]:
    """Yield what commits the run's `runs` row; if the block fails before that, commit a
    `failed` row with the error and the counts of the batches committed, then re-raise.

    Best effort: when storage itself failed (disk full), the row may fail too; the original
    error is raised all the same, with a note saying the row was not written."""
    written = False

    def record(error: str | None = None) -> None:
        nonlocal written
        tables.write_run(output, summary, model_version=nlp.model_version(), error=error)
        written = True

    try:
        yield record
    except Exception as error:
        if not written:
            try:
                record(one_line(error))
            except Exception as row_error:  # never mask the run's own error
                error.add_note(f"the failed run's runs row was not written: {one_line(row_error)}")
        raise


def _document_row(document: CleanDocument) -> dict[str, object]:
    names = tables.SCHEMAS[Table.DOCUMENTS].names
    return {name: getattr(document, name) for name in names if hasattr(document, name)}


@flow(name="zhnews", log_prints=True)
def zhnews_flow(
    inputs: list[Path],
    output: Path = Path("output"),
    batch_size: int | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    reprocess: bool = False,
    runner: Runner = Runner.IN_PROCESS,
    workers: int | None = None,
    dask_address: str | None = None,
    progress: bool = False,
    follow_symlinks: bool = False,
    accept_non_chinese: bool = False,
) -> RunSummary:
    """Turn input files into the Parquet tables under `output`, skipping what was done.

    The inputs are walked once: a caller that walked them already (`zhnews run`, for its
    checks) hands its walk over with `flows.inputs.walk.walked_before`."""
    # Worker batches are also cut by size, so that every worker gets several (runners.py).
    workers = workers or default_workers(runner)
    sized_batches = batch_size is None and runner is not Runner.IN_PROCESS
    if batch_size is None:
        batch_size = DEFAULT_BATCH_SIZE if runner is Runner.IN_PROCESS else WORKER_BATCH_SIZE
    summary = RunSummary(
        run_id=f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}",
        inputs=[str(p) for p in inputs],
        started_at=dt.datetime.now(dt.UTC),
    )
    with tables.output_lock(output), recorded_run(output, summary) as record_run:
        tables.recover(output)
        # First, so that no output holding documents lacks it, even after a killed run.
        write_divisions(output)
        compact.compact(output, min_parts=compact.AUTO_COMPACT_PARTS)  # migrates older outputs
        # A --reprocess records itself until it ends; the next run, whatever its flags,
        # finishes an interrupted one (its inputs too; what it committed stays).
        pending = tables.PendingReprocess.load(output)
        if pending is not None:
            reprocess = True
            inputs = [*inputs, *(Path(p) for p in pending.inputs if Path(p) not in inputs)]
            pending = tables.PendingReprocess(pending.inputs, (*pending.run_ids, summary.run_id))
        elif reprocess:
            inputs_given = tuple(str(p) for p in inputs)
            pending = tables.PendingReprocess(inputs_given, (summary.run_id,))
        if pending is not None:
            pending.save(output)
        replacing = pending.run_ids if pending is not None else None
        ledger = InputLedger.load(output)
        seen = SeenInputs.load(output, replacing)
        options = ingest.InputOptions(max_chars, follow_symlinks, accept_non_chinese)
        walk = found_inputs(inputs, follow_symlinks=follow_symlinks, skip=[output])
        known = InputLedger(ledger.path) if reprocess else ledger
        unread = unread_files(walk.files, known, summary, options.key())
        paths = [path for path, _ in unread]
        stream = itertools.chain(walk.rejects, ingest.iter_inputs(paths, options, roots=inputs))
        depth = workers
        batch_bytes = worker_batch_bytes(paths, workers) if sized_batches else None
        with (
            started_task_runner(runner, workers, dask_address) as pool,
            progress_bar(progress, paths) as done,
        ):
            batches = BatchPipeline(
                BatchStages(clean_batch, annotate_batch, nlp_time_limit, write_batch),
                pool,
                output,
                summary,
                seen,
                depth,
                replacing,
                done,
                accept_non_chinese,
                quote_batches=runner is not Runner.DASK,
            )
            for batch_no in itertools.count():
                raw = summary.took(ingest_batch(stream, batch_no, batch_size, batch_bytes))
                if not raw:
                    break
                batches.add(batch_no, raw)
            batches.finish()
        record_run()
        # Fingerprints taken before reading: a file changed meanwhile is read again next time.
        # An unreadable file is not recorded: fixing its permissions changes no fingerprint.
        reasons = seen.reject_reasons_per_source
        ledger.record(
            (
                (f, seen.documents_per_source[f.path])
                for _, f in unread
                if f is not None and RejectReason.UNREADABLE not in reasons.get(f.path, ())
            ),
            rejected=reasons.keys(),
            settings=options.key(),
        )
        ledger.save()
        tables.PendingReprocess.clear(output)
        compact.compact(output, min_parts=compact.AUTO_COMPACT_PARTS)
        catalog.write_catalog(output)
    create_markdown_artifact(summary.markdown(), key="zhnews-run", description="zhnews run summary")
    return summary
