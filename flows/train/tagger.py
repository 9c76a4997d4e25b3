"""Train the part-of-speech tagger on People's Daily 1998 and add it to the shipped pipeline.

The tagger listens to the shipped pipeline's `tok2vec`, frozen during training
(configs/tagger.cfg): at run time it adds a hashed embedding of the word and a softmax, and no
second encoder. It writes People's Daily tags (`n`, `v`, `m`, `q`, …) to `token.tag_`;
`zhnews_ud_pos` maps them to Universal Dependencies in `token.pos_` (flows/nlp/pos.py).

The text goes through the pipeline's own tokenizer (pkuseg plus token splits), whose words
differ from People's Daily's (surnames and given names are separate words there); spaCy aligns
the two, and a predicted token learns and is scored against the gold word it lies in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin
from spacy.training import Alignment
from spacy.vocab import Vocab

from flows import CHECKOUT_MODEL
from flows.nlp import pos  # noqa: F401  (registers zhnews_ud_pos)
from flows.nlp.model import use_numpy_blas
from flows.train.corpora import DEFAULT_CORPORA, peoples_daily_sentences
from flows.train.ner import resume_source

PEOPLES_DAILY = Path("peoples_daily_1998") / "199801.txt"
# The last tenth of the paragraphs, a contiguous block (mid-to-late January 1998), is dev.
DEV_SHARE = 0.1
TAGGER_COMPONENTS = ("tagger", "zhnews_ud_pos")


def tagged_doc(vocab: Vocab, pairs: list[tuple[str, str]]) -> Doc:
    """A gold document: People's Daily's words (unspaced, as the text is) and their tags."""
    words = [word for word, _ in pairs]
    return Doc(vocab, words=words, spaces=[False] * len(words), tags=[tag for _, tag in pairs])


def convert_corpus(
    out_dir: Path, *, corpora: Path = DEFAULT_CORPORA, limit: int | None = None
) -> tuple[int, int]:
    """Write train.spacy and dev.spacy (the last DEV_SHARE of the paragraphs); return their
    sizes in paragraphs. `limit` keeps the first paragraphs only (smoke runs)."""
    paragraphs = list(peoples_daily_sentences(corpora / PEOPLES_DAILY))[:limit]
    first_dev = len(paragraphs) - max(1, round(len(paragraphs) * DEV_SHARE))
    vocab = Vocab()
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, block in (("train", paragraphs[:first_dev]), ("dev", paragraphs[first_dev:])):
        docbin = DocBin(attrs=["ORTH", "TAG"], store_user_data=False)
        for pairs in block:
            docbin.add(tagged_doc(vocab, pairs))
        docbin.to_disk(out_dir / f"{name}.spacy")
    return first_dev, len(paragraphs) - first_dev


@spacy.registry.callbacks("zhnews.tokenizer_from.v1")
def tokenizer_from(pipeline: Path) -> Callable[[Language], Language]:
    """`[initialize.after_init]` callback: use `pipeline`'s tokenizer as saved (pkuseg model,
    user dictionary, token splits), so training tokenises as that pipeline does at run time."""

    def load(nlp: Language) -> Language:
        nlp.tokenizer.from_disk(Path(pipeline) / "tokenizer")
        return nlp

    return load


def run_training(
    config_path: Path,
    out_dir: Path,
    *,
    base: Path = CHECKOUT_MODEL,
    max_steps: int | None = None,
    resume: bool = False,
) -> None:
    """`spacy train` with configs/tagger.cfg over `base`'s tok2vec; `resume` starts the tagger
    from OUT_DIR/model-last (the steps count from zero again)."""
    from spacy.cli.train import train

    overrides: dict[str, object] = {
        "paths.train": str(out_dir / "corpus" / "train.spacy"),
        "paths.dev": str(out_dir / "corpus" / "dev.spacy"),
        "paths.base": str(base),
    }
    if max_steps is not None:
        overrides["training.max_steps"] = max_steps
    config = spacy.util.load_config(config_path, overrides=overrides, interpolate=False)
    if resume:
        source = resume_source(out_dir)
        config["components"]["tagger"] = {"source": str(source)}
    out_dir.mkdir(parents=True, exist_ok=True)
    resolved = out_dir / "config.cfg"
    config.to_disk(resolved)
    use_numpy_blas()
    train(resolved, out_dir, use_gpu=-1)


@dataclass(frozen=True, slots=True)
class TagScore:
    """Tag accuracy over the gold words that one predicted token covers exactly."""

    gold_words: int
    aligned: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / max(self.aligned, 1)

    @property
    def coverage(self) -> float:
        return self.aligned / max(self.gold_words, 1)


def evaluate_tagger(nlp: Language, docbin: Path) -> TagScore:
    """Score `nlp` on the gold documents in `docbin`, each text cut by `nlp`'s own tokenizer.

    A gold word counts when exactly one predicted token covers exactly it; splits and merges
    are reported through `coverage`, not as errors of the tagger.
    """
    gold_docs = list(DocBin().from_disk(docbin).get_docs(nlp.vocab))
    gold_words = aligned = correct = 0
    for gold, predicted in zip(gold_docs, nlp.pipe(d.text for d in gold_docs), strict=True):
        alignment = Alignment.from_strings([t.text for t in predicted], [t.text for t in gold])
        gold_words += len(gold)
        for token in predicted:
            gold_of = alignment.x2y[token.i]
            if len(gold_of) != 1 or alignment.y2x.lengths[gold_of[0]] != 1:
                continue
            aligned += 1
            correct += token.tag_ == gold[int(gold_of[0])].tag_
    return TagScore(gold_words, aligned, correct)


def add_to_pipeline(nlp: Language, *, source: Path = CHECKOUT_MODEL) -> None:
    """Add the trained `tagger` from `source` after `ner`, and `zhnews_ud_pos` after it,
    replacing any there.

    The tagger reads `nlp`'s tok2vec; it was trained on `source`'s, so the two must be the same
    weights (a retrained tok2vec needs a retrained tagger).
    """
    # On `nlp`'s vocab and without `source`'s own: the tagger reads hashed features, and the
    # training text's words would only swell the shipped string store.
    trained = spacy.load(
        source, vocab=nlp.vocab, exclude=[*_other_components(source), "vocab", "tokenizer"]
    )
    if trained.get_pipe("tok2vec").model.to_bytes() != nlp.get_pipe("tok2vec").model.to_bytes():
        raise ValueError(f"{source}'s tok2vec is not this pipeline's: retrain the tagger on it")
    for name in TAGGER_COMPONENTS:
        if name in nlp.pipe_names:
            nlp.remove_pipe(name)
    nlp.add_pipe("tagger", source=trained, after="ner")
    nlp.add_pipe("zhnews_ud_pos", after="tagger")


def _other_components(pipeline: Path) -> list[str]:
    names = spacy.util.load_config(pipeline / "config.cfg")["nlp"]["pipeline"]
    return [name for name in names if name not in ("tok2vec", "tagger")]
