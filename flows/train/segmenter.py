"""Train the pkuseg word segmenter on People's Daily 1998 (PKU standard).

The model directory it writes is an intermediate artefact: `flows.train.ner` stores it inside
`models/zh_news/tokenizer` through spaCy's own serialisation, so the shipped model holds it once.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import spacy
import spacy_pkuseg
import srsly
from spacy.language import Language
from spacy.tokens import DocBin

from flows import REPO_ROOT
from flows.train.corpora import DEFAULT_CORPORA, peoples_daily_sentences

USER_DICT = "user_dict.txt"
# Words the segmenter must keep whole: the suffixes and departments of local bodies, which
# pkuseg, trained on 1998 national news, cuts apart (督/导组, 领导/小组, 住/建局).
SEGMENTER_WORDS = REPO_ROOT / "configs" / "pkuseg_user_dict.txt"
DEV_EVERY = 20  # one line in DEV_EVERY is held out as the dev split


def is_dev_line(index: int) -> bool:
    """The deterministic dev split shared by the segmenter and NER training."""
    return index % DEV_EVERY == 0


def write_pkuseg_files(
    corpus: Path, out_dir: Path, *, limit: int | None = None, entity_aware: Path | None = None
) -> tuple[Path, Path]:
    """Write pkuseg's train/dev files (words separated by spaces, a line a paragraph).

    `entity_aware` is a DocBin of NER training documents segmented between entity
    boundaries (`flows.train.ner`): adding them teaches pkuseg to split 访华 or 邓小平理论
    where a name ends, so that NER at inference can reach those entities.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    train_path, dev_path = out_dir / "train.txt", out_dir / "dev.txt"
    with (
        train_path.open("w", encoding="utf-8") as train,
        dev_path.open("w", encoding="utf-8") as dev,
    ):
        for index, pairs in enumerate(peoples_daily_sentences(corpus)):
            if limit is not None and index >= limit:
                break
            (dev if is_dev_line(index) else train).write(" ".join(w for w, _ in pairs) + "\n")
        if entity_aware is not None:
            seen: set[str] = set()
            for doc in DocBin().from_disk(entity_aware).get_docs(spacy.blank("zh").vocab):
                if doc.text not in seen:
                    seen.add(doc.text)
                    train.write(" ".join(t.text for t in doc if not t.is_space) + "\n")
    return train_path, dev_path


def train_segmenter(
    out_dir: Path,
    corpora: Path = DEFAULT_CORPORA,
    iterations: int = 3,
    resume: bool = False,
    limit: int | None = None,
    entity_aware: Path | None = None,
) -> Path:
    """Train pkuseg into `out_dir/model`; with `resume`, continue from the model already there."""
    corpus = corpora / "peoples_daily_1998" / "199801.txt"
    train_path, dev_path = write_pkuseg_files(
        corpus, out_dir / "data", limit=limit, entity_aware=entity_aware
    )
    model_dir = out_dir / "model"
    init_model = str(model_dir) if resume and (model_dir / "features.msgpack").exists() else None
    started = time.time()
    print(
        f"pkuseg: training {iterations} iteration(s) on {train_path} (dev {dev_path})", flush=True
    )
    spacy_pkuseg.train(
        str(train_path), str(dev_path), str(model_dir), train_iter=iterations, init_model=init_model
    )
    # spaCy hands pkuseg a user dictionary file; ours is empty, the model alone decides.
    (model_dir / USER_DICT).touch()
    digest = hashlib.sha256((model_dir / "weights.npz").read_bytes()).hexdigest()[:12]
    print(f"pkuseg: model in {model_dir} (weights {digest}) after {time.time() - started:.0f}s")
    return model_dir


def use_model_only(nlp: Language) -> Language:
    """Switch off pkuseg's post-processing with its bundled general dictionary.

    That dictionary (390k words) follows another segmentation standard: on our dev split it
    lowers word F1 from 96.5 to 95.1. spaCy serialises the switch with the tokenizer.
    """
    postprocesser = nlp.tokenizer.pkuseg_seg.postprocesser
    postprocesser.do_process = False
    postprocesser.common_words, postprocesser.other_words = set(), set()
    return nlp


@spacy.registry.callbacks("zhnews.pkuseg_model_only.v1")
def pkuseg_model_only() -> Callable[[Language], Language]:
    """`[initialize.after_init]` callback applying `use_model_only` in `spacy train`."""
    return use_model_only


def word_spans(words: list[str]) -> set[tuple[int, int]]:
    spans, start = set(), 0
    for word in words:
        spans.add((start, start + len(word)))
        start += len(word)
    return spans


def evaluate_segmenter(nlp: Language, dev_path: Path) -> tuple[float, float, float, float]:
    """Word P/R/F1 of the pipeline's tokenizer on the dev split, and its chars/s."""
    correct = predicted = gold = chars = 0
    started = time.perf_counter()
    with dev_path.open(encoding="utf-8") as lines:
        for line in lines:
            gold_words = line.split()
            text = "".join(gold_words)
            found = [t.text for t in nlp.make_doc(text) if not t.is_space]
            gold_spans, found_spans = word_spans(gold_words), word_spans(found)
            correct += len(gold_spans & found_spans)
            predicted, gold, chars = (
                predicted + len(found_spans),
                gold + len(gold_spans),
                chars + len(text),
            )
    seconds = time.perf_counter() - started
    precision, recall = correct / predicted, correct / gold
    return precision, recall, 2 * precision * recall / (precision + recall), chars / seconds


def prune_segmenter(model_dir: Path, out_dir: Path, *, threshold: float = 0.01) -> Path:
    """Drop the features whose weights are all within `threshold` of zero.

    pkuseg keeps every feature it saw; most end with weights near zero, and the model (2M
    features x 5 tags, float64, plus the feature table) is most of the shipped pipeline. The
    always-on feature 0 and the tag transitions are kept.
    """
    npz = np.load(model_dir / "weights.npz")
    n_tag, n_feature = (int(x) for x in npz["sizes"])
    nodes = npz["w"][: n_feature * n_tag].reshape(n_feature, n_tag)
    keep = np.abs(nodes).max(axis=1) > threshold
    keep[0] = True
    new_index = np.cumsum(keep) - 1
    features = srsly.read_msgpack(model_dir / "features.msgpack")
    features["feature_to_idx"] = {
        name: int(new_index[idx]) for name, idx in features["feature_to_idx"].items() if keep[idx]
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    srsly.write_msgpack(out_dir / "features.msgpack", features)
    weights = np.concatenate([nodes[keep].ravel(), npz["w"][n_feature * n_tag :]])
    np.savez(out_dir / "weights.npz", sizes=np.array([n_tag, int(keep.sum())]), w=weights)
    (out_dir / USER_DICT).touch()
    print(
        f"pkuseg: kept {int(keep.sum())} of {n_feature} features (|w| > {threshold}) in {out_dir}"
    )
    return out_dir
