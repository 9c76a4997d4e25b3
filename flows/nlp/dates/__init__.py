"""Find and normalise temporal expressions in cleaned Simplified-Chinese news.

`extract_dates` returns `DateMention`s with exact character offsets, resolved against the
publication date by the rules of ANNOTATION.md (Dates) and CONTRACT.md (dates table):

* calendar dates (`2022年3月27日`, `二〇二二年三月`, `2022-03-28`, `2021 年 3 月 7 日`,
  `3月27日下午`, `10日`), with a missing year taken so that the date lies closest to the
  publication date (not in the next year once the text has named the publication year);
* relative days, weeks, months and years (`昨天`, `上周五`, `下下周`, `上上个月`, `本月15日`,
  `去年12月`, `前年`), and days, weeks, months or years before or after (`71年前`, `两个月前`,
  `5天后`: counted from the day the text last named);
* relative spans (`近三年`, `未来两天`, `今明两日`), decades and centuries (`八十年代`,
  `上世纪九十年代`, `二十世纪`), five-year plans (`“十四五”时期` = 2021-2025), year and month
  ranges (`2019-2021年`, `今年1-5月`), short years (`九八年`, `08年`, `于98年`),
  day-first numeric dates (`7.3.2021`, `3 7 2021`, `03/08/2021`), weekends (`上周末`,
  `刚刚过去的周末`) and 同期, which takes the period it is compared with in the sentence
  (`去年同期`, `上月同期`);
* periods (`一季度`, `上半年`, `前十个月`, `3月下旬`, `7月中下旬`, `3月首周` (its first seven
  days), `2019年度`, `2019年底`, `年内` (not `半年内`), a bare
  `月底` in the publication month), seasons (`今年春天`, `去冬今春`), open ranges (`今年以来`,
  `自1月27日开始`, `自7月初`, `…起`: start to publication date; a yearless month before 以来
  lies in the past) and closed ranges (`3月28日至4月3日`, `1月到3月间`); a part of day (`28日晚`),
  clock time or clock range (`3月31日0-24时`) belongs to its day;
* holidays, festivals and commemorative days for any year (`春节`, `重阳`, `护士节`, `母亲节`,
  `“五一”期间`, `春节假期`, `国庆黄金周`, `元旦春节期间` from the first holiday to the end of the
  second, `这个假期` during one; flows/nlp/festivals.py) and lunar dates (`农历八月十五`,
  `正月初一`); not inside a quoted slogan or campaign (`“春节不打烊”`), before an event or a
  custom (`国庆盛典`, `清明祭扫`) or where a day is named (`定为“全国科技工作者日”`);
* frequencies (`每日` -> P1D, `每年5月30日` -> P1Y, grain `duration`), vague references
  (`目前`, `近日`, `清明时节`, `今天的中国`, grain `relative-unresolved`) and bare parts of day
  (`午间`, grain `time`), all with null dates.

Durations (`24小时`, `半天`) are not dates and are never matched; neither are event-anchored
expressions (`进驻以来`, `疫情期间`) nor idioms (`第一时间`, `全天候`, `七天七检`).

The spaCy component `zhnews_dates` stores the mentions in `doc._.dates` rather than in
`doc.spans`: pkuseg tokens do not always align with these spans (`3月27日下午` may be cut inside
a token), and the output contract wants exact character offsets, which a Span would lose.

One module per concern: `grammar.py` (the expression regex and its word tables), `periods.py`
(what a match denotes on the calendar), `relative.py` (what it denotes counted from the
publication day or the day in context), `compose.py` (a part of a period written after it:
下个月最后一天, 去年的今天, 两周后的周一) and `component.py` (the left-to-right scan,
`extract_dates` and the spaCy component).
"""

from flows.nlp.dates.component import (
    SHANGHAI,
    DateExtractor,
    extract_dates,
    make_date_extractor,
)
from flows.nlp.dates.periods import UNKNOWN_YEAR, Anchor, Grain, Period

__all__ = [
    "SHANGHAI",
    "UNKNOWN_YEAR",
    "Anchor",
    "DateExtractor",
    "Grain",
    "Period",
    "extract_dates",
    "make_date_extractor",
]
