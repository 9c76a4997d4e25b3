"""Merge and split: the model's spans against the rules' spans, chains of places, companies."""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span

from flows.nlp.entities.gazetteer import Gazetteer
from flows.nlp.entities.lexicon import WordClass, WordLexicon, is_han
from flows.nlp.entities.tables import Rules, SuffixKind
from flows.nlp.entities.tokens import entity_at

# The shortest name of a site of its own after the places before it (欣佳|酒店).
_MIN_SITE_NAME = 2
# The characters that make a foreign city's name with the one before them a division's
# (东京都, 纽约州): no place of its own starts with them after the city.
_LEVEL_AFTER_CITY = frozenset("市县区州省都府道郡")
# The shortest place of its own after a foreign city (首尔 + 梨泰院): two characters after a
# city are as often the rest of a longer name the list lacks.
_MIN_PLACE_IN_CITY = 3
# A foreign name whose parts the translation joins with a hyphen (让-维尔迪耶, 巴登-符腾堡州).
_HYPHENATED = re.compile(r"[\u4e00-\u9fff]+[-‐–][\u4e00-\u9fff]+")


def merge_spans(model: list[Span], found: list[Span]) -> list[Span]:
    """The model's spans, replaced where a span the rules found covers them (the longest name
    wins), or where found spans tile one exactly (青兰高速昌城口 -> 青兰高速 + 昌城口: one
    name each)."""
    spans: list[Span] = []
    for span in model:
        inside = sorted(
            (
                r
                for r in found
                if span.start <= r.start and r.end <= span.end and len(r) < len(span)
            ),
            key=lambda r: r.start,
        )
        tiles = len(inside) > 1 and [r.start for r in inside] == [
            span.start,
            *(r.end for r in inside[:-1]),
        ]
        spans += inside if tiles and inside[-1].end == span.end else [span]
    for rule in sorted(found, key=len, reverse=True):
        overlapping = [s for s in spans if s.start < rule.end and rule.start < s.end]
        if all(rule.start <= s.start and s.end <= rule.end for s in overlapping) or all(
            len(s) < len(rule) for s in overlapping
        ):
            spans = [s for s in spans if s not in overlapping] + [rule]
    return spans


def split_place_chain(span: Span, gazetteer: Gazetteer, rules: Rules) -> list[Span]:
    """One LOC per place of a chain (ANNOTATION.md: 吉林省长春市 -> 吉林省 + 长春市, 青兰高速昌城口
    -> 青兰高速 + 昌城口); a city is a place even where the model took it for an actor (河南省 as
    ORG)."""
    if span.label_ == "PERSON":
        return [span]
    exit_ = rules.expressway_exit.fullmatch(span.text) if span.label_ == "LOC" else None
    parts = [exit_.span(1), exit_.span(2)] if exit_ else gazetteer.chain_parts(span.text)
    foreign = rules.foreign_chain.fullmatch(span.text) if span.label_ == "LOC" else None
    if parts is None and foreign is not None:
        # 京畿道城南市: a foreign province or state and a city in it, one place each.
        parts = [foreign.span(1), foreign.span(2)]
    if parts is None:
        return [span]
    spans = [
        span.doc.char_span(span.start_char + start, span.start_char + end, label="LOC")
        for start, end in parts
    ]
    if any(part is None for part in spans):
        return [span]
    return [part for part in spans if part is not None]


def split_site_places(
    span: Span, gazetteer: Gazetteer, lexicon: WordLexicon, rules: Rules
) -> list[Span]:
    """A division or a country written before a site with a name of its own (word set `site`)
    is a place of its own (ANNOTATION.md: 深圳文锦渡口岸 -> 深圳 + 文锦渡口岸; data/annotated/
    README.md: 福建泉州欣佳酒店 -> 福建 + 泉州 + 欣佳酒店, 杭州 + 西湖景区); where a common word
    follows the place it stays in the name (香泉镇马铃薯种薯扶贫产业园, 二连浩特铁路口岸), and
    sites whose names hold their city are not listed (武汉天河机场)."""
    if span.label_ != "LOC" or rules.site.search(span.text) is None:
        return [span]
    doc, start, places = span.doc, span.start, []
    while start < span.end - 1:
        place, rest = doc[start].text, doc[start + 1 : span.end]
        if not (gazetteer.is_chinese_place(place) or place in rules.countries):
            break
        if lexicon.classes.get(rest[0].text, WordClass.NAME) is not WordClass.NAME:
            break
        site = rules.site.search(rest.text)
        if site is None or site.start() < _MIN_SITE_NAME:
            break
        places.append(Span(doc, start, start + 1, label="LOC"))
        start += 1
    return [*places, Span(doc, start, span.end, label="LOC")] if places else [span]


def join_bare_facilities(spans: list[Span], gazetteer: Gazetteer, rules: Rules) -> list[Span]:
    """A facility's bare suffix read as a place of its own after a name is that name's end
    (西湖 + 风景名胜区 -> 西湖风景名胜区); after a division or a country it stays apart, naming
    all of a kind there (贵州景区), and is dropped later as a bare suffix."""
    joined: list[Span] = []
    for span in sorted(spans, key=lambda span: span.start):
        before = joined[-1] if joined else None
        kind = rules.name_suffix_kind(span.text) if span.label_ == "LOC" else None
        if (
            before is not None
            and kind is not None
            and kind == (SuffixKind.FACILITY, span.text)
            and before.end == span.start
            and before.label_ == "LOC"
            and not gazetteer.is_chinese_place(before.text)
            and before.text not in rules.countries
        ):
            joined[-1] = Span(span.doc, before.start, span.end, label="LOC")
        else:
            joined.append(span)
    return joined


