"""A smaller NER model distilled from the shipped one: teacher labels, student trained to match.

The teacher (`models/zh_news`, `tok2vec` + `ner` alone) labels the sentences of the unlabelled
COVID news items: the silver documents. The student, a pipeline with a shallower `tok2vec`
encoder, a low-rank one (flows/train/low_rank.py) or both, starts from the teacher's own weights
(the embedding, the first `depth` encoder layers, truncated to `rank` where asked, and the whole
`ner`), so training only has to teach `ner` to read the cheaper features, and is trained with
spaCy on the gold training documents of `zhnews train ner` plus the silver ones; or, with
`match_features`, only its `tok2vec` is trained, towards the teacher's vectors on the texts of
those documents, and `ner` stays the teacher's (flows/train/feature_match.py).

No text of a dev set reaches the silver documents: an item is left out when any of its annotated
sentences is held out by either dev split (flows/train/splits.py), so one silver corpus serves
both. The MSRA lines are not used as unlabelled text (their gold labels are in train already).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import DocBin
from thinc.api import Model

from flows.inputs.clean import clean_text
from flows.nlp.low_rank import is_low_rank_maxout
from flows.nlp.model import NER_COMPONENTS, sentence_starts
from flows.train.corpora import COVID_NEWS, DEFAULT_CORPORA
from flows.train.low_rank import factorise_maxout, low_rank_config
from flows.train.ner import convert_corpora, run_training
from flows.train.splits import ANNOTATED_NEWS, DevSplit, held_out_texts, is_news_dev

# Shorter pieces (datelines, captions) carry almost no names and only add steps.
MIN_SENTENCE_CHARS = 8


def dev_items(annotated: Path = ANNOTATED_NEWS) -> frozenset[str]:
    """The COVID items with an annotated sentence held out by either dev split, or held out by
    `ner_news_articles.jsonl`."""
    held_out = set(held_out_texts(DevSplit.BLOCKS, annotated))
    if annotated.exists():
        with annotated.open(encoding="utf-8") as lines:
            for line in lines:
                record_id = json.loads(line)["id"]
                if is_news_dev(record_id, DevSplit.INTERLEAVED):
                    held_out.add(record_id.rpartition(":")[0] or record_id)
    return frozenset(held_out)


def unlabelled_sentences(
    corpora: Path = DEFAULT_CORPORA,
    *,
    excluded: frozenset[str] | None = None,
    limit: int | None = None,
) -> Iterator[str]:
    """The sentences of the COVID news items' titles and texts, cleaned as the flow cleans them,
    without the items in `excluded` (by default `dev_items()`); `limit` items at most."""
    skipped = dev_items() if excluded is None else excluded
    taken = 0
    with (corpora / COVID_NEWS).open(encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            if item.get("id") in skipped:
                continue
            if limit is not None and taken >= limit:
                return
            taken += 1
            for part in (item.get("title") or "", item.get("text") or ""):
                yield from _sentences(clean_text(part))


def _sentences(text: str) -> Iterator[str]:
    starts = sentence_starts(text)
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        sentence = text[start:end].strip()
        if len(sentence) >= MIN_SENTENCE_CHARS:
            yield sentence


def silver_docbin(teacher: Language, sentences: Iterable[str], *, batch_size: int = 64) -> DocBin:
    """The teacher's tokens and entities for each sentence (run-time tokenisation, as the
    student will see it)."""
    docbin = DocBin(store_user_data=False)
    for doc in teacher.pipe(sentences, batch_size=batch_size):
        docbin.add(doc)
    return docbin


def write_silver_corpus(teacher: Language, out_path: Path, sentences: Iterable[str]) -> int:
    """Label `sentences` with the teacher's NER and save them; returns their number."""
    docbin = silver_docbin(teacher, sentences)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    docbin.to_disk(out_path)
    print(f"silver corpus: {len(docbin)} sentences -> {out_path}", flush=True)
    return len(docbin)


def load_ner(path: Path) -> Language:
    """A pipeline's tokenizer, `tok2vec` and `ner` alone, on numpy's BLAS."""
    from flows.nlp.model import use_numpy_blas

    use_numpy_blas()
    names = spacy.util.load_config(path / "config.cfg")["nlp"]["pipeline"]
    return spacy.load(path, exclude=[name for name in names if name not in NER_COMPONENTS])


def student_from_teacher(
    teacher: Language,
    *,
    depth: int | None = None,
    rank: int | None = None,
    embed_rank: int | None = None,
) -> Language:
    """A copy of the teacher's tokenizer, `tok2vec` and `ner` whose encoder keeps only its first
    `depth` layers (default: all) and, given `rank`, whose Maxout layers are factorised
    (flows/train/low_rank.py: `rank` for the encoder, `embed_rank`, default `rank`, for the
    embedding), all weights copied from the teacher or, where factorised, truncated from its.

    The encoder layers are residual, so the first ones alone still give features in the space
    `ner` reads; with the teacher's depth and no rank the student predicts exactly as it does.
    """
    config = teacher.config.copy()
    config["nlp"]["pipeline"] = list(NER_COMPONENTS)
    config["components"] = {name: config["components"][name] for name in NER_COMPONENTS}
    if depth is not None:
        config["components"]["tok2vec"]["model"]["encode"]["depth"] = depth
    if rank is not None:
        low_rank_config(config, rank=rank, embed_rank=embed_rank)
    student = spacy.util.load_model_from_config(config, vocab=teacher.vocab, auto_fill=False)
    student.tokenizer = teacher.tokenizer
    copy_weights(teacher.get_pipe("tok2vec").model, student.get_pipe("tok2vec").model)
    student.get_pipe("ner").from_bytes(teacher.get_pipe("ner").to_bytes())
    student.meta.update(
        {key: teacher.meta[key] for key in ("name", "version") if key in teacher.meta}
    )
    return student


