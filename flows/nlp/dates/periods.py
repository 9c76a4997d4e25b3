"""Date resolution: the calendar period (`Period`) a grammar match denotes, against the
publication `Anchor`: calendar dates, periods of a year or month, holidays, lunar dates,
decades, five-year plans, relative spans, weeks and days.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from flows.nlp import festivals
from flows.nlp.dates.grammar import (
    _BARE_DAY_AFTER,
    _BARE_DAY_BEFORE,
    REL_MONTHS,
    REL_QUARTERS,
    REL_YEARS,
    YEAR_PARTS,
)
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


UNKNOWN_YEAR = 2000  # a leap year standing in for an unknown publication year
# How far ahead a festival or leap day without its year may lie before the past one is taken.
_NEAR_FUTURE_DAYS = 90


@dataclass(frozen=True, slots=True)
class Anchor:
    """What relative expressions resolve against.

    `day` is the publication date (with the stand-in year when `year_known` is False), or
    None when nothing is known. `today` is the day 今天 means: the reported event's day when
    the text fixes it, else the publication date. `this_year_named` is set once the text has
    named the publication year (今年, 2020年 in 2020): a month or day without its year is then
    not placed in the next year.
    """

    day: dt.date | None
    year_known: bool
    today: dt.date | None = None
    this_year_named: bool = False


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
        # Only a leap year has the day: the last one, unless the next one is near.
        leap = [y for y in range(anchor.year - 4, anchor.year + 5) if calendar.isleap(y)]
        past = [y for y in leap if dt.date(y, 2, 29) <= anchor]
        soon = [y for y in leap if 0 < (dt.date(y, 2, 29) - anchor).days <= _NEAR_FUTURE_DAYS]
        return soon[0] if soon or not past else past[-1]
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
    span = YEAR_PARTS.get(match.group("yp") or "")
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
    """A month, or its 上旬/中旬/下旬/初/底 part or its n-th week (首周, 第二周)."""
    last = _month_end(year, month)
    first_day, last_day = {
        "上旬": (1, 10), "中旬": (11, 20), "下旬": (21, last.day), "初": (1, 5),
        "上中旬": (1, 20), "中下旬": (11, last.day),
        "月初": (1, 5), "底": (25, last.day), "末": (25, last.day), "月底": (25, last.day),
        "月末": (25, last.day),
        "上半月": (1, 15), "下半月": (16, last.day),
        # a month's n-th week: its n-th seven days, as 上旬 is its first ten
        "首周": (1, 7), "第一周": (1, 7), "第二周": (8, 14), "第三周": (15, 21), "第四周": (22, 28),
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
    if month is None and day is None and year is None and match.group("mp"):
        # A bare 月底/下旬 is in the month of publication.
        if anchor.day is None:
            return None
        year, month, known = anchor.day.year, anchor.day.month, anchor.year_known
    if month is None and day is None:
        if year is None:
            if anchor.day is None:
                year, known = UNKNOWN_YEAR, False
            else:
                year, known = anchor.day.year, anchor.year_known
                count = _number(match.group("mn") or "") or 0
                if count >= anchor.day.month:
                    year -= 1  # 前十个月 read in January: last year's, as statistics come after
        return _year_period(match, year, known, anchor.day)
    if month is None:
        if not _is_plain_day(match, base):
            return None
        ref = base.start if base else anchor.day
        if ref is None or day is None:
            return None
        known = base.year_known if base else anchor.year_known
        return _days(match, ref.year, ref.month, day, known)
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
    return _days(match, year, month, day, known)


def _days(match: re.Match[str], year: int, month: int, day: int, known: bool) -> Period | None:
    """A day, or two days of one month written with one 日 (27至28日, 27、28日: consecutive)."""
    first = _day(year, month, day, known)
    if first is None or (second := match.group("d2")) is None:
        return first
    last = _day(year, month, _number(second) or 0, known)
    if last is None or last.start <= first.start:
        return None
    if match.group("dj") == "、" and (last.start - first.start).days != 1:
        return None  # 5、8日 lists two days, not the days between them
    return Period(first.start, last.end, Grain.RANGE, "", known)


def _has_required_year(match: re.Match[str]) -> bool:
    """底/初/末/内 need a year or month, a bare 前N个月 to open a statement, a two-digit year a
    month or period."""
    has_year = any(match.group(g) is not None for g in ("y", "yrel", "m", "mrel"))
    if not has_year and match.group("yp") in ("底", "初", "末", "伊始", "内"):
        return False
    start, text = match.start(), match.string
    if not has_year and match.group("yp") and start and text[start - 1] in _YEAR_WORD_BEFORE:
        return False  # 半年内, 几年内, 青少年中, 近年中日关系: 年 ends another word
    if _month_count(match):
        return False
    if not has_year and (months := match.group("mn")) is not None:
        # 前两个月 opens a statement (statistics); 提前一个月, 此前三个月, 前一个月 do not.
        start = match.start()
        before = match.string[start - 1] if start else ""
        after_word = "\u4e00" <= before <= "\u9fff" and before not in "在的于"
        return (_number(months) or 0) >= 2 and not after_word
    written = match.group("y")
    if written is not None and len(written) == 2 and written.isdigit():
        periods = ("m", "mrel", "q", "half", "qn", "mn", "yp")
        return any(match.group(g) for g in periods) or _is_short_year(match)
    return True


# 年 right after these ends a word of its own (半年, 几年, 少年, 近年), not 年底/年内.
_YEAR_WORD_BEFORE = frozenset("半几多近少青新往当同历数整成每跨逐老周两一二三四五六七八九十百千万")
# A month written in Chinese numerals after these, or before 新高, counts months (未来三月).
_MONTH_COUNT_BEFORE = ("未来", "连续", "过去", "最近", "近", "头")


def _month_count(match: re.Match[str]) -> bool:
    """未来三月, 连续三月, 三月新高: a count of months, not the month."""
    month, text = match.group("m"), match.string
    if month is None or month[0].isdigit() or any(match.group(g) for g in ("y", "yrel", "d", "mp")):
        return False
    before = text.endswith(_MONTH_COUNT_BEFORE, 0, match.start())
    return before or text.startswith(("新高", "新低"), match.end())


_SHORT_YEAR_BEFORE = frozenset("在于从自是")
_SHORT_YEAR_AFTER = frozenset("来间里内多余后前之党工龄新最")


def _is_short_year(match: re.Match[str]) -> bool:
    """A bare two-digit year (08年, 98年) and not a count of years (坚守岗位23年, 30年的发展):
    a leading zero, or a year that is not round, standing after no word (or 在/于/从…)
    and before no word of duration (来, 间, 多, 党龄, 新低)."""
    written, text = match.group("y"), match.string
    if written.startswith("0"):
        return True
    if written.endswith("0"):
        return False
    start, end = match.start(), match.end()
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    word_before = "\u4e00" <= before <= "\u9fff" and before not in _SHORT_YEAR_BEFORE
    return not word_before and after not in _SHORT_YEAR_AFTER


def _infer_year(month: int, day: int, anchor: Anchor, base: Period | None) -> tuple[int, bool]:
    """Year for a month/day written without one: from the range start, else closest to anchor."""
    if base is not None:
        year = base.start.year
        return (year + 1 if (month, day) < (base.start.month, base.start.day) else year,
                base.year_known)  # fmt: skip
    if anchor.day is None:
        return UNKNOWN_YEAR, False
    year = _closest_year(anchor.day, month, day)
    if anchor.this_year_named and year > anchor.day.year:
        year = anchor.day.year  # 今年上半年…杭州在1月下旬就开始 read in September
    return year, anchor.year_known


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


def _holiday(
    match: re.Match[str], anchor: Anchor, during: bool, since: bool = False
) -> Period | None:
    """A named holiday in its year; with 期间 the official holiday. Without a written year it is
    the closest one to publication, or with `since` (国庆以来) the latest one up to it."""
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
    past = [p for p in candidates if p.start <= anchor.day]
    if since and past:
        return past[-1]
    # A festival of this season is the one just past unless the next one is near (春节期间 read
    # in September is last spring's).
    start = _seasonal_choice([p.start for p in candidates], anchor.day)
    return next(p for p in candidates if p.start == start)


def _holiday_in(name: str, year: int, during: bool, known: bool) -> Period | None:
    """The holiday `name` in `year` (a day, or its official holiday when `during`)."""
    if not known and festivals.ALIASES.get(name, name) not in festivals.SOLAR_DAYS:
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
    month = festivals.LUNAR_MONTHS[match.group("lm") or "正"]  # 大年初二: the first month
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
    solar = days[0] if anchor.day is None else _seasonal_choice(days, anchor.day)
    return Period(solar, solar, Grain.DAY, solar.isoformat(), known)


def _seasonal_choice(days: list[dt.date], anchor: dt.date) -> dt.date:
    """The closest of `days` (sorted), but the one just past when the closest is more than a
    season ahead and the past one lies within three seasons: news looks back more than ahead
    (大年初二 read in September is this year's)."""
    closest = min(days, key=lambda d: abs((d - anchor).days))
    past = [d for d in days if d <= anchor]
    soon = dt.timedelta(days=_NEAR_FUTURE_DAYS)
    if past and closest > anchor + soon and past[-1] > anchor - 3 * soon:
        return past[-1]
    return closest


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
    # 初/中期/末: the first, middle or last three years of the decade.
    first += {"初": 0, "中期": 4, "末": 7}.get(match.group("dp") or "", 0)
    last = first + (2 if match.group("dp") else 9)
    return Period(dt.date(first, 1, 1), dt.date(last, 12, 31), Grain.RANGE, "", True)


def _century(match: re.Match[str], anchor: Anchor) -> Period | None:
    """二十世纪 (1900-1999, read like the decades), 上世纪 (the 20th for texts of this century),
    本世纪; 初/末 narrow it to the first or last ten years."""
    if match.group("crel") is not None:
        if anchor.day is None or not anchor.year_known:
            return None
        current = anchor.day.year // 100 * 100
        first = current - 100 if match.group("crel").startswith("上") else current
    else:
        number = _number(match.group("cn"))
        if not number:
            return None
        first = (number - 1) * 100
    last = first + 99
    if match.group("cp") == "初":
        last = first + 9
    elif match.group("cp") == "末":
        first = last - 9
    return Period(dt.date(first, 1, 1), dt.date(last, 12, 31), Grain.RANGE, "", True)


# The third five-year plan began in 1966 and every later one five years after it.
_THIRD_PLAN_START = 1966


def _five_year_plan(number: int) -> Period | None:
    """十四五 (时期): the years of the fourteenth five-year plan, 2021-2025."""
    if number < 3:
        return None
    first = _THIRD_PLAN_START + 5 * (number - 3)
    return Period(dt.date(first, 1, 1), dt.date(first + 4, 12, 31), Grain.RANGE, "", True)
