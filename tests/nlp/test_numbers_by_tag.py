"""Numbers by word class: measure words the POS tagger marks `q` after a numeral `m`."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc
from spacy.vocab import Vocab

from flows import CHECKOUT_MODEL as MODEL_DIR
from flows.nlp.model import load_pipeline
from flows.nlp.numbers import MEASURE_WORDS, extract_numbers, tagged_measure_words

# Real sentences of ../shared/corpora/covid_news, with People's Daily segmentation and tags.
GLOVES = [
    ("巴基斯坦", "ns"), ("政府", "n"), ("从", "p"), ("全国", "n"), ("公立", "b"), ("医院", "n"),
    ("库存", "n"), ("调集", "v"), ("30万", "m"), ("只", "q"), ("医用", "b"), ("口罩", "n"),
    ("、", "w"), ("800", "m"), ("套", "q"), ("医用", "b"), ("防护服", "n"), ("和", "c"),
    ("6800", "m"), ("副", "q"), ("手套", "n"), ("，", "w"), ("于", "p"), ("2月", "t"),
    ("1日", "t"), ("下午", "t"), ("运抵", "v"), ("中国", "ns"), ("。", "w"),
]  # fmt: skip
SERIES = [
    ("有关", "v"), ("部门", "n"), ("和", "c"), ("地方", "n"), ("采取", "v"), ("一", "m"),
    ("系列", "q"), ("措施", "n"), ("，", "w"), ("加强", "v"), ("发热", "vn"), ("门诊", "n"),
    ("。", "w"),
]  # fmt: skip
SNOW = [
    ("积雪", "n"), ("最", "d"), ("深", "a"), ("处", "n"), ("达", "v"), ("7", "m"), ("厘米", "q"),
    ("，", "w"), ("持续", "v"), ("3", "m"), ("天", "q"), ("。", "w"),
]  # fmt: skip


def _doc(pairs: list[tuple[str, str]]) -> Doc:
    words, tags = zip(*pairs, strict=True)
    return Doc(Vocab(), words=list(words), tags=list(tags), spaces=[False] * len(words))


def _numbers(doc: Doc, *, tagged: bool) -> list[tuple[str, float, str | None]]:
    measure_words = tagged_measure_words(doc) if tagged else None
    return [(n.text, n.value, n.unit) for n in extract_numbers(doc.text, (), measure_words)]


def test_a_tagged_measure_word_outside_the_list_is_the_unit() -> None:
    assert "副" not in MEASURE_WORDS
    doc = _doc(GLOVES)
    assert ("6800副", 6800.0, "副") in _numbers(doc, tagged=True)
    # Without tags the list decides: the number stays, without its measure word.
    assert ("6800", 6800.0, None) in _numbers(doc, tagged=False)


def test_listed_measure_words_and_tags_agree() -> None:
    doc = _doc(GLOVES)
    listed = [row for row in _numbers(doc, tagged=False) if row[2] is not None]
    assert listed == [("30万只", 300000.0, "只"), ("800套", 800.0, "套")]
    assert set(listed) <= set(_numbers(doc, tagged=True))


def test_chinese_numerals_and_durations_keep_to_the_list() -> None:
    assert _numbers(_doc(SERIES), tagged=True) == []
    assert _numbers(_doc(SNOW), tagged=True) == [("7厘米", 7.0, "厘米")]


def test_a_space_between_numeral_and_measure_word() -> None:
    doc = Doc(
        Vocab(),
        words=["送", "6800", " ", "副", "手套"],
        tags=["v", "m", "_SP", "q", "n"],
        spaces=[False] * 5,
    )
    assert _numbers(doc, tagged=True) == [("6800 副", 6800.0, "副")]


# Real sentences of ../shared/corpora/covid_news whose measure word is not in MEASURE_WORDS.
NEWS = [
    ("工业和信息化部安排中央医药储备已调用防护服1.4万套，调用和紧急采购解决手套11万双。", "11万双"),
    ("这两天，贵州道真县下起了鹅毛大雪，积雪最深处达7厘米。", "7厘米"),
    ("截至2月16日零点，复星已在全球调配运回国内防护服86万件、口罩110万只、护目镜6万副，总计202万件"
     "医疗防护物资，绝大部分已经运抵防控一线。", "6万副"),
    ("蒙牛每天为雷神山、火神山两家医院免费供应16000盒牛奶、8000杯酸奶。", "8000杯"),
    ("目前教育部推出22个线上课程平台，免费开放2.4万门优质课程，不提倡各高校每一位老师都要制作直播课。",
     "2.4万门"),
]  # fmt: skip
HOSPITALS = (
    "征用一批酒店、场馆等集中收治轻症患者或观察密切接触者，将部分三级综合医院转为定点收治医院。"
)


@pytest.mark.slow
@pytest.mark.skipif(
    "tagger" not in spacy.util.load_config(MODEL_DIR / "config.cfg")["nlp"]["pipeline"],
    reason="models/zh_news has no tagger",
)
@pytest.mark.parametrize(("text", "number"), NEWS)
def test_the_shipped_pipeline_takes_measure_words_by_word_class(text: str, number: str) -> None:
    doc = load_pipeline()(text)
    assert number in [n.text for n in doc._.numbers]


@pytest.mark.slow
@pytest.mark.skipif(
    "tagger" not in spacy.util.load_config(MODEL_DIR / "config.cfg")["nlp"]["pipeline"],
    reason="models/zh_news has no tagger",
)
def test_a_chinese_numeral_inside_a_term_stays_out() -> None:
    doc = load_pipeline()(HOSPITALS)
    assert "三级" not in [n.text for n in doc._.numbers]
