"""`zhnews_token_splits`: tokens cut where entity boundaries usually fall inside them."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from hypothesis import given
from hypothesis import strategies as st
from spacy.tokens import Doc

from flows.token_splits import SplitTable, TokenSplitter

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


def test_splitter_cuts_tokens_and_round_trips(tmp_path: Path) -> None:
    splitter = TokenSplitter(SplitTable({"驻华": (1,), "抗美援朝": (1, 2, 3)}))
    words = ["美国", "驻华", "大使", "谈", "抗美援朝"]
    doc = splitter(Doc(VOCAB, words=words, spaces=[False] * len(words)))
    assert [t.text for t in doc] == ["美国", "驻", "华", "大使", "谈", "抗", "美", "援", "朝"]
    assert doc.text == "美国驻华大使谈抗美援朝"
    splitter.to_disk(tmp_path / "splits")
    assert TokenSplitter().from_disk(tmp_path / "splits").table == splitter.table


@given(
    words=st.lists(st.text(alphabet="中美华方驻京剧 ", min_size=1, max_size=5), max_size=8),
    cut_at=st.integers(min_value=1, max_value=4),
)
def test_splitting_never_changes_the_text(words: list[str], cut_at: int) -> None:
    words = [w for w in words if w.strip() == w and w]
    table = SplitTable({w: (cut_at,) for w in words if len(w) > cut_at})
    doc = Doc(VOCAB, words=words, spaces=[False] * len(words))
    text = doc.text
    split = TokenSplitter(table)(doc)
    assert split.text == text
    assert len(split) == len(words) + sum(len(w) > cut_at for w in words)


@pytest.fixture(scope="module")
def shipped() -> spacy.language.Language:
    from flows.nlp import load_pipeline

    return load_pipeline()


def test_shipped_pipeline_finds_names_inside_peoples_daily_words(
    shipped: spacy.language.Language,
) -> None:
    # pkuseg keeps 驻华, 京剧 and 抗美援朝 whole: the places inside are found only after the cut.
    sentence = "驻华使节观看了京剧表演，谈到抗美援朝。"
    assert {"驻华", "京剧", "抗美援朝"} <= {t.text for t in shipped.make_doc(sentence)}
    doc = shipped(sentence)
    expected = [("LOC", "华"), ("LOC", "京"), ("LOC", "美"), ("LOC", "朝")]
    assert [(e.label_, e.text) for e in doc.ents] == expected
    assert doc.text == sentence
