"""Find numbers with their units in cleaned Simplified-Chinese news.

`extract_numbers` returns `NumberMention`s by the rules of ANNOTATION.md (Numbers): the span is a
numeral plus its measure word or unit (`3478家`, `70.91亿元`, `8000余人次`, `106 个`: the lists
below and, when the pipeline has a POS tagger, any word tagged `q` after a numeral); the value is
the number as written with 万/亿 expanded (`70.91亿元` -> 7091000000.0, unit `元`; `22%` -> 22.0,
unit `%`); `kind` is money, percent, ordinal or cardinal; `approx` marks 余/多/约/超过/以上/…
and the vague counts (`数十家` -> 10, `上百名` -> 100). Shares: `九成` -> 90 with unit `%`,
`三分之二` -> 0.6667 with no unit; `首批` is the ordinal 1 with unit `批`.

Not numbers: durations and clock times (`24小时`, `3天`, `16时`), numbers inside dates, names
and fixed terms (`三管三必须`, `一盘棋`, `第一时间`, short quoted formulas such as “四个源头”),
list enumerators (`一要`, `一方面`) and Chinese numerals without a measure word (`统一`, `一直`).
Callers pass the spans of dates, entity names and slogans as `excluded`.

The spaCy component `zhnews_numbers` stores the mentions in `doc._.numbers` (character offsets,
not `doc.spans`, for the reason given in `flows.nlp.dates`), excluding the ranges of `doc._.dates`,
of ORG entities and of `doc.spans["slogans"]` (三管三必须 is a slogan, not three of anything), so
it runs after the date and slogan components.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import StrEnum

from spacy.language import Language
from spacy.tokens import Doc

import flows.nlp.dates  # noqa: F401  (registers the Doc extensions this component reads)
from flows.nlp.numerals import parse_numeral
from flows.nlp.slogans import SPANS_KEY
from flows.store.records import NumberMention


class Kind(StrEnum):
    """The `kind` column of the numbers table."""

    CARDINAL = "cardinal"
    MONEY = "money"
    PERCENT = "percent"
    ORDINAL = "ordinal"


MONEY_UNITS = ("美元", "欧元", "日元", "港元", "英镑", "元")
PERCENT_UNITS = ("%", "％", "‰", "百分点")
# 九成 is 90%: a share in tenths.
TENTHS = "成"
MEASURE_WORDS = (
    "个百分点", "百分点", "人次", "户次", "车次", "架次", "班次", "家次", "批次", "剂次", "辆次",
    "平方公里", "平方米", "立方米", "公里", "千米", "公斤", "千克", "公顷", "万元",
    "个", "家", "人", "名", "例", "项", "条", "次", "场", "轮", "批", "户", "所", "座", "辆",
    "台", "件", "份", "套", "处", "栋", "幢", "间", "位", "只", "种", "类", "张", "本", "篇",
    "届", "岁", "层", "组", "队", "支", "笔", "宗", "起", "块", "片", "床", "架", "艘", "头",
    "棵", "株", "亩", "吨", "斤", "米", "倍", "箱", "袋", "瓶", "剂", "针", "楼", "道", "网",
    "人份", "台次", "份次", "毫升", "升", "克", "版", "期", "管", "盒", "包", "桶", "罐", "枚",
    "颗", "粒", "趟", "列", "代", "口", "集", "章", "节", "款", "部", "辆", "扇", "所", "轮次",
    "千瓦时", "千瓦", "兆瓦", "瓦", "千伏", "周岁", "省", "市", "县", "省市", "地", "方面",
    "省份",
)  # fmt: skip
# Units that make the number a duration, a clock time or a date part: not a number row.
TIME_UNITS = (
    "个小时", "个工作日", "个星期", "个多月", "个月", "个季度", "小时", "工作日", "星期", "分钟",
    "周年", "年", "月", "日", "天", "周", "时", "点", "分", "秒", "号", "季度",
)  # fmt: skip
APPROX_BEFORE = ("将近", "大约", "超过", "至少", "不到", "不足", "约", "近", "超", "逾")
APPROX_AFTER = ("以上", "以下", "左右")
# Fixed terms, idioms and enumerators whose numerals are not quantities (ANNOTATION.md).
FIXED_TERMS = (
    "三管三必须", "四方责任", "一盘棋", "一人一档", "九小场所", "一米线", "一对一", "三级书记",
    "三区", "两手抓", "两不误", "五个一律", "一张网", "第一时间", "第一责任人", "第一道关口",
    "一次次", "一站式", "一体化", "一体", "另一方面", "一方面", "一次性", "一把手", "一起",
    "一条龙", "一块儿", "一线", "一道", "一网通办", "一次办好", "一件事", "一揽子",
    "一成不变", "首次", "一口气", "一部分", "一代人", "一节", "两口子", "一个中国", "一家人",
    "一条心", "在第一位", "两个一百年", "两个百年", "第二个百年", "第一个百年",
)  # fmt: skip
FAMILY = "一家"
# Names that start with an ordinal (第九督导组): the pipeline also passes entity spans.
ORDINAL_NAME_HEADS = ("督导组", "核查督导组", "督查组", "工作组", "专班", "中学", "小学",
                      "人民医院", "医院", "支队", "大队", "中队", "分局", "检查组")  # fmt: skip
# A session of a body or a meeting (第六届立法会, 第二十一次会议) is part of its name.
_SESSION_NAME = re.compile(
    r"(?<=[届次])(?:[^，。；、\n]{0,12}?)(?:立法会|人大|政协|代表大会|委员会|常委会|会议|全会|大会)"
)
# 《…》第三十八条第四款、第十九条: article numbers of a cited document.
_CITATION = re.compile(r"》(?:（[^）]{0,12}）)?（?(?:第[^，。；《》\n]{1,8}?[条款章节]、?)*$")
# A number without a unit before these nouns is an amount of money (3.88亿帮扶资金).
_MONEY_NOUN = re.compile(r"[^\W\d]{0,3}?(?:资金|经费|贷款|善款|捐款|资产|投资)")

_CN_DIGIT = "零〇一二两三四五六七八九"
_CN_NUM = rf"[{_CN_DIGIT}十][{_CN_DIGIT}十百千万亿]*(?:点[{_CN_DIGIT}]+)?"
# 千 before 瓦/克/米/伏 is the unit's prefix (600万千瓦), not a magnitude.
_MAGNITUDE = r"(?:[十百万亿]|千(?![瓦克米伏]))"
_AR_NUM = (
    r"(?<![A-Za-z0-9._/:\-])\d+(?:[,，]\d{3})*(?:\.\d+)?(?!\d|\.\d|[A-Za-z_/:\-×*])"
    rf"{_MAGNITUDE}*"
)
# A minus sign after 达/为/增长…: 增速达—6.9%, 同比下降-3.2%.
_SIGN = r"(?:(?<=[达为是至：:])|(?<=增长|下降|同比|增速))[-—－−]|负"
# Two neighbouring digits are a vague count (一两次, 七八个, 三四十人): the lower one, approx.
_NEIGHBOURS = ("一两", "两三", "三四", "四五", "五六", "六七", "七八", "八九")
# A bare 百/千/万/亿 (万亿元, 百万份) counts only with an approximation marker around it.
_BARE_MAGNITUDE = r"(?:百万|千万|万亿|[百千万亿])"


def _alternation(words: Iterable[str]) -> str:
    """Regex alternation, longest words first so that 人次 wins over 人."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_UNITS = _alternation((*MEASURE_WORDS, *MONEY_UNITS, *PERCENT_UNITS, TENTHS))
