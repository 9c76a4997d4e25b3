"""Merge and split: the model's spans against the rules' spans, chains of places, companies."""

from __future__ import annotations

from spacy.tokens import Span

from flows.nlp.entities.gazetteer import Gazetteer
from flows.nlp.entities.lexicon import WordClass, WordLexicon
from flows.nlp.entities.tables import Rules, SuffixKind

# The shortest name of a site of its own after the places before it (欣佳|酒店).
_MIN_SITE_NAME = 2


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
