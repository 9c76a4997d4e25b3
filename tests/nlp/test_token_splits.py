"""The token-split table: tokens cut where entity boundaries usually fall inside them."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from hypothesis import given
from hypothesis import strategies as st
from spacy.tokens import Doc

from flows import CHECKOUT_MODEL as MODEL
from flows.nlp.entities import is_han
from flows.nlp.model import NER_COMPONENTS
from flows.nlp.token_splits import SplitTable
from flows.nlp.tokenizer import PkusegTokenizer

VOCAB = spacy.blank("zh").vocab

# What a People's-Daily segmenter makes of these sentences: 驻华 and 中方 are words there.
SEGMENTED = {
    "驻华大使": ["驻华", "大使"],
    "中方表示": ["中方", "表示"],
    "中方立场": ["中方", "立场"],
    "驻华使馆": ["驻华", "使馆"],
    "驻华机构": ["驻华", "机构"],
    "长城口": ["长", "城口"],
}


def segment(text: str) -> Doc:
    words = SEGMENTED[text]
    return Doc(VOCAB, words=words, spaces=[False] * len(words))


def test_table_cuts_where_names_usually_end() -> None:
    examples = [
        ("驻华大使", [(1, 2, "LOC")]),
        ("驻华使馆", [(1, 2, "LOC")]),
        ("驻华机构", []),  # once in three 华 is not annotated: still cut (2 of 3)
        ("中方表示", [(0, 1, "LOC")]),
        ("中方立场", []),  # half the time: cut
        ("长城口", [(0, 2, "LOC")]),  # 城口 seen once: no evidence
    ]
    table = SplitTable.learn([segment], examples)
    assert table.cuts == {"驻华": (1,), "中方": (1,)}
    assert table.pieces("驻华") == ["驻", "华"]
    assert table.pieces("大使") == ["大使"]
    assert SplitTable.learn([segment], examples, min_share=0.6).cuts == {"驻华": (1,)}


def test_table_counts_every_segmentation() -> None:
    # A second segmenter that keeps 驻华 whole once more, where the first one had cut it.
    def cut_first(text: str) -> Doc:
        words = ["驻", "华", *SEGMENTED[text][1:]]
        return Doc(VOCAB, words=words, spaces=[False] * len(words))

    examples = [("驻华大使", [(1, 2, "LOC")]), ("驻华机构", [])]
    assert SplitTable.learn([segment], examples).cuts == {"驻华": (1,)}
    # 驻华 seen twice, cut once: still half. Seen by cut_first only as pieces: no string.
    assert SplitTable.learn([segment, cut_first], examples).cuts == {"驻华": (1,)}
    assert SplitTable.learn([cut_first], examples).cuts == {}


@pytest.mark.slow
def test_tokenizer_cuts_by_its_table_and_saves_it(
    shipped: spacy.language.Language, tmp_path: Path
) -> None:
    tokenizer = shipped.tokenizer
    assert isinstance(tokenizer, PkusegTokenizer)
    sentence = "美国驻华大使谈到抗美援朝"
    words = [t.text for t in tokenizer(sentence)]
    assert words[:4] == ["美国", "驻", "华", "大使"]
    assert words[-4:] == ["抗", "美", "援", "朝"]
    assert "".join(words) == sentence
    # The table travels with the tokenizer, on disk and as bytes (nlp.to_bytes, pickling).
    tokenizer.to_disk(tmp_path / "tokenizer")
    loaded = PkusegTokenizer(VOCAB, segmenter="pkuseg").from_disk(tmp_path / "tokenizer")
    restored = PkusegTokenizer(VOCAB, segmenter="pkuseg").from_bytes(tokenizer.to_bytes())
    assert loaded.splits == restored.splits == tokenizer.splits
    assert len(tokenizer.splits.cuts) > 1000
    assert [t.text for t in restored(sentence)] == words
    # A tokenizer without a table keeps pkuseg's words.
    restored.splits = SplitTable()
    assert [t.text for t in restored(sentence)] == restored.pkuseg_seg.cut(sentence) != words


def test_words_outside_the_vocabulary_are_cut_into_characters(tmp_path: Path) -> None:
    # pkuseg joined the unseen name 叶挺 with the next character; 军长 and 陈毅 are known.
    table = SplitTable({"驻华": (1,)}, vocabulary=frozenset({"军长", "陈毅", "同志"}))
    words = ["新四军", "军长", "叶", "挺及", "陈毅", "同志", "驻华", "COVID-19", "3月", "，"]
    assert table.split(words) == [
        *"新四军",
        "军长",
        "叶",
        "挺",
        "及",
        "陈毅",
        "同志",
        "驻",
        "华",
        "COVID-19",
        "3月",
        "，",
    ]
    # Without a vocabulary only the cuts apply (pipelines in training, before one exists).
    assert SplitTable({"驻华": (1,)}).split(["挺及", "驻华"]) == ["挺及", "驻", "华"]
    # The vocabulary is saved with the cuts.
    table.to_disk(tmp_path / "splits.json")
    assert SplitTable.from_disk(tmp_path / "splits.json") == table
    assert SplitTable.from_bytes(table.to_bytes()) == table
    assert SplitTable.from_bytes(SplitTable().to_bytes()) == SplitTable()
    # zh_news 0.5.0's table, the cuts alone, still loads (0.6.0 is built from that pipeline).
    assert SplitTable.from_bytes('{"驻华": [1]}'.encode()) == SplitTable({"驻华": (1,)})


@given(
    words=st.lists(st.text(alphabet="中美华方驻京剧A1 ", min_size=1, max_size=5), max_size=8),
    cut_at=st.integers(min_value=1, max_value=4),
    known=st.frozensets(st.text(alphabet="中美华方驻京剧", min_size=2, max_size=3)),
)
def test_splitting_never_changes_the_text(
    words: list[str], cut_at: int, known: frozenset[str]
) -> None:
    table = SplitTable({w: (cut_at,) for w in words if len(w) > cut_at})
    split = table.split(words)
    assert "".join(split) == "".join(words)
    assert len(split) == len(words) + sum(len(w) > cut_at for w in words)
    assert all(split)
    # The vocabulary only cuts further: every piece of the table is a run of its pieces.
    table.vocabulary = known
    cut = table.split(words)
    assert "".join(cut) == "".join(words)
    assert [piece for piece in cut if len(piece) > 1 and is_han(piece)] == [
        piece for piece in split if len(piece) > 1 and is_han(piece) and piece in known
    ]


@pytest.fixture(scope="module")
def shipped() -> spacy.language.Language:
    from flows.nlp.model import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="module")
def ner_alone() -> spacy.language.Language:
    """The pipeline as the NER bar is measured: only tok2vec and ner enabled."""
    return spacy.load(MODEL, enable=list(NER_COMPONENTS))


@pytest.mark.slow
def test_ner_alone_finds_names_inside_peoples_daily_words(
    ner_alone: spacy.language.Language,
) -> None:
    # pkuseg keeps 驻华, 京剧 and 抗美援朝 whole: the places inside are found only after the cut,
    # which the tokenizer makes even when only tok2vec and ner run (how the NER bar is measured).
    nlp = ner_alone
    assert nlp.pipe_names == ["tok2vec", "ner"]
    sentence = "驻华使节观看了京剧表演，谈到抗美援朝。"
    assert {"驻华", "京剧", "抗美援朝"} <= set(nlp.tokenizer.pkuseg_seg.cut(sentence))
    doc = nlp(sentence)
    expected = [("LOC", "华"), ("LOC", "京"), ("LOC", "美"), ("LOC", "朝")]
    assert [(e.label_, e.text) for e in doc.ents] == expected
    assert doc.text == sentence


@pytest.mark.slow
def test_tokenizer_marks_the_words_it_cut_into_characters(shipped: spacy.language.Language) -> None:
    # 漱玉 and 锦丰 are names no corpus had; the double space becomes a token of its own, so
    # piece and token indices differ after it.
    text = "漱玉平民大药房  锦丰科技"
    doc = shipped.make_doc(text)
    words = [doc[start:end].text for start, end in doc._.unknown_words]
    assert words == ["漱玉", "锦丰"]
    assert all(
        len(doc[start:end]) == len(doc[start:end].text) for start, end in doc._.unknown_words
    )
    assert doc.text == text
    # The whole pipeline puts them back together for its rules.
    assert ("ORG", "漱玉平民大药房") in [(e.label_, e.text) for e in shipped(text).ents]


@pytest.mark.slow
def test_ner_alone_finds_a_name_pkuseg_glued_to_the_next_character(
    ner_alone: spacy.language.Language,
) -> None:
    nlp = ner_alone
    sentence = "新四军军长叶挺及陈毅同志"
    assert "挺及" in nlp.tokenizer.pkuseg_seg.cut(sentence)
    assert ("PERSON", "叶挺") in [(e.label_, e.text) for e in nlp(sentence).ents]