# A Chinese numeral right after these characters is part of a word (统一, 唯一, 进一步).
_WORD_BEFORE = "统唯同逐进专划均归单初某任每"
# Vague counts (数十, 上百, 成百, 几千; 数十万, 上千万 with a magnitude) stand for their round
# number; so do tens followed by 几 (十几 -> 10, 二十几万 -> 200,000).
VAGUE_COUNT_HEADS = ("数", "几", "上", "成")
# Every number starts with one of these; testing it first keeps the scan fast.
_FIRST_CHARS = rf"首第百千万亿数几上成十负\d{_CN_DIGIT}\-—－−"
_NUMBER = re.compile(
    rf"""
    (?=[{_FIRST_CHARS}])
    (?:(?P<first>首)(?={_UNITS})
      |(?P<ord>第)?
       (?:(?P<pct>百分之)(?P<pnum>{_CN_NUM}|\d+(?:\.\d+)?)
         |(?P<frac>(?:{_CN_NUM}|\d+|[千万])分之(?:{_CN_NUM}|\d+))
         |(?P<slash>(?<![A-Za-z0-9_./:\-])(?P<over>\d{{1,3}})/(?P<under>\d{{1,3}})(?![\d/.]))
         |(?P<vague>[{"".join(VAGUE_COUNT_HEADS)}])(?P<vnum>[十百千万][万亿]?)
         |(?P<tens>[{_CN_DIGIT[2:]}]?十)几(?P<tensmag>[万亿]?)
         |(?P<num>(?:{_SIGN})\d+(?:\.\d+)?{_MAGNITUDE}*|{_AR_NUM}|(?<![{_WORD_BEFORE}]){_CN_NUM}|{_BARE_MAGNITUDE})))
    (?P<more>余|多)?(?(more)(?P<moremag>[万亿]+)?)
    (?:\s?(?P<time>{_alternation(TIME_UNITS)})(?!岁)
      |\s?(?P<unit>{_UNITS}))?
    """,
    re.VERBOSE,
)
# A unit character followed by these starts a noun instead (14亿人民 is 14亿 + 人民, 14亿人口 is
# 14亿 + 人口, the population counted; 这一地区).
_UNIT_WORD_STARTS = {"人": ("民", "口"), "地": tuple("区方带州市点图块铁面震下")}
_NON_NUMERAL_WORD = rf"[^\W\d{_CN_DIGIT}十百千万亿]"
_FIXED = re.compile(
    _alternation(FIXED_TERMS)
    # numbered formulas: 一企一策, 四不两直, 七天七检, 十天一调度
    + rf"|[{_CN_DIGIT}十双](?!分之){_NON_NUMERAL_WORD}{{1,2}}"
    + rf"[{_CN_DIGIT}十双]{_NON_NUMERAL_WORD}{{1,3}}"
    # short quoted formulas: “四个源头”, “两个探头”
    + r"|“[^“”\n]{1,8}”"
    # generation labels: 90后, 00后 (people born in that decade); cohorts: 2020届, 2015级
    + r"|(?<![\d.])\d0后|(?<![\d.])(?:19|20)\d\d[届级]"
    # 新一届, 新一轮: "the new term/round", an article, not a count
    + r"|新一(?=[届轮代期])"
    # grades named by two numerals (一二类苗, 二三级): labels, not a count
    + r"|(?:一二|二三|三四)(?=[类级等])"
    # 两节: the two festivals (元旦 and 春节), not two of anything
    + r"|两节(?=期间|假期|前后|前夕|来临|到来)"
)
# A number right after these words is an amount of money (保额11.58万亿).
_MONEY_BEFORE = re.compile(r"(?:保额|金额|总额|总价|资金)(?:达到|达|为|约|超过|近)?$")
# What joins two numbers that share the unit written after the second (5.3和12.4个百分点).
_SHARED_UNIT_JOIN = re.compile(r"\s?(?:和|、|或|至|到|—|-|~|～)\s?")


