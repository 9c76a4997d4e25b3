"""Benchmark of the whole zhnews flow on the COVID news corpus, against bare `nlp.pipe`.

    python benchmarks/bench_flow.py [--items N]

Reports in one run: chars/s of the whole flow and of each stage (in-process), the floor
(bare `nlp.pipe` of the same model over the same cleaned texts), cold start (a fresh
`zhnews run` of one seed file), the largest process's peak memory, the speed-up from 1 to
2 worker processes, and how time grows when the input doubles. Each flow run is a fresh
`zhnews run` subprocess on a fresh output, so nothing is skipped as already seen.
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
COVID = REPO_ROOT.parent / "shared" / "corpora" / "covid_news" / "xwlb_covid_2020_2021.jsonl"
ZHNEWS = Path(sys.executable).parent / "zhnews"


@dataclass(frozen=True, slots=True)
class FlowRun:
    """One `zhnews run`: wall seconds of the process, and the flow's own figures."""

    label: str
    wall_seconds: float
    flow_seconds: float
    chars: int
    stage_seconds: dict[str, float]

    @property
    def chars_per_second(self) -> float:
        return self.chars / self.flow_seconds


def first_items(source: Path, items: int | None, dest: Path) -> Path:
    """The first `items` lines of a JSONL file (all of them when None), copied to `dest`."""
    with source.open("rb") as lines, dest.open("wb") as sink:
        sink.writelines(itertools.islice(lines, items))
    return dest


def run_flow(label: str, inputs: Path, work: Path, *options: str) -> FlowRun:
    """Run `zhnews run` in a fresh process and read its `runs` and `documents` rows back."""
    from flows.store import tables
    from flows.store.tables import Table

    output = work / label
    started = time.perf_counter()
    # Exit 4 only says some items were rejected (the corpus has a few without text).
    done = subprocess.run(
        [str(ZHNEWS), "run", str(inputs), "--output", str(output), "--no-progress", *options],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if done.returncode not in (0, 4):
        raise RuntimeError(f"zhnews run {label} failed:\n{done.stderr[-3000:]}")
    wall = time.perf_counter() - started
    run = tables.read_table(output, Table.RUNS).to_pylist()[0]
    chars = sum(tables.read_table(output, Table.DOCUMENTS, ["n_chars"])["n_chars"].to_pylist())
    flow_seconds = (run["finished_at"] - run["started_at"]).total_seconds()
    return FlowRun(label, wall, flow_seconds, chars, dict(run["stage_seconds"]))


def bare_pipe_chars_per_second(output: Path) -> float:
    """The floor: the saved pipeline's `nlp.pipe` over the flow's cleaned texts, warmed up."""
    from flows.nlp import model as nlp
    from flows.store import tables
    from flows.store.tables import Table

    texts = tables.read_table(output, Table.DOCUMENTS, ["text"])["text"].to_pylist()
    model = nlp.load_pipeline()
    list(model.pipe(texts[:20]))
    started = time.perf_counter()
    for _ in model.pipe(texts, batch_size=32):
        pass
    return sum(map(len, texts)) / (time.perf_counter() - started)


def report(runs: dict[str, FlowRun], floor: float, cold_start: float, peak_mb: float) -> str:
    """The results as markdown, with the issue's bars checked."""
    single, one, two = runs["in-process"], runs["processes-1"], runs["processes-2"]
    half = runs["in-process-half"]
    speed_up = one.flow_seconds / two.flow_seconds
    doubling = single.flow_seconds / half.flow_seconds * half.chars / single.chars
    lines = [
        f"Input: {single.chars:,} chars of cleaned text.",
        "",
        "| run | flow s | wall s | chars/s |",
        "|---|---|---|---|",
        *(
            f"| {r.label} | {r.flow_seconds:.1f} | {r.wall_seconds:.1f} | "
            f"{r.chars_per_second:,.0f} |"
            for r in runs.values()
        ),
        "",
        "| stage (in-process) | seconds | chars/s |",
        "|---|---|---|",
        *(
            f"| {stage} | {s:.2f} | {single.chars / s:,.0f} |"
            for stage, s in single.stage_seconds.items()
            if s > 0
        ),
        "",
        "| measure | value | bar | met |",
        "|---|---|---|---|",
        f"| bare nlp.pipe (floor) | {floor:,.0f} chars/s | | |",
        _bar("flow / bare nlp.pipe, 1 process", single.chars_per_second / floor, ">= 0.75", 0.75),
        _bar("speed-up 1 -> 2 worker processes", speed_up, ">= 1.6", 1.6),
        f"| cold start (one seed file) | {cold_start:.1f} s | <= 20 s | "
        f"{'yes' if cold_start <= 20 else 'no'} |",
        f"| peak memory, largest process | {peak_mb:,.0f} MB | <= 2048 MB | "
        f"{'yes' if peak_mb <= 2048 else 'no'} |",
        f"| time(2x input) / (2 x time(input)) | {doubling:.2f} | 0.9-1.1 | "
        f"{'yes' if 0.9 <= doubling <= 1.1 else 'no'} |",
    ]
    return "\n".join(lines)


def _bar(name: str, value: float, bar: str, minimum: float) -> str:
    return f"| {name} | {value:.2f} | {bar} | {'yes' if value >= minimum else 'no'} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=None, help="first N news items only")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    with tempfile.TemporaryDirectory(prefix="zhnews-bench-") as temp:
        work = Path(temp)
        full = first_items(COVID, args.items, work / "covid.jsonl")
        n_items = sum(1 for _ in full.open("rb"))
        half = first_items(full, n_items // 2, work / "covid-half.jsonl")
        seed = sorted((REPO_ROOT / "seeds").glob("*.txt"))[0]
        started = time.perf_counter()
        run_flow("cold-start", seed, work)
        cold_start = time.perf_counter() - started
        runs = {
            "in-process": run_flow("in-process", full, work, "--runner", "in-process"),
            "in-process-half": run_flow("in-process-half", half, work, "--runner", "in-process"),
            "processes-1": run_flow(
                "processes-1", full, work, "--runner", "processes", "--workers", "1"
            ),
            "processes-2": run_flow(
                "processes-2", full, work, "--runner", "processes", "--workers", "2"
            ),
        }
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        floor = bare_pipe_chars_per_second(work / "in-process")
    print(f"{n_items} items; load average {os.getloadavg()[0]:.2f} at the end")
    print(report(runs, floor, cold_start, peak_mb))


if __name__ == "__main__":
    main()