def join_company_places(spans: list[Span], gazetteer: Gazetteer, rules: Rules) -> list[Span]:
    """A Chinese company's registered name starts with its place: 山东胜邦绿野化工有限公司 is one
    name, and so is a known company's branch named with its city (福州京东方), where a foreign
    country before an organisation is not (美国 + 约翰斯·霍普金斯大学).
    """
    registered = rules.registered_company
    ordered = sorted(spans, key=lambda span: span.start)
    joined: list[Span] = []
    for span in ordered:
        before = joined[-1] if joined else None
        if (
            before is not None
            and before.end == span.start
            and before.label_ == "LOC"
            and span.label_ == "ORG"
            and (registered.search(span.text) or _is_listed_company(span.text, rules))
            and gazetteer.is_chinese_place(before.text)
        ):
            joined[-1] = Span(span.doc, before.start, span.end, label="ORG")
        else:
            joined.append(span)
    return joined


def _is_listed_company(text: str, rules: Rules) -> bool:
    """A company of the word set `company`, with or without a company word (京东方公司)."""
    return text in rules.companies or any(
        text.endswith(word) and text[: -len(word)] in rules.companies
        for word in rules.company_words
    )


def join_hyphenated_names(spans: list[Span]) -> list[Span]:
    """A foreign name whose first parts the segmenter glued into one word with its hyphen
    (让-维尔|迪耶|医院, where the model found 迪耶医院) starts at that word (data/annotated/
    README.md: 让-维尔迪耶医院)."""
    if not spans:
        return spans
    doc = spans[0].doc
    taken = entity_at(spans)
    return [
        Span(doc, span.start - 1, span.end, label=span.label_)
        if span.start > 0
        and span.start - 1 not in taken
        and _HYPHENATED.fullmatch(doc[span.start - 1].text)
        else span
        for span in spans
    ]


def split_foreign_chains(
    doc: Doc, spans: list[Span], lexicon: WordLexicon, rules: Rules
) -> list[Span]:
    """A foreign country and its city, or a foreign city and a place in it, read as one place
    are two (ANNOTATION.md's chains of places: 卡塔尔多哈 -> 卡塔尔 + 多哈, 首尔梨泰院 -> 首尔 +
    梨泰院); the segmenter often glues them into one word (卡塔尔多哈, 首尔梨|泰院), which is cut
    where the names meet. Every span is rebuilt on the new tokens."""
    cuts = {
        span.start_char + at
        for span in spans
        if span.label_ == "LOC" and (at := _foreign_chain_cut(span.text, lexicon, rules))
    }
    if not cuts:
        return spans
    kept = [(s.start_char, s.end_char, s.label_) for s in spans]
    glued = [(t, at - t.idx) for at in sorted(cuts) for t in doc if t.idx < at < t.idx + len(t)]
    with doc.retokenize() as retokenizer:
        for token, at in glued:
            parts = [token.text[:at], token.text[at:]]
            retokenizer.split(token, parts, heads=[(token, 1), (token, 1)])
    rebuilt = []
    for start, end, label in kept:
        at = next((cut for cut in cuts if start < cut < end), None)
        pieces = [(start, end)] if at is None else [(start, at), (at, end)]
        rebuilt += [doc.char_span(a, b, label=label) for a, b in pieces]
    return [span for span in rebuilt if span is not None]


def _foreign_chain_cut(text: str, lexicon: WordLexicon, rules: Rules) -> int | None:
    """Where a foreign country or city (word sets `country`, `foreign_city`) ends inside `text`
    and a place of its own starts: a listed city (卡塔尔|多哈), or after a city a name that is no
    known common word, level, facility or country (首尔|梨泰院; not 东京都, 巴黎大区,
    巴西利亚联邦区, 伦敦希思罗机场, 华盛顿哥伦比亚特区)."""
    if text in rules.foreign_places or text in rules.foreign_cities:
        return None  # 罗马尼亚 is no 罗马 + 尼亚
    for at in range(len(text) - 1, 1, -1):
        head, rest = text[:at], text[at:]
        if head not in rules.countries and head not in rules.foreign_cities:
            continue
        if rest in rules.foreign_cities:
            return at
        if any(rest.startswith(country) for country in rules.countries):
            continue  # 华盛顿|哥伦比亚特区: a name that holds a country is no place in a city
        # A level after a common word is the city's own division (联邦|区), not a place in it.
        stem = rest[:-1] if rest[-1] in _LEVEL_AFTER_CITY else rest
        if (
            head in rules.foreign_cities
            and len(rest) >= _MIN_PLACE_IN_CITY
            and is_han(rest)
            and rest[0] not in _LEVEL_AFTER_CITY
            and lexicon[rest] is WordClass.NAME
            and lexicon[stem] is WordClass.NAME
            and rules.name_suffix_kind(rest) is None
            and rules.site.search(rest) is None
        ):
            return at
    return None