def extract_numbers(
    text: str,
    excluded: Sequence[tuple[int, int]] = (),
    measure_words: Mapping[int, str] | None = None,
) -> list[NumberMention]:
    """Number mentions of `text`, leaving out those overlapping `excluded` char ranges.

    `measure_words` (`tagged_measure_words`) maps a char offset to the measure word the tagger
    found there: a number written in digits right before it (one space allowed) takes it as its
    unit when MEASURE_WORDS has none. A Chinese numeral with such a word is as often part of a
    term (一系列, 三级医院, 八段锦, 三班倒, 第一副总书记) as a count, so only the list serves it.
    """
    blocked = _Ranges([*excluded, *((m.start(), m.end()) for m in _FIXED.finditer(text))])
    out: list[NumberMention] = []
    for match in _NUMBER.finditer(text):
        if match.group("time") is not None and not _ordinal_run(text, match):
            continue
        unit, end = match.group("unit") or match.group("time"), match.end()
        if unit is None and measure_words and match.group(0)[0].isdigit():
            start = end + 1 if text[end : end + 1] == " " else end
            if start in measure_words:
                unit = measure_words[start]
                end = start + len(unit)
        if unit in _UNIT_WORD_STARTS and text.startswith(_UNIT_WORD_STARTS[unit], end):
            unit, end = None, end - len(unit)  # 14亿人民: 人 starts the noun, it measures nothing
        if blocked.overlaps(match.start(), end):
            continue
        mention = _mention(text, match, unit, end)
        if mention is not None:
            out.append(mention)
    return _share_percent_units(text, out)


