"""Festivals, commemorative days and lunar dates for any year.

Lunar dates come from `borax` (lunar calendar and solar terms), official holiday spans from
`chinese_calendar` (the State Council's schedule, including make-up changes such as 2020's
COVID-19 extension of the Spring Festival holiday). Only the names and their calendar positions
are ours.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from pathlib import Path

import chinese_calendar
from borax.calendars.lunardate import LunarDate, TermUtils

# The tables, as data: festivals.toml says what each holds.
with (Path(__file__).with_name("festivals.toml")).open("rb") as _tables:
    _TABLES = tomllib.load(_tables)
LUNAR_FESTIVALS: dict[str, tuple[int, int]] = {
    name: (month, day) for name, (month, day) in _TABLES["lunar_festivals"].items()
}
SOLAR_DAYS: dict[str, tuple[int, int]] = {
    name: (month, day) for name, (month, day) in _TABLES["solar_days"].items()
}
WEEKDAY_DAYS: dict[str, tuple[int, int, int]] = {
    name: (month, weekday, nth) for name, (month, weekday, nth) in _TABLES["weekday_days"].items()
}
SOLAR_TERMS: dict[str, str] = _TABLES["solar_terms"]
FIXED_HOLIDAY_SPANS: dict[str, int] = _TABLES["fixed_holiday_spans"]
OFFICIAL_HOLIDAYS: dict[str, str] = _TABLES["official_holidays"]
QUOTED_ALIASES: dict[str, str] = _TABLES["quoted_aliases"]
ALIASES: dict[str, str] = _TABLES["aliases"] | QUOTED_ALIASES
NAMES: tuple[str, ...] = tuple(
    sorted(
        {*LUNAR_FESTIVALS, *SOLAR_DAYS, *WEEKDAY_DAYS, *SOLAR_TERMS, *_TABLES["aliases"], "除夕"},
        key=len,
        reverse=True,
    )
)
QUOTED_NAMES: tuple[str, ...] = tuple(sorted(QUOTED_ALIASES, key=len, reverse=True))
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
    if name in WEEKDAY_DAYS:
        month, weekday, nth = WEEKDAY_DAYS[name]
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
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


def holiday_around(day: dt.date) -> tuple[dt.date, dt.date] | None:
    """The official holiday (as `holiday_span` gives it) that holds `day` or ended the day
    before: what 这个假期 means in news of that holiday."""
    for name in (*FIXED_HOLIDAY_SPANS, *OFFICIAL_HOLIDAYS):
        for year in (day.year, day.year + 1):
            span = holiday_span(name, year)
            if span and span[0] != span[1] and span[0] <= day <= span[1] + dt.timedelta(days=1):
                return span
    return None


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
