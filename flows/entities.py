"""`zhnews_entity_rules`: ANNOTATION.md's entity conventions on top of the MSRA-style `ner`.

The `ner` component is judged alone on MSRA conventions, so rules where the product's
conventions differ live here, after it, and only change what the tables receive.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span

# Bare generic leadership bodies are not names (ANNOTATION.md, "ORG, excluded").
_GENERIC_BODY = re.compile(
    r"^[省市区县镇乡]?(委|政府|人大常委会|人大|政协|纪委监委|纪委|党委|常委会|委员会|街道|督导组|党支部)$"
)
# Common nouns MSRA-style models tag as places, which the conventions exclude.
_NOT_NAMES = frozenset({"我国", "全国", "内地", "首都", "国内", "境外", "海外", "省内", "市内"})
# Titles a model may leave attached to a surname-only mention (李主任 -> 李).
_PERSON_TITLE = re.compile(r"(主任|书记|局长|市长|区长|县长|省长|部长|总|先生|女士|同志|经理)$")


def is_excluded(span: Span) -> bool:
    """True for spans that the annotation conventions say are not entities."""
    text = span.text
    if text in _NOT_NAMES:
        return True
    return span.label_ == "ORG" and _GENERIC_BODY.match(text) is not None


def strip_person_title(span: Span) -> Span:
    match = _PERSON_TITLE.search(span.text)
    if span.label_ != "PERSON" or match is None or match.start() == 0:
        return span
    trimmed = span.doc.char_span(span.start_char, span.start_char + match.start(), label="PERSON")
    return trimmed if trimmed is not None else span


@Language.component("zhnews_entity_rules")
def entity_rules(doc: Doc) -> Doc:
    """Drop excluded names and titles from `doc.ents` (see ANNOTATION.md)."""
    doc.ents = [strip_person_title(span) for span in doc.ents if not is_excluded(span)]
    return doc
