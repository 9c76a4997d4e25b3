"""Relative dates: what an expression counted from the publication day (or from the day the
text last named) denotes: days and years ago or later (10天前, 5天后), relative spans (近三年,
未来两天, 今明两日), weeks (上周五, 下下周), days (昨天, 当天) and seasons (今年春天, 今冬明春).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from flows.nlp.dates.grammar import CONTEXT_DAYS, REL_DAYS, REL_WEEKS, WEEKDAYS
from flows.nlp.dates.periods import (
    Anchor,
    Grain,
    Period,
    _label,
    _month_end,
    _month_period,
    _number,
)


def _ago(match: re.Match[str], anchor: Anchor, context: dt.date | None) -> Period | None:
    """71年前 (the year 71 years before publication), 10天前 / 两周前 (that day), 两个月前
    (that month); …后 counts from the day the text last named (5天后 after 3月20日)."""
    count = _number(match.group("an"))
    if anchor.day is None or not anchor.year_known or count is None:
        return None
    unit, later = match.group("au"), match.group("adir") == "后"
    start = match.start()
    if later and unit == "年":
        return None  # 17年后 in news counts from a past event (非典), not from publication
    if (later or unit not in ("年", "天")) and start and _after_word(match.string[start - 1]):
        return None  # 隔离14天后, 发病两周前: counted from an event, not a date
    ref = (context or anchor.day) if later else anchor.day
    sign = 1 if later else -1
    if unit in ("天", "周", "个星期"):
        day = ref + dt.timedelta(days=sign * count * (1 if unit == "天" else 7))
        return Period(day, day, Grain.DAY, _label(day), True)
    if unit == "个月":
        moved = _shift_months(ref, sign * count)
        return _month_period(moved.year, moved.month, None, True)
    year = ref.year + sign * count
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), Grain.YEAR, "{Y}", True)


def _after_word(char: str) -> bool:
    """A Chinese character other than 在/于/是/就/到, which may stand before a time word."""
    return "\u4e00" <= char <= "\u9fff" and char not in "在于是就到"


def _relative_span(match: re.Match[str], anchor: Anchor) -> Period | None:
    """近三年 (N units ending the day before publication), 未来两天 (N units after it)."""
    if anchor.day is None:
        return None
    today, one_day = anchor.day, dt.timedelta(days=1)
    if match.group("sdir") is None:  # 今明两日, 明后两天, 今明两年
        first = 0 if match.group("tm") == "今明" else 1
        if match.group("tmu") == "年":
            year = today.year + first
            return Period(dt.date(year, 1, 1), dt.date(year + 1, 12, 31), Grain.RANGE, "",
                          anchor.year_known)  # fmt: skip
        start = today + first * one_day
        return Period(start, start + one_day, Grain.RANGE, "", anchor.year_known)
    count = _number(match.group("sn"))
    unit = match.group("su")
    if not count:
        return None
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


# Seasons by meteorological months: spring March-May … winter December-February.
SEASON_FIRST_MONTH = {"春": 3, "夏": 6, "秋": 9, "冬": 12}


def _season(match: re.Match[str], anchor: Anchor) -> Period | None:
    """今年春天, 去冬, 这个夏天, 2021年秋季, 今冬明春: seasons of three months; 今冬 is the
    winter under way or the next one, 明春 the spring after it."""
    season = match.group("ss") or match.group("sss")
    if (written := match.group("sy")) is not None:
        year, known = int(written), True
    elif anchor.day is None:
        return None
    else:
        rel = (match.group("syrel") or match.group("sshort"))[0]
        year, known = (
            anchor.day.year + {"今": 0, "这": 0, "去": -1, "明": 1}[rel],
            anchor.year_known,
        )
        if season == "冬" and anchor.day.month <= 2:
            year -= 1  # in January 今冬 is the winter that began in December
    first = dt.date(year, SEASON_FIRST_MONTH[season], 1)
    last = shift_month_end(first, 2)
    if (then := match.group("ss2")) is not None:  # 今冬明春: through the next such season
        start = dt.date(first.year, SEASON_FIRST_MONTH[then], 1)
        if start <= first:
            start = dt.date(first.year + 1, start.month, 1)
        last = shift_month_end(start, 2)
    return Period(first, last, Grain.RANGE, "", known)


def shift_month_end(first: dt.date, months: int) -> dt.date:
    """The last day of the month `months` after `first`'s."""
    index = first.year * 12 + first.month - 1 + months
    return _month_end(index // 12, index % 12 + 1)
