"""Train the pkuseg word segmenter on People's Daily 1998 (PKU standard).

The model directory it writes is an intermediate artefact: `flows.train.ner` stores it inside
`models/zh_news/tokenizer` through spaCy's own serialisation, so the shipped model holds it once.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import spacy_pkuseg

from flows.train.corpora import DEFAULT_CORPORA, peoples_daily_sentences

USER_DICT = "user_dict.txt"
DEV_EVERY = 20  # one line in DEV_EVERY is held out as the dev split


def is_dev_line(index: int) -> bool:
    """The deterministic dev split shared by the segmenter and NER training."""
    return index % DEV_EVERY == 0


def write_pkuseg_files(corpus: Path, out_dir: Path, limit: int | None = None) -> tuple[Path, Path]:
    """Write pkuseg's train/dev files (words separated by spaces, a line a paragraph)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    train_path, dev_path = out_dir / "train.txt", out_dir / "dev.txt"
    with train_path.open("w", encoding="utf-8") as train, dev_path.open("w", encoding="utf-8") as dev:
        for index, pairs in enumerate(peoples_daily_sentences(corpus)):
            if limit is not None and index >= limit:
                break
            (dev if is_dev_line(index) else train).write(" ".join(w for w, _ in pairs) + "\n")
    return train_path, dev_path


def train_segmenter(
    out_dir: Path,
    *,
    corpora: Path = DEFAULT_CORPORA,
    iterations: int = 3,
    resume: bool = False,
    limit: int | None = None,
) -> Path:
    """Train pkuseg into `out_dir/model`; with `resume`, continue from the model already there."""
    corpus = corpora / "peoples_daily_1998" / "199801.txt"
    train_path, dev_path = write_pkuseg_files(corpus, out_dir / "data", limit=limit)
    model_dir = out_dir / "model"
    init_model = str(model_dir) if resume and (model_dir / "features.msgpack").exists() else None
    started = time.time()
    print(f"pkuseg: training {iterations} iteration(s) on {train_path} (dev {dev_path})", flush=True)
    spacy_pkuseg.train(
        str(train_path), str(dev_path), str(model_dir), train_iter=iterations, init_model=init_model
    )
    # spaCy hands pkuseg a user dictionary file; ours is empty, the model alone decides.
    (model_dir / USER_DICT).touch()
    digest = hashlib.sha256((model_dir / "weights.npz").read_bytes()).hexdigest()[:12]
    print(f"pkuseg: model in {model_dir} (weights {digest}) after {time.time() - started:.0f}s")
    return model_dir
