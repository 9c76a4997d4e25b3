"""Assemble models/zh_news: the trained tok2vec + ner plus zhnews' rule components."""

from __future__ import annotations

import shutil
from pathlib import Path

import spacy

from flows import dates, entities, numbers  # noqa: F401  (registers the factories)
from flows.train.segmenter import USER_DICT, use_model_only

RULE_COMPONENTS = ("zhnews_entity_rules", "zhnews_dates", "zhnews_numbers")


def package(
    trained: Path, out_dir: Path, *, pkuseg_model: Path | None = None, version: str = "0.1.0"
) -> Path:
    """Load the trained pipeline, append the rule components, save it to `out_dir`.

    `pkuseg_model` replaces the segmenter the pipeline was trained with (the entity-aware
    one, trained after the NER corpus existed: see models/README.md).
    """
    nlp = spacy.load(trained)
    if pkuseg_model is not None:
        nlp.tokenizer.initialize(
            pkuseg_model=str(pkuseg_model), pkuseg_user_dict=str(pkuseg_model / USER_DICT)
        )
        use_model_only(nlp)
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
