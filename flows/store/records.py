"""Typed records that travel between the pipeline's stages.

Stages exchange these plain, frozen records (or Arrow tables built from them by
`flows.store.tables`); nothing else crosses a stage boundary.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class InputFormat(StrEnum):
    TEXT = "text"
    HTML = "html"


class RejectReason(StrEnum):
    """Why an input (file or JSONL line) produced no document."""

    EMPTY = "empty"
    BINARY = "binary"
    UNDECODABLE = "undecodable"
    TOO_LARGE = "too_large"
    MALFORMED_JSON = "malformed_json"
    BAD_FIELD = "bad_field"
    DUPLICATE_ID = "duplicate_id"
    NO_TEXT = "no_text"
    UNREADABLE = "unreadable"
    UNSUPPORTED = "unsupported"
    MOSTLY_REMOVED = "mostly_removed"
    SYMLINK_OUTSIDE = "symlink_outside"
    NOT_CHINESE = "not_chinese"
    NLP_TIMEOUT = "nlp_timeout"


class RunStatus(StrEnum):
    """How a run that got past the output's lock ended (its `runs` row)."""

    COMPLETED = "completed"
    COMPLETED_WITH_REJECTS = "completed_with_rejects"  # exit 4
    FAILED = "failed"  # exit 1 or 5; the batches it committed are kept


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One input document as read: decoded but not cleaned."""

    source: str  # input file path as given
    record_id: str | None  # JSONL `id`, else None
    content: str  # decoded text or HTML
    format: InputFormat
    title: str | None = None  # JSONL `title`
    published_at: str | None = None  # JSONL date field, unparsed
    outlet: str | None = None  # JSONL `source`/outlet
    url: str | None = None
    encoding: str | None = None  # detected encoding of the file


@dataclass(frozen=True, slots=True)
class Reject:
    """An input that could not become a document, and why."""

    source: str
    record_id: str | None
    reason: RejectReason
    detail: str


@dataclass(frozen=True, slots=True)
class CleanDocument:
    """A cleaned Simplified-Chinese document with its metadata.

    `text` is the title on the first line (when there is one), a blank line, then the
    body paragraphs one per line (see CONTRACT.md).
    """

    doc_id: str
    source: str
    record_id: str | None
    title: str | None
    text: str
    published_at: dt.datetime | None  # tz-aware, Asia/Shanghai; None if year unknown
    published_partial: str | None  # TimeML-like value when the year is unknown: XXXX-02-07
    outlet: str | None  # outlets joined with "; "
    author: str | None
    url: str | None = None
    chars_removed: int = 0  # characters of text lines that boilerplate removal dropped

    @property
    def n_chars(self) -> int:
        return len(self.text)


@dataclass(frozen=True, slots=True)
class EntityMention:
    label: str  # PERSON / ORG / LOC
    text: str
    start_char: int
    end_char: int
    sentence: int
    adcode: str | None = None  # GB/T 2260 code of the division named or governed


@dataclass(frozen=True, slots=True)
class DateMention:
    text: str
    start_char: int
    end_char: int
    value: (
        str | None
    )  # TimeML-like: 2022-03-27, 2022-03, 2022-Q1, XXXX-03-27, 2022-01-08/2022-03-28
    date_start: dt.date | None  # inclusive
    date_end: dt.date | None  # inclusive
    grain: str  # day / month / quarter / year / range / duration / relative-unresolved / time


@dataclass(frozen=True, slots=True)
class NumberMention:
    text: str
    start_char: int
    end_char: int
    value: float
    unit: str | None
    kind: str  # cardinal / money / percent / ordinal
    approx: bool


@dataclass(frozen=True, slots=True)
class SloganMention:
    text: str
    start_char: int
    end_char: int
    slogan_id: str | None  # None for discovered candidates
    canonical: str
    category: str | None
    method: str  # lexicon / template / discovered
    score: float = 1.0  # confidence in [0, 1]: 1.0 for lexicon and template matches
