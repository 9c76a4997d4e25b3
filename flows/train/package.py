"""Assemble models/zh_news: the trained tok2vec + ner plus zhnews' rule components."""

from __future__ import annotations

import shutil
from pathlib import Path

import spacy

from flows import dates, entities, numbers  # noqa: F401  (registers the factories)

RULE_COMPONENTS = ("zhnews_entity_rules", "zhnews_dates", "zhnews_numbers")


def package(trained: Path, out_dir: Path, *, version: str = "0.1.0") -> Path:
    """Load the trained pipeline, append the rule components, save it to `out_dir`."""
    nlp = spacy.load(trained)
    for name in RULE_COMPONENTS:
        if name not in nlp.pipe_names:
            nlp.add_pipe(name)
    nlp.meta.update(
        {
            "name": "zh_news",
            "version": version,
            "description": "zhnews: pkuseg tokenizer, NER (PERSON/ORG/LOC), dates, numbers",
            "license": "research use only (trained on MSRA NER and People's Daily 1998)",
            "author": "zhnews",
        }
    )
    staging = out_dir.with_name(out_dir.name + ".tmp")
    if staging.exists():
        shutil.rmtree(staging)
    nlp.to_disk(staging)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    staging.rename(out_dir)
    print(f"packaged {trained} -> {out_dir}: {nlp.pipe_names}")
    return out_dir
