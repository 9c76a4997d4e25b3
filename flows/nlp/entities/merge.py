"""Merge and split: the model's spans against the rules' spans, chains of places, companies."""

from __future__ import annotations

from spacy.tokens import Span

from flows.nlp.entities.gazetteer import Gazetteer
from flows.nlp.entities.tables import Rules


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
