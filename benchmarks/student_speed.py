"""`tok2vec` + `ner` of a teacher and its distilled students over the same Docs, CPU seconds.

    python benchmarks/student_speed.py STUDENT [STUDENT ...] [--teacher models/zh_news]
        [--items 150] [--rounds 3]

The teacher's tokenizer cuts the first `--items` COVID news items (cleaned as the flow cleans
them) once; each round then runs every pipeline's `tok2vec` and `ner` over fresh copies of
those Docs, in turn, so a host whose speed drifts hits them alike. The minimum of the rounds
is printed (process CPU seconds, numpy's BLAS on one thread, as the flow runs them), with the
entities each finds and how many of them are the teacher's.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from flows.inputs.clean import clean_text
from flows.train.corpora import DEFAULT_CORPORA
from flows.train.distill import COVID_NEWS, load_ner


def timed(nlp: Language, docs: list[Doc]) -> tuple[dict[str, float], list[Doc]]:
    seconds = {}
    for name, component in nlp.pipeline:
        started = time.process_time()
        docs = list(component.pipe(docs, batch_size=32))
        seconds[name] = time.process_time() - started
    return seconds, docs


def entities(docs: list[Doc]) -> set[tuple[int, int, int, str]]:
    return {(i, e.start_char, e.end_char, e.label_) for i, doc in enumerate(docs) for e in doc.ents}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("students", type=Path, nargs="+")
    parser.add_argument("--teacher", type=Path, default=Path("models/zh_news"))
    parser.add_argument("--items", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with (DEFAULT_CORPORA / COVID_NEWS).open(encoding="utf-8") as lines:
        items = (json.loads(line) for line in itertools.islice(lines, args.items))
        texts = [clean_text(item["text"]) for item in items]
    pipelines = {path: load_ner(path) for path in (args.teacher, *args.students)}
    teacher = pipelines[args.teacher]
    docs = [teacher.make_doc(text) for text in texts]
    best: dict[Path, dict[str, float]] = {}
    found: dict[Path, set[tuple[int, int, int, str]]] = {}
    for _ in range(args.rounds):
        for path, nlp in pipelines.items():
            seconds, done = timed(nlp, [doc.copy() for doc in docs])
            if path not in best or sum(seconds.values()) < sum(best[path].values()):
                best[path] = seconds
            found[path] = entities(done)
    print(f"{len(docs)} docs, {sum(map(len, texts)):,} chars; min of {args.rounds} rounds, CPU-s")
    print(
        "| pipeline | tok2vec | ner | both | entities | the teacher's |\n|---|---|---|---|---|---|"
    )
    for path, seconds in best.items():
        shared = len(found[path] & found[args.teacher])
        print(
            f"| {path} | {seconds['tok2vec']:.2f} | {seconds['ner']:.2f} | "
            f"{sum(seconds.values()):.2f} | {len(found[path])} | {shared} |"
        )


if __name__ == "__main__":
    main()
