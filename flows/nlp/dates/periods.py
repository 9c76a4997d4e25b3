"""Find and normalise temporal expressions in cleaned Simplified-Chinese news.

`extract_dates` returns `DateMention`s with exact character offsets, resolved against the
publication date by the rules of ANNOTATION.md (Dates) and CONTRACT.md (dates table):

* calendar dates (`2022年3月27日`, `二〇二二年三月`, `2022-03-28`, `3月27日下午`, `10日`), with a
  missing year taken so that the date lies closest to the publication date;
* relative days, weeks, months and years (`昨天`, `上周五`, `本月15日`, `去年12月`, `前年`);
* relative spans (`近三年`, `未来两天`, `今明两日`), decades (`八十年代`, `上世纪九十年代`),
  five-year plans (`“十四五”时期` = 2021-2025), year and month ranges (`2019-2021年`,
  `今年1-5月`), short years (`九八年`), day-first numeric dates (`7.3.2021`), weekends (`上周末`)
  and 同期, which takes the period it is compared with in the sentence (`去年同期`);
* periods (`一季度`, `上半年`, `3月下旬`, `2019年底`, `年内`), open ranges (`今年以来`,
  `自1月27日开始`, `…起`: start to publication date) and closed ranges (`3月28日至4月3日`);
* holidays, festivals and commemorative days for any year (`春节`, `重阳`, `护士节`,
  `“五一”期间`; flows/nlp/festivals.py) and lunar dates (`农历八月十五`, `正月初一`);
* frequencies (`每日` -> P1D, grain `duration`), vague references (`目前`, `近日`, grain
  `relative-unresolved`) and bare parts of day (`午间`, grain `time`), all with null dates.

Durations (`24小时`, `半天`) are not dates and are never matched; neither are event-anchored
expressions (`进驻以来`, `疫情期间`) nor idioms (`第一时间`, `全天候`, `七天七检`).

The spaCy component `zhnews_dates` stores the mentions in `doc._.dates` rather than in
`doc.spans`: pkuseg tokens do not always align with these spans (`3月27日下午` may be cut inside
a token), and the output contract wants exact character offsets, which a Span would lose.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from spacy.language import Language
from spacy.tokens import Doc

from flows.nlp import festivals
from flows.nlp.numerals import parse_numeral
from flows.store.records import DateMention


class Grain(StrEnum):
    """The `grain` column of the dates table."""

    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    RANGE = "range"
    DURATION = "duration"
    UNRESOLVED = "relative-unresolved"
    TIME = "time"


HOLIDAY_NAMES = "|".join(festivals.NAMES)

_CN = "〇零一二两三四五六七八九"
_MONTH = r"1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九]"
_DAY = (
    r"3[01]|[12]\d|0?[1-9]|三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?"
    r"|廿[一二三四五六七八九]?|[一二三四五六七八九]"
)
_PART_OF_DAY = "凌晨|清晨|早上|早晨|上午|中午|午间|午后|下午|傍晚|晚上|晚间|夜间|夜里|深夜"
_CLOCK = r"\d{1,2}(?:[时点](?:\d{1,2}分|半|钟)?|:\d{2}(?::\d{2})?时?)许?"


def _any_of(*groups: str) -> str:
    """Regex conditional that fails unless at least one of `groups` took part in the match."""
    return "".join(f"(?({g})|" for g in groups) + "(?!)" + ")" * len(groups)


# Every date starts with one of these; testing it first keeps the scan fast.
_FIRST_CHARS = "".join(
    sorted(
        set(
            _CN
            + "0123456789十廿首年今去前明后本上下这当次大昨翌周星礼截目近连日每凌清早中午"
            + "傍晚夜第“全农阴正冬腊过未最"
            + HOLIDAY_NAMES
        )
    )
)
_ATOM = re.compile(
    rf"""
    (?=[{_FIRST_CHARS}])
    (?:(?P<iso>(?<!\d)(?P<iy>\d{{4}})(?P<isep>[-/.])(?P<im>1[0-2]|0?[1-9])(?P=isep)(?P<id>3[01]|[12]\d|0?[1-9])(?![\d.]))
    |(?P<hol>(?:(?P<hy>\d{{4}})年|(?P<hyrel>今|去|明)年)?(?P<hq>“)?(?P<h>{HOLIDAY_NAMES})(?(hq)”))
    |(?P<years>(?<!\d)(?P<ya>\d{{4}})\s?(?:-|—|－|~|～|至|到)\s?(?P<yb>\d{{4}})年)
    |(?P<dmy>(?<![\d.])(?P<dd>3[01]|[12]\d|0?[1-9])\.(?P<dm>1[0-2]|0?[1-9])\.(?P<dy>\d{{4}})(?![\d.]))
    |(?P<months>(?:(?P<msy>\d{{4}})年|(?P<msrel>今|去|明)年)?(?<!\d)(?P<ma>1[0-2]|[1-9])\s?(?:-|—|－|~|～|至|到)\s?(?P<mb>1[0-2]|[1-9])月份?)
    |(?P<decade>(?P<cent>上个?世纪|20世纪|二十世纪|本世纪|21世纪|二十一世纪)?(?P<dec>[一二三四五六七八九]十|[1-9]0)年代)
    |(?P<plan>(?P<pq>“)?十(?P<pn>[一二三四五六七八九])五(?(pq)”)(?:时期)?)
    |(?P<span>(?:(?P<sdir>近|过去|最近|未来|今后)(?P<sn>\d{{1,3}}|[一二两三四五六七八九十]{{1,3}})(?P<su>年|个月|个星期|周|天|日)(?![以来前后内]))
      |今明两[天日])
    |(?P<lunar>(?=(?:\d{{4}}年|[今去明]年)?(?:农历|阴历)|[正冬腊]月|(?:十[一二]?|[一二三四五六七八九])月初)
      (?:(?P<ly>\d{{4}})年|(?P<lyrel>[今去明])年)?(?:农历|阴历)?(?P<lm>十[一二]?|[正一二三四五六七八九冬腊])月
      (?P<ld>初[一二三四五六七八九十]|二十[一二三四五六七八九]?|廿[一二三四五六七八九]|三十|十[一二三四五六七八九]?)(?![日号\d]))
    |(?P<cal>(?<![\d{_CN}十百千万.])
      (?:(?:(?P<y>\d{{4}}|\d{{2}}|[〇零一二三四五六七八九]{{4}}|[〇零一二三四五六七八九]{{2}})|(?P<yrel>今|去|前|明|后|本|上一|上|下|次|全))年)?
      (?:(?:(?P<m>{_MONTH})|(?P<mrel>本|上一个|上个|下个|这个|上|下|当))月份?)?
      (?:(?P<d>{_DAY})[日号])?
      (?:(?:第|(?P<qrel>上个|上|本|这个|下个|下))?(?P<q>[一二三四1-4首])?(?:季度|(?<=首)季)(?P<qp>末|初)?|(?P<half>上|下)半年|前(?P<qn>[一二三两])个?季度
        |前(?P<mn>[一二三四五六七八九十两]{{1,2}})个?月|(?P<yp>年底|年初|年末|年中|年内|底|初|末|伊始|内)
        |(?P<mp>上旬|中旬|下旬|上半月|下半月|月初|月底|月末)|前(?P<wkn>[一二两三四])周)?
      {_any_of("y", "yrel", "m", "mrel", "d", "q", "qrel", "half", "qn", "yp")})
    |(?P<rel>大前天|大后天|前天|本日|前日|昨天|昨日|昨晚|今天|今日|今晨|今晚|明天|明日|后天|当天|当日|当晚|次日|翌日)
    |(?P<week>(?<![\d一二两三四五六七八九十几每])(?P<wrel>上上|下下|上一|上个|下个|上|下|本|这)?
      (?:周|星期|礼拜)(?:(?P<wend>末)|(?:周|星期)?(?P<wd>[一二三四五六日天1-7]))?
      {_any_of("wrel", "wd")})
    |(?P<vague>截至目前为止|截至目前|截止目前|目前|近日|近期|连日来|日前|近来|近年来|当前(?=[，,、]|正|仍|已|我|全|各|要))
    |(?P<freq>每日|每天|每周|每月|每年)
    |(?P<tod>{_PART_OF_DAY}))
    """,
    re.VERBOSE,
)
# What may follow a day: a parenthesised date (今天（1月8日）), a part of day, a clock time.
_DAY_TAIL = re.compile(
    rf"(?:（(?P<pm>\d{{1,2}})月(?P<pd>\d{{1,2}})日）)?(?:（?(?:星期|周)[一二三四五六日天]）?)?"
    rf"(?:{_PART_OF_DAY})?(?:{_CLOCK})?"
)
_RANGE_JOIN = re.compile(r"起?\s?(?:至|到|——|—|－|-|~|～)\s?")
_OPEN_SUFFIX = re.compile(r"以来|至今|到现在|起|开始|期间")
_BARE_DAY_BEFORE = frozenset("近每前后第连续数余多个约")
_BARE_DAY_AFTER = re.compile(
    r"[日号](?:内|后|以内|之内|以后|左右|楼|线|院|文|令|房|床|车|机|馆|门|口|位)"
)

WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
REL_DAYS = {
    "大前天": -3, "前天": -2, "昨天": -1, "昨日": -1, "昨晚": -1, "今天": 0, "今日": 0,
    "今晨": 0, "今晚": 0, "本日": 0, "前日": -2, "明天": 1, "明日": 1, "后天": 2, "大后天": 3,
}  # fmt: skip
# Days relative to the day the text last talked about (当天 = that day).
CONTEXT_DAYS = {"当天": 0, "当日": 0, "当晚": 0, "次日": 1, "翌日": 1}
REL_YEARS = {
    "今": 0,
    "本": 0,
    "全": 0,  # 全年: the whole current year
    "去": -1,
    "上": -1,
    "上一": -1,
    "前": -2,
    "明": 1,
    "下": 1,
    "次": 1,
    "后": 2,
}
REL_MONTHS = {"本": 0, "这个": 0, "当": 0, "上": -1, "上个": -1, "上一个": -1, "下": 1, "下个": 1}
REL_QUARTERS = {"本": 0, "这个": 0, "上": -1, "上个": -1, "下": 1, "下个": 1}
REL_WEEKS = {
    "上上": -2,
    "下下": 2,
    "上": -1,
    "上一": -1,
    "上个": -1,
    "下": 1,
    "下个": 1,
    "本": 0,
    "这": 0,
    None: 0,
}
FREQUENCIES = {"每日": "P1D", "每天": "P1D", "每周": "P1W", "每月": "P1M", "每年": "P1Y"}
UNKNOWN_YEAR = 2000  # a leap year standing in for an unknown publication year


@dataclass(frozen=True, slots=True)
class Anchor:
    """What relative expressions resolve against.

    `day` is the publication date (with the stand-in year when `year_known` is False), or
    None when nothing is known. `today` is the day 今天 means: the reported event's day when
    the text fixes it, else the publication date.
    """

    day: dt.date | None
    year_known: bool
    today: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Period:
    """A resolved stretch of calendar: inclusive days, its grain and how to write its value."""

    start: dt.date
    end: dt.date
    grain: Grain
    label: str  # value with the year as "{Y}": "{Y}-03", "{Y}-Q1"; "" means start/end
    year_known: bool

    def value(self) -> str:
        """TimeML-like value, with XXXX for an unknown year."""
        if self.label:
            return self.label.replace("{Y}", str(self.start.year) if self.year_known else "XXXX")
        return f"{self._iso(self.start)}/{self._iso(self.end)}"

    def _iso(self, day: dt.date) -> str:
        return day.isoformat() if self.year_known else "XXXX" + day.isoformat()[4:]

    def to_mention(self, text: str, start: int, end: int) -> DateMention:
        """The mention for `text[start:end]`; dates are null when the year is unknown."""
        known = self.year_known
        return DateMention(
            text=text[start:end],
            start_char=start,
            end_char=end,
            value=self.value(),
            date_start=self.start if known else None,
            date_end=self.end if known else None,
            grain=str(self.grain),
        )


def _label(day: dt.date) -> str:
    """Day value with the year left as a placeholder."""
    return "{Y}" + day.isoformat()[4:]


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _closest_year(anchor: dt.date, month: int, day: int) -> int:
    """The year that puts month/day closest to `anchor` (12月31日 read on 2022-01-03 -> 2021)."""

    def distance(year: int) -> int:
        safe_day = min(day, calendar.monthrange(year, month)[1])
        return abs((dt.date(year, month, safe_day) - anchor).days)

    if (month, day) == (2, 29):
        # Only a leap year has the day: the closest one, up to four years away.
        return min((y for y in range(anchor.year - 4, anchor.year + 5) if calendar.isleap(y)),
                   key=distance)  # fmt: skip
    return min((anchor.year - 1, anchor.year, anchor.year + 1), key=distance)


def _number(token: str) -> int | None:
    """Integer value of a date numeral (`27`, `二十七`, `二〇二二`)."""
    value = parse_numeral(token)
    return None if value is None else int(value)


def _year(match: re.Match[str], anchor: Anchor) -> tuple[int | None, bool]:
    """Year written in a calendar match: (year, known), (None, True) when not written."""
    if (written := match.group("y")) is not None:
        year = _number(written)
        if year is not None and len(written) == 2:
            base = anchor.day.year if anchor.day and anchor.year_known else 2030
            year += 2000 if 2000 + year <= base + 10 else 1900
        return year, True
    if (rel := match.group("yrel")) is not None:
        if anchor.day is None:
            # 今年以来 with no publication date is still a year: XXXX, dates left null.
            return UNKNOWN_YEAR, False
        return anchor.day.year + REL_YEARS[rel], anchor.year_known
    return None, True


def _year_period(
    match: re.Match[str], year: int, known: bool, today: dt.date | None
) -> Period | None:
    """Periods of a year: quarters, halves, 前三季度, 年底, 年内, or the whole year."""
    if match.group("q") is not None or match.group("qrel") is not None:
        quarter = _quarter(match, year, today)
        if quarter is None:
            return None
        year, quarter = quarter
        first = 3 * quarter - 2
        if (edge := match.group("qp")) is not None:
            month = first if edge == "初" else first + 2
            return Period(dt.date(year, month, 1), _month_end(year, month), Grain.MONTH,
                          f"{{Y}}-{month:02d}", known)  # fmt: skip
        return Period(dt.date(year, first, 1), _month_end(year, first + 2), Grain.QUARTER,
                      f"{{Y}}-Q{quarter}", known)  # fmt: skip
    if (half := match.group("half")) is not None:
        first = 1 if half == "上" else 7
        return Period(dt.date(year, first, 1), _month_end(year, first + 5), Grain.RANGE,
                      f"{{Y}}-H{1 if first == 1 else 2}", known)  # fmt: skip
    if (count := match.group("qn") or match.group("mn")) is not None:
        months = (_number(count) or 0) * (3 if match.group("qn") else 1)
        if not 1 <= months <= 12:
            return None
        return Period(dt.date(year, 1, 1), _month_end(year, months), Grain.RANGE, "", known)
    span = {
        "年底": (11, 12), "底": (11, 12), "年末": (11, 12), "末": (11, 12),
        "年初": (1, 2), "初": (1, 2), "伊始": (1, 1), "年中": (6, 7),
    }.get(match.group("yp") or "")  # fmt: skip
    if span is not None:
        return Period(dt.date(year, span[0], 1), _month_end(year, span[1]), Grain.RANGE, "", known)
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), Grain.YEAR, "{Y}", known)


def _quarter(match: re.Match[str], year: int, today: dt.date | None) -> tuple[int, int] | None:
    """(year, quarter) of 一季度 / 首季度 / 上个季度: relative ones count from the anchor month."""
    if (rel := match.group("qrel")) is None:
        q = match.group("q")
        return year, (1 if q == "首" else _number(q) or 0)
    if match.group("q") is not None or match.group("y") or match.group("yrel") or today is None:
        return None
    index = today.year * 4 + (today.month - 1) // 3 + REL_QUARTERS[rel]
    return index // 4, index % 4 + 1


def _month_period(year: int, month: int, part: str | None, known: bool) -> Period:
    """A month, or its 上旬/中旬/下旬/初/底 part."""
    last = _month_end(year, month)
    first_day, last_day = {
        "上旬": (1, 10), "中旬": (11, 20), "下旬": (21, last.day), "初": (1, 5),
        "月初": (1, 5), "底": (25, last.day), "末": (25, last.day), "月底": (25, last.day),
        "月末": (25, last.day),
        "上半月": (1, 15), "下半月": (16, last.day),
    }.get(part or "", (0, 0))  # fmt: skip
    if not first_day:
        return Period(dt.date(year, month, 1), last, Grain.MONTH, f"{{Y}}-{month:02d}", known)
    return Period(dt.date(year, month, first_day), dt.date(year, month, last_day), Grain.RANGE,
                  "", known)  # fmt: skip


def _day(year: int, month: int, day: int, known: bool) -> Period | None:
    """A single day, or None when it is not on the calendar."""
    if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]):
        return None
    date = dt.date(year, month, day)
    return Period(date, date, Grain.DAY, _label(date), known)


def _calendar(match: re.Match[str], anchor: Anchor, base: Period | None) -> Period | None:
    """Resolve a calendar match; `base` supplies year/month to the end of a range (至5日)."""
    year, known = _year(match, anchor)
    if year is None and not known:
        return None
    month_text, day_text = match.group("m"), match.group("d")
    month = _number(month_text) if month_text else None
    day = _number(day_text) if day_text else None
    if (mrel := match.group("mrel")) is not None:
        if anchor.day is None:
            return None
        index = anchor.day.year * 12 + anchor.day.month - 1 + REL_MONTHS[mrel]
        year, month, known = index // 12, index % 12 + 1, anchor.year_known
    if not _has_required_year(match):
        return None
    if month is None and day is None:
        if year is None:
            if anchor.day is None:
                year, known = UNKNOWN_YEAR, False
            else:
                year, known = anchor.day.year, anchor.year_known
        return _year_period(match, year, known, anchor.day)
    if month is None:
        if not _is_plain_day(match, base):
            return None
        ref = base.start if base else anchor.day
        if ref is None or day is None:
            return None
        return _day(ref.year, ref.month, day, base.year_known if base else anchor.year_known)
    if month is None or not 1 <= month <= 12:
        return None
    if year is None:
        year, known = _infer_year(month, day or 15, anchor, base)
    if day is None and (weeks := match.group("wkn")) is not None:
        first = dt.date(year, month, 1)
        last = min(
            first + dt.timedelta(weeks=_number(weeks) or 1, days=-1), _month_end(year, month)
        )
        return Period(first, last, Grain.RANGE, "", known)
    if day is None:
        return _month_period(year, month, match.group("mp") or match.group("yp"), known)
    return _day(year, month, day, known)


def _has_required_year(match: re.Match[str]) -> bool:
    """底/初/末/内 need a year or month, 前N个月 a year, a two-digit year a month or period."""
    has_year = any(match.group(g) is not None for g in ("y", "yrel", "m", "mrel"))
    if not has_year and (
        match.group("mn") or match.group("yp") in ("底", "初", "末", "伊始", "内")
    ):
        return False
    written = match.group("y")
    if written is not None and len(written) == 2 and written.isdigit():
        periods = ("m", "mrel", "q", "half", "qn", "mn", "yp")
        return any(match.group(g) for g in periods)
    return True


def _infer_year(month: int, day: int, anchor: Anchor, base: Period | None) -> tuple[int, bool]:
    """Year for a month/day written without one: from the range start, else closest to anchor."""
    if base is not None:
        year = base.start.year
        return (year + 1 if (month, day) < (base.start.month, base.start.day) else year,
                base.year_known)  # fmt: skip
    if anchor.day is None:
        return UNKNOWN_YEAR, False
    return _closest_year(anchor.day, month, day), anchor.year_known


def _is_plain_day(match: re.Match[str], base: Period | None) -> bool:
    """A day without month (10日) is a date only in Arabic digits and outside durations."""
    if match.group("y") or match.group("yrel") or match.group("yp"):
        return False
    if base is not None:
        return True
    if not match.group("d").isdigit():
        return False
    text, start = match.string, match.start()
    if start and text[start - 1] in _BARE_DAY_BEFORE:
        return False
    return _BARE_DAY_AFTER.match(text, match.end() - 1) is None


def _holiday(match: re.Match[str], anchor: Anchor, during: bool) -> Period | None:
    """A named holiday in its year; with 期间 the official holiday."""
    name = match.group("h")
    if (written := match.group("hy")) is not None:
        years, known = [int(written)], True
    elif (rel := match.group("hyrel")) is not None:
        if anchor.day is None:
            return None
        years, known = [anchor.day.year + REL_YEARS[rel]], anchor.year_known
    elif anchor.day is None:
        years, known = [UNKNOWN_YEAR], False
    else:
        years, known = (
            [anchor.day.year - 1, anchor.day.year, anchor.day.year + 1],
            anchor.year_known,
        )
    candidates = [p for year in years if (p := _holiday_in(name, year, during, known))]
    if not candidates:
        return None
    if anchor.day is None or len(candidates) == 1:
        return candidates[0]
    return min(candidates, key=lambda p: abs((p.start - anchor.day).days))


def _holiday_in(name: str, year: int, during: bool, known: bool) -> Period | None:
    """The holiday `name` in `year` (a day, or its official holiday when `during`)."""
    if not known and name not in festivals.SOLAR_DAYS:
        return None  # a lunar festival cannot be placed without its year
    span = festivals.holiday_span(name, year) if during else None
    if span is not None and span[0] != span[1]:
        return Period(span[0], span[1], Grain.RANGE, "", known)
    day = festivals.festival_day(name, year)
    if day is None:
        return None
    return Period(day, day, Grain.DAY, _label(day), known)


def _lunar(match: re.Match[str], anchor: Anchor) -> Period | None:
    """A lunar date (农历八月十五, 正月初一): in its written lunar year, else the closest one."""
    month = festivals.LUNAR_MONTHS[match.group("lm")]
    day = _number(match.group("ld").removeprefix("初"))
    if day is None:
        return None
    if (written := match.group("ly")) is not None:
        years, known = [int(written)], True
    elif anchor.day is None:
        return None
    elif (rel := match.group("lyrel")) is not None:
        years, known = [anchor.day.year + REL_YEARS[rel]], anchor.year_known
    else:
        this = festivals.lunar_year(anchor.day)
        years, known = [this - 1, this, this + 1], anchor.year_known
    days = [d for year in years if (d := festivals.lunar_to_solar(year, month, day))]
    if not days:
        return None
    solar = days[0] if anchor.day is None else min(days, key=lambda d: abs((d - anchor.day).days))
    return Period(solar, solar, Grain.DAY, solar.isoformat(), known)


_SENTENCE_BREAK = re.compile(r"[。！？!?\n]")


def _replace_year(day: dt.date, year: int) -> dt.date:
    """`day` in `year` (29 February becomes the 28th in a common year)."""
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def _decade(match: re.Match[str], anchor: Anchor) -> Period | None:
    """八十年代: 1980-1989, in the century written, else the most recent past one."""
    tens = _number(match.group("dec"))
    if tens is None:
        return None
    century = match.group("cent")
    if century is not None:
        first = (2000 if century in ("本世纪", "21世纪", "二十一世纪") else 1900) + tens
    elif anchor.day is not None and anchor.year_known:
        first = 2000 + tens if 2000 + tens <= anchor.day.year else 1900 + tens
    else:
        return None
    return Period(dt.date(first, 1, 1), dt.date(first + 9, 12, 31), Grain.RANGE, "", True)


# The third five-year plan began in 1966 and every later one five years after it.
_THIRD_PLAN_START = 1966


def _five_year_plan(number: int) -> Period | None:
    """十四五 (时期): the years of the fourteenth five-year plan, 2021-2025."""
    if number < 3:
        return None
    first = _THIRD_PLAN_START + 5 * (number - 3)
    return Period(dt.date(first, 1, 1), dt.date(first + 4, 12, 31), Grain.RANGE, "", True)


def _relative_span(match: re.Match[str], anchor: Anchor) -> Period | None:
    """近三年 (N units ending the day before publication), 未来两天 (N units after it)."""
    if anchor.day is None:
        return None
    today, one_day = anchor.day, dt.timedelta(days=1)
    if match.group("sdir") is None:  # 今明两日
        return Period(today, today + one_day, Grain.RANGE, "", anchor.year_known)
    count = _number(match.group("sn"))
    if not count:
        return None
    unit = match.group("su")
    future = match.group("sdir") in ("未来", "今后")
    sign = 1 if future else -1
    if unit == "年":
        moved = _shift_months(today, sign * 12 * count)
    elif unit == "个月":
        moved = _shift_months(today, sign * count)
    else:
        moved = today + sign * dt.timedelta(days=count * (7 if unit in ("周", "个星期") else 1))
    if future:
        start, end = today + one_day, moved
    else:
        start, end = moved, today - one_day
    return Period(start, end, Grain.RANGE, "", anchor.year_known)


def _shift_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months, clamped to the target month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _week(match: re.Match[str], anchor: Anchor) -> Period | None:
    """上周五, 下周一, 本周, 周三: weeks run Monday to Sunday around the anchor."""
    if anchor.day is None or not anchor.year_known:
        return None
    monday = anchor.day - dt.timedelta(days=anchor.day.weekday())
    monday += dt.timedelta(weeks=REL_WEEKS[match.group("wrel")])
    weekday = match.group("wd")
    if match.group("wend") is not None:
        return Period(monday + dt.timedelta(days=5), monday + dt.timedelta(days=6), Grain.RANGE,
                      "", True)  # fmt: skip
    if weekday is None:
        return Period(monday, monday + dt.timedelta(days=6), Grain.RANGE, "", True)
    offset = int(weekday) - 1 if weekday.isdigit() else WEEKDAYS[weekday]
    day = monday + dt.timedelta(days=offset)
    return Period(day, day, Grain.DAY, day.isoformat(), True)


def _relative_day(word: str, anchor: Anchor, context: dt.date | None) -> Period | None:
    """今天/昨天/当天…: days from today, or from the day the text last named."""
    if word in CONTEXT_DAYS:
        ref, offset = context or anchor.today, CONTEXT_DAYS[word]
    else:
        ref, offset = anchor.today, REL_DAYS[word]
    if ref is None:
        return None
    day = ref + dt.timedelta(days=offset)
    return Period(day, day, Grain.DAY, _label(day), anchor.year_known)


@dataclass(slots=True)
class _Scanner:
    """One pass over a text: turns regex matches into mentions, tracking the day in context."""

    text: str
    anchor: Anchor
    context: dt.date | None = None
    # The last period shorter than a year and where it ended: what 去年同期 compares with.
    compared: tuple[Period, int] | None = None

    def resolve(
        self, match: re.Match[str], base: Period | None = None, during: bool = False
    ) -> Period | None:
        """The period a date match denotes (None for unresolvable or non-calendar matches)."""
        kind = match.lastgroup
        if kind == "iso":
            return _day(
                int(match.group("iy")), int(match.group("im")), int(match.group("id")), True
            )
        if kind == "cal":
            return _calendar(match, self.anchor, base)
        if kind == "hol":
            return _holiday(match, self.anchor, during)
        if kind == "lunar":
            return _lunar(match, self.anchor)
        if kind == "years":
            first, last = int(match.group("ya")), int(match.group("yb"))
            if last < first:
                return None
            return Period(dt.date(first, 1, 1), dt.date(last, 12, 31), Grain.RANGE, "", True)
        if kind == "dmy":
            return _day(
                int(match.group("dy")), int(match.group("dm")), int(match.group("dd")), True
            )
        if kind == "months":
            return self._months(match)
        if kind == "decade":
            return _decade(match, self.anchor)
        if kind == "plan":
            return _five_year_plan(int(_number("十" + match.group("pn")) or 0))
        if kind == "span":
            return _relative_span(match, self.anchor)
        if kind == "rel":
            return _relative_day(match.group(), self.anchor, self.context)
        if kind == "week":
            return _week(match, self.anchor)
        return None

    def mentions(self) -> list[DateMention]:
        """All date mentions of the text, left to right, non-overlapping."""
        out: list[DateMention] = []
        pos = 0
        while (match := _ATOM.search(self.text, pos)) is not None:
            mention = self._mention(match)
            if mention is None:
                pos = match.start() + 1
                continue
            out.append(mention)
            pos = mention.end_char
        return out

    def _mention(self, match: re.Match[str]) -> DateMention | None:
        """Build the mention starting at `match`, extended by its range end, tail and suffix."""
        text, kind = self.text, match.lastgroup
        if kind in ("vague", "freq", "tod"):
            value = FREQUENCIES.get(match.group()) if kind == "freq" else None
            grain = {"vague": Grain.UNRESOLVED, "freq": Grain.DURATION, "tod": Grain.TIME}[kind]
            return DateMention(
                match.group(), match.start(), match.end(), value, None, None, str(grain)
            )
        end = match.end()
        if text.startswith("同期", end) and kind == "cal" and match.group("yrel"):
            return self._same_period(match)
        during = kind == "hol" and text.startswith("期间", end)
        period = self.resolve(match, during=during)
        if period is None:
            if kind in ("rel", "week") and self.anchor.day is None:
                # 今天 with no publication date: still a date mention, just not placeable.
                return DateMention(
                    match.group(), match.start(), end, None, None, None, str(Grain.UNRESOLVED)
                )
            return None
        start = match.start()
        if period.grain == Grain.DAY:
            end, period = self._day_tail(end, period)
        if (joined := self._range_end(end, period)) is not None:
            end, period = joined
        prefixed = start > 0 and text[start - 1] in "自从"
        if suffix := _OPEN_SUFFIX.match(text, end):
            word = suffix.group()
            if word == "期间":
                end = suffix.end()
                if not during:
                    period = Period(period.start, period.end, Grain.RANGE, "", period.year_known)
            elif word != "开始" or prefixed:
                end, period = suffix.end(), self._open_range(period)
                start -= 1 if prefixed else 0
        if period.grain == Grain.DAY:
            self.context = period.start
        if period.grain != Grain.YEAR:
            self.compared = (period, end)
        return period.to_mention(text, start, end)

    def _months(self, match: re.Match[str]) -> Period | None:
        """今年1-5月: whole months of one year, the year written, relative or the anchor's."""
        first, last = int(match.group("ma")), int(match.group("mb"))
        if last < first:
            return None
        if (written := match.group("msy")) is not None:
            year, known = int(written), True
        elif self.anchor.day is None:
            return None
        else:
            rel = match.group("msrel")
            year = self.anchor.day.year + (REL_YEARS[rel] if rel else 0)
            known = self.anchor.year_known
        return Period(dt.date(year, first, 1), _month_end(year, last), Grain.RANGE, "", known)

    def _same_period(self, match: re.Match[str]) -> DateMention:
        """去年同期: the period compared with in the same sentence, moved to that year."""
        end = match.end() + len("同期")
        year_period = self.resolve(match)
        compared = self.compared
        if (
            year_period is None
            or compared is None
            or _SENTENCE_BREAK.search(self.text, compared[1], match.start())
        ):
            return DateMention(
                self.text[match.start() : end], match.start(), end, None, None, None,
                str(Grain.UNRESOLVED),
            )  # fmt: skip
        period, _ = compared
        shift = year_period.start.year - period.start.year
        moved = Period(
            _replace_year(period.start, period.start.year + shift),
            _replace_year(period.end, period.end.year + shift),
            Grain.RANGE, "", period.year_known and year_period.year_known,
        )  # fmt: skip
        return moved.to_mention(self.text, match.start(), end)

    def _day_tail(self, end: int, period: Period) -> tuple[int, Period]:
        """Attach （1月8日）, a part of day and a clock time to a day."""
        tail = _DAY_TAIL.match(self.text, end)
        if tail.group("pm") is not None:
            year = period.start.year
            fixed = _day(year, int(tail.group("pm")), int(tail.group("pd")), period.year_known)
            period = fixed or period
        return tail.end(), period

    def _range_end(self, end: int, period: Period) -> tuple[int, Period] | None:
        """`A至B`: the closed range, B completed from A (3月28日至4月3日, 5月1日至5日)."""
        join = _RANGE_JOIN.match(self.text, end)
        if join is None:
            return None
        second = _ATOM.match(self.text, join.end())
        if second is None or second.lastgroup not in ("iso", "cal", "hol", "lunar", "rel", "week"):
            return None
        last = self.resolve(second, base=period)
        if last is None or last.end < period.start:
            return None
        stop = second.end()
        if last.grain == Grain.DAY:
            stop, last = self._day_tail(stop, last)
        known = period.year_known and last.year_known
        return stop, Period(period.start, last.end, Grain.RANGE, "", known)

    def _open_range(self, period: Period) -> Period:
        """`X以来` / `X起`: from the start of X to the publication date."""
        pub = self.anchor.day
        if pub is None:
            # No publication date: the range has no known end (XXXX-01-01/XXXX-XX-XX).
            label = f"{period._iso(period.start)}/XXXX-XX-XX"
            return Period(period.start, period.end, Grain.RANGE, label, False)
        if pub < period.start:
            return Period(period.start, period.end, Grain.RANGE, "", period.year_known)
        return Period(
            period.start, pub, Grain.RANGE, "", period.year_known and self.anchor.year_known
        )


