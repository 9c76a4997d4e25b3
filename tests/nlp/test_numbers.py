"""Tests for flows.nlp.numbers: the annotated seed, ANNOTATION.md rules, jionlp money, spaCy."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import spacy
from hypothesis import given
from hypothesis import strategies as st
from spacy.tokens import Span
from test_dates import PUB, expected, seed_document
from test_numerals import CASES

from flows.nlp.dates import extract_dates
from flows.nlp.numbers import extract_numbers


def _rows(text: str, excluded: list[tuple[int, int]] | None = None) -> list[tuple]:
    return [
        (m.text, m.value, m.unit, m.kind, m.approx) for m in extract_numbers(text, excluded or ())
    ]


def test_seed_000_matches_the_annotation_exactly() -> None:
    text = seed_document()
    dates = [(d.start_char, d.end_char) for d in extract_dates(text, PUB)]
    want = [(n["text"], n["value"], n["unit"], n["kind"], n["approx"]) for n in expected("numbers")]
    assert _rows(text, dates) == want


@pytest.mark.parametrize(
    ("text", "row"),
    [
        ("共3478家企业", ("3478家", 3478.0, "家", "cardinal", False)),
        ("完成投资70.91亿元", ("70.91亿元", 7091000000.0, "元", "money", False)),
        ("服务8000余人次", ("8000余人次", 8000.0, "人次", "cardinal", True)),
        ("新建106 个点位", ("106 个", 106.0, "个", "cardinal", False)),
        ("增长22%", ("22%", 22.0, "%", "percent", False)),
        ("占百分之五十", ("百分之五十", 50.0, "%", "percent", False)),
        ("提高3个百分点", ("3个百分点", 3.0, "百分点", "percent", False)),
        ("第十二场发布会", ("第十二场", 12.0, "场", "ordinal", False)),
        ("第一批名单", ("第一批", 1.0, "批", "ordinal", False)),
        ("在一楼大厅", ("一楼", 1.0, "楼", "ordinal", False)),
        ("开展两个专项", ("两个", 2.0, "个", "cardinal", False)),
        ("接种5.7万剂次", ("5.7万剂次", 57000.0, "剂次", "cardinal", False)),
        ("约300人", ("300人", 300.0, "人", "cardinal", True)),
        ("超过1000户", ("1000户", 1000.0, "户", "cardinal", True)),
        ("100人左右", ("100人", 100.0, "人", "cardinal", True)),
        ("不足50家", ("50家", 50.0, "家", "cardinal", True)),
        ("十多个部门", ("十多个", 10.0, "个", "cardinal", True)),
        ("1,234名", ("1,234名", 1234.0, "名", "cardinal", False)),
        ("推出首批名单", ("首批", 1.0, "批", "ordinal", False)),
        ("举办首场招聘会", ("首场", 1.0, "场", "ordinal", False)),
        ("九成以上居民", ("九成", 90.0, "%", "percent", True)),
        ("约占三分之二", ("三分之二", 2 / 3, None, "cardinal", False)),
        ("四分之一的人口", ("四分之一", 0.25, None, "cardinal", False)),
        ("增长22％", ("22％", 22.0, "%", "percent", False)),
        ("千余人参加", ("千余人", 1000.0, "人", "cardinal", True)),
        ("数十家企业", ("数十家", 10.0, "家", "cardinal", True)),
        ("上百名志愿者", ("上百名", 100.0, "名", "cardinal", True)),
        ("几千份样本", ("几千份", 1000.0, "份", "cardinal", True)),
        ("数十万名群众", ("数十万名", 100000.0, "名", "cardinal", True)),
        ("筹集几百万元", ("几百万元", 1000000.0, "元", "money", True)),
        ("设立十几处采样点", ("十几处", 10.0, "处", "cardinal", True)),
        ("二十几家企业", ("二十几家", 20.0, "家", "cardinal", True)),
        ("十几万人受益", ("十几万人", 100000.0, "人", "cardinal", True)),
        ("惠及14亿人口", ("14亿", 1.4e9, None, "cardinal", False)),
        ("千分之五的比例", ("千分之五", 0.005, None, "cardinal", False)),
        ("发生率为5‰", ("5‰", 5.0, "‰", "percent", False)),
        ("第五版诊疗方案", ("第五版", 5.0, "版", "ordinal", False)),
        ("试剂1000人份", ("1000人份", 1000.0, "人份", "cardinal", False)),
        ("采集300管样本", ("300管", 300.0, "管", "cardinal", False)),
    ],
)
def test_annotation_examples(text: str, row: tuple) -> None:
    assert _rows(text) == [row]


# Forms met on news (data/annotated/dates_numbers, dev split) and named in issue 22: units with
# 千, neighbouring numerals, minus signs, bare magnitudes, counts of provinces, money nouns.
NEWS_FORMS = [
    json.loads(line)
    for line in (Path(__file__).parents[1] / "data" / "number_forms.jsonl").read_text().splitlines()
]


@pytest.mark.parametrize("case", NEWS_FORMS, ids=[case["text"] for case in NEWS_FORMS])
def test_news_forms(case: dict) -> None:
    row = (case["span"], case["value"], case["unit"], case["kind"], case["approx"])
    assert _rows(case["text"]) == [row]


@pytest.mark.parametrize(
    "text",
    [
        "24小时", "3天", "一个工作日", "3个月", "16时", "“三管三必须”", "四方责任", "全市一盘棋",
        "一人一档", "九小场所", "一米线", "一对一", "三级书记", "三区", "两手抓", "五个一律",
        "第一时间", "第一责任人", "第一道关口", "一次次", "一站式", "一体推进", "一要压实责任",
        "一方面", "另一方面", "一企一策", "七天七检", "统一部署", "进一步加强", "第九督导组",
        "中建六局", "“四个源头”", "一成不变", "首次发现", "首都", "三分钟", "COVID-19", "5G基站",
        "这一地区", "南疆四地州", "连续21个季度",
        "热线0531-66661234", "7×24小时", "“90后”党员", "00后", "千家万户", "万家灯火", "两三天",
        "每一个生命", "坚持一个中国原则", "第一动力", "村第一书记", "第六届立法会继续履职",
        "常委会第二十一次会议", "《条例》第十九条", "《法》第三十八条第四款",
        "《规范》第十四条、第十五条", "《规例条例》（第241章）", "一颗颗螺丝钉", "一笔笔资金",
        "一家人全都感染", "2020届毕业生", "2015级学生", "把医疗救治摆在第一位，", "上下一条心",
        "新一届领导集体", "新一轮核酸检测", "两个百年目标", "第二个百年奋斗目标",
        "一二类苗占比", "二三级医院", "两节期间", "服务24/7", "比例为3/2",
    ],
)  # fmt: skip
def test_not_numbers(text: str) -> None:
    assert _rows(text) == []


def test_a_bare_number_joined_to_a_share_takes_its_unit() -> None:
    assert _rows("环比分别提升5.3和12.4个百分点") == [
        ("5.3", 5.3, "百分点", "percent", False),
        ("12.4个百分点", 12.4, "百分点", "percent", False),
    ]
    assert _rows("增长3至5%")[0] == ("3", 3.0, "%", "percent", False)
    assert _rows("分别为2和3家")[0] == ("2", 2.0, None, "cardinal", False)


def test_dash_between_numbers_is_a_range_not_a_sign() -> None:
    assert _rows("12—17周岁青少年") == [
        ("12", 12.0, None, "cardinal", False),
        ("17周岁", 17.0, "周岁", "cardinal", False),
    ]


def test_excluded_ranges_are_respected() -> None:
    text = "3月27日新增3例"
    assert _rows(text, [(0, 5)]) == [("3例", 3.0, "例", "cardinal", False)]
    assert _rows(text, [(0, 5), (7, 9)]) == []


def _money_param(case: dict) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if "xfail" in case else []
    return pytest.param(case, id=case["text"], marks=marks)


@pytest.mark.parametrize(
    "case", [_money_param(c) for c in CASES if c.get("via") == "extract_numbers"]
)
def test_converted_money_cases(case: dict) -> None:
    found = [(m.value, m.unit, m.kind, m.approx) for m in extract_numbers(case["text"])]
    # jionlp writes amounts rounded to cents; we keep the value as written.
    assert (pytest.approx(case["value"], abs=0.01), case["unit"], "money", case["approx"]) in found


@given(st.text())
def test_never_raises_and_offsets_are_valid(text: str) -> None:
    for mention in extract_numbers(text):
        assert text[mention.start_char : mention.end_char] == mention.text


@given(st.text(alphabet="0123456789.,%第余多约近超一二两三四五六七八九十百千万亿个家人元项“”、 "))
def test_never_raises_on_number_soup(text: str) -> None:
    for mention in extract_numbers(text, [(0, 2)]):
        assert text[mention.start_char : mention.end_char] == mention.text
        assert mention.start_char >= 2


def _component_numbers(text: str, entity: tuple[int, int, str]) -> list:
    """`doc._.numbers` of the date and number components on `text` with one entity (tokens)."""
    import flows.nlp.numbers  # noqa: F401  (registers the factory)

    nlp = spacy.blank("zh")
    nlp.add_pipe("zhnews_dates")
    nlp.add_pipe("zhnews_numbers")
    doc = nlp.make_doc(text)
    doc._.published = PUB
    doc.ents = [Span(doc, *entity)]
    for _, component in nlp.pipeline:
        doc = component(doc)
    return doc._.numbers


def test_spacy_component_skips_dates_and_org_names() -> None:
    numbers = _component_numbers("3月27日，第三工作专班新增3例", (6, 12, "ORG"))
    assert [(m.text, m.value) for m in numbers] == [("3例", 3.0)]


def test_family_after_a_person_name_is_not_a_count() -> None:
    numbers = _component_numbers("刘景昊一家服务的社区有31位志愿者，一家企业捐款", (0, 3, "PERSON"))
    assert [m.text for m in numbers] == ["31位", "一家"]


def test_speed_on_the_seed() -> None:
    text = seed_document() * 20
    # CPU time, not wall time: CI shares its two cores with other work. Measured ~1M chars/s;
    # the floor catches a pathological regex (backtracking), not small changes.
    start = time.process_time()
    extract_numbers(text, [(d.start_char, d.end_char) for d in extract_dates(text, PUB)])
    rate = len(text) / max(time.process_time() - start, 1e-6)
    assert rate > 150_000, f"{rate:.0f} chars/s"
