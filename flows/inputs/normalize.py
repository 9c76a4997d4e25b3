"""Text-level normalisation: control characters, HTML fragments and pinyin annotations out,
Traditional to Simplified, full-width letters and digits to half-width, one line per paragraph."""

from __future__ import annotations

import re

from opencc import OpenCC

# Building the converter loads its dictionaries; do it once per process.
_T2S = OpenCC("t2s")

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

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
SPACES = re.compile(r"\s+")
_BULLETS = re.compile(r"^(?:[•●◆◇■□▪▶►○]\s*)+")
HAS_WORD = re.compile(r"\w")


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
    lines = (_BULLETS.sub("", SPACES.sub(" ", line).strip()) for line in text.splitlines())
    return [line.strip() for line in lines if HAS_WORD.search(line)]


def normalize_text(text: str) -> list[str]:
    """Text-level normalisation of raw text into non-empty lines (no boilerplate removal)."""
    text = _SURROGATES.sub("", text.translate(_DELETE))
    text = strip_html_fragments(halfwidth_alnum(text))
    return normalize_lines(to_simplified(remove_pinyin(text)))


def normalize_field(value: str | None) -> str | None:
    """A JSONL string field normalised like text, on one line; None if nothing is left."""
    if value is None:
        return None
    return " ".join(normalize_text(value)) or None
