"""Line-level boilerplate removal: navigation, footers, contact lines, link spam and
related-article lists, with the count of characters removed."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from flows.inputs.normalize import HAS_WORD


class LineKind(StrEnum):
    """What a line of cleaned text is."""

    BODY = "body"
    NAVIGATION = "navigation"
    SPAM = "spam"
    FOOTER = "footer"
    CONTACT = "contact"
    RELATED = "related"  # heading of a list of other articles: it and all after it go


SHORT_LINE = 80
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
    short = len(line) <= SHORT_LINE
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
    return body_part(head) if HAS_WORD.search(head) else ""


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
