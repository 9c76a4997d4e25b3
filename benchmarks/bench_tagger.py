"""What the POS tagger costs: the whole pipeline over COVID news with and without it.

    PYTHONPATH=. python benchmarks/bench_tagger.py [--model models/zh_news] [--rounds 5]

Each round runs both, in turns (with first in even rounds, without first in odd ones), so a change
in the host's load hits both alike; the CPU time of this one-threaded process is reported besides
wall time, since the host is shared.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from flows import CHECKOUT_MODEL
from flows.nlp.model import load_pipeline
from flows.ops.bench import machine_description, news_paragraphs
from flows.train.tagger import TAGGER_COMPONENTS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=CHECKOUT_MODEL)
    parser.add_argument("--max-chars", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    nlp = load_pipeline(args.model)
    texts = list(news_paragraphs(max_chars=args.max_chars))
    chars = sum(map(len, texts))
    list(nlp.pipe(texts[:50]))  # warm-up: first calls allocate
    cpu: dict[bool, list[float]] = {True: [], False: []}
    wall: dict[bool, list[float]] = {True: [], False: []}
    for round_ in range(args.rounds):
        for tagged in (True, False) if round_ % 2 == 0 else (False, True):
            disabled = [] if tagged else list(TAGGER_COMPONENTS)
            with nlp.select_pipes(disable=disabled):
                started_cpu, started_wall = time.process_time(), time.perf_counter()
                for _ in nlp.pipe(texts, batch_size=64):
                    pass
                cpu[tagged].append(time.process_time() - started_cpu)
                wall[tagged].append(time.perf_counter() - started_wall)
    print(machine_description())
    print(f"{chars} characters in {len(texts)} paragraphs, {args.rounds} alternating rounds")
    for label, seconds in (("CPU", cpu), ("wall", wall)):
        with_tagger, without = statistics.median(seconds[True]), statistics.median(seconds[False])
        print(
            f"{label:4s} median s: with tagger {with_tagger:.2f}, without {without:.2f} "
            f"({chars / with_tagger:,.0f} vs {chars / without:,.0f} chars/s): "
            f"{100 * (with_tagger / without - 1):+.1f}%"
        )
        print(f"     rounds with {seconds[True]}, without {seconds[False]}")


if __name__ == "__main__":
    main()