def _ordinal_run(text: str, match: re.Match[str]) -> bool:
    """连续第20天: the n-th day (week, year) of a run is an ordinal count, not a duration."""
    return match.group("ord") is not None and text.endswith("连续", 0, match.start())


def _share_percent_units(text: str, found: list[NumberMention]) -> list[NumberMention]:
    """A bare number joined to a share (5.3和12.4个百分点, 3至5%) is a share of that unit."""
    out = list(found)
    for i, (first, second) in enumerate(itertools.pairwise(found)):
        if second.kind != Kind.PERCENT or first.unit is not None or first.kind != Kind.CARDINAL:
            continue
        joined = _SHARED_UNIT_JOIN.fullmatch(text, first.end_char, second.start_char)
        if joined is not None and first.text[-1].isdigit():
            out[i] = dataclasses.replace(first, unit=second.unit, kind=second.kind)
    return out


def _mention(text: str, match: re.Match[str], unit: str | None, end: int) -> NumberMention | None:
    """The mention for one match ending at `end` with `unit`, or None when it is not a quantity."""
    ordinal = match.group("ord") is not None
    vague = match.group("vague") is not None or match.group("tens") is not None
    if match.group("first") is not None:
        numeral, ordinal = "一", True
    elif match.group("slash") is not None:
        over, under = int(match.group("over")), int(match.group("under"))
        if not 0 < over < under:
            return None  # 24/7, 3/2: not a share of a whole
        value = round(over / under, 4)
        approx = _is_approx(text, match.start(), end, False)
        return NumberMention(match.group(), match.start(), end, value, None, "cardinal", approx)
    elif vague:
        if unit is None:
            return None
        numeral = match.group("vnum") or match.group("tens") + match.group("tensmag")
    else:
        numeral = match.group("pnum") or match.group("frac") or match.group("num")
        # 400多万, 2.4万余: the magnitude after 多/余 scales the whole number
        numeral += match.group("moremag") or ""
    negative = numeral[0] in "-—－−负"
    numeral = numeral.lstrip("-—－−负")
    chinese = not numeral[0].isdigit()
    counted = unit is not None or ordinal or match.group("pct") or match.group("frac")
    if chinese and not counted:
        return None
    if numeral == "一" and unit and text.startswith(unit, end):
        return None  # 一颗颗, 一笔笔: reduplication means "many", not one
    if ordinal and _ordinal_in_name(text, match.start(), end, unit):
        return None
    if ordinal and chinese and unit is None:
        return None  # 第一动力, 第一书记: an ordinal word, not a count
    approx = vague or _is_approx(text, match.start(), end, match.group("more") is not None)
    if numeral[0] in "百千万亿" and not approx and not match.group("frac"):
        return None  # 千家万户: a bare magnitude is a count only when marked approximate
    if numeral[:2] in _NEIGHBOURS:
        numeral, approx = numeral[0] + numeral[2:], True
    value = parse_numeral(numeral)
    if value is None:
        return None
    if negative:
        value = -value
    if unit == TENTHS:
        value *= 10
    elif unit == "万元":
        value *= 10_000  # recorded as 元, so its 万 scales the value
    kind, unit = _kind_and_unit(unit, match.group("pct") is not None, ordinal)
    if unit is None and kind == Kind.CARDINAL and _money_context(text, match.start(), end):
        kind = str(Kind.MONEY)
    more_ends = match.group("more") is not None and match.group("moremag") is None
    if unit is None and more_ends and numeral[-1] not in "0123456789万亿":
        end -= 1  # 多 after a bare Chinese numeral starts a word (多措并举), not an approximation
    return NumberMention(text[match.start() : end], match.start(), end, value, unit, kind, approx)


