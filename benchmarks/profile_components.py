"""Where the NLP stage's time goes: each component of models/zh_news over the same documents.

    python benchmarks/profile_components.py OUTPUT [--rounds 3]
    python benchmarks/profile_components.py ITEMS.jsonl [--items 300] [--rounds 3]

OUTPUT is a `zhnews run` output; its cleaned `documents.text` are the input, as the flow feeds
them. A JSONL file of items instead gives the `text` of its first `--items` lines, cleaned as
the flow cleans them (`clean_text`). The tokenizer (pkuseg + token splits; it reads ASCII
punctuation next to Han as full-width itself) makes the Docs, then each component runs over all
of them in pipeline order; every round times each step once, in turn, and the median of the
process's CPU seconds is printed with each step's share, so a host whose speed drifts or that
other processes share hits all steps alike.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import time
from pathlib import Path

from flows.inputs.clean import clean_text
from flows.nlp import model
from flows.store import tables
from flows.store.tables import Table


def documents(source: Path, items: int) -> list[str]:
    """The cleaned texts of a `zhnews run` output, or of the first `items` lines of a JSONL."""
    if source.is_dir():
        return tables.read_table(source, Table.DOCUMENTS, ["text"])["text"].to_pylist()
    with source.open(encoding="utf-8") as lines:
        return [clean_text(json.loads(line)["text"]) for line in itertools.islice(lines, items)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="a zhnews run output, or a JSONL of items")
    parser.add_argument("--items", type=int, default=300, help="lines of a JSONL source")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    texts = documents(args.source, args.items)
    started = time.process_time()
    nlp = model.load_pipeline()
    print(f"model loaded in {time.process_time() - started:.2f} CPU-s")
    list(nlp.pipe(texts[:10]))  # warm-up
    seconds: dict[str, list[float]] = {"tokenizer": [], **{name: [] for name in nlp.pipe_names}}
    for _ in range(args.rounds):
        started = time.process_time()
        docs = [nlp.make_doc(text) for text in texts]
        seconds["tokenizer"].append(time.process_time() - started)
        for name, component in nlp.pipeline:
            started = time.process_time()
            if hasattr(component, "pipe"):
                docs = list(component.pipe(docs, batch_size=32))
            else:
                docs = [component(doc) for doc in docs]
            seconds[name].append(time.process_time() - started)
    chars = sum(map(len, texts))
    medians = {step: statistics.median(times) for step, times in seconds.items()}
    total = sum(medians.values())
    print(f"{len(texts)} documents, {chars:,} chars; median of {args.rounds} rounds, CPU seconds")
    print("| step | CPU-s | share | chars/CPU-s |\n|---|---|---|---|")
    for step, median in medians.items():
        print(f"| {step} | {median:.2f} | {median / total:.0%} | {chars / median:,.0f} |")
    print(f"| all | {total:.2f} | 100% | {chars / total:,.0f} |")


if __name__ == "__main__":
    main()
