"""The NLP stage's own logic, without the trained model."""

from __future__ import annotations

import datetime as dt

import spacy
from hypothesis import given
from hypothesis import strategies as st
from spacy.language import Language
from spacy.tokens import Span

from flows.nlp.entities import EntityRules
from flows.nlp.model import sentence_starts
from flows.nlp.slogans import add_to_pipeline as add_slogans
from flows.nlp.tokenizer import segmentation_view


def test_segmentation_view_turns_ascii_punctuation_by_han_full_width() -> None:
    assert segmentation_view("局长赵明,临沂市行政审批服务局") == "局长赵明，临沂市行政审批服务局"
    assert segmentation_view("(宣传部)") == "（宣传部）"
    # Numbers and Latin text keep their ASCII punctuation.
    assert segmentation_view("1,234元，Copyright (C) 1999") == "1,234元，Copyright (C) 1999"


@given(st.text())
def test_segmentation_view_keeps_every_offset(text: str) -> None:
    view = segmentation_view(text)
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


def rule_pipeline() -> Language:
    """The shipped rule components after a blank (one token per character) tokenizer."""
    nlp = spacy.blank("zh")
    nlp.add_pipe("zhnews_dates")
    add_slogans(nlp)
    nlp.add_pipe("zhnews_numbers")
    return nlp


def test_numbers_inside_slogans_are_not_numbers() -> None:
    text = "做到全员覆盖、不漏一人，新增3例，共设三道关卡。"
    doc = rule_pipeline()(text)
    assert [s.text for s in doc.spans["slogans"]] == ["全员覆盖、不漏一人"]
    assert [(n.text, n.value) for n in doc._.numbers] == [("3例", 3.0), ("三道", 3.0)]
    without_slogans = rule_pipeline()
    without_slogans.remove_pipe("zhnews_slogans")
    assert [n.text for n in without_slogans(text)._.numbers] == ["一人", "3例", "三道"]


def test_publication_time_is_read_on_shanghai_calendar() -> None:
    nlp = rule_pipeline()
    utc_evening = dt.datetime(2022, 3, 27, 20, 0, tzinfo=dt.UTC)  # 28 March in Shanghai
    for published, day in (
        (utc_evening, "2022-03-28"),
        (utc_evening.replace(tzinfo=None), "2022-03-27"),
    ):
        doc = nlp.make_doc("今天召开会议")
        doc._.published = published
        doc = nlp(doc)
        assert [(d.text, d.value) for d in doc._.dates] == [("今天", day)]


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
