"""Whole parallel formulas: a formula that is one part of a parallel series is the series.

ANNOTATION.md makes a couplet or triplet one item (依法防控、科学防控、联防联控; 两手抓、两手都要硬;
统筹国内国际两个大局、发展安全两件大事), so a mention whose neighbours across 、 have its shape
(about its length, sharing characters in place counted from the start or from the end) grows to
the whole series. A list closed by 等 (长江十年禁渔、…等工作) is a list of items, not one formula.
"""

from __future__ import annotations

import re

from flows.nlp.slogans.discovery import SCORE_SERIES
from flows.nlp.slogans.lexicon import CLOSERS, HAN, OPENERS, SEPARATOR
from flows.nlp.slogans.parts import reduplicated_word, shared_from_end, shared_in_place

# The Han run before and after a 、 (a neighbour part is cut from it).
_RUN_BEFORE_RE = re.compile(f"[{HAN}]+$")
_RUN_AFTER_RE = re.compile(f"[{HAN}]+")
# A series closed by 等/等等 lists items.
_LIST_END_RE = re.compile("等")
# A noun after the last part heads the whole series and is not part of it (群防群控、联防联控网络,
# 内防反弹、外防输入措施), as a generic noun after a quoted formula is not (“六稳”工作).
_HEAD_NOUN_RE = re.compile(
    "(?:措施|工作|能力|网络|人员|机制|体系|政策|要求|原则|策略|方针|目标|任务|堵点)$"
)
# A neighbour part may be this much longer or shorter than the part beside it
# (两手抓、两手都要硬).
_LENGTH_SLACK = 2
_MIN_PART_CHARS = 3


def _fits(part: str, neighbour: str, *, cut: bool) -> bool:
    """Whether a neighbour has a part's shape: about its length, and a character shared in
    place (two when the neighbour was cut from a longer run, which may hold other words)."""
    return (
        len(neighbour) >= _MIN_PART_CHARS
        and abs(len(neighbour) - len(part)) <= _LENGTH_SLACK
        and neighbour != part
        and shared_in_place(part, neighbour) >= (2 if cut else 1)
    )


def _right_neighbour(text: str, end: int, part: str) -> tuple[str, bool] | None:
    """The clause after text[end] == 、 up to the next mark when it has the shape of `part`,
    and whether the series ends with it (a head noun follows it); a longer clause goes on past
    the formula (全面建成小康社会、开启全面建设社会主义现代化国家…)."""
    if text[end : end + 1] != SEPARATOR:
        return None
    run = _RUN_AFTER_RE.match(text, end + 1)
    if run is None:
        return None
    clause = run.group()
    head = _HEAD_NOUN_RE.search(clause)
    if head is not None and len(clause) > len(part):
        clause = clause[: head.start()]
    if not _fits(part, clause, cut=False):
        return None
    return clause, head is not None


def _left_neighbour(text: str, start: int, part: str) -> str | None:
    """The last len(part) characters before text[start - 1] == 、 when they have its shape."""
    if text[start - 1 : start] != SEPARATOR:
        return None
    run = _RUN_BEFORE_RE.search(text, 0, start - 1)
    if run is None or len(run.group()) < len(part):
        return None
    neighbour = run.group()[-len(part) :]
    return neighbour if _fits(part, neighbour, cut=len(run.group()) > len(part)) else None


def series_span(text: str, start: int, end: int, parts: list[str]) -> tuple[int, int]:
    """The span of the whole parallel series around text[start:end] (whose parts are `parts`),
    or (start, end) when its neighbours across 、 do not share its shape."""
    if text[start : start + 1] in OPENERS or text[end - 1 : end] in CLOSERS:
        return start, end  # quotes side by side are joined by the lexicon, not by shape
    last, new_end = parts[-1], end
    while (found := _right_neighbour(text, new_end, last)) is not None:
        neighbour, closes = found
        if new_end == end and len(parts) == 1:
            start = _balanced_start(text, start, parts[0], neighbour)
        new_end, last = new_end + 1 + len(neighbour), neighbour
        if closes:
            break
    first, new_start = text[start:end].split(SEPARATOR)[0], start
    while (neighbour := _left_neighbour(text, new_start, first)) is not None:
        new_start, first = new_start - 1 - len(neighbour), neighbour
    if (new_start, new_end) != (start, end) and _LIST_END_RE.match(text, new_end):
        return start, end
    return new_start, new_end


def _balanced_start(text: str, start: int, part: str, neighbour: str) -> int:
    """Where a one-part formula starts when its right neighbour is longer and they share their
    ends: it takes as many characters before it as its verb (贯彻新发展理念、构建新发展格局)."""
    extra = len(neighbour) - len(part)
    if extra <= 0 or shared_from_end(part, neighbour) == 0 or start < extra:
        return start
    lead = text[start - extra : start]
    return start - extra if _RUN_AFTER_RE.fullmatch(lead) else start


def series_score(canonical: str) -> float | None:
    """How sure a series is one formula, or None when it is formulas side by side. Three parts
    or more are one; so is a couplet whose parts share two characters in place
    (两手抓、两手都要硬), except two ABAC words (联防联控、严防严控; 一校一策、一村一档). A couplet
    sharing one character (预防为主、群防群控) is as often two phrases."""
    parts = canonical.split(SEPARATOR)
    if len(parts) > 2:
        return SCORE_SERIES
    if all(map(reduplicated_word, parts)) or shared_in_place(*parts) < 2:
        return None
    return SCORE_SERIES
