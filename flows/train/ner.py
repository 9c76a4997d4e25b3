"""Build NER training data from the public corpora and train the spaCy pipeline.

The boundary problem: a pkuseg token can straddle an entity boundary (中美 holds two LOCs),
and spaCy cannot label part of a token. Training documents are therefore segmented piece by
piece between entity boundaries, so no gold entity is lost; dev documents are evaluated
through the real tokenizer (`gold_preproc = false` in the config), so the dev score counts
the entities that inference cannot reach. `convert_corpora` reports how many those are.
"""

from __future__ import annotations

import itertools
import json
import shutil
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin
from spacy.vocab import Vocab

from flows.inputs.clean import halfwidth_alnum
from flows.nlp.entities import is_han
from flows.nlp.token_splits import SplitTable
from flows.nlp.tokenizer import SPLITS_FILE, TOKENIZER_CONFIG
from flows.ops.evaluate import Score, match
from flows.train.corpora import DEFAULT_CORPORA, bio_sentences, peoples_daily_sentences
from flows.train.news_articles import article_examples
from flows.train.segmenter import SEGMENTER_WORDS, USER_DICT, use_model_only
from flows.train.splits import (
    ANNOTATED_NEWS,
    NEWS_ARTICLES,
    DevSplit,
    is_msra_dev_line,
    is_news_dev,
)

LABELS = {"PER": "PERSON", "PERSON": "PERSON", "ORG": "ORG", "LOC": "LOC", "GPE": "LOC"}

Span = tuple[int, int, str]
# (split, text, spans, missing): a sentence to convert, `missing` the ranges with no annotation.
SentenceExample = tuple[str, str, list[Span], list[Span]]


@dataclass
class ConversionReport:
    """What a conversion kept and lost, printed for the training log and the model card."""

    sentences: Counter[str] = field(default_factory=Counter)
    entities: Counter[str] = field(default_factory=Counter)
    straddling: Counter[str] = field(default_factory=Counter)
    missing_tokens: Counter[str] = field(default_factory=Counter)

    def lines(self) -> list[str]:
        out = []
        for split in sorted(self.sentences):
            lost, total = self.straddling[split], self.entities[split]
            share = 100 * lost / max(total, 1)
            missing = self.missing_tokens[split]
            out.append(
                f"{split}: {self.sentences[split]} sentences, {total} entities, "
                f"{lost} ({share:.2f}%) straddle a pkuseg token boundary"
                + (f", {missing} tokens missing annotation" if missing else "")
            )
        return out


def segmenter_nlp(pkuseg_model: Path) -> Language:
    """A blank Chinese pipeline whose tokenizer is pkuseg with our model."""
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": TOKENIZER_CONFIG}})
    nlp.tokenizer.initialize(
        pkuseg_model=str(pkuseg_model), pkuseg_user_dict=str(pkuseg_model / USER_DICT)
    )
    return use_model_only(nlp)


def entity_aware_words(nlp: Language, text: str, spans: Iterable[Span]) -> list[str]:
    """Segment `text` piece by piece between entity boundaries, so no token straddles one."""
    cuts = sorted({0, len(text), *(b for s, e, _ in spans for b in (s, e))})
    words: list[str] = []
    for start, end in itertools.pairwise(cuts):
        words.extend(t.text for t in nlp.make_doc(text[start:end]) if t.text.strip())
    return words


def straddling_spans(doc: Doc, spans: Iterable[Span]) -> list[Span]:
    """The spans whose start or end falls inside a token of `doc`."""
    return [(s, e, label) for s, e, label in spans if doc.char_span(s, e) is None]


def labelled_doc(
    vocab: Vocab, text: str, spans: list[Span], words: list[str], missing: Iterable[Span] = ()
) -> Doc:
    """A training document of `words` (`text` less its spaces) with `spans` as its entities and
    the tokens of `missing` as missing annotation (the `ner` loss skips them); every other token
    is outside any entity."""
    doc = Doc(vocab, words=words, spaces=[False] * len(words))
    if doc.text != text.replace(" ", "").replace("\u3000", ""):
        raise ValueError(f"segmentation changed the text: {text!r}")
    # Whitespace is dropped from the words, so offsets are re-found on the joined text.
    offsets = _offsets_without_spaces(text)
    ents = []
    for start, end, label in spans:
        span = doc.char_span(offsets[start], offsets[end], label=label)
        if span is not None:
            ents.append(span)
    ents = spacy.util.filter_spans(ents)
    unknown: set[int] = set()
    for start, end, _ in missing:
        span = doc.char_span(offsets[start], offsets[end], alignment_mode="expand")
        unknown.update(range(span.start, span.end) if span is not None else ())
    unknown.difference_update(i for ent in ents for i in range(ent.start, ent.end))
    doc.set_ents(ents, missing=[doc[i : i + 1] for i in sorted(unknown)], default="outside")
    return doc


