"""Pretraining the NER tok2vec on raw text (`spacy pretrain`, the characters objective).

One of the levers issue 2 names: before `spacy train` sees a single label, tok2vec learns to
guess the first and last characters of a masked word from its neighbours, over the raw text of
every corpus (People's Daily, MSRA, CLUENER, COVID news, less the NER dev sets: about 4 million
words). `zhnews train ner --init-tok2vec` then starts from those weights. The pretraining
settings are the `[pretraining]` block of configs/ner.cfg, so the saved weights fit that
pipeline's tok2vec exactly.
"""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin

from flows.train.corpora import DEFAULT_CORPORA
from flows.train.ner import pipeline_overrides
from flows.train.splits import DevSplit
from flows.train.vectors import tokenised_sentences


def write_pretraining_corpus(
    out_path: Path,
    pkuseg_model: Path,
    *,
    corpora: Path = DEFAULT_CORPORA,
    limit: int | None = None,
    split: DevSplit = DevSplit.BLOCKS,
) -> int:
    """Save the raw text as pre-segmented docs (read with gold_preproc); returns the word count.

    Segmented once here, with the model the pipeline ships, rather than at every epoch:
    pretraining sees the tokens the pipeline will see. The text of `split`'s dev sets is left
    out, so the NER dev scores stay held out (flows/train/splits.py).
    """
    docbin = DocBin(attrs=[], store_user_data=False)
    vocab = spacy.blank("zh").vocab
    words = 0
    sentences = tokenised_sentences(corpora, pkuseg_model, held_out=split)
    for count, sentence in enumerate(sentences):
        if limit is not None and count >= limit:
            break
        docbin.add(Doc(vocab, words=sentence, spaces=[False] * len(sentence)))
        words += len(sentence)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    docbin.to_disk(out_path)
    print(f"pretraining corpus: {len(docbin)} sentences, {words} words -> {out_path}", flush=True)
    return words


def run_pretraining(
    config_path: Path,
    out_dir: Path,
    *,
    raw_text: Path,
    pkuseg_model: Path,
    vectors: Path | None,
    max_epochs: int | None = None,
) -> Path:
    """`spacy pretrain` with our config; returns the weights of the last epoch."""
    from spacy.training.pretrain import pretrain

    from flows.nlp.model import use_numpy_blas

    # `spacy pretrain` initialises the pipeline (tokenizer, vectors) before it starts.
    overrides = {"paths.raw_text": str(raw_text), **pipeline_overrides(pkuseg_model, vectors)}
    if max_epochs is not None:
        overrides["pretraining.max_epochs"] = max_epochs
    config = spacy.util.load_config(config_path, overrides=overrides, interpolate=False)
    out_dir.mkdir(parents=True, exist_ok=True)
    config.to_disk(out_dir / "config.cfg")
    use_numpy_blas()
    pretrain(config.interpolate(), out_dir, silent=False)
    return out_dir / "model-last.bin"
