"""Batches between the flow's tasks: what earlier runs and batches already processed, and the
queue that keeps a bounded number of batches in flight on a task runner."""

from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self, TypeVar

from prefect import Task
from prefect.futures import PrefectFuture
from prefect.task_runners import TaskRunner
from prefect.utilities.annotations import quote

from flows.nlp import model as nlp
from flows.ops.run_report import RunSummary, Timed
from flows.store import tables
from flows.store.ledger import Fingerprint, InputLedger
from flows.store.records import CleanDocument, RawDocument, Reject, RejectReason

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CleanedBatch:
    documents: list[CleanDocument]
    rejects: list[Reject]


@dataclass
class SeenInputs:
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


@dataclass(frozen=True, slots=True)
class BatchStages:
    """The flow's tasks a batch goes through and the annotate task's time limit (all in the
    flow's module)."""

    clean: Task[..., Timed[CleanedBatch]]
    annotate: Task[..., Timed[list[nlp.Annotations | None]]]
    annotate_time_limit: Callable[[Sequence[CleanDocument]], float]
    write: Task[..., Timed[Counter[str]]]


@dataclass
class BatchPipeline:
    """Batches through clean -> annotate on a task runner, then write, in batch order.

    At most `depth` batches wait at each step, which bounds memory and keeps every worker busy.
    Duplicates are decided after cleaning (doc_id is the cleaned text's hash), in batch order,
    so the outcome does not depend on which worker finishes first.
    """

    stages: BatchStages
    runner: TaskRunner
    output: Path
    summary: RunSummary
    seen: SeenInputs
    depth: int
    replacing: Sequence[str] | None
    on_done: Callable[[int], None]
    accept_non_chinese: bool
    # Send batches to the runner in quote(): the batches hold no futures, and Prefect would
    # otherwise walk every field of every document twice per task run (to resolve futures, to
    # record task inputs). Not to Dask, which unpacks the quote (a tuple) into a plain tuple.
    quote_batches: bool = True
    cleaning: deque[_InFlight] = field(default_factory=deque)
    annotating: deque[_InFlight] = field(default_factory=deque)

    def add(self, batch_no: int, raw: list[RawDocument | Reject]) -> None:
        """Submit a freshly read batch for cleaning, moving older batches along."""
        parameters = {
            "raw": self._sent(raw),
            "batch_no": batch_no,
            "accept_non_chinese": self.accept_non_chinese,
        }
        cleaned = self.runner.submit(self.stages.clean, parameters)
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
        parameters = {"documents": self._sent(fresh), "batch_no": batch.batch_no}
        batch.found = self.runner.submit(self.stages.annotate, parameters)
        self.annotating.append(batch)

    def _sent(self, items: list[T]) -> list[T] | quote[list[T]]:
        return quote(items) if self.quote_batches else items

    def _write(self, batch: _InFlight) -> None:
        assert batch.found is not None
        found = self._without_timed_out(batch, self.summary.took(batch.found.result()))
        summary = self.summary
        written = summary.took(
            self.stages.write(
                self.output,
                batch.batch_no,
                summary.run_id,
                quote(batch.documents),
                quote(found),
                quote(batch.rejects),
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
        limit = self.stages.annotate_time_limit
        rejects = [
            Reject(
                document.source,
                document.record_id,
                RejectReason.NLP_TIMEOUT,
                f"NLP took longer than its limit of {limit([document]):.0f} s",
            )
            for document, _ in batch.documents
            if document.doc_id in timed_out
        ]
        batch.rejects += self.seen.new_rejects(rejects, self.summary)
        batch.documents = [(d, f) for d, f in batch.documents if d.doc_id not in timed_out]
        return [f for f in found if f is not None]


def unread_files(
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