def _offsets_without_spaces(text: str) -> list[int]:
    offsets, kept = [], 0
    for ch in text:
        offsets.append(kept)
        kept += ch not in " \u3000"
    offsets.append(kept)
    return offsets


def msra_examples(
    corpora: Path, split: DevSplit = DevSplit.BLOCKS
) -> Iterator[tuple[str, str, list[Span]]]:
    """(split, text, spans) of MSRA NER train, the dev lines of `split` held out."""
    path = corpora / "msra_ner" / "train.bio"
    for index, (text, spans) in enumerate(bio_sentences(path)):
        part = "dev" if is_msra_dev_line(index, split) else "train"
        yield part, halfwidth_alnum(text), [(s, e, LABELS[label]) for s, e, label in spans]


def annotated_news_examples(
    path: Path = ANNOTATED_NEWS, split: DevSplit = DevSplit.BLOCKS
) -> Iterator[tuple[str, str, list[Span]]]:
    """(split, text, spans) of our hand-annotated sentences; one article (or, with the
    interleaved split, one sentence) in three goes to a dev split (flows/train/splits.py).

    The dev split is named after the source: `cluener-dev` for CLUENER sentences (ids
    `cluener:N`), `news-dev` for the COVID news items, so each is scored on its own.
    """
    if not path.exists():
        return
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            source = "cluener" if record["id"].startswith("cluener:") else "news"
            part = "dev" if is_news_dev(record["id"], split) else "train"
            spans = [(s, e, LABELS[label]) for s, e, label in record["entities"]]
            yield f"{source}-{part}", record["text"], spans


def news_article_examples(path: Path = NEWS_ARTICLES) -> Iterator[SentenceExample]:
    """(`articles-train`, text, spans, missing) of the train items of `ner_news_articles.jsonl`
    (flows/train/news_articles.py: where ANNOTATION.md and MSRA differ, missing annotation)."""
    for example in article_examples(path):
        yield "articles-train", example.text, example.spans, example.missing


def first_of_each_split(
    examples: Iterable[SentenceExample], limit: int | None
) -> Iterator[SentenceExample]:
    """The first `limit` examples of each split, in order (all with no limit): a smoke run
    gets dev documents even where the dev blocks start thousands of lines in."""
    taken: Counter[str] = Counter()
    for example in examples:
        if limit is None or taken[example[0]] < limit:
            taken[example[0]] += 1
            yield example


def training_vocabulary(
    corpora: Path, training_words: Iterable[list[str]], *, min_count: int = 2
) -> frozenset[str]:
    """The Han words of two or more characters the tokenizer keeps whole (nlp/token_splits.py):
    People's Daily's words, the segmenter's user dictionary, and the words found at least
    `min_count` times in the training sentences.

    A name seen once in training is cut into characters there, as an unseen name is at run
    time, so the model learns to read names from characters; one seen often keeps its own
    vector.
    """
    tagged = peoples_daily_sentences(corpora / "peoples_daily_1998" / "199801.txt")
    counts = Counter(itertools.chain.from_iterable(training_words))
    words = itertools.chain(
        (word for sentence in tagged for word, _ in sentence),
        SEGMENTER_WORDS.read_text(encoding="utf-8").split(),
        (word for word, count in counts.items() if count >= min_count),
    )
    return frozenset(word for word in words if len(word) > 1 and is_han(word))


