"""Turn a `RawDocument` into a `CleanDocument`: Simplified-Chinese text plus metadata.

Cleaning has two layers:

* `clean_text`, a text-level normalisation (HTML fragments, inserted pinyin, Traditional to
  Simplified, full-width letters and digits, whitespace; `normalize`) followed by line-level
  boilerplate removal (`boilerplate`). It never raises and is idempotent: cleaning cleaned
  text changes nothing.
* `clean_document`, which also reads HTML pages (`html`), takes metadata lines (来源, 作者,
  header date-times, 原标题, datelines, reporter bylines) out of the text into fields
  (`metadata`) and lays the text out as the contract says: the title (when there is one), a
  blank line, then one body paragraph a line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from flows.inputs.boilerplate import (
    MOSTLY_REMOVED_MIN_CHARS,
    MOSTLY_REMOVED_SHARE,
    LineKind,
    body_part,
    classify_line,
    remove_boilerplate,
)
from flows.inputs.html import MAX_HTML_DEPTH, html_depth, html_to_text
from flows.inputs.metadata import SHANGHAI, extract_metadata, parse_datetime, split_title
from flows.inputs.normalize import (
    CJK,
    halfwidth_alnum,
    normalize_field,
    normalize_lines,
    normalize_text,
    remove_pinyin,
    strip_html_fragments,
    to_simplified,
)
from flows.store.records import CleanDocument, InputFormat, RawDocument, Reject, RejectReason

__all__ = [
    "DOC_ID_HEX_CHARS",
    "MAX_HTML_DEPTH",
    "MAX_KANA_SHARE",
    "MIN_CHINESE_SHARE",
    "OUTLET_SEPARATOR",
    "SHANGHAI",
    "LineKind",
    "body_part",
    "chinese_share",
    "classify_line",
    "clean_document",
    "clean_text",
    "halfwidth_alnum",
    "html_depth",
    "html_to_text",
    "normalize_lines",
    "normalize_text",
    "parse_datetime",
    "remove_boilerplate",
    "remove_pinyin",
    "strip_html_fragments",
    "to_simplified",
]

OUTLET_SEPARATOR = "; "
DOC_ID_HEX_CHARS = 16


def clean_text(text: str) -> str:
    """Text-level cleaning: normalisation plus boilerplate removal, one line per paragraph."""
    return "\n".join(remove_boilerplate(normalize_text(text)).lines)


# A document is Chinese when Han characters are at least this share of its letters and kana at
# most 5% of them. Latin words count letter by letter, so Chinese news quoting
# `COVID-19` or a URL stays far above it (the seeds and the COVID news feed: 94% and more);
# English has no Han characters, and Japanese news, up to 55% kanji, has kana on every line.
MIN_CHINESE_SHARE = 0.6
MAX_KANA_SHARE = 0.05
_HAN = re.compile(f"[{CJK}]")
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
    lines, meta = extract_metadata(boilerplate.lines)
    title, body = split_title(lines, normalize_field(raw.title) or meta.original_title)
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
    outlets = [o for o in (normalize_field(raw.outlet), *meta.outlets) if o]
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
