"""`SloganMatcher`: one pass over a text for lexicon, template and discovered mentions.

The lexicon's forms go into one Aho-Corasick automaton over the normalised text and its
templates into regular expressions; matches are mapped back to exact offsets, widened to their
quotation marks, and overlaps resolved (longest first, then lexicon over template over
discovered).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace

import ahocorasick

from flows.nlp.slogans.discovery import (
    DISCOVERY_THRESHOLD,
    SCORE_SERIES,
    discover,
    discovered_mention,
)
from flows.nlp.slogans.lexicon import (
    CLOSERS,
    OPENERS,
    SEPARATOR,
    MatchMethod,
    SloganCategory,
    SloganLexicon,
    canonical_form,
    longest_literal,
    normalize,
    template_regex,
    to_original,
)
from flows.nlp.slogans.series import series_score, series_span
from flows.store.records import SloganMention

# A formula right before one of these is part of a name (国务院联防联控机制, 疫情联防联控工作机制,
# 中柬命运共同体行动计划, 统筹推进…经济社会发展工作部署会议, 决战决胜脱贫攻坚座谈会), not a use of
# the slogan.
_NAME_HEAD_RE = re.compile(
    "(?:工作|合作|协调)?机制|办公室|领导小组|指挥部|联络组|工作组|委员会|行动计划"
    "|(?:工作)?(?:部署)?(?:会议|座谈会)"
)

# Titles in book-title marks (《人民至上》) are names of works; longer ones are not looked for.
_MAX_TITLE_CHARS = 60

_METHOD_RANK = {method: rank for rank, method in enumerate(MatchMethod)}


def _preference(mention: SloganMention) -> tuple[int, int, int]:
    """Sort key: longest span first, then lexicon over template over discovered, then leftmost."""
    length = mention.end_char - mention.start_char
    return -length, _METHOD_RANK[mention.method], mention.start_char


class SloganMatcher:
    """Finds slogan mentions in cleaned Simplified text; build once per worker."""

    def __init__(
        self, lexicon: SloganLexicon, *, discovery_threshold: float = DISCOVERY_THRESHOLD
    ) -> None:
        """Build the automaton; discovered mentions scoring below `discovery_threshold` are
        dropped (0 keeps every candidate, for curating the lexicon or measuring scores)."""
        self.discovery_threshold = discovery_threshold
        self._entries = [e for e in lexicon.entries if e.category is not SloganCategory.EXCLUDED]
        self._by_parts = {
            frozenset(entry.canonical.split(SEPARATOR)): entry
            for entry in self._entries
            if SEPARATOR in entry.canonical and not entry.templates
        }
        self._excluded = lexicon.excluded_keys()
        self._automaton = ahocorasick.Automaton()
        for index, entry in enumerate(self._entries):
            for surface in entry.surfaces:
                key = normalize(surface)[0]
                self._automaton.add_word(key, (index, len(key)))
        if len(self._automaton):
            self._automaton.make_automaton()
        self._templates = [
            (re.compile(template_regex(template)), longest_literal(template), index)
            for index, entry in enumerate(self._entries)
            for template in entry.templates
        ]

    def find(
        self, text: str, body_start: int = 0, names: Iterable[tuple[int, int]] = ()
    ) -> list[SloganMention]:
        """Slogan mentions in text[body_start:] (titles are not annotated), sorted by offset.

        `names` are (start, end) offsets of organisation names in `text`; a formula inside one
        (联防联控 in 国务院联防联控机制) is part of the name, not a slogan.
        """
        body_start = min(max(body_start, 0), len(text))
        body = text[body_start:]
        name_spans = [(start - body_start, end - body_start) for start, end in names]

        def is_use(mention: SloganMention) -> bool:
            return not _inside_name(body, mention, name_spans)

        known = self._whole_series(body, _resolve_overlaps(filter(is_use, self._known(body))))
        candidates = discover(body, self._excluded, overlaps_known=_Occupied(known).overlaps)
        discovered = (
            mention
            for mention in candidates
            if mention.score >= self.discovery_threshold and is_use(mention)
        )
        kept = self._whole_series(body, _resolve_overlaps([*known, *discovered]))
        kept = self._join_adjacent_quotes(body, list(filter(is_use, kept)))
        return [_shift(mention, body_start) for mention in kept]

    def _join_adjacent_quotes(
        self, text: str, mentions: list[SloganMention]
    ) -> list[SloganMention]:
        """One item for quotes of one formula written side by side: in another order than the
        lexicon's (“一张网”“一盘棋” for 一盘棋、一张网), or two lexicon formulas of one category
        side by side (“六稳”“六保”, “非农化”“非粮化”), discovered as a known formula's series.
        Parallel quotes that are no formula's parts stay apart (“七天七检”“七天四检”: templates;
        “甩锅”“推责”: one formula beside a word)."""
        joined: list[SloganMention] = []
        for mention in mentions:
            previous = joined[-1] if joined else None
            if (
                previous is None
                or previous.end_char != mention.start_char
                or previous.text[-1] not in CLOSERS
                or mention.text[0] not in OPENERS
            ):
                joined.append(mention)
                continue
            canonical = f"{previous.canonical}{SEPARATOR}{mention.canonical}"
            entry = self._by_parts.get(frozenset(canonical.split(SEPARATOR)))
            if entry is None:
                if _formula_pair(previous, mention) and self.discovery_threshold <= SCORE_SERIES:
                    pair = discovered_mention(
                        text, previous.start_char, mention.end_char, SCORE_SERIES
                    )
                    joined[-1] = replace(pair, category=mention.category)
                else:
                    joined.append(mention)
                continue
            joined[-1] = SloganMention(
                text[previous.start_char : mention.end_char],
                previous.start_char,
                mention.end_char,
                entry.slogan_id,
                canonical,
                str(entry.category),
                MatchMethod.LEXICON,
            )
        # A run's category served only to join it; discovered rows carry none.
        return [
            replace(m, category=None) if m.method == MatchMethod.DISCOVERED else m for m in joined
        ]

    def _whole_series(self, text: str, mentions: list[SloganMention]) -> list[SloganMention]:
        """The mentions, each grown to the parallel series it is one part of."""
        return _resolve_overlaps(self._series_of(text, mention) for mention in mentions)

    def _series_of(self, text: str, mention: SloganMention) -> SloganMention:
        """The parallel series a mention is one part of (依法防控、科学防控、联防联控 around
        联防联控), as the lexicon's formula when it has one, else discovered when its score
        reaches the threshold; otherwise the mention itself."""
        parts = canonical_form(mention.text).split(SEPARATOR)
        start, end = series_span(text, mention.start_char, mention.end_char, parts)
        if (start, end) == (mention.start_char, mention.end_char):
            return mention
        surface = text[start:end]
        entry = self._by_parts.get(frozenset(canonical_form(surface).split(SEPARATOR)))
        if entry is None:
            score = series_score(canonical_form(surface))
            if score is None or score < self.discovery_threshold:
                return mention
            return discovered_mention(text, start, end, score)
        return SloganMention(
            surface,
            start,
            end,
            entry.slogan_id,
            entry.canonical,
            str(entry.category),
            MatchMethod.LEXICON,
        )

    def _known(self, text: str) -> Iterator[SloganMention]:
        """Lexicon and template matches, widened to their quotation marks."""
        key, shifts = normalize(text)
        spans: list[tuple[int, int, int, MatchMethod]] = []
        if len(self._automaton):
            for end, (index, length) in self._automaton.iter(key):
                spans.append((end + 1 - length, end + 1, index, MatchMethod.LEXICON))
        for pattern, literal, index in self._templates:
            if literal not in key:
                continue  # a substring test is much faster than a regex led by placeholders
            for match in pattern.finditer(key):
                spans.append((*match.span(), index, MatchMethod.TEMPLATE))
        for key_start, key_end, index, method in spans:
            entry = self._entries[index]
            start, end = _quote_span(text, *to_original(shifts, key_start, key_end))
            surface = text[start:end]
            if entry.quoted_only and surface[0] not in OPENERS + '"':
                continue  # 一张“网” is a rhetorical quote, not the formula “一张网”
            yield SloganMention(
                surface, start, end, entry.slogan_id, entry.canonical, str(entry.category), method
            )


def _formula_pair(first: SloganMention, second: SloganMention) -> bool:
    """Whether two quotes side by side are lexicon formulas (not templates) of one category,
    each of one part, or a run of such quotes and one more: the parts of one formula (“六稳”
    “六保”, “一国两制”“港人治港”“澳人治澳”). A discovered mention has a category only as
    such a run."""
    single = second.method == MatchMethod.LEXICON and SEPARATOR not in second.canonical
    first_single = first.method == MatchMethod.LEXICON and SEPARATOR not in first.canonical
    run = first.method == MatchMethod.DISCOVERED and first.category is not None
    return single and (first_single or run) and first.category == second.category


def _inside_name(text: str, mention: SloganMention, names: list[tuple[int, int]]) -> bool:
    """Whether a mention is part of a name: inside a given name span or a title in 《》
    (纪录片《人民至上》), or unquoted and followed by a name's head noun (联防联控机制)."""
    if any(start <= mention.start_char and mention.end_char <= end for start, end in names):
        return True
    if _inside_title(text, mention.start_char, mention.end_char):
        return True
    quoted = mention.text[-1] in CLOSERS + '"'
    return not quoted and _NAME_HEAD_RE.match(text, mention.end_char) is not None


