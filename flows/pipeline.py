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
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Generic, Self, TypeVar

from prefect import Task, flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.task_runners import TaskRunner
from spacy.tokens import Doc

from flows.bi import catalog
from flows.inputs import ingest
from flows.inputs.clean import clean_document
from flows.nlp import model as nlp
from flows.ops.limits import TimeLimitExceeded, time_limit
from flows.ops.runners import DEFAULT_WORKERS, Runner, started_task_runner
from flows.store import compact, tables
from flows.store.ledger import Fingerprint, InputLedger
from flows.store.records import CleanDocument, RawDocument, Reject, RejectReason
from flows.store.tables import Table

DEFAULT_BATCH_SIZE = 64
# With worker processes every task run also costs the flow's process and the Prefect server
# CPU that the workers need on a small machine: fewer, larger batches (COVID file, 2 workers:
# 162 s at 64, 139 s at 256).
WORKER_BATCH_SIZE = 256
DEFAULT_MAX_CHARS = 1_000_000
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


@dataclass(frozen=True, slots=True)
class Timed(Generic[T]):
    """A result with the seconds each stage took where it ran (stages overlap in parallel)."""

    value: T
    seconds: Counter[str]


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
    skipped_files: int = 0
    reject_reasons: Counter[str] = field(default_factory=Counter)
    top_entities: Counter[str] = field(default_factory=Counter)
    top_slogans: Counter[str] = field(default_factory=Counter)

    @property
    def rejects(self) -> int:
        return sum(self.reject_reasons.values())

    def took(self, timed: Timed[T]) -> T:
        """Add the stages' seconds to the run's and return the result."""
        self.stage_seconds.update(timed.seconds)
        return timed.value

    def markdown(self) -> str:
        lines = [f"# zhnews run `{self.run_id}`", "", "| table | new rows |", "|---|---|"]
        appended = [t for t in Table if t is not Table.RUNS and t not in tables.UNPARTITIONED]
        lines += [f"| {t.value} | {self.rows[t.value]} |" for t in appended]
        lines += [
            "",
            f"Inputs: {self.input_documents} documents, {self.skipped_documents} "
            f"already processed ({self.skipped_files} unchanged files not read), "
            f"{self.rejects} rejected.",
        ]
        if self.reject_reasons:
            lines += [
                "",
                "Rejects: " + ", ".join(f"{k} {v}" for k, v in self.reject_reasons.items()),
            ]
        if self.stage_seconds:
            slowest = max(self.stage_seconds, key=self.stage_seconds.__getitem__)
            lines += [
                "",
                "Stage seconds: "
                + ", ".join(f"{k} {v:.2f}" for k, v in self.stage_seconds.items())
                + f" (slowest: {slowest})",
            ]
        for title, counter in (
            ("Top entities", self.top_entities),
            ("Top slogans", self.top_slogans),
        ):
            if counter:
                lines += [
                    "",
                    f"{title}: " + ", ".join(f"{k} ({v})" for k, v in counter.most_common(10)),
                ]
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class CleanedBatch:
    documents: list[CleanDocument]
    rejects: list[Reject]


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
    stream: Iterator[RawDocument | Reject], batch_no: int, batch_size: int
) -> list[RawDocument | Reject]:
    """Read and decode the next batch of the input stream (in the flow's process)."""
    return list(itertools.islice(stream, batch_size))


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
    recognised = recognise_entities(documents, batch_no)
    matched = match_slogans(recognised.value, batch_no)
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


def _document_row(document: CleanDocument) -> dict[str, object]:
    names = tables.SCHEMAS[Table.DOCUMENTS].names
    return {name: getattr(document, name) for name in names if hasattr(document, name)}


