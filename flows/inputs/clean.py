"""Turn a `RawDocument` into a `CleanDocument`: Simplified-Chinese text plus metadata.

Cleaning has two layers:

* `clean_text`, a text-level normalisation (HTML fragments, inserted pinyin, Traditional to
  Simplified, full-width letters and digits, whitespace) followed by line-level boilerplate
  removal. It never raises and is idempotent: cleaning cleaned text changes nothing.
* `clean_document`, which also takes metadata lines (来源, 作者, header date-times, 原标题,
  datelines, reporter bylines) out of the text into fields and lays the text out as the
  contract says: the title (when there is one), a blank line, then one body paragraph a line.

Title decisions: a JSONL `title` wins, then a `原标题:` header line, then the first line when
it reads as a heading (short, no sentence punctuation inside). A lone full stop ending such a
short line is dropped: seed 004 opens with `疫情期間服務不斷檔。`, ten characters followed by
a dated lead paragraph, which is the article's headline rather than a paragraph, so its title
is `疫情期间服务不断档`. A first line that starts with a dateline (`济宁新闻网2月7日讯 …`) is
body, never a title.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from html import unescape
from zoneinfo import ZoneInfo

from opencc import OpenCC
from selectolax.lexbor import LexborHTMLParser

from flows.store.records import CleanDocument, InputFormat, RawDocument, Reject, RejectReason

logger = logging.getLogger(__name__)
SHANGHAI = ZoneInfo("Asia/Shanghai")
OUTLET_SEPARATOR = "; "
DOC_ID_HEX_CHARS = 16

# Building the converter loads its dictionaries; do it once per process.
_T2S = OpenCC("t2s")

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# --- text-level normalisation -------------------------------------------------------------

# Control characters other than line breaks, lone surrogates and zero-width characters carry
# no text and would break the converter (surrogates) or hide in spans.
_DELETE = {cp: None for cp in range(0x20) if chr(cp) not in "\t\n\r\x0b\x0c\x1c\x1d\x1e"}
_DELETE |= {cp: None for cp in (0x7F, *range(0x80, 0xA0)) if cp != 0x85}
_DELETE |= {cp: None for cp in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)}
_SURROGATES = re.compile("[\ud800-\udfff]")
_HALFWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)}
_HALFWIDTH |= {cp: cp - 0xFEE0 for cp in range(0xFF21, 0xFF3B)}
_HALFWIDTH |= {cp: cp - 0xFEE0 for cp in range(0xFF41, 0xFF5B)}

_HTML_TAG = re.compile(
    r"<(?:/?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?|!--.*?--|![A-Za-z][^<>]*)>", re.DOTALL
)
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_PINYIN_SYLLABLE = rf"[a-zü{_TONED}]{{0,5}}[{_TONED}ü][a-zü{_TONED}]{{0,5}}"
_PINYIN = rf"{_PINYIN_SYLLABLE}(?:[ '’]?{_PINYIN_SYLLABLE}){{0,3}}"
# `國(guó)`; the second form is the same annotation whose `(` was lost to a corrupted byte.
_PINYIN_ANNOTATION = re.compile(rf"\({_PINYIN}\)|\?{_PINYIN}\)")
_SPACES = re.compile(r"\s+")
_BULLETS = re.compile(r"^(?:[•●◆◇■□▪▶►○]\s*)+")
_HAS_WORD = re.compile(r"\w")
_INVISIBLE_TAGS = "head,script,style,noscript,template,iframe,svg,canvas,nav,footer,aside,form"
_BLOCK_TAGS = (
    "address,article,blockquote,dd,div,dl,dt,figcaption,figure,h1,h2,h3,h4,h5,h6,header,"
    "hr,li,main,ol,p,pre,section,table,tbody,td,th,thead,tr,ul"
)
_INVISIBLE_ELEMENTS = frozenset(_INVISIBLE_TAGS.split(","))
_BREAKING_ELEMENTS = frozenset([*_BLOCK_TAGS.split(","), "br"])
_BLOCK_BREAK = "\x00"
_CJK_SEGMENT_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t]*[\r\n][ \t\r\n]*(?=[{_CJK}])")


# The HTML parser spends time quadratic in nesting depth (30k nested elements: minutes), so
# deeper markup is flattened by a one-pass tokenizer instead. Real pages nest a few dozen deep;
# at this depth the parser still takes well under a second for a 1 MB page.
MAX_HTML_DEPTH = 1_000
_TAG_TOKEN = re.compile(r"<(?:!--|(/?)([A-Za-z][A-Za-z0-9:-]*)[^<>]*?(/?)>)")
# Elements that never hold children, or whose end tag may be left out: neither nests.
_NOT_NESTING = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
        "p",
        "li",
        "dt",
        "dd",
        "tr",
        "td",
        "th",
        "option",
        "optgroup",
        "rb",
        "rt",
        "rp",
        "thead",
        "tbody",
        "tfoot",
        "colgroup",
        "caption",
        "html",
        "head",
        "body",
    ]
)


class _TagKind(StrEnum):
    OPEN = "open"
    CLOSE = "close"
    EMPTY = "empty"  # `<br/>`, and comments (whose name is "")


@dataclass(frozen=True, slots=True)
class _Tag:
    start: int
    end: int
    name: str
    kind: _TagKind


def _tags(html: str) -> Iterator[_Tag]:
    """The tags and comments of `html` in order, in linear time whatever the markup."""
    position = 0
    while (tag := _TAG_TOKEN.search(html, position)) is not None:
        name = tag.group(2)
        if name is None:  # a comment runs to `-->`, or to the end when unterminated
            end = html.find("-->", tag.end())
            position = len(html) if end < 0 else end + 3
            yield _Tag(tag.start(), position, "", _TagKind.EMPTY)
            continue
        position = tag.end()
        kind = _TagKind.CLOSE if tag.group(1) else _TagKind.EMPTY if tag.group(3) else _TagKind.OPEN
        yield _Tag(tag.start(), position, name.lower(), kind)


def html_to_text(html: str) -> str:
    """Visible text of an HTML page or fragment, one line per block element."""
    depth = html_depth(html)
    if depth > MAX_HTML_DEPTH:
        logger.warning("HTML nested %d elements deep: flattened without the parser", depth)
        text = _flat_html_text(html)
    else:
        tree = LexborHTMLParser(html)
        for node in tree.css(_INVISIBLE_TAGS):
            node.decompose()
        for node in tree.css(_BLOCK_TAGS):
            node.insert_before(_BLOCK_BREAK)
            node.insert_after(_BLOCK_BREAK)
        for node in tree.css("br"):
            node.insert_after(_BLOCK_BREAK)
        root = tree.root
        text = "" if root is None else root.text(separator="")
    # A source line break between two CJK characters renders as nothing (CSS segment breaks).
    text = _CJK_SEGMENT_BREAK.sub("", text)
    return _SPACES.sub(" ", text).replace(_BLOCK_BREAK, "\n")


def html_depth(html: str) -> int:
    """How deep the elements of `html` nest, counting open tags not yet closed."""
    depth = deepest = 0
    for tag in _tags(html):
        if tag.kind is _TagKind.EMPTY or tag.name in _NOT_NESTING:
            continue
        depth = depth + 1 if tag.kind is _TagKind.OPEN else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def _flat_html_text(html: str) -> str:
    """Visible text of HTML without building a tree: tags and comments removed in one pass,
    invisible elements skipped, block elements and `<br>` breaking lines."""
    pieces: list[str] = []
    hidden: str | None = None  # the invisible element being skipped
    hidden_depth = 0
    position = 0
    for tag in _tags(html):
        if hidden is None:
            pieces.append(html[position : tag.start])
        position = tag.end
        if hidden is not None:
            if tag.name == hidden and tag.kind is not _TagKind.EMPTY:
                hidden_depth += 1 if tag.kind is _TagKind.OPEN else -1
                hidden = hidden if hidden_depth else None
        elif tag.kind is _TagKind.OPEN and tag.name in _INVISIBLE_ELEMENTS:
            hidden, hidden_depth = tag.name, 1
        elif tag.name in _BREAKING_ELEMENTS:
            pieces.append(_BLOCK_BREAK)
    if hidden is None:
        pieces.append(html[position:])
    return unescape("".join(pieces))


def strip_html_fragments(text: str) -> str:
    """Remove HTML tags and comments left in plain text, such as `<dfn id="x"></dfn>`."""
    while "<" in text:
        stripped = _HTML_TAG.sub("", text)
        if stripped == text:
            break
        text = stripped  # removing a tag can join the halves of another: `<<b>i>`
    return text


def remove_pinyin(text: str) -> str:
    """Remove parenthesised pinyin annotations with tone marks: `國(guó)` -> `國`.

    Parentheses holding anything else (`(宣传部)`, `(C)`, `(Beijing)`) are kept.
    """
    while "(" in text or "?" in text:
        stripped = _PINYIN_ANNOTATION.sub("", text)
        if stripped == text:
            break
        text = stripped  # `((guó)guó)` needs a second pass
    return text


def to_simplified(text: str) -> str:
    """Convert Traditional Chinese characters to Simplified (OpenCC `t2s`)."""
    return _T2S.convert(text)


def halfwidth_alnum(text: str) -> str:
    """Full-width ASCII letters and digits to half-width; punctuation such as `，：（）` stays."""
    return text.translate(_HALFWIDTH)


def normalize_lines(text: str) -> list[str]:
    """Split into lines with runs of whitespace made one space, stripped, empty ones dropped."""
    lines = (_BULLETS.sub("", _SPACES.sub(" ", line).strip()) for line in text.splitlines())
    return [line.strip() for line in lines if _HAS_WORD.search(line)]


def normalize_text(text: str) -> list[str]:
    """Text-level normalisation of raw text into non-empty lines (no boilerplate removal)."""
    text = _SURROGATES.sub("", text.translate(_DELETE))
    text = strip_html_fragments(halfwidth_alnum(text))
    return normalize_lines(to_simplified(remove_pinyin(text)))


# --- boilerplate ---------------------------------------------------------------------------


class LineKind(StrEnum):
    """What a line of cleaned text is."""

    BODY = "body"
    NAVIGATION = "navigation"
    SPAM = "spam"
    FOOTER = "footer"
    CONTACT = "contact"
    RELATED = "related"  # heading of a list of other articles: it and all after it go


_SHORT_LINE = 80
_NAVIGATION = re.compile(
    r"^(?:当前位置|您的位置|你的位置|您现在的位置|现在的位置|所在位置)\s*[:：]"
    r"|首页\s*[>›»]"
    r"|^(?:上一篇|下一篇|上一条|下一条|上一页|下一页)\s*[:：]?"
    r"|^(?:关键词|关键字|标签|tags?)\s*[:：]"
    r"|字号\s*[:：]|^【?字体\s*[:：]",
    re.IGNORECASE,
)
_NAVIGATION_WORDS = frozenset(
    [
        "关闭",
        "打印",
        "关闭窗口",
        "打印本页",
        "打印文章",
        "返回",
        "返回顶部",
        "返回首页",
        "返回列表",
        "收藏",
        "收藏本页",
        "分享",
        "分享到",
        "纠错",
        "我要纠错",
        "大",
        "中",
        "小",
        "默认",
        "详细",
        "更多",
        "查看更多",
        "详细信息",
        "微信扫一扫",
        "扫一扫",
    ]
)
_NAVIGATION_SPLIT = re.compile(r"[\s【】\[\]|:：>»]+")
_FOOTER_ANYWHERE = re.compile(
    r"copyright|©|版权所有|all rights reserved|icp备|icp证|公网安备|想爆料|广告热线|"
    r"诚邀合作|违法和不良信息举报|未经授权.{0,10}(?:转载|复制)",
    re.IGNORECASE,
)
_FOOTER_SHORT = re.compile(
    r"关于我们|广告服务|联系我们|联系网站|网站地图|手机版|新闻热线|主办单位|承办单位|"
    r"技术支持|网站声明|免责声明|投诉文章"
)
_CONTACT = re.compile(
    r"^(?:联系电话|联系方式|联系人|电话|传真|邮箱|电子邮箱|e-?mail|地址|邮编|qq|微信号?)\s*[:：]",
    re.IGNORECASE,
)
_RELATED_HEADINGS = frozenset(
    [
        "推荐阅读",
        "相关阅读",
        "相关新闻",
        "相关链接",
        "相关文章",
        "相关报道",
        "延伸阅读",
        "热点推荐",
        "热门推荐",
        "猜你喜欢",
        "更多新闻",
        "更多阅读",
        "精彩推荐",
        "往期回顾",
        "热点新闻",
        "热门文章",
        "为您推荐",
        "今日推荐",
        "编辑推荐",
    ]
)
_RELATED_TRIM = "【】[]:：>»·. "
# Pornographic link spam injected into hacked government pages; one word can be innocent,
# two on one line are not.
_SPAM_WORDS = re.compile(
    r"无码|午夜福利|成人福利|国产精品|精品国产|国自产|中文字幕|在线观看|久久|乱伦|伦理片|乱理伦|"
    r"高清对白|亚洲国产|免费观看|av网|色情|成人影院|一本道"
)
_SPAM_MIN_WORDS = 2
# A short line of footer words is a footer only if it is not a sentence: `由华为公司提供技术
# 支持。` is body.
_CLAUSE_PUNCT = re.compile(r"[，,。！？!?；;]")
_SENTENCE_ENDS = "。！？!?；;"
# A footer's clause starts after a sentence end, a comma, a gap or a separator.
_CLAUSE_BOUNDARIES = _SENTENCE_ENDS + "，,|｜ \t\u3000"
_FOOTER_LEAD_MAX = 20
# A text of at least this many characters (after normalisation) that boilerplate removal cuts
# by more than this share is rejected as mostly_removed rather than kept as a stub. The seeds
# lose at most 46% (001, a page of related-article lists) and news feeds next to nothing.
MOSTLY_REMOVED_MIN_CHARS = 2_000
MOSTLY_REMOVED_SHARE = 0.9


def classify_line(line: str) -> LineKind:
    """Classify one normalised line as body text or a kind of boilerplate.

    FOOTER means the line holds a footer; `body_part` keeps the body text before it.
    """
    if line.strip(_RELATED_TRIM) in _RELATED_HEADINGS:
        return LineKind.RELATED
    short = len(line) <= _SHORT_LINE
    if short and _NAVIGATION.search(line):
        return LineKind.NAVIGATION
    words = [word for word in _NAVIGATION_SPLIT.split(line) if word]
    if words and all(word in _NAVIGATION_WORDS for word in words):
        return LineKind.NAVIGATION
    if _FOOTER_ANYWHERE.search(line) or (
        short and _FOOTER_SHORT.search(line) and not _CLAUSE_PUNCT.search(line)
    ):
        return LineKind.FOOTER
    if short and _CONTACT.search(line):
        return LineKind.CONTACT
    if len(set(_SPAM_WORDS.findall(line))) >= _SPAM_MIN_WORDS:
        return LineKind.SPAM
    return LineKind.BODY


def body_part(line: str) -> str:
    """The body text of a line: all of a body line, the text before a footer, or nothing.

    A footer (`©…`, `版权所有`, `未经授权不得转载`) ends a paragraph, so it and what follows it
    are cut, from the start of its clause; the sentences before it stay. A short fragment
    without a sentence end left before it (`本网原创稿件，`, an outlet name) is part of it.
    """
    kind = classify_line(line)
    if kind is LineKind.BODY:
        return line
    footer = _FOOTER_ANYWHERE.search(line) if kind is LineKind.FOOTER else None
    if footer is None:
        return ""
    head = line[: _after_last(line[: footer.start()], _CLAUSE_BOUNDARIES)]
    sentence_end = _after_last(head, _SENTENCE_ENDS)
    if len(head) - sentence_end <= _FOOTER_LEAD_MAX:
        head = head[:sentence_end]
    head = head.rstrip()
    # The head is classified again: without its footer a long line can become a short one.
    return body_part(head) if _HAS_WORD.search(head) else ""


def _after_last(text: str, characters: str) -> int:
    """The index just after the last of `characters` in `text`; 0 if there is none."""
    return max(text.rfind(character) for character in characters) + 1


@dataclass(frozen=True, slots=True)
class Boilerplate:
    """The body lines of a text and how many characters boilerplate removal took out."""

    lines: list[str]
    chars_removed: int


def remove_boilerplate(lines: Iterable[str]) -> Boilerplate:
    """Keep body text; drop boilerplate, and everything from a related-articles heading on."""
    kept: list[str] = []
    removed = 0
    lines = list(lines)
    for number, line in enumerate(lines):
        if classify_line(line) is LineKind.RELATED:
            removed += sum(map(len, lines[number:]))
            break
        body = body_part(line)
        removed += len(line) - len(body)
        if body:
            kept.append(body)
    return Boilerplate(kept, removed)


def clean_text(text: str) -> str:
    """Text-level cleaning: normalisation plus boilerplate removal, one line per paragraph."""
    return "\n".join(remove_boilerplate(normalize_text(text)).lines)


# --- metadata ------------------------------------------------------------------------------

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
    rf"^(?:(?P<outlet>[{_CJK}·]{{1,12}}?(?:网|报|社|台|新闻|客户端))|本报|本台|本网|本刊)"
    rf"(?P<place>[{_CJK}]{{2,5}})?"
    r"(?:(?P<month>\d{1,2})月(?P<day>\d{1,2})日(?:讯|电)|(?:讯|电)(?=[\s(（:：,，])|消息(?=[(（:：]))"
    r"(?:\s*[(（][^()（）]{0,40}[)）])?[\s:：,，]*"
)
_TITLE_MAX = 50
_TITLE_BAD_END = ("，", ",", "：", ":", "、")


@dataclass(slots=True)
class _Metadata:
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


def _take_meta_line(line: str, meta: _Metadata) -> bool:
    """If `line` consists only of metadata, record it in `meta` and return True."""
    title = _ORIGINAL_TITLE.match(line)
    if title is not None:
        meta.original_title = meta.original_title or title.group("title").strip()
        return True
    if len(line) > _SHORT_LINE:
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


def _take_dateline(line: str, meta: _Metadata) -> str:
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


def _take_byline(line: str, meta: _Metadata) -> str:
    """Strip a trailing reporter byline `(本报记者张敏)`, recording the names as author."""
    match = _BYLINE.search(line)
    if match is None:
        return line
    names = _SPACES.sub(" ", _BYLINE_ROLES.sub(" ", match.group("names"))).strip(" :：")
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


def _split_title(lines: list[str], title: str | None) -> tuple[str | None, list[str]]:
    """The title and the body lines: `title` if given, else a first line read as a heading."""
    if title is None and len(lines) > 1:
        title = _heading(lines[0])
        if title is not None:
            return title, lines[1:]
    if lines and lines[0] == title:
        return title, lines[1:]  # the given title repeated as the first line
    return title, lines


def _normalize_field(value: str | None) -> str | None:
    """A JSONL string field normalised like text, on one line; None if nothing is left."""
    if value is None:
        return None
    return " ".join(normalize_text(value)) or None


# --- documents -----------------------------------------------------------------------------

# A document is Chinese when Han characters are at least this share of its letters and kana at
# most 5% of them. Latin words count letter by letter, so Chinese news quoting
# `COVID-19` or a URL stays far above it (the seeds and the COVID news feed: 94% and more);
# English has no Han characters, and Japanese news, up to 55% kanji, has kana on every line.
MIN_CHINESE_SHARE = 0.6
MAX_KANA_SHARE = 0.05
_HAN = re.compile(f"[{_CJK}]")
_KANA = re.compile("[\u3041-\u3096\u30a1-\u30fa]")


def chinese_share(text: str) -> float:
    """The share of Han characters among the letters of `text`; 0 when it has none, or when
    kana show it is Japanese."""
    letters = sum(1 for character in text if character.isalpha())
    if not letters or len(_KANA.findall(text)) > letters * MAX_KANA_SHARE:
        return 0.0
    return len(_HAN.findall(text)) / letters


def clean_document(raw: RawDocument, *, accept_non_chinese: bool = False) -> CleanDocument | Reject:
    """Clean one document; a Reject when boilerplate removal took most of a long text
    (MOSTLY_REMOVED), no body text remains (NO_TEXT) or the text is not Chinese (NOT_CHINESE,
    unless `accept_non_chinese`)."""
    content = raw.content
    if raw.format is InputFormat.HTML or _looks_like_html(content):
        content = html_to_text(content)
    meta = _Metadata()
    normalized = normalize_text(content)
    boilerplate = remove_boilerplate(normalized)
    total = sum(map(len, normalized))
    if (
        total >= MOSTLY_REMOVED_MIN_CHARS
        and boilerplate.chars_removed > total * MOSTLY_REMOVED_SHARE
    ):
        detail = (
            f"cleaning removed {boilerplate.chars_removed:,} of {total:,} characters of text "
            "as boilerplate"
        )
        return Reject(raw.source, raw.record_id, RejectReason.MOSTLY_REMOVED, detail)
    lines = [line for line in boilerplate.lines if not _take_meta_line(line, meta)]
    # A dateline opens the body, which may come after a title line.
    lines[:2] = [_take_dateline(line, meta) for line in lines[:2]]
    lines = [line for line in (_take_byline(line, meta) for line in lines) if line]
    title, body = _split_title(lines, _normalize_field(raw.title) or meta.original_title)
    if not body:
        detail = f"no body text left after cleaning {len(raw.content):,} characters"
        return Reject(raw.source, raw.record_id, RejectReason.NO_TEXT, detail)
    text = "\n".join(body) if title is None else f"{title}\n\n" + "\n".join(body)
    share = chinese_share(text)
    if not accept_non_chinese and share < MIN_CHINESE_SHARE:
        detail = (
            f"{share:.0%} of its letters are Chinese characters, less than "
            f"{MIN_CHINESE_SHARE:.0%} (--accept-non-chinese keeps it)"
        )
        return Reject(raw.source, raw.record_id, RejectReason.NOT_CHINESE, detail)
    published_at = _jsonl_published(raw) or meta.published_at
    outlets = [o for o in (_normalize_field(raw.outlet), *meta.outlets) if o]
    return CleanDocument(
        doc_id=hashlib.sha256(text.encode("utf-8")).hexdigest()[:DOC_ID_HEX_CHARS],
        source=raw.source,
        record_id=raw.record_id,
        title=title,
        text=text,
        published_at=published_at,
        published_partial=None if published_at else meta.published_partial,
        outlet=OUTLET_SEPARATOR.join(dict.fromkeys(outlets)) or None,
        author=" ".join(dict.fromkeys(meta.authors)) or None,
        url=raw.url,
        chars_removed=boilerplate.chars_removed,
    )


def _looks_like_html(content: str) -> bool:
    """True for a whole HTML page saved with a text extension."""
    head = content[:200].lstrip().lower()
    return head.startswith(("<!doctype html", "<html"))


def _jsonl_published(raw: RawDocument) -> dt.datetime | None:
    """The parsed JSONL publication date, if given and parseable."""
    return None if raw.published_at is None else parse_datetime(raw.published_at)
