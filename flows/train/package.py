"""Assemble models/zh_news: the trained tok2vec + ner plus zhnews' rule components."""

from __future__ import annotations

import csv
import importlib.metadata
import itertools
import json
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import spacy
from spacy.language import Language

from flows.nlp import (
    divisions,
    numbers,  # noqa: F401  (registers the factories)
    officials,
    slogans,
)
from flows.nlp.entities import EntityRules, Gazetteer, WordLexicon, is_han
from flows.nlp.model import NER_COMPONENTS, add_numpy_blas_to_config
from flows.nlp.token_splits import AnnotatedText, SplitTable
from flows.nlp.tokenizer import TOKENIZER_CONFIG, PkusegTokenizer
from flows.train.corpora import COVID_NEWS, DEFAULT_CORPORA, peoples_daily_sentences
from flows.train.ner import annotated_news_examples, msra_examples, segmenter_nlp
from flows.train.segmenter import SEGMENTER_WORDS, USER_DICT, use_model_only
from flows.train.splits import DevSplit
from flows.train.tagger import add_to_pipeline as add_tagger

# In pipeline order: numbers leave out dates, ORG entities and slogans.
RULE_COMPONENTS = (
    "zhnews_entity_rules",
    "zhnews_divisions",
    "zhnews_officials",
    "zhnews_dates",
    slogans.COMPONENT,
    "zhnews_numbers",
)


def training_texts(
    corpora: Path, limit: int | None = None, split: DevSplit = DevSplit.BLOCKS
) -> Iterator[AnnotatedText]:
    """The annotated train sentences (MSRA and ours, no dev split), for the token splits."""
    examples = itertools.chain(msra_examples(corpora, split), annotated_news_examples(split=split))
    train = ((text, spans) for part, text, spans in examples if part.endswith("train"))
    return itertools.islice(train, limit)


def adcode_rows() -> Iterator[tuple[str, str]]:
    """(adcode, name) of China's divisions, from the `cpca` package's table (MIT licence).

    Read as a file: importing cpca would load pandas, which nothing else needs.
    """
    table = next(f for f in importlib.metadata.files("cpca") or () if f.name == "adcodes.csv")
    with Path(str(table.locate())).open(encoding="utf-8") as lines:
        for row in csv.DictReader(lines):
            yield row["adcode"], row["name"]


def common_words(
    nlp: Language,
    news: Path,
    *,
    min_count: int = 5,
    limit: int | None = None,
    split: DevSplit = DevSplit.BLOCKS,
) -> set[str]:
    """Frequent words of recent news that our annotators never put inside a name.

    People's Daily 1998 lacks the vocabulary of 2020 (防控, 核酸, 方舱); without this the rules
    would take such words for unknown names. Names (火神山, 钟南山) are inside annotated
    entities of the training split and so stay out.
    """
    with news.open(encoding="utf-8") as lines:
        texts = [json.loads(line).get("text") or "" for line in itertools.islice(lines, limit)]
    counts = Counter(
        token.text for doc in nlp.tokenizer.pipe(texts, batch_size=64) for token in doc
    )
    inside = {
        token.text
        for part, text, spans in annotated_news_examples(split=split)
        if part == "news-train"
        for token in nlp.make_doc(text)
        if any(start < token.idx + len(token) and token.idx < end for start, end, _ in spans)
    }
    return {
        word
        for word, count in counts.items()
        if count >= min_count and len(word) > 1 and word not in inside and is_han(word)
    }