@dataclass
class _SeenInputs:
    """What earlier runs and earlier batches of this run already processed."""

    keys: set[tuple[str, str, str | None]]
    doc_ids: set[str]
    rejects: set[tuple[str, str | None, str]]
    documents_per_source: Counter[str] = field(default_factory=Counter)
    reject_reasons_per_source: dict[str, set[RejectReason]] = field(default_factory=dict)

    @classmethod
    def load(cls, output: Path, replacing: Sequence[str] | None) -> Self:
        # With --reprocess only what the reprocess itself committed (in an interrupted run it
        # continues) counts as seen; each batch's commit replaces its inputs' earlier rows.
        seen = tables.SeenDocuments.load(output, replacing)
        return cls(set(seen.keys), set(seen.doc_ids), tables.seen_rejects(output, replacing))

    def split(
        self, cleaned: CleanedBatch, summary: RunSummary
    ) -> tuple[list[CleanDocument], list[CleanDocument], list[Reject]]:
        """New documents (fresh text, repeated text) and new rejects of a batch, in order."""
        fresh, repeats = [], []
        for document in cleaned.documents:
            summary.input_documents += 1
            self.documents_per_source[document.source] += 1
            key = (document.doc_id, document.source, document.record_id)
            if key in self.keys:
                summary.skipped_documents += 1
                continue
            self.keys.add(key)
            (repeats if document.doc_id in self.doc_ids else fresh).append(document)
            self.doc_ids.add(document.doc_id)
        return fresh, repeats, self.new_rejects(cleaned.rejects, summary)

    def new_rejects(self, rejects: Iterable[Reject], summary: RunSummary) -> list[Reject]:
        """Count `rejects` and keep those not already in the table (one row per key)."""
        new = []
        for reject in rejects:
            summary.reject_reasons[reject.reason.value] += 1
            self.reject_reasons_per_source.setdefault(reject.source, set()).add(reject.reason)
            key = (reject.source, reject.record_id, reject.reason.value)
            if key not in self.rejects:
                self.rejects.add(key)
                new.append(reject)
        return new


@dataclass
class _InFlight:
    """One batch between ingest and write."""

    batch_no: int
    size: int
    cleaned: PrefectFuture[Timed[CleanedBatch]]
    documents: list[tuple[CleanDocument, bool]] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    found: PrefectFuture[Timed[list[nlp.Annotations | None]]] | None = None


@dataclass
class _BatchPipeline:
    """Batches through clean -> annotate on a task runner, then write, in batch order.

    At most `depth` batches wait at each step, which bounds memory and keeps every worker busy.
    Duplicates are decided after cleaning (doc_id is the cleaned text's hash), in batch order,
    so the outcome does not depend on which worker finishes first.
    """

    runner: TaskRunner
    output: Path
    summary: RunSummary
    seen: _SeenInputs
    depth: int
    replacing: Sequence[str] | None
    on_done: Callable[[int], None]
    accept_non_chinese: bool
    cleaning: deque[_InFlight] = field(default_factory=deque)
    annotating: deque[_InFlight] = field(default_factory=deque)

    def add(self, batch_no: int, raw: list[RawDocument | Reject]) -> None:
        """Submit a freshly read batch for cleaning, moving older batches along."""
        parameters = {
            "raw": raw,
            "batch_no": batch_no,
            "accept_non_chinese": self.accept_non_chinese,
        }
        cleaned = self.runner.submit(clean_batch, parameters)
        self.cleaning.append(_InFlight(batch_no, len(raw), cleaned))
        while len(self.cleaning) > self.depth:
            self._annotate(self.cleaning.popleft())
        while len(self.annotating) > self.depth:
            self._write(self.annotating.popleft())

    def finish(self) -> None:
        """Take every batch still in flight through to its write."""
        while self.cleaning:
            self._annotate(self.cleaning.popleft())
        while self.annotating:
            self._write(self.annotating.popleft())

    def _annotate(self, batch: _InFlight) -> None:
        fresh, repeats, batch.rejects = self.seen.split(
            self.summary.took(batch.cleaned.result()), self.summary
        )
        if not (fresh or repeats or batch.rejects):
            self.on_done(batch.size)
            return
        batch.documents = [(d, True) for d in fresh] + [(d, False) for d in repeats]
        parameters = {"documents": fresh, "batch_no": batch.batch_no}
        batch.found = self.runner.submit(annotate_batch, parameters)
        self.annotating.append(batch)

    def _write(self, batch: _InFlight) -> None:
        assert batch.found is not None
        found = self._without_timed_out(batch, self.summary.took(batch.found.result()))
        summary = self.summary
        written = summary.took(
            write_batch(
                self.output,
                batch.batch_no,
                summary.run_id,
                batch.documents,
                found,
                batch.rejects,
                self.replacing,
            )
        )
        summary.rows.update(written)
        for found_in_doc in found:
            summary.top_entities.update(f"{e.label}:{e.text}" for e in found_in_doc.entities)
            summary.top_slogans.update(s.canonical for s in found_in_doc.slogans)
        self.on_done(batch.size)

    def _without_timed_out(
        self, batch: _InFlight, found: list[nlp.Annotations | None]
    ) -> list[nlp.Annotations]:
        """Move documents the NLP stage gave up on (and repeats of their text) to rejects."""
        fresh = [document for document, first in batch.documents if first]
        timed_out = {d.doc_id for d, f in zip(fresh, found, strict=True) if f is None}
        if not timed_out:
            return [f for f in found if f is not None]
        rejects = [
            Reject(
                document.source,
                document.record_id,
                RejectReason.NLP_TIMEOUT,
                f"NLP took longer than its limit of {nlp_time_limit([document]):.0f} s",
            )
            for document, _ in batch.documents
            if document.doc_id in timed_out
        ]
        batch.rejects += self.seen.new_rejects(rejects, self.summary)
        batch.documents = [(d, f) for d, f in batch.documents if d.doc_id not in timed_out]
        return [f for f in found if f is not None]


