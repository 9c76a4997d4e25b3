"""Compositional dates: a period followed by (的) and a part of it is one mention
(下个月最后一天, 这个月的第一个周五, 去年的今天, 二月的第二周, 九八年的夏天, 两周后的周一,
2016年的年底). The part is read inside the period the scanner has already resolved.
"""

from __future__ import annotations

import datetime as dt
import re

from flows.nlp.dates.grammar import WEEKDAYS, YEAR_PARTS
from flows.nlp.dates.periods import (
    Anchor,
    Grain,
    Period,
    _label,
    _month_period,
    _number,
    _replace_year,
)
from flows.nlp.dates.relative import SEASON_FIRST_MONTH, shift_month_end

_WEEK_WORD = "(?:周|星期|礼拜)"
_ORDINAL = r"\d{1,3}|[一二两三四五六七八九十百]{1,4}"
_PART = re.compile(
    rf"(?P<of>的)?(?:(?P<last_day>最后一天)|第(?P<nth_day>{_ORDINAL})天"
    rf"|(?:第(?P<nth_wd>[一二三四五1-5])个|(?P<last_wd>最后一个)){_WEEK_WORD}(?P<wd>[一二三四五六日天])"
    r"|第(?P<nth_week>[一二三四五六1-6])周(?!年)|(?P<last_week>最后一周)"
    r"|(?P<same_day>今天|今日|当天|当日)"
    r"|(?P<season>[春夏秋冬])[天季]"
    rf"|{_WEEK_WORD}(?:(?P<week_day>[一二三四五六日天])|(?P<weekend>末))"
    r"|(?P<edge>月初|月底|月末|上旬|中旬|下旬|年初|年底|年末|年中)"
    r"|第?(?P<quarter>[一二三四1-4])季度|(?P<half>[上下])半年)"
)
# Periods a part may be read in: a day has no parts.
_DIVISIBLE = (Grain.YEAR, Grain.QUARTER, Grain.MONTH, Grain.RANGE)


def compose_part(
    text: str, end: int, period: Period, match: re.Match[str], anchor: Anchor
) -> tuple[int, Period] | None:
    """The end and period of `period` narrowed by the part written at `end`, or None."""
    part = _PART.match(text, end)
    if part is None:
        return None
    narrowed = _narrow(part, period, match, anchor)
    return None if narrowed is None else (part.end(), narrowed)


def _narrow(
    part: re.Match[str], period: Period, match: re.Match[str], anchor: Anchor
) -> Period | None:
    """What the part denotes inside `period` (None when the period has no such part)."""
    known = period.year_known
    if (weekday := part.group("week_day")) is not None or part.group("weekend"):
        if (monday := _week_of(period, match)) is None:
            return None
        if weekday is None:  # 下周的周末: its Saturday and Sunday
            return Period(monday + dt.timedelta(5), monday + dt.timedelta(6), Grain.RANGE, "",
                          known)  # fmt: skip
        return _one_day(monday + dt.timedelta(WEEKDAYS[weekday]), known)
    if period.grain not in _DIVISIBLE:
        return None
    first, last = period.start, period.end
    if part.group("last_day") is not None:
        return _one_day(last, known)
    if (nth := part.group("nth_day")) is not None:
        count = _number(nth) or 0
        day = first + dt.timedelta(days=count - 1)
        return _one_day(day, known) if count and day <= last else None
    if (weekday := part.group("wd")) is not None:
        return _nth_weekday(period, WEEKDAYS[weekday], part.group("nth_wd"))
    if (nth := part.group("nth_week")) is not None:
        # The n-th seven days of the period, as 二月第二周 is 8-14 February.
        start = first + dt.timedelta(weeks=(_number(nth) or 1) - 1)
        stop = min(start + dt.timedelta(days=6), last)
        return Period(start, stop, Grain.RANGE, "", known) if start <= last else None
    if part.group("last_week") is not None:
        return Period(max(first, last - dt.timedelta(days=6)), last, Grain.RANGE, "", known)
    return _of_year_or_month(part, period, anchor)


def _of_year_or_month(part: re.Match[str], period: Period, anchor: Anchor) -> Period | None:
    """今天/当天, a season, 年底, a quarter or half in a year; 月初/下旬 in a month (those
    only after 的, as the grammar reads them when written straight after the year or month)."""
    year, known = period.start.year, period.year_known
    if period.grain == Grain.YEAR:
        if part.group("same_day") is not None:
            if anchor.today is None:
                return None
            return _one_day(_replace_year(anchor.today, year), known)
        if (season := part.group("season")) is not None:
            start = dt.date(year, SEASON_FIRST_MONTH[season], 1)
            return Period(start, shift_month_end(start, 2), Grain.RANGE, "", known)
        if part.group("of") and (quarter := part.group("quarter")):
            first = 3 * (_number(quarter) or 1) - 2
            start = dt.date(year, first, 1)
            return Period(start, shift_month_end(start, 2), Grain.QUARTER,
                          f"{{Y}}-Q{(first + 2) // 3}", known)  # fmt: skip
        if part.group("of") and (half := part.group("half")):
            start = dt.date(year, 1 if half == "上" else 7, 1)
            return Period(start, shift_month_end(start, 5), Grain.RANGE,
                          f"{{Y}}-H{1 if half == '上' else 2}", known)  # fmt: skip
        if part.group("of") and (months := YEAR_PARTS.get(part.group("edge") or "")):
            start = dt.date(year, months[0], 1)
            last = shift_month_end(start, months[1] - months[0])
            return Period(start, last, Grain.RANGE, "", known)
    edge = part.group("edge")
    if period.grain == Grain.MONTH and part.group("of") and edge and not edge.startswith("年"):
        return _month_period(year, period.start.month, edge, known)
    return None


def _week_of(period: Period, match: re.Match[str]) -> dt.date | None:
    """The Monday of the week a week offset names (下下周, 两周后), else None."""
    kind = match.lastgroup
    whole_week = kind == "week" and not match.group("wd") and not match.group("wend")
    week_later = kind == "ago" and match.group("au") in ("周", "个星期")
    if not (whole_week or week_later):
        return None
    return period.start - dt.timedelta(days=period.start.weekday())


def _nth_weekday(period: Period, weekday: int, nth: str | None) -> Period | None:
    """The n-th (or, without n, the last) given weekday inside the period."""
    if nth is None:
        day = period.end - dt.timedelta(days=(period.end.weekday() - weekday) % 7)
    else:
        offset = (weekday - period.start.weekday()) % 7
        day = period.start + dt.timedelta(days=offset, weeks=(_number(nth) or 1) - 1)
    if not period.start <= day <= period.end:
        return None
    return _one_day(day, period.year_known)


def _one_day(day: dt.date, known: bool) -> Period:
    return Period(day, day, Grain.DAY, _label(day), known)
