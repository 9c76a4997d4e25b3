"""The NLP stage's own logic, without the trained model."""

from __future__ import annotations

import spacy
from hypothesis import given
from hypothesis import strategies as st
from spacy.tokens import Span

from flows.nlp.entities import EntityRules
from flows.nlp.model import drop_numbers_in_slogans, model_view, sentence_starts
from flows.store.records import NumberMention, SloganMention


def test_model_view_turns_ascii_punctuation_by_han_full_width() -> None:
    assert model_view("局长赵明,临沂市行政审批服务局") == "局长赵明，临沂市行政审批服务局"
    assert model_view("(宣传部)") == "（宣传部）"
    # Numbers and Latin text keep their ASCII punctuation.
    assert model_view("1,234元，Copyright (C) 1999") == "1,234元，Copyright (C) 1999"


@given(st.text())
def test_model_view_keeps_every_offset(text: str) -> None:
    view = model_view(text)
    assert len(view) == len(text)
    assert all(a == b or a in ",;:?!()" for a, b in zip(text, view, strict=True))


def test_sentence_starts_split_at_stops_and_lines() -> None:
    text = "标题\n\n第一句。第二句！“第三句？”第四句\n第五句"
    starts = sentence_starts(text)
    assert [text[s:].split("\n")[0][:3] for s in starts] == [
        "标题",
        "第一句",
        "第二句",
        "“第三",
        "第四句",
        "第五句",
    ]


def test_numbers_inside_slogans_are_dropped() -> None:
    number = NumberMention("三管", 0, 2, 3.0, "管", "cardinal", False)
    kept = NumberMention("3例", 10, 12, 3.0, "例", "cardinal", False)
    slogan = SloganMention("三管三必须", 0, 5, "s1", "三管三必须", "epidemic", "lexicon")
    assert drop_numbers_in_slogans([number, kept], [slogan]) == [kept]


def test_entity_rules_drop_generic_bodies_and_titles() -> None:
    nlp = spacy.blank("zh")
    doc = nlp.make_doc("市委书记李主任和临沂市委在全国")
    doc.ents = [
        Span(doc, 0, 2, label="ORG"),  # 市委: generic body
        Span(doc, 4, 7, label="PERSON"),  # 李主任 -> 李
        Span(doc, 8, 12, label="ORG"),  # 临沂市委: named
        Span(doc, 13, 15, label="LOC"),  # 全国: not a name
    ]
    assert [(e.label_, e.text) for e in EntityRules()(doc).ents] == [
        ("PERSON", "李"),
        ("ORG", "临沂市委"),
    ]


def test_entity_rules_add_unlabelled_divisions_and_fix_person_divisions() -> None:
    nlp = spacy.blank("zh")
    words = [
        "赴",
        "诸城市",
        "，",
        "兰陵县",
        "和",
        "社区",
        "、",
        "超市",
        "、",
        "畅通省",
        "、",
        "大城市",
    ]
    doc = spacy.tokens.Doc(nlp.vocab, words=words)
    doc.ents = [Span(doc, 3, 4, label="PERSON")]
    assert [(e.label_, e.text) for e in EntityRules()(doc).ents] == [
        ("LOC", "诸城市"),
        ("LOC", "兰陵县"),
    ]