def convert_corpora(
    pkuseg_model: Path,
    out_dir: Path,
    *,
    corpora: Path = DEFAULT_CORPORA,
    limit: int | None = None,
    news_weight: int = 3,
    cluener_weight: int = 3,
    news_articles_weight: int = 0,
    news_articles: Path = NEWS_ARTICLES,
    split: DevSplit = DevSplit.BLOCKS,
) -> ConversionReport:
    """Write train.spacy, dev.spacy (MSRA), news-dev.spacy and cluener-dev.spacy (ours), and
    the split table of the training vocabulary (SPLITS_FILE, see `training_vocabulary`): the
    tokenizer cuts the dev documents by it during training.

    Our annotated sentences are repeated in train (COVID news `news_weight` times, CLUENER
    `cluener_weight` times): they are few next to MSRA's 48k sentences, and they carry the
    annotation conventions the product needs. The sentences of the train items of
    `news_articles` are repeated `news_articles_weight` times (0: not read, zh_news 0.7.0's
    recipe), with the characters where ANNOTATION.md and MSRA differ missing annotation; their
    held-out items (every other split of the file) never reach train. `split` chooses the dev
    lines and sentences (flows/train/splits.py); `limit` keeps the first examples of each split
    (smoke runs).
    """
    print(f"dev split: {split}", flush=True)
    nlp = segmenter_nlp(pkuseg_model)
    report = ConversionReport()
    weights = {
        "news-train": news_weight,
        "cluener-train": cluener_weight,
        "articles-train": news_articles_weight,
    }
    sources: list[Iterable[SentenceExample]] = [
        ((part, text, spans, []) for part, text, spans in msra_examples(corpora, split)),
        ((part, text, spans, []) for part, text, spans in annotated_news_examples(split=split)),
    ]
    if news_articles_weight > 0:
        sources.append(news_article_examples(news_articles))
    examples = [
        (split, text, spans, missing, entity_aware_words(nlp, text, [*spans, *missing]))
        for source in sources
        for split, text, spans, missing in first_of_each_split(source, limit)
    ]
    table = SplitTable(
        vocabulary=training_vocabulary(
            corpora,
            (
                words
                for split, _, _, _, words in examples
                if split.endswith("train") and weights.get(split, 1) > 0
            ),
        )
    )
    bins: dict[str, DocBin] = {}
    for split, text, spans, missing, words in examples:
        report.sentences[split] += 1
        report.entities[split] += len(spans)
        report.straddling[split] += len(straddling_spans(nlp.make_doc(text), spans))
        target = "train" if split.endswith("train") else split
        doc = labelled_doc(nlp.vocab, text, spans, table.split(words), missing)
        report.missing_tokens[split] += sum(token.ent_iob == 0 for token in doc)
        for _ in range(weights.get(split, 1)):
            bins.setdefault(target, DocBin(store_user_data=False)).add(doc)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, docbin in bins.items():
        docbin.to_disk(out_dir / f"{name}.spacy")
    table.to_disk(out_dir / SPLITS_FILE)
    for line in report.lines():
        print(line, flush=True)
    print(f"vocabulary: {len(table.vocabulary or ())} words kept whole", flush=True)
    return report


def pipeline_overrides(pkuseg_model: Path, vectors: Path | None) -> dict[str, object]:
    """configs/ner.cfg overrides for the segmenter and the vectors, shared by `spacy train` and
    `spacy pretrain`: tok2vec reads static vectors only when there are some, and pretrained
    weights fit only a tok2vec built the same way."""
    return {
        "paths.pkuseg_model": str(pkuseg_model),
        "paths.vectors": str(vectors) if vectors else None,
        "components.tok2vec.model.embed.include_static_vectors": vectors is not None,
    }


def resume_source(out_dir: Path) -> Path:
    """A copy of `out_dir`'s model-last to source components from when a training resumes
    (sourced components keep their weights; training overwrites model-last while it runs)."""
    last = out_dir / "model-last"
    if not (last / "config.cfg").exists():
        raise FileNotFoundError(f"nothing to resume from: {last} does not exist")
    source = out_dir / "resume-from"
    if source.exists():
        shutil.rmtree(source)
    shutil.copytree(last, source)
    return source


