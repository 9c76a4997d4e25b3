"""The date scanner and the spaCy component `zhnews_dates`: `extract_dates` walks a text left
to right, joins ranges, tails and suffixes to each match and keeps the day in context; the
component stores the mentions in `doc._.dates` (see the package docstring for why not spans).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from spacy.language import Language
from spacy.tokens import Doc

from flows.nlp import festivals
from flows.nlp.dates.compose import compose_part
from flows.nlp.dates.grammar import (
    _ATOM,
    _DAY_TAIL,
    _HOLIDAY_NAME_TAIL,
    _OPEN_SUFFIX,
    _RANGE_JOIN,
    _SENTENCE_BREAK,
    BETWEEN,
    FREQUENCIES,
    HOLIDAY_SAME_DAY,
    HOLIDAY_SEASON,
    HOLIDAY_SPAN,
    RECURRING,
    REL_MONTHS,
    REL_YEARS,
    SINCE_SUFFIXES,
)
from flows.nlp.dates.periods import (
    UNKNOWN_YEAR,
    Anchor,
    Grain,
    Period,
    _calendar,
    _century,
    _closest_year,
    _day,
    _decade,
    _five_year_plan,
    _holiday,
    _lunar,
    _month_end,
    _number,
    _replace_year,
)
from flows.nlp.dates.relative import (
    _ago,
    _relative_day,
    _relative_span,
    _season,
    _shift_months,
    _week,
)
from flows.store.records import DateMention


@dataclass(slots=True)
class _Scanner:
    """One pass over a text: turns regex matches into mentions, tracking the day in context."""

    text: str
    anchor: Anchor
    context: dt.date | None = None
    # The last period shorter than a year and where it ended: what 去年同期 compares with.
    compared: tuple[Period, int] | None = None

    def resolve(
        self,
        match: re.Match[str],
        base: Period | None = None,
        during: bool = False,
        since: bool = False,
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
            if _HOLIDAY_NAME_TAIL.match(self.text, match.end()) or _in_quoted_phrase(match):
                return None
            if _defined_as(self.text, match.start()):
                return None  # 将每年5月30日定为“全国科技工作者日”: the day's name, defined
            return _holiday(match, self.anchor, during, since)
        if kind == "thisbreak":
            return _this_holiday(self.anchor)
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
        if kind == "century":
            return _century(match, self.anchor)
        if kind == "season":
            return _season(match, self.anchor)
        if kind == "plan":
            return _five_year_plan(int(_number("十" + match.group("pn")) or 0))
        if kind == "span":
            return _relative_span(match, self.anchor)
        if kind == "ago":
            return _ago(match, self.anchor, self.context)
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
                # A day that is not on the calendar (2021年2月29日) is no date, nor are its parts.
                impossible = (
                    match.lastgroup == "cal"
                    and match.group("m")
                    and match.group("d")
                    and not match.group("d2")
                )
                pos = match.end() if impossible else match.start() + 1
                continue
            out.append(mention)
            pos = mention.end_char
        return out

    def _mention(self, match: re.Match[str]) -> DateMention | None:
        """Build the mention starting at `match`, extended by its range end, tail and suffix."""
        text, kind = self.text, match.lastgroup
        if kind == "rel" and _NOT_A_DAY.get(match.group(), _NEVER).match(text, match.end()):
            kind = "vague"  # 今天的中国, 明天会更好: nowadays and the future, not days
        if kind in ("vague", "freq", "tod"):
            word = match.group()
            value = FREQUENCIES.get(word, RECURRING.get(word[:2])) if kind == "freq" else None
            grain = {"vague": Grain.UNRESOLVED, "freq": Grain.DURATION, "tod": Grain.TIME}[kind]
            return DateMention(
                match.group(), match.start(), match.end(), value, None, None, str(grain)
            )
        end = match.end()
        if kind == "hol" and text.startswith(HOLIDAY_SEASON, end):
            end += len(HOLIDAY_SEASON)
            return DateMention(
                text[match.start() : end], match.start(), end, None, None, None,
                str(Grain.UNRESOLVED),
            )  # fmt: skip
        if text.startswith("同期", end) and kind == "cal" and _year_or_month_only(match):
            return self._same_period(match)
        during = kind == "hol" and HOLIDAY_SPAN.match(text, end) is not None
        since = kind == "hol" and text.startswith(SINCE_SUFFIXES, end)
        period = self.resolve(match, during=during, since=since)
        if period is None:
            if kind in ("rel", "week") and self.anchor.day is None:
                # 今天 with no publication date: still a date mention, just not placeable.
                return DateMention(
                    match.group(), match.start(), end, None, None, None, str(Grain.UNRESOLVED)
                )
            return None
        start = match.start()
        named = _ATOM.match(text, end) if kind == "hol" else None
        if named and named.lastgroup == "hol" and self.resolve(named) == period:
            # “五一”国际劳动节: a holiday's short name then its full name is one mention
            end = named.end()
            during = HOLIDAY_SPAN.match(text, end) is not None
            since = text.startswith(SINCE_SUFFIXES, end)
            period = self.resolve(named, during=during, since=since) or period
        if kind == "hol" and not during and (pair := self._holiday_pair(match, end)):
            end, period, during = *pair, True
        if during and period.grain != Grain.DAY:
            end = HOLIDAY_SPAN.match(text, end).end()  # the official holiday, words included
        if (part := compose_part(text, end, period, match, self.anchor)) is not None:
            end, period = part  # 下个月最后一天, 去年的今天: a part of the period
        same_day = HOLIDAY_SAME_DAY.match(text, end) if kind == "hol" else None
        if same_day is not None and period.grain == Grain.DAY:
            end = same_day.end()
        if period.grain == Grain.DAY:
            end, period = self._day_tail(end, period)
        if (joined := self._range_end(end, period)) is not None:
            end, period = joined
            if between := BETWEEN.match(text, end):
                end = between.end()
        prefixed = start > 0 and text[start - 1] in "自从"
        if suffix := _OPEN_SUFFIX.match(text, end):
            word = suffix.group()
            if word == "期间":
                end = suffix.end()
                if not during:
                    period = Period(period.start, period.end, Grain.RANGE, "", period.year_known)
            elif word != "开始" or prefixed:
                if word in SINCE_SUFFIXES and self._yearless_future(match, period):
                    period = _year_earlier(period)  # 1月中旬以来 read in July: this January
                end, period = suffix.end(), self._open_range(period)
                start -= 1 if prefixed else 0
        elif joined is None and start > 0 and text[start - 1] == "自" and not self._framed(end):
            # 自7月初再暴发: since that day or period, as 自…开始 (an open range).
            start, period = start - 1, self._open_range(period)
        if period.grain == Grain.DAY:
            self.context = period.start
        if not self.anchor.this_year_named and self._names_this_year(match):
            self.anchor = dataclasses.replace(self.anchor, this_year_named=True)
        if period.grain != Grain.YEAR:
            self.compared = (period, end)
        return period.to_mention(text, start, end)

    def _holiday_pair(self, first: re.Match[str], end: int) -> tuple[int, Period] | None:
        """元旦春节期间, 中秋国庆假期: two holidays under one 期间 span from the first's official
        holiday to the end of the second's; returns the end before 期间 and that span."""
        second = _ATOM.match(self.text, end + (self.text[end : end + 1] == "、"))
        if second is None or second.lastgroup != "hol":
            return None
        if HOLIDAY_SPAN.match(self.text, second.end()) is None:
            return None
        head, tail = self.resolve(first, during=True), self.resolve(second, during=True)
        if head is None or tail is None or tail.end < head.start:
            return None
        known = head.year_known and tail.year_known
        return second.end(), Period(head.start, tail.end, Grain.RANGE, "", known)

    def _yearless_future(self, match: re.Match[str], period: Period) -> bool:
        """A month or day written without its year and placed after publication."""
        pub = self.anchor.day
        if pub is None or match.lastgroup != "cal":
            return False
        written_year = any(match.group(g) for g in ("y", "yrel", "mrel"))
        return not written_year and match.group("m") is not None and period.start > pub

    def _names_this_year(self, match: re.Match[str]) -> bool:
        """The match writes the publication year: 今年/本年, or its number."""
        pub = self.anchor.day
        if pub is None or not self.anchor.year_known or match.lastgroup != "cal":
            return False
        written = match.group("y")
        return match.group("yrel") in ("今", "本") or written == str(pub.year)

    def _framed(self, end: int) -> bool:
        """自X…后 frames an event on X (自17日达到高峰后), not a span since X."""
        clause = _CLAUSE_END.search(self.text, end)
        return "后" in self.text[end : clause.start() if clause else len(self.text)]

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
        """去年同期: the period compared with in the same sentence, moved to that year; 上月同期:
        moved a month back."""
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
        known = period.year_known and year_period.year_known
        if match.group("mrel"):  # 上月同期: the compared days, months earlier
            months = REL_MONTHS[match.group("mrel")]
            last = _shift_months(period.end, months)
            if period.end == _month_end(period.end.year, period.end.month):
                last = _month_end(last.year, last.month)
            moved = Period(_shift_months(period.start, months), last, Grain.RANGE, "", known)
            return moved.to_mention(self.text, match.start(), end)
        shift = year_period.start.year - period.start.year
        moved = Period(
            _replace_year(period.start, period.start.year + shift),
            _replace_year(period.end, period.end.year + shift),
            Grain.RANGE, "", known,
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


def _year_or_month_only(match: re.Match[str]) -> bool:
    """去年/上年 or 上月/上个月 alone, the words 同期 may follow."""
    if match.group("yrel"):
        return True
    written = ("y", "m", "d", "q", "qrel", "half", "qn", "mn", "yp", "mp")
    return bool(match.group("mrel")) and not any(match.group(g) for g in written)


def _in_quoted_phrase(match: re.Match[str]) -> bool:
    """A holiday inside a longer quoted phrase (“春节不打烊”, “欢乐春节”) names a campaign or
    a slogan, not a day; a quoted name alone (“五一”, “五一”期间) is the day."""
    text, start = match.string, match.start()
    opening = text.rfind("“", max(0, start - _QUOTE_REACH), start + 1)
    if opening < 0 or "”" in text[opening:start]:
        return False
    closing = text.find("”", start, match.end() + _QUOTE_REACH)
    if closing < 0:
        return False
    inside = text[opening + 1 : closing]
    rest = inside.replace(match.group("h"), "", 1)
    return rest not in ("", "节") and HOLIDAY_SPAN.fullmatch(rest) is None


def _this_holiday(anchor: Anchor) -> Period | None:
    """这个假期 / 这个长假: the official holiday under way at publication (or just ended)."""
    if anchor.day is None or not anchor.year_known:
        return None
    span = festivals.holiday_around(anchor.day)
    return None if span is None else Period(span[0], span[1], Grain.RANGE, "", True)


def _year_earlier(period: Period) -> Period:
    """`period` one year earlier (29 February becomes the 28th)."""
    return Period(
        _replace_year(period.start, period.start.year - 1),
        _replace_year(period.end, period.end.year - 1),
        period.grain, period.label, period.year_known,
    )  # fmt: skip


# Words before a holiday's name that define it rather than date something.
_DEFINED_AS = ("定为", "设为", "设立", "命名为", "确立为")


def _defined_as(text: str, start: int) -> bool:
    """定为“全国科技工作者日”, 设立“中国农民丰收节”: the day's name where it is defined."""
    if start and text[start - 1] == "“":
        start -= 1
    return text.endswith(_DEFINED_AS, 0, start)


_NEVER = re.compile(r"(?!)")
_NOT_A_DAY = {
    "今天": re.compile(r"的(?:中国|美国|世界|时代|社会|成就|使命|家乡|大好|幸福)"),
    "明天": re.compile(r"的(?:辉煌|伟大|美好|希望)|一定会|会更|更美好|更加美好"),
}
# How far a quotation mark may stand from a holiday that it encloses.
_QUOTE_REACH = 12
_CLAUSE_END = re.compile(r"[，,。；;！？!?\n]")
# 今天（1月27日）: the text itself says which day 今天 is.
_TODAY_FIXED = re.compile(r"(?:今天|今日)（(?P<m>1[0-2]|0?[1-9])月(?P<d>3[01]|[12]\d|0?[1-9])日）")


def _anchor(text: str, published: dt.datetime | None, partial: str | None) -> Anchor:
    """The publication anchor, with 今天 moved to the reported event's day when the text fixes it.

    A day written in brackets after 今天 fixes it for the whole text. Otherwise:
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
    if (fixed := _TODAY_FIXED.search(text)) is not None:
        month, date = int(fixed.group("m")), int(fixed.group("d"))
        written = _day(_closest_year(day, month, date), month, date, known)
        if written is not None:
            return Anchor(day, known, written.start)
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