def copy_weights(source: Model, target: Model) -> None:
    """Copy dims and params layer by layer along the two trees; where a chain of `target` is
    shorter (a shallower encoder), its layers take the first ones of `source`'s, where
    `target` holds one layer in place of `source`'s chain (an encoder of depth 1), it takes the
    chain's first, and where `target` holds a low-rank block in place of `source`'s Maxout,
    the block gets the Maxout's truncated SVD (and its bias and LayerNorm as they are)."""
    if source.name != target.name and source.layers and source.layers[0].name == target.name:
        source = source.layers[0]
    if is_low_rank_maxout(target) and not is_low_rank_maxout(source):
        copy_weights(source, target.layers[1])  # the Maxout's weight is replaced below
        factorise_maxout(source, target)
        return
    for name in source.dim_names:
        if source.has_dim(name) and target.has_dim(name) is None:
            target.set_dim(name, source.get_dim(name))
    for name in source.param_names:
        if source.has_param(name):
            target.set_param(name, source.get_param(name).copy())
    for source_layer, target_layer in zip(source.layers, target.layers, strict=False):
        copy_weights(source_layer, target_layer)


def distill(
    teacher_path: Path,
    out_dir: Path,
    *,
    config_path: Path,
    pkuseg_model: Path,
    depth: int | None = None,
    rank: int | None = None,
    embed_rank: int | None = None,
    corpora: Path = DEFAULT_CORPORA,
    limit: int | None = None,
    silver_limit: int | None = None,
    split: DevSplit = DevSplit.BLOCKS,
    news_articles_weight: int = 0,
    max_steps: int | None = None,
    learn_rate: float | None = None,
    eval_frequency: int | None = None,
    seed: int | None = None,
    resume: bool = False,
    match_features: bool = False,
) -> None:
    """Convert the gold corpora as `zhnews train ner` does (COVID news sentences, no CLUENER,
    as the teacher; the train articles `news_articles_weight` times), label the silver corpus,
    save the teacher-initialised student as OUT_DIR/model-last and train it from there on gold +
    silver; `resume` skips the data and trains on from OUT_DIR/model-last. The teacher's vectors
    are the student's. `depth` (default: the teacher's) keeps the first encoder layers; `rank`
    (and `embed_rank`, default `rank`) factorises the encoder's (and the embedding's) Maxout
    layers. `match_features` trains the student's `tok2vec` alone towards the teacher's vectors
    on the same texts, labels unread, instead (flows/train/feature_match.py; `max_steps` 5,000,
    `eval_frequency` 500, `learn_rate` 0.001 and `seed` 0 unless given)."""
    if depth is None and rank is None and not resume:
        raise ValueError("a student needs a smaller depth, a rank or both")
    corpus = out_dir / "corpus"
    train_corpus = corpus / "train-with-silver.spacy"
    if not resume:
        convert_corpora(
            pkuseg_model,
            corpus,
            corpora=corpora,
            limit=limit,
            cluener_weight=0,
            news_articles_weight=news_articles_weight,
            split=split,
        )
        teacher = load_ner(teacher_path)
        sentences = unlabelled_sentences(corpora, limit=silver_limit)
        write_silver_corpus(teacher, corpus / "silver.spacy", sentences)
        merged = DocBin(store_user_data=False).from_disk(corpus / "train.spacy")
        merged.merge(DocBin(store_user_data=False).from_disk(corpus / "silver.spacy"))
        merged.to_disk(train_corpus)
        student = student_from_teacher(teacher, depth=depth, rank=rank, embed_rank=embed_rank)
        student.to_disk(out_dir / "model-last")
        print(
            f"student: encoder depth {depth or 'as the teacher'}, rank {rank}, "
            f"embedding rank {embed_rank or rank}, from {teacher_path}",
            flush=True,
        )
    if match_features:
        _match_features(
            teacher_path,
            out_dir,
            train_corpus,
            max_steps=max_steps or 5000,
            eval_frequency=eval_frequency or 500,
            learn_rate=learn_rate or 0.001,
            seed=seed or 0,
        )
        return
    run_training(
        config_path,
        out_dir,
        pkuseg_model=pkuseg_model,
        vectors=teacher_path,
        max_steps=max_steps,
        learn_rate=learn_rate,
        resume=True,
        seed=seed,
        train_corpus=train_corpus,
        eval_frequency=eval_frequency,
    )


def _match_features(
    teacher_path: Path,
    out_dir: Path,
    train_corpus: Path,
    *,
    max_steps: int,
    eval_frequency: int,
    learn_rate: float,
    seed: int,
) -> None:
    from flows.train.feature_match import match_features

    teacher = load_ner(teacher_path)
    student = load_ner(out_dir / "model-last")
    student.tokenizer = teacher.tokenizer
    texts = [doc.text for doc in DocBin().from_disk(train_corpus).get_docs(teacher.vocab)]
    best = match_features(
        teacher,
        student,
        texts,
        out_dir,
        dev=out_dir / "corpus" / "dev.spacy",
        max_steps=max_steps,
        eval_frequency=eval_frequency,
        learn_rate=learn_rate,
        seed=seed,
    )
    print(f"best dev F1 {best:.4f}: {out_dir / 'model-best'}", flush=True)