def _anchor(text: str, published: dt.datetime | None, partial: str | None) -> Anchor:
    """The publication anchor, with 今天 moved to the reported event's day when the text fixes it.

    News reposted a day or two after an event opens with the event's date (3月27日下午，…召开
    发布会) and then says 今日 for that day; so the first calendar day of the text, when it lies
    1-3 days before publication, is what 今天 means.
    """
    if published is not None:
        day, known = published.date(), True
    elif partial and (m := re.fullmatch(r"XXXX-(\d\d)-(\d\d)", partial)):
        try:
            day, known = dt.date(UNKNOWN_YEAR, int(m.group(1)), int(m.group(2))), False
        except ValueError:
            return Anchor(None, False)
    else:
        return Anchor(None, False)
    base = Anchor(day, known, day)
    first = _first_explicit_day(text, base)
    if first is not None and 1 <= (day - first).days <= 3:
        return Anchor(day, known, first)
    return base


def _first_explicit_day(text: str, anchor: Anchor) -> dt.date | None:
    """The first written calendar day (month and day given) before any relative day word."""
    scanner = _Scanner(text, anchor)
    for match in _ATOM.finditer(text):
        if match.lastgroup == "rel":
            return None
        if match.lastgroup in ("iso", "cal") and (match.lastgroup == "iso" or match.group("m")):
            period = scanner.resolve(match)
            if period is not None and period.grain == Grain.DAY:
                return period.start
    return None


def extract_dates(
    text: str, published: dt.datetime | None, published_partial: str | None = None
) -> list[DateMention]:
    """Date mentions of `text`, resolved against `published` (or `published_partial`)."""
    return _Scanner(text, _anchor(text, published, published_partial)).mentions()


def _register_extensions() -> None:
    """Doc attributes the date and number components read and write."""
    for name in ("published", "published_partial", "dates"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


_register_extensions()


# Publication times are read on Shanghai's calendar (CONTRACT: documents.published_date).
SHANGHAI = ZoneInfo("Asia/Shanghai")


class DateExtractor:
    """spaCy component: `doc._.dates` from the text and `doc._.published`/`published_partial`."""

    def __call__(self, doc: Doc) -> Doc:
        published = doc._.published
        # Calendar days are Shanghai's: an aware time is converted, a naive one is local.
        if published is not None and published.tzinfo is not None:
            published = published.astimezone(SHANGHAI)
        doc._.dates = extract_dates(doc.text, published, doc._.published_partial)
        return doc


@Language.factory("zhnews_dates")
def make_date_extractor(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    """Create the date component; it has no settings and no weights."""
    return DateExtractor()
