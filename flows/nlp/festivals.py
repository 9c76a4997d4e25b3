"""Festivals, commemorative days and lunar dates for any year.

Lunar dates come from `borax` (lunar calendar and solar terms), official holiday spans from
`chinese_calendar` (the State Council's schedule, including make-up changes such as 2020's
COVID-19 extension of the Spring Festival holiday). Only the names and their calendar positions
are ours.
"""

from __future__ import annotations

import datetime as dt
import functools

import chinese_calendar
from borax.calendars.lunardate import LunarDate, TermUtils

# Festivals on a fixed lunar month and day.
LUNAR_FESTIVALS: dict[str, tuple[int, int]] = {
    "春节": (1, 1),
    "元宵": (1, 15),
    "端午": (5, 5),
    "七夕": (7, 7),
    "中秋": (8, 15),
    "重阳": (9, 9),
    "腊八": (12, 8),
}
# Holidays and commemorative days on a fixed Gregorian month and day.
SOLAR_DAYS: dict[str, tuple[int, int]] = {
    "元旦": (1, 1),
    "情人节": (2, 14),
    "学雷锋纪念日": (3, 5),
    "青年志愿者服务日": (3, 5),
    "妇女节": (3, 8),
    "植树节": (3, 12),
    "消费者权益日": (3, 15),
    "世界卫生日": (4, 7),
    "国家安全教育日": (4, 15),
    "世界读书日": (4, 23),
    "五一": (5, 1),
    "劳动节": (5, 1),
    "青年节": (5, 4),
    "护士节": (5, 12),
    "科技工作者日": (5, 30),
    "儿童节": (6, 1),
    "建党节": (7, 1),
    "七一": (7, 1),
    "建军节": (8, 1),
    "八一": (8, 1),
    "医师节": (8, 19),
    "抗战胜利纪念日": (9, 3),
    "教师节": (9, 10),
    "烈士纪念日": (9, 30),
    "国庆": (10, 1),
    "记者节": (11, 8),
    "消防日": (11, 9),
    "国家宪法日": (12, 4),
    "国家公祭日": (12, 13),
    "圣诞节": (12, 25),
}
# Festivals whose date is a solar term.
SOLAR_TERMS: dict[str, str] = {"清明": "清明", "冬至": "冬至"}
# ANNOTATION.md fixes these 期间 whatever the year's schedule: (first day, days).
FIXED_HOLIDAY_SPANS: dict[str, int] = {"五一": 5, "劳动节": 5, "国庆": 7}
# Names chinese_calendar gives the official holiday that contains each festival.
OFFICIAL_HOLIDAYS: dict[str, str] = {
    "元旦": "New Year's Day",
    "春节": "Spring Festival",
    "除夕": "Spring Festival",
    "清明": "Tomb-sweeping Day",
    "端午": "Dragon Boat Festival",
    "中秋": "Mid-autumn Festival",
}
# Written forms that name the same day.
ALIASES: dict[str, str] = {
    "元宵节": "元宵",
    "清明节": "清明",
    "端午节": "端午",
    "中秋节": "中秋",
    "重阳节": "重阳",
    "七夕节": "七夕",
    "腊八节": "腊八",
    "国庆节": "国庆",
    "国际劳动节": "劳动节",
    "五四青年节": "青年节",
    "三八妇女节": "妇女节",
    "国际妇女节": "妇女节",
    "六一儿童节": "儿童节",
    "国际儿童节": "儿童节",
    "国际护士节": "护士节",
    "中国医师节": "医师节",
    "中国记者节": "记者节",
    "全国消防日": "消防日",
    "全国科技工作者日": "科技工作者日",
    "中国青年志愿者服务日": "青年志愿者服务日",
    "大年三十": "除夕",
    "大年初一": "春节",
}
NAMES: tuple[str, ...] = tuple(
    sorted({*LUNAR_FESTIVALS, *SOLAR_DAYS, *SOLAR_TERMS, *ALIASES, "除夕"}, key=len, reverse=True)
)
LUNAR_MONTHS: dict[str, int] = {
    "正": 1, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    "十": 10, "冬": 11, "十一": 11, "腊": 12, "十二": 12,
}  # fmt: skip


def festival_day(name: str, year: int) -> dt.date | None:
    """The day of festival `name` (or an alias) in Gregorian `year`, None if unknown."""
    name = ALIASES.get(name, name)
    try:
        if name == "除夕":
            return LunarDate(year, 1, 1).to_solar_date() - dt.timedelta(days=1)
        if name in LUNAR_FESTIVALS:
            return LunarDate(year, *LUNAR_FESTIVALS[name]).to_solar_date()
        if name in SOLAR_TERMS:
            return TermUtils.day_start_from_term(year, SOLAR_TERMS[name])
    except (ValueError, KeyError, IndexError):
        return None  # outside the library's range (1900-2100)
    if name in SOLAR_DAYS:
        return dt.date(year, *SOLAR_DAYS[name])
    return None


def holiday_span(name: str, year: int) -> tuple[dt.date, dt.date] | None:
    """The days `name`期间 covers in `year`: the official holiday, else the festival day."""
    name = ALIASES.get(name, name)
    day = festival_day(name, year)
    if day is None:
        return None
    if name in FIXED_HOLIDAY_SPANS:
        return day, day + dt.timedelta(days=FIXED_HOLIDAY_SPANS[name] - 1)
    official = OFFICIAL_HOLIDAYS.get(name)
    if official is None or _holiday_name(day) != official:
        return day, day
    start, end = day, day
    while _holiday_name(start - dt.timedelta(days=1)) == official:
        start -= dt.timedelta(days=1)
    while _holiday_name(end + dt.timedelta(days=1)) == official:
        end += dt.timedelta(days=1)
    return start, end


@functools.cache
def _holiday_name(day: dt.date) -> str | None:
    """chinese_calendar's holiday name for `day`; None on a working day or outside its years."""
    try:
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    return name if is_holiday else None


def lunar_to_solar(year: int, month: int, day: int) -> dt.date | None:
    """The Gregorian day of lunar `year`-`month`-`day` (not a leap month), None if invalid."""
    try:
        return LunarDate(year, month, day).to_solar_date()
    except (ValueError, KeyError, IndexError):
        return None


def lunar_year(day: dt.date) -> int:
    """The lunar year `day` falls in."""
    return LunarDate.from_solar_date(day.year, day.month, day.day).year
