"""Metadata from header lines (来源, 作者, header date-times, 原标题, datelines, reporter
bylines) taken out of the text into fields, and the title.

Title decisions: a JSONL `title` wins, then a `原标题:` header line, then the first line when
it reads as a heading (short, no sentence punctuation inside). A lone full stop ending such a
short line is dropped: seed 004 opens with `疫情期間服務不斷檔。`, ten characters followed by
a dated lead paragraph, which is the article's headline rather than a paragraph, so its title
is `疫情期间服务不断档`. A first line that starts with a dateline (`济宁新闻网2月7日讯 …`) is
body, never a title.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from flows.inputs.boilerplate import SHORT_LINE
from flows.inputs.normalize import CJK, SPACES

SHANGHAI = ZoneInfo("Asia/Shanghai")

_DATETIME = re.compile(
    r"(?P<year>(?:19|20)\d{2})\s*[-/.年]\s*(?P<month>\d{1,2})\s*[-/.月]\s*(?P<day>\d{1,2})\s*日?"
    r"(?:\s*(?P<hour>\d{1,2})\s*[:：时]\s*(?P<minute>\d{1,2})"
    r"(?:\s*[:：分]\s*(?P<second>\d{1,2})\s*秒?)?分?)?"
)
_META_LABEL = re.compile(
    r"(?P<label>来源|来自|稿源|出处|作者|记者|通讯员|责任编辑|责编|编辑|审核|发布时间|发布日期|"
    r"发表时间|更新时间|时间|日期|浏览次数|点击数|点击量|阅读量|阅读数|浏览量)\s*[:：]"
)
_OUTLET_LABELS = frozenset(["来源", "来自", "稿源", "出处"])
_AUTHOR_LABELS = frozenset(["作者", "记者", "通讯员"])
_TIME_LABELS = frozenset(["发布时间", "发布日期", "发表时间", "更新时间", "时间", "日期"])
_META_VALUE_MAX = 30
_SENTENCE_PUNCT = re.compile(r"[。！？!?，,；;]")
_TITLE_PUNCT = re.compile(r"[。！？!?；;]")
_ORIGINAL_TITLE = re.compile(r"^原标题\s*[:：]\s*(?P<title>.+)$")
_WRAPPERS = ("()", "（）", "【】", "[]")
_BYLINE = re.compile(
    r"[(（]\s*(?P<names>(?:本报|本台|本网|本刊)?(?:特约|见习)?(?:记者|通讯员|实习生)"
    r"[^()（）]{1,40})[)）]$"
)
_BYLINE_ROLES = re.compile(r"(?:本报|本台|本网|本刊)?(?:特约|见习)?(?:记者|通讯员|实习生)")
_DATELINE = re.compile(
    rf"^(?:(?P<outlet>[{CJK}·]{{1,12}}?(?:网|报|社|台|新闻|客户端))|本报|本台|本网|本刊)"
    rf"(?P<place>[{CJK}]{{2,5}})?"
    r"(?:(?P<month>\d{1,2})月(?P<day>\d{1,2})日(?:讯|电)|(?:讯|电)(?=[\s(（:：,，])|消息(?=[(（:：]))"
    r"(?:\s*[(（][^()（）]{0,40}[)）])?[\s:：,，]*"
)
_TITLE_MAX = 50
_TITLE_BAD_END = ("，", ",", "：", ":", "、")


@dataclass(slots=True)
class Metadata:
    """Metadata gathered from header lines, in order of appearance."""

    outlets: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    published_at: dt.datetime | None = None
    published_partial: str | None = None
    original_title: str | None = None


def parse_datetime(value: str) -> dt.datetime | None:
    """Parse a publication date(-time) into an Asia/Shanghai datetime; None if unparseable.

    Accepts ISO 8601 (with or without zone, `20200121`), `2020-01-21 19:00`, `2020/1/21` and
    `2020年1月21日 19时00分`. Zone-less values are local (Asia/Shanghai) time.
    """
    value = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        match = _DATETIME.fullmatch(value)
        parsed = None if match is None else _datetime_from_match(match)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=SHANGHAI)
    try:
        return parsed.astimezone(SHANGHAI)
    except OverflowError:  # `0001-01-01T00:00+14:00` lies before the first representable day
        return None


def _datetime_from_match(match: re.Match[str]) -> dt.datetime | None:
    """The local datetime of a `_DATETIME` match, or None if it is not a real date."""
    parts = match.groupdict()
    try:
        return dt.datetime(
            int(parts["year"]),
            int(parts["month"]),
            int(parts["day"]),
            int(parts["hour"] or 0),
            int(parts["minute"] or 0),
            int(parts["second"] or 0),
            tzinfo=SHANGHAI,
        )
    except ValueError:
        return None


def extract_metadata(lines: list[str]) -> tuple[list[str], Metadata]:
    """The body lines left once metadata lines, a leading dateline and reporter bylines are
    taken out of `lines`, and the metadata they held."""
    meta = Metadata()
    lines = [line for line in lines if not _take_meta_line(line, meta)]
    # A dateline opens the body, which may come after a title line.
    lines[:2] = [_take_dateline(line, meta) for line in lines[:2]]
    lines = [line for line in (_take_byline(line, meta) for line in lines) if line]
    return lines, meta


def _take_meta_line(line: str, meta: Metadata) -> bool:
    """If `line` consists only of metadata, record it in `meta` and return True."""
    title = _ORIGINAL_TITLE.match(line)
    if title is not None:
        meta.original_title = meta.original_title or title.group("title").strip()
        return True
    if len(line) > SHORT_LINE:
        return False
    for opening, closing in _WRAPPERS:
        if line.startswith(opening) and line.endswith(closing):
            line = line[1:-1].strip()
    labels = list(_META_LABEL.finditer(line))
    lead = line[: labels[0].start() if labels else len(line)].strip()
    published = None
    if lead:
        match = _DATETIME.fullmatch(lead)
        published = None if match is None else _datetime_from_match(match)
        if published is None:
            return False
    elif not labels:
        return False
    outlets: list[str] = []
    authors: list[str] = []
    for label, next_label in itertools.pairwise([*labels, None]):
        end = len(line) if next_label is None else next_label.start()
        value = line[label.end() : end].strip(" |/·")
        name = label.group("label")
        if name in _TIME_LABELS:
            published = published or _parse_meta_datetime(value)
            if published is None:
                return False
        elif value and (len(value) > _META_VALUE_MAX or _SENTENCE_PUNCT.search(value)):
            return False  # `记者：你们是怎么做的？` is an interview, not a byline
        elif name in _OUTLET_LABELS and value:
            outlets.append(value)
        elif name in _AUTHOR_LABELS and value:
            authors.append(value)
    meta.outlets.extend(outlets)
    meta.authors.extend(authors)
    meta.published_at = meta.published_at or published
    return True


def _parse_meta_datetime(value: str) -> dt.datetime | None:
    """The local datetime a labelled header value starts with."""
    match = _DATETIME.match(value)
    return None if match is None else _datetime_from_match(match)


def _take_dateline(line: str, meta: Metadata) -> str:
    """Strip a leading dateline (`济宁新闻网2月7日讯 `), recording its outlet and date.

    A line that is only a dateline (`央视网消息（新闻联播）：`) becomes empty.
    """
    match = _DATELINE.match(line)
    if match is None:
        return line
    if match.group("outlet"):
        meta.outlets.append(match.group("outlet"))
    if match.group("month") and meta.published_partial is None:
        meta.published_partial = (
            f"XXXX-{int(match.group('month')):02d}-{int(match.group('day')):02d}"
        )
    return line[match.end() :]


def _take_byline(line: str, meta: Metadata) -> str:
    """Strip a trailing reporter byline `(本报记者张敏)`, recording the names as author."""
    match = _BYLINE.search(line)
    if match is None:
        return line
    names = SPACES.sub(" ", _BYLINE_ROLES.sub(" ", match.group("names"))).strip(" :：")
    if names:
        meta.authors.append(names)
    return line[: match.start()].rstrip()


def _heading(line: str) -> str | None:
    """The title a first line reads as, or None if it reads as a paragraph."""
    if line.endswith("。") and not _SENTENCE_PUNCT.search(line[:-1]) and "：" not in line:
        line = line[:-1]
    if len(line) > _TITLE_MAX or _TITLE_PUNCT.search(line):
        return None
    if line.endswith(_TITLE_BAD_END) or _DATELINE.match(line):
        return None
    return line


def split_title(lines: list[str], title: str | None) -> tuple[str | None, list[str]]:
    """The title and the body lines: `title` if given, else a first line read as a heading."""
    if title is None and len(lines) > 1:
        title = _heading(lines[0])
        if title is not None:
            return title, lines[1:]
    if lines and lines[0] == title:
        return title, lines[1:]  # the given title repeated as the first line
    return title, lines
