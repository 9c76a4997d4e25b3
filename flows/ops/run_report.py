"""What a run reports: the seconds each stage took, its summary (the `runs` row and the run's
markdown artifact) and the terminal progress bar."""

import contextlib
import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from flows.store import tables
from flows.store.tables import Table

T = TypeVar("T")


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
def progress_bar(show: bool, files: Sequence[Path]) -> Iterator[Callable[[int], None]]:
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
