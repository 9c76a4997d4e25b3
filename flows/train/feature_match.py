"""Fine-tune a student's `tok2vec` to give the teacher's `tok2vec` vectors (feature distillation).

`ner` reads nothing but the `tok2vec` vectors, so a student whose `tok2vec` reproduces the
teacher's can keep the teacher's `ner` unchanged. The student (a low-rank or shallower copy of
the teacher, flows/train/distill.py) is trained on the mean squared distance between its vectors
and the teacher's, token by token, over unlabelled text cut by the teacher's tokenizer; no label
is read, so `ner` is never updated and the student predicts with the teacher's own `ner`
weights (an average of seven runs for 0.7.0, which a run trained on labels would leave).
Every `eval_frequency` steps the student's `ner` is scored on the dev set, and the best
pipeline so far is kept as OUT_DIR/model-best (the last as OUT_DIR/model-last).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy
from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import Adam, Model

from flows.train.ner import evaluate_ner

# thinc's Adam with the clipping of configs/ner.cfg; the weights are small, no decay.
GRAD_CLIP = 1.0
# The dev score saved in meta.json's "performance", as spaCy's training names it.
SCORE = "ents_f"


def batches(texts: Sequence[str], batch_size: int, seed: int) -> Iterator[list[str]]:
    """`texts` in shuffled batches, a new order each pass, for ever; batches of all `texts`
    where there are fewer than `batch_size` (else a smoke run's few texts would yield none)."""
    if not texts:
        raise ValueError("no texts to match the teacher's vectors on")
    size = min(batch_size, len(texts))
    order = list(range(len(texts)))
    rng = random.Random(seed)
    while True:
        rng.shuffle(order)
        for start in range(0, len(order) - size + 1, size):
            yield [texts[i] for i in order[start : start + size]]


def feature_loss(
    student: Model, teacher: Model, docs: list[Doc]
) -> tuple[float, list[numpy.ndarray], object]:
    """Mean over tokens of the squared distance of the student's vectors to the teacher's, its
    gradient with respect to the student's vectors, and the student's backprop callback."""
    targets = teacher.predict(docs)
    outputs, backprop = student.begin_update(docs)
    n_tokens = max(1, sum(len(doc) for doc in docs))
    gradients = [
        (output - target) * (2.0 / n_tokens)
        for output, target in zip(outputs, targets, strict=True)
    ]
    loss = sum(
        float(((output - target) ** 2).sum())
        for output, target in zip(outputs, targets, strict=True)
    )
    return loss / n_tokens, gradients, backprop


def match_features(
    teacher: Language,
    student: Language,
    texts: Sequence[str],
    out_dir: Path,
    *,
    dev: Path,
    max_steps: int,
    eval_frequency: int,
    learn_rate: float = 0.001,
    batch_size: int = 64,
    seed: int = 0,
) -> float:
    """Train `student`'s `tok2vec` towards `teacher`'s on `texts` (module docstring) for
    `max_steps` batches; returns the best dev F1 (`dev`, `ner` alone) and saves that
    pipeline as OUT_DIR/model-best, its score in its meta.json. A student resumed from
    OUT_DIR/model-last starts with a fresh optimizer and keeps an earlier, better model-best."""
    teacher_model = teacher.get_pipe("tok2vec").model
    student_model = student.get_pipe("tok2vec").model
    optimizer = Adam(learn_rate, grad_clip=GRAD_CLIP)
    best = _saved_score(out_dir / "model-best")
    _keep(student, out_dir, evaluate_ner(student, dev)["ALL"].f1, best, step=0)
    best = max(best, student.meta["performance"][SCORE])
    losses: list[float] = []
    for step, batch in enumerate(batches(texts, batch_size, seed), start=1):
        docs = [teacher.make_doc(text) for text in batch]
        loss, gradients, backprop = feature_loss(student_model, teacher_model, docs)
        backprop(gradients)
        student_model.finish_update(optimizer)
        losses.append(loss)
        if step % eval_frequency == 0 or step == max_steps:
            print(f"step {step}: feature loss {numpy.mean(losses):.4f}", flush=True)
            losses.clear()
            score = evaluate_ner(student, dev)["ALL"].f1
            _keep(student, out_dir, score, best, step=step)
            best = max(best, score)
        if step >= max_steps:
            return best
    return best


def _saved_score(path: Path) -> float:
    meta = path / "meta.json"
    if not meta.is_file():
        return -1.0
    return float(json.loads(meta.read_text(encoding="utf-8")).get("performance", {}).get(SCORE, -1))


def _keep(student: Language, out_dir: Path, score: float, best: float, *, step: int) -> None:
    """Save the student as model-last, and as model-best when it beats `best`."""
    print(f"step {step}: dev F1 {score:.4f}", flush=True)
    student.meta["performance"] = {SCORE: score, "step": step}
    student.to_disk(out_dir / "model-last")
    if score > best:
        student.to_disk(out_dir / "model-best")
