"""Whole parallel formulas: a formula that is one part of a parallel series is the series.

ANNOTATION.md makes a couplet or triplet one item (依法防控、科学防控、联防联控; 两手抓、两手都要硬;
统筹国内国际两个大局、发展安全两件大事), so a mention whose neighbours across 、 have its shape
(about its length, sharing characters in place counted from the start or from the end) grows to
the whole series. A list closed by 等 (长江十年禁渔、…等工作) is a list of items, not one formula.
"""

from __future__ import annotations

import re

from flows.nlp.slogans.discovery import _SCORE_SERIES, _SCORE_SERIES_OF_WORDS
from flows.nlp.slogans.lexicon import CLOSERS, HAN, OPENERS, SEPARATOR

# The Han run before and after a 、 (a neighbour part is cut from it).
_RUN_BEFORE_RE = re.compile(f"[{HAN}]+$")
_RUN_AFTER_RE = re.compile(f"[{HAN}]+")
# A series closed by 等/等等 lists items.
_LIST_END_RE = re.compile("等")
# A neighbour part may be this much longer or shorter than the part beside it
# (两手抓、两手都要硬).
_LENGTH_SLACK = 2
_MIN_PART_CHARS = 3


def _shared_in_place(first: str, second: str) -> int:
    """How many characters the parts share in place, aligned at the start or at the end; a
    shared first character alone does not count (新基建、新技术、新材料 is a list)."""
    from_start = sum(a == b for a, b in zip(first[1:], second[1:], strict=False))
    from_end = sum(a == b for a, b in zip(first[:0:-1], second[:0:-1], strict=False))
    shared = max(from_start, from_end)
    return shared + (first[0] == second[0]) if shared else 0


def _fits(part: str, neighbour: str, *, cut: bool) -> bool:
    """Whether a neighbour has a part's shape: about its length, and a character shared in
    place (two when the neighbour was cut from a longer run, which may hold other words)."""
    return (
        len(neighbour) >= _MIN_PART_CHARS
        and abs(len(neighbour) - len(part)) <= _LENGTH_SLACK
        and neighbour != part
        and _shared_in_place(part, neighbour) >= (2 if cut else 1)
    )


def _right_neighbour(text: str, end: int, part: str) -> str | None:
    """The clause after text[end] == 、 up to the next mark, when it has the shape of `part`;
    a longer clause goes on past the formula (全面建成小康社会、开启全面建设社会主义现代化国家…)."""
    if text[end : end + 1] != SEPARATOR:
        return None
    run = _RUN_AFTER_RE.match(text, end + 1)
    if run is None or not _fits(part, run.group(), cut=False):
        return None
    return run.group()


def series_span(text: str, start: int, end: int, parts: list[str]) -> tuple[int, int]:
    """The span of the whole parallel series around text[start:end] (whose parts are `parts`),
    or (start, end) when its neighbours across 、 do not share its shape."""
    if text[start : start + 1] in OPENERS or text[end - 1 : end] in CLOSERS:
        return start, end  # quotes side by side are joined by the lexicon, not by shape
    last = parts[-1]
    new_end = end
    while (neighbour := _right_neighbour(text, new_end, last)) is not None:
        new_end += 1 + len(neighbour)
        last = neighbour
    first = parts[0]
    new_start = start
    while text[new_start - 1 : new_start] == SEPARATOR:
        run = _RUN_BEFORE_RE.search(text, 0, new_start - 1)
        if run is None:
            break
        cut = len(run.group()) > len(first)
        neighbour = run.group()[-len(first) :]
        if len(neighbour) < len(first) or not _fits(first, neighbour, cut=cut):
            break
        new_start -= 1 + len(neighbour)
        first = neighbour
    if (new_start, new_end) != (start, end) and _LIST_END_RE.match(text, new_end):
        return start, end
    return new_start, new_end


def _reduplicated_word(part: str) -> bool:
    """A four-character ABAC word (联防联控, 严防严控, 复工复产): a measure on its own."""
    return len(part) == 4 and part[0] == part[2] and part[1] != part[3]


def series_score(canonical: str) -> float:
    """How sure a series is one formula: two ABAC words side by side (联防联控、严防严控) are
    two measures; other series of its shape are one formula."""
    parts = canonical.split(SEPARATOR)
    if len(parts) == 2 and all(map(_reduplicated_word, parts)):
        return _SCORE_SERIES_OF_WORDS
    return _SCORE_SERIES