def run_training(
    config_path: Path,
    out_dir: Path,
    *,
    pkuseg_model: Path,
    vectors: Path | None,
    max_steps: int | None = None,
    learn_rate: float | None = None,
    resume: bool = False,
    init_tok2vec: Path | None = None,
    seed: int | None = None,
    train_corpus: Path | None = None,
    eval_frequency: int | None = None,
) -> None:
    """`spacy train` with our config; `resume` starts tok2vec and ner from OUT_DIR/model-last,
    `init_tok2vec` starts tok2vec from pretrained weights (flows/train/pretrain.py), `seed`
    replaces the config's (runs that differ only by it are the ingredients of an average).
    `train_corpus` replaces OUT_DIR/corpus/train.spacy (gold and silver documents together
    for a distilled student, flows/train/distill.py)."""
    from spacy.cli.train import train

    from flows.nlp.model import use_numpy_blas

    overrides: dict[str, object] = {
        "paths.train": str(train_corpus or out_dir / "corpus" / "train.spacy"),
        "paths.dev": str(out_dir / "corpus" / "dev.spacy"),
        **pipeline_overrides(pkuseg_model, vectors),
        "paths.init_tok2vec": str(init_tok2vec) if init_tok2vec else None,
    }
    splits = out_dir / "corpus" / SPLITS_FILE
    if splits.exists():
        overrides["paths.token_splits"] = str(splits)
    if max_steps is not None:
        overrides["training.max_steps"] = max_steps
    if learn_rate is not None:
        overrides["training.optimizer.learn_rate"] = learn_rate
    if seed is not None:
        overrides["system.seed"] = seed
    if eval_frequency is not None:
        overrides["training.eval_frequency"] = eval_frequency
    config = spacy.util.load_config(config_path, overrides=overrides, interpolate=False)
    if resume:
        source = resume_source(out_dir)
        for name in ("tok2vec", "ner"):
            config["components"][name] = {"source": str(source)}
    out_dir.mkdir(parents=True, exist_ok=True)
    resolved = out_dir / "config.cfg"
    config.to_disk(resolved)
    use_numpy_blas()  # about twice as fast as thinc's blis here (flows/nlp/model.py)
    train(resolved, out_dir, use_gpu=-1)


def average_pipelines(trained: list[Path], out_dir: Path) -> Path:
    """Save the first trained pipeline with its `tok2vec` and `ner` weights averaged over all.

    The runs must share the architecture, the labels and the starting weights (runs that differ
    only by their seed), so that their average stays in the basin they share (a "model soup"):
    seven such runs averaged scored above each of them (models/README.md), at no
    cost at run time.
    """
    from flows.nlp.model import NER_COMPONENTS

    if len(trained) < 2:
        raise ValueError("averaging needs at least two trained pipelines")
    first, *others = (spacy.load(path) for path in trained)
    for path, nlp in zip(trained[1:], others, strict=True):
        if nlp.get_pipe("ner").labels != first.get_pipe("ner").labels:
            raise ValueError(f"{path} predicts other labels than {trained[0]}")
    for name in NER_COMPONENTS:
        layers = zip(*(nlp.get_pipe(name).model.walk() for nlp in (first, *others)), strict=True)
        for layer, *same_layers in layers:
            for param in layer.param_names:
                if not layer.has_param(param):
                    continue
                arrays = [layer.get_param(param), *(m.get_param(param) for m in same_layers)]
                if len({a.shape for a in arrays}) != 1:
                    raise ValueError(f"{name} layer {layer.name}: {param} differs in shape")
                layer.set_param(param, sum(arrays) / len(arrays))
    out_dir.mkdir(parents=True, exist_ok=True)
    first.to_disk(out_dir)
    return out_dir


def evaluate_ner(nlp: Language, docbin: Path) -> dict[str, Score]:
    """Exact-span P/R/F1 per label (and overall) of `nlp` on the gold docs in `docbin`.

    Each text goes through `nlp`'s own tokenizer, so entities that a token straddles count as
    misses, as they would for a user.
    """
    gold_docs = list(DocBin().from_disk(docbin).get_docs(nlp.vocab))
    scores: dict[str, Score] = {}
    predicted_docs = nlp.pipe((d.text for d in gold_docs), batch_size=64)
    for gold, predicted in zip(gold_docs, predicted_docs, strict=True):
        gold_spans = [(e.label_, e.start_char, e.end_char) for e in gold.ents]
        found = [(e.label_, e.start_char, e.end_char) for e in predicted.ents]
        for label in ("ALL", *sorted({s[0] for s in gold_spans + found})):
            keep = (lambda s: True) if label == "ALL" else (lambda s, lab=label: s[0] == lab)
            score = match(filter(keep, found), filter(keep, gold_spans))
            scores[label] = scores.get(label, Score(0, 0, 0)) + score
    return scores
