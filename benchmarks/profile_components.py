"""Where the NLP stage's time goes: each component of models/zh_news over the same documents.

    python benchmarks/profile_components.py OUTPUT [--rounds 3]

OUTPUT is a `zhnews run` output; its cleaned `documents.text` are the input, as the flow feeds
them. The tokenizer (pkuseg + token splits) makes the Docs, then each component runs over all
of them in pipeline order; every round times each step once, in turn, and the median is
printed with each step's share, so a host whose speed drifts hits all steps alike.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from flows.nlp import model
from flows.store import tables
from flows.store.tables import Table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    texts = tables.read_table(args.output, Table.DOCUMENTS, ["text"])["text"].to_pylist()
    views = [model.model_view(text) for text in texts]
    nlp = model.load_pipeline()
    list(nlp.pipe(views[:10]))  # warm-up
    seconds: dict[str, list[float]] = {"tokenizer": [], **{name: [] for name in nlp.pipe_names}}
    for _ in range(args.rounds):
        started = time.perf_counter()
        docs = [nlp.make_doc(view) for view in views]
        seconds["tokenizer"].append(time.perf_counter() - started)
        for name, component in nlp.pipeline:
            started = time.perf_counter()
            if hasattr(component, "pipe"):
                docs = list(component.pipe(docs, batch_size=32))
            else:
                docs = [component(doc) for doc in docs]
            seconds[name].append(time.perf_counter() - started)
    chars = sum(map(len, texts))
    medians = {step: statistics.median(times) for step, times in seconds.items()}
    total = sum(medians.values())
    print(f"{len(texts)} documents, {chars:,} chars; median of {args.rounds} rounds")
    print("| step | seconds | share | chars/s |\n|---|---|---|---|")
    for step, median in medians.items():
        print(f"| {step} | {median:.2f} | {median / total:.0%} | {chars / median:,.0f} |")
    print(f"| all | {total:.2f} | 100% | {chars / total:,.0f} |")


if __name__ == "__main__":
    main()