def _inside_title(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] lies inside one title in book-title marks."""
    opening = text.rfind("《", max(start - _MAX_TITLE_CHARS, 0), start)
    closing = text.find("》", end, end + _MAX_TITLE_CHARS)
    if opening < 0 or closing < 0:
        return False
    return not re.search("[《》\n]", text[opening + 1 : start] + text[end:closing])


def _quote_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a span to the quotation marks that enclose it (“封闭式”管理 keeps its “)."""
    inner = text[start:end]
    closes_inside = _unopened_closers(inner)
    opens_inside = _unclosed_openers(inner)
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    if before and before in OPENERS and (closes_inside or (after and after in CLOSERS)):
        start -= 1
        opens_inside += 1
    if after and after in CLOSERS and opens_inside:
        end += 1
    if before == '"' and after == '"':
        start, end = start - 1, end + 1
    return start, end


def _unopened_closers(surface: str) -> int:
    """Closing marks in a span whose opening mark lies before it."""
    depth = missing = 0
    for char in surface:
        if char in OPENERS:
            depth += 1
        elif char in CLOSERS:
            if depth:
                depth -= 1
            else:
                missing += 1
    return missing


def _unclosed_openers(surface: str) -> int:
    """Opening marks in a span whose closing mark lies after it."""
    depth = 0
    for char in surface:
        if char in OPENERS:
            depth += 1
        elif char in CLOSERS and depth:
            depth -= 1
    return depth