def _money_context(text: str, start: int, end: int) -> bool:
    """A number without a unit before a money noun (3.88亿帮扶资金) or after an amount word."""
    return bool(
        _MONEY_NOUN.match(text, end) or _MONEY_BEFORE.search(text, max(0, start - 6), start)
    )


def _ordinal_in_name(text: str, start: int, end: int, unit: str | None) -> bool:
    """第九督导组, 第六届立法会, 第二十一次会议, 《条例》第十九条: an ordinal inside a name."""
    if text.startswith(ORDINAL_NAME_HEADS, end):
        return True
    if unit in ("届", "次") and _SESSION_NAME.match(text, end):
        return True
    return unit in ("条", "款", "章", "节") and bool(_CITATION.search(text, 0, start))


def _kind_and_unit(unit: str | None, percent: bool, ordinal: bool) -> tuple[str, str | None]:
    """Kind and normalised unit (亿元 -> 元, 个百分点 -> 百分点)."""
    if percent or unit in ("％", TENTHS):
        return str(Kind.PERCENT), "%"
    if unit == "个百分点":
        unit = "百分点"
    elif unit == "万元":
        unit = "元"
    if ordinal or unit == "楼":
        return str(Kind.ORDINAL), unit
    if unit in MONEY_UNITS:
        return str(Kind.MONEY), unit
    if unit in PERCENT_UNITS:
        return str(Kind.PERCENT), unit
    return str(Kind.CARDINAL), unit


def _is_approx(text: str, start: int, end: int, more: bool) -> bool:
    """True when an approximation marker is inside or around the span."""
    return (
        more
        or text.endswith(APPROX_BEFORE, max(0, start - 2), start)
        or text.startswith(APPROX_AFTER, end)
    )


class _Ranges:
    """Sorted, merged char ranges with a fast overlap test."""

    def __init__(self, ranges: Iterable[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for start, end in sorted(ranges):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._starts = [r[0] for r in merged]
        self._ends = [r[1] for r in merged]

    def overlaps(self, start: int, end: int) -> bool:
        """Whether [start, end) overlaps any range."""
        i = bisect.bisect_left(self._ends, start + 1)
        return i < len(self._starts) and self._starts[i] < end


class NumberExtractor:
    """spaCy component: `doc._.numbers`, skipping dates, ORG entities and slogans."""

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text  # spaCy joins every token's text anew on each read
        excluded = [(d.start_char, d.end_char) for d in doc._.dates or ()]
        excluded += [(e.start_char, e.end_char) for e in doc.ents if e.label_ == "ORG"]
        excluded += [(s.start_char, s.end_char) for s in doc.spans.get(SPANS_KEY, ())]
        # 刘景昊一家: 一家 after a person's name is that person's family, not one household
        excluded += [
            (e.end_char, e.end_char + len(FAMILY))
            for e in doc.ents
            if e.label_ == "PERSON" and text.startswith(FAMILY, e.end_char)
        ]
        doc._.numbers = extract_numbers(text, excluded, tagged_measure_words(doc))
        return doc


def tagged_measure_words(doc: Doc) -> dict[int, str]:
    """Measure words by word class: the tokens a tagger marked `q` right after a numeral (`m`),
    by char offset, durations left out. Empty when the pipeline has no tagger."""
    # Read from the doc's arrays: a Token object per token costs more than the rest.
    strings = doc.vocab.strings
    measure, numeral = strings["q"], strings["m"]
    words = [
        (tag, idx, text)
        for orth, tag, idx in doc.to_array(["ORTH", "TAG", "IDX"]).tolist()
        if not (text := strings[orth]).isspace()
    ]
    return {
        idx: text
        for (before, _, _), (tag, idx, text) in itertools.pairwise(words)
        if tag == measure and before == numeral and text not in TIME_UNITS
    }


if not Doc.has_extension("numbers"):
    Doc.set_extension("numbers", default=None)


@Language.factory("zhnews_numbers")
def make_number_extractor(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    """Create the number component; it has no settings and no weights."""
    return NumberExtractor()
