"""Visible text of an HTML page, one line per block element; markup nested too deep for the
parser is flattened in one pass instead."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from html import unescape

from selectolax.lexbor import LexborHTMLParser

from flows.inputs.normalize import CJK, SPACES

logger = logging.getLogger(__name__)

_INVISIBLE_TAGS = "head,script,style,noscript,template,iframe,svg,canvas,nav,footer,aside,form"
_BLOCK_TAGS = (
    "address,article,blockquote,dd,div,dl,dt,figcaption,figure,h1,h2,h3,h4,h5,h6,header,"
    "hr,li,main,ol,p,pre,section,table,tbody,td,th,thead,tr,ul"
)
_INVISIBLE_ELEMENTS = frozenset(_INVISIBLE_TAGS.split(","))
_BREAKING_ELEMENTS = frozenset([*_BLOCK_TAGS.split(","), "br"])
_BLOCK_BREAK = "\x00"
_CJK_SEGMENT_BREAK = re.compile(rf"(?<=[{CJK}])[ \t]*[\r\n][ \t\r\n]*(?=[{CJK}])")


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
    return SPACES.sub(" ", text).replace(_BLOCK_BREAK, "\n")


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