def _unread_files(
    files: Iterable[Path], ledger: InputLedger, summary: RunSummary, settings: str
) -> list[tuple[Path, Fingerprint | None]]:
    """Files whose fingerprint earlier runs have not recorded, or that gave rejects under other
    input settings; the others count as skipped."""
    unread = []
    for path in files:
        fingerprint = Fingerprint.of(path)
        documents = ledger.seen(fingerprint, settings)
        if documents is None:
            unread.append((path, fingerprint))
        else:
            summary.skipped_files += 1
            summary.input_documents += documents
            summary.skipped_documents += documents
    return unread


def _expected_items(files: Iterable[Path]) -> int:
    """About how many documents the files hold: a JSONL line each, else one per file."""
    total = 0
    for path in files:
        if path.suffix.lower() != ".jsonl":
            total += 1
            continue
        with contextlib.suppress(OSError), path.open("rb") as handle:
            total += sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
    return total


@contextlib.contextmanager
def _progress_bar(show: bool, files: Sequence[Path]) -> Iterator[Callable[[int], None]]:
    """A terminal progress bar over input documents; a no-op when not shown."""
    if not show:
        yield lambda _done: None
        return
    from rich.progress import Progress

    with Progress(
        *Progress.get_default_columns(), "{task.completed}/{task.total} documents", transient=True
    ) as progress:
        bar = progress.add_task("zhnews", total=_expected_items(files))
        yield lambda done: progress.advance(bar, done)


@flow(name="zhnews", log_prints=True)
def zhnews_flow(
    inputs: list[Path],
    output: Path = Path("output"),
    batch_size: int | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    reprocess: bool = False,
    runner: Runner = Runner.IN_PROCESS,
    workers: int = DEFAULT_WORKERS,
    dask_address: str | None = None,
    progress: bool = False,
    follow_symlinks: bool = False,
    accept_non_chinese: bool = False,
) -> RunSummary:
    """Turn input files into the Parquet tables under `output`, skipping what was done."""
    if batch_size is None:
        batch_size = DEFAULT_BATCH_SIZE if runner is Runner.IN_PROCESS else WORKER_BATCH_SIZE
    summary = RunSummary(
        run_id=f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}",
        inputs=[str(p) for p in inputs],
        started_at=dt.datetime.now(dt.UTC),
    )
    with tables.output_lock(output):
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
        seen = _SeenInputs.load(output, replacing)
        options = ingest.InputOptions(max_chars, follow_symlinks, accept_non_chinese)
        files, walk_rejects = ingest.find_input_files(
            inputs, follow_symlinks=follow_symlinks, skip=[output]
        )
        known = InputLedger(ledger.path) if reprocess else ledger
        unread = _unread_files(files, known, summary, options.key())
        paths = [path for path, _ in unread]
        stream = itertools.chain(walk_rejects, ingest.iter_inputs(paths, options, roots=inputs))
        depth = 1 if runner is Runner.IN_PROCESS else workers
        with (
            started_task_runner(runner, workers, dask_address) as pool,
            _progress_bar(progress, paths) as done,
        ):
            batches = _BatchPipeline(
                pool, output, summary, seen, depth, replacing, done, accept_non_chinese
            )
            for batch_no in itertools.count():
                raw = summary.took(ingest_batch(stream, batch_no, batch_size))
                if not raw:
                    break
                batches.add(batch_no, raw)
            batches.finish()
        tables.write_run(output, summary, model_version=nlp.model_version())
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
