"""Relabelling: the model's entities with their ends cut and their labels fixed."""

from __future__ import annotations

import re

from spacy.tokens import Span

from flows.nlp.entities.divisions import is_division
from flows.nlp.entities.lexicon import WordLexicon
from flows.nlp.entities.tables import Rules, SuffixKind


def _cut_suffix(
    span: Span, suffix: re.Pattern[str], *, keep_at_least: int, alignment: str = "strict"
) -> Span:
    """`span` without a trailing `suffix`, if at least `keep_at_least` characters remain and
    the cut meets token boundaries (`alignment` as in `Doc.char_span`)."""
    match = suffix.search(span.text)
    if match is None or match.start() < keep_at_least:
        return span
    end = span.start_char + match.start()
    trimmed = span.doc.char_span(span.start_char, end, label=span.label_, alignment_mode=alignment)
    return trimmed if trimmed is not None and len(trimmed) else span


def strip_person_title(span: Span, rules: Rules) -> Span:
    """李主任 -> 李: a title the model left attached to a surname."""
    if span.label_ != "PERSON":
        return span
    return _cut_suffix(span, rules.person_title, keep_at_least=1)


def strip_party_group_and_product(span: Span, rules: Rules) -> Span:
    """临沂市行政审批服务局党组 -> 临沂市行政审批服务局; …大厅微信公众号 -> …大厅: a body's party
    group is not part of its name, and an organisation inside a product phrase is annotated
    without the product; nor is what a body decided, which the model may run into
    (…工作领导小组决策部署 -> …工作领导小组)."""
    if span.label_ != "ORG":
        return span
    for ending in (rules.party_group, rules.product, rules.body_act):
        span = _cut_suffix(span, ending, keep_at_least=2, alignment="contract")
    return span


def relabel_division(span: Span, lexicon: WordLexicon, rules: Rules) -> Span:
    """A one-token "person" shaped like a division (兰陵县) is the place."""
    if span.label_ == "PERSON" and len(span) == 1 and is_division(span.text, lexicon, rules):
        return Span(span.doc, span.start, span.end, label="LOC")
    return span


def relabel_body(span: Span, rules: Rules) -> Span:
    """A "place" whose name ends like a body's (章丘区行政审批服务局, 锦丰科技) is the body.

    中心 and 大厅 also end places (武汉博览中心), so they are no body endings and the model's
    label stands for those; 街道 and 片区 go by what stands around them (`relabel_office`).
    """
    if span.label_ == "LOC" and rules.body_ending.search(span.text):
        return Span(span.doc, span.start, span.end, label="ORG")
    return span


def relabel_venue(span: Span, rules: Rules) -> Span:
    """An "organisation" named as a venue or a facility (国家游泳中心, 武汉体育馆, …会展中心,
    中白新材料产业园) is the place (ANNOTATION.md: named facilities and venues are LOC,
    exhibition venues named 中心 too)."""
    if span.label_ != "ORG":
        return span
    found = rules.name_suffix_kind(span[-1].text)
    if rules.venue_ending.search(span.text) or (found and found[0] is SuffixKind.FACILITY):
        return Span(span.doc, span.start, span.end, label="LOC")
    return span


def relabel_office(span: Span, rules: Rules) -> Span:
    """A "place" named 街道 or 片区 standing on its own is the office (ANNOTATION.md: ORG when it
    acts, 山大路街道协助…), unless a place comes before it (江岸区 + 后湖街道, a chain) or an area
    word after it (天宫院街道的5个社区, 管辖区域内)."""
    if span.label_ != "LOC" or not rules.office_ending.search(span.text):
        return span
    doc = span.doc
    if span.start > 0 and doc[span.start - 1].ent_type_ == "LOC":
        return span
    after = doc[span.end].text if span.end < len(doc) else ""
    if after.startswith(rules.area_after_office):
        return span
    return Span(doc, span.start, span.end, label="ORG")


def relabel_surname(span: Span, rules: Rules) -> Span:
    """One character before a title is a surname (韩先生, 韩总 -> PERSON 韩), whatever the
    model took it for (韩 alone is also Korea)."""
    doc = span.doc
    if (
        span.label_ != "PERSON"
        and len(span.text) == 1
        and span.end < len(doc)
        and rules.person_title.fullmatch(doc[span.end].text)
    ):
        return Span(doc, span.start, span.end, label="PERSON")
    return span


def fix_model_entity(span: Span, lexicon: WordLexicon, rules: Rules) -> Span:
    """Every cut and relabelling above, in order: titles, party groups and products cut off,
    then divisions, bodies, venues, offices and surnames relabelled."""
    span = strip_party_group_and_product(strip_person_title(span, rules), rules)
    span = relabel_venue(relabel_body(relabel_division(span, lexicon, rules), rules), rules)
    span = relabel_office(span, rules)
    return relabel_surname(span, rules)