def package(
    trained: Path,
    out_dir: Path,
    *,
    pkuseg_model: Path | None = None,
    split_segmenter: Path | None = None,
    segmenter_words: Path = SEGMENTER_WORDS,
    corpora: Path = DEFAULT_CORPORA,
    news_limit: int | None = None,
    tagger: Path | None = None,
    version: str = "0.7.0",
    split: DevSplit = DevSplit.BLOCKS,
) -> Path:
    """Take the trained pipeline's tok2vec + ner and its tokenizer's vocabulary (the one its
    training documents were cut by), add the token splits and the rule components, save it to
    `out_dir`.

    `pkuseg_model` replaces the segmenter the pipeline was trained with (the entity-aware
    one, trained after the NER corpus existed: see models/README.md). `split_segmenter`, the
    People's-Daily-only segmenter, also segments the training sentences the token splits are
    learnt from (flows/nlp/token_splits.py says why). The entity rules get
    their word lexicon from People's Daily and the COVID news in `corpora` (the first
    `news_limit` items only, and as many annotated sentences for the token splits, for smoke
    runs). `tagger` is a pipeline holding a POS tagger trained on this tok2vec
    (flows/train/tagger.py; the shipped models/zh_news when only the rules change). The token
    splits and the common words are learnt from the train part of `split`, which should be the
    one the weights were trained on (`interleaved` for 0.7.0 and before).
    """
    # Only the trained weights are taken; the rule components and the token splits are built
    # here. Pipelines trained before flows/nlp/tokenizer.py existed name spaCy's own tokenizer.
    trained_names = spacy.util.load_config(trained / "config.cfg")["nlp"]["pipeline"]
    nlp = spacy.load(
        trained,
        exclude=[name for name in trained_names if name not in NER_COMPONENTS],
        config={"nlp": {"tokenizer": TOKENIZER_CONFIG}},
    )
    tokenizer = nlp.tokenizer
    assert isinstance(tokenizer, PkusegTokenizer)
    # The split table's cuts and the rules' common words are learnt from the segmenter's own
    # words; the vocabulary is the one the NER was trained with.
    vocabulary = tokenizer.splits.vocabulary
    tokenizer.splits = SplitTable()
    if pkuseg_model is not None:
        tokenizer.initialize(
            pkuseg_model=str(pkuseg_model), pkuseg_user_dict=str(pkuseg_model / USER_DICT)
        )
        use_model_only(nlp)
    words = segmenter_words.read_text(encoding="utf-8").split()
    tokenizer.pkuseg_update_user_dict(words, reset=True)
    if tagger is not None:
        add_tagger(nlp, source=tagger)
    for name in RULE_COMPONENTS:
        nlp.add_pipe(name)
    nlp.get_pipe(slogans.COMPONENT).initialize()  # the curated lexicon, saved with it
    rules = nlp.get_pipe("zhnews_entity_rules")
    assert isinstance(rules, EntityRules)
    tagged = peoples_daily_sentences(corpora / "peoples_daily_1998" / "199801.txt")
    covid = corpora / COVID_NEWS
    rules.lexicon = WordLexicon.from_tagged(tagged).with_common_words(
        common_words(nlp, covid, limit=news_limit, split=split)
    )
    tokenizers = [nlp.make_doc]
    if split_segmenter is not None:
        reference = segmenter_nlp(split_segmenter)
        reference.tokenizer.pkuseg_update_user_dict(words, reset=True)
        tokenizers.append(reference.make_doc)
    cuts = SplitTable.learn(tokenizers, training_texts(corpora, news_limit, split)).cuts
    tokenizer.splits = SplitTable(cuts, vocabulary)
    rules.gazetteer = Gazetteer.from_adcodes(adcode_rows())
    divisions.add_to_pipeline(nlp)
    officials.add_to_pipeline(nlp)
    add_numpy_blas_to_config(nlp)
    nlp.meta.update(
        {
            "name": "zh_news",
            "version": version,
            "description": (
                "zhnews: pkuseg tokenizer, NER (PERSON/ORG/LOC), division codes, officials, "
                "dates, slogans, numbers"
            ),
            "license": "research use only (trained on MSRA NER and People's Daily 1998)",
            "author": "zhnews",
        }
    )
    staging = out_dir.with_name(out_dir.name + ".tmp")
    if staging.exists():
        shutil.rmtree(staging)
    staging.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(staging)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    staging.rename(out_dir)
    print(f"packaged {trained} -> {out_dir}: {nlp.pipe_names}")
    return out_dir