class _Occupied:
    """Non-overlapping spans, sorted, for overlap checks in O(log n) on long documents."""

    def __init__(self, mentions: Iterable[SloganMention] = ()) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        for mention in mentions:
            self.add(mention)

    def overlaps(self, mention: SloganMention) -> bool:
        """Whether the mention shares a character with a kept span."""
        index = bisect.bisect_left(self._starts, mention.end_char)
        return index > 0 and self._ends[index - 1] > mention.start_char

    def add(self, mention: SloganMention) -> None:
        """Keep a span that overlaps none of the kept ones."""
        index = bisect.bisect_left(self._starts, mention.start_char)
        self._starts.insert(index, mention.start_char)
        self._ends.insert(index, mention.end_char)


def _resolve_overlaps(candidates: Iterable[SloganMention]) -> list[SloganMention]:
    """Keep the longest of overlapping mentions (lexicon over template over discovered)."""
    occupied = _Occupied()
    kept: list[SloganMention] = []
    for mention in sorted(candidates, key=_preference):
        if not occupied.overlaps(mention):
            occupied.add(mention)
            kept.append(mention)
    return sorted(kept, key=lambda m: m.start_char)


def _shift(mention: SloganMention, offset: int) -> SloganMention:
    """The mention with offsets moved by `offset` (body to document coordinates)."""
    if not offset:
        return mention
    return replace(
        mention, start_char=mention.start_char + offset, end_char=mention.end_char + offset
    )
