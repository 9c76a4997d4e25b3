"""Divisions: provinces, cities, counties and districts, by shape and from the gazetteer, and
the segmenter's cuts around a level character mended."""

from __future__ import annotations

import itertools
import re

from spacy.tokens import Doc, Span

from flows.nlp.entities.gazetteer import Gazetteer, PlaceMention, short_name
from flows.nlp.entities.lexicon import WordClass, WordLexicon
from flows.nlp.entities.tables import Rules
from flows.nlp.entities.tokens import words_outside_entities


def is_division(text: str, lexicon: WordLexicon, rules: Rules) -> bool:
    """诸城市, 兰陵县; not 抓好市 or 联系区, a known non-name glued to the next word's 市/区.

    A single token shaped like a division is a place even where the model, trained on
    national news, has not seen the name; 省 only for the real provinces, otherwise a verb
    glued to it (畅通省内) would pass.
    """
    if (
        text[-1:] not in rules.division_levels
        or not rules.division.match(text)
        or text in rules.division_lookalikes
    ):
        return False
    stem = text[:-1]
    if len(stem) == 1:
        # Any other one-character stem is a cut word (坡县).
        return stem in rules.one_character_counties
    # An unknown stem is as often a cut word (主产区, 挖断县) as a name; the gazetteer has
    # the real Chinese divisions.
    return lexicon.classes.get(stem, WordClass.NAME if not lexicon else None) is WordClass.NAME


def division_places(doc: Doc, words: list[str], lexicon: WordLexicon, rules: Rules) -> list[Span]:
    """Single tokens that name a province, city, county or district."""
    return [
        Span(doc, i, i + 1, label="LOC")
        for i, word in enumerate(words)
        if is_division(word, lexicon, rules)
    ]


def gazetteer_places(doc: Doc, text: str, mentions: list[PlaceMention]) -> list[Span]:
    """Divisions by full name, and their short names in the same text (诸城市 … 诸城).

    A short name alone is ambiguous (大同, 通化); once the text has used the full name it is
    that place. `text` is the doc's.
    """
    spans = [doc.char_span(m.start, m.end, label="LOC") for m in mentions]
    stems = {short_name(m.name) for m in mentions} - {None}
    for stem in stems:
        for match in re.finditer(re.escape(stem), text):
            if text[match.end() : match.end() + 1] not in ("市", "县", "区"):
                spans.append(doc.char_span(match.start(), match.end(), label="LOC"))
    return [span for span in spans if span is not None]


def places_below(spans: list[Span], gazetteer: Gazetteer) -> list[Span]:
    """A chain of places whose second part is a short name (ANNOTATION.md: 河北沧州 -> 河北 +
    沧州): a city's or county's short name right after the province or city above it is a
    place (四川苍溪, 青岛即墨), where alone it is ambiguous (大同, 通化)."""
    if not spans:
        return []
    doc = spans[0].doc
    starts = {span.start for span in spans}
    found = []
    for span in spans:
        above = gazetteer.full_name(span.text) if span.label_ == "LOC" else None
        if above is None or span.end in starts:
            continue
        # The tokens after the place, not doc.text: that would join the whole document.
        after = doc[span.end : span.end + 4].text
        below = gazetteer.short_names_below(above)
        stems = [after[:n] for n in range(len(after), 1, -1) if after[:n] in below]
        if not stems or after[len(stems[0]) : len(stems[0]) + 1] in ("市", "县", "区"):
            continue
        place = doc.char_span(span.end_char, span.end_char + len(stems[0]), label="LOC")
        if place is not None and not any(
            s.start < place.end and place.start < s.end for s in spans
        ):
            found.append(place)
    return found


def repair_divisions(doc: Doc, lexicon: WordLexicon, rules: Rules) -> None:
    """Mend the segmenter's cuts around a level character, before any rule reads the tokens.

    纳入市 -> 纳入 市 (a known non-name glued to the 市 of the next body's name), and
    诸 城市 -> 诸城市 (a known place name split after its first character).
    """
    if not lexicon:
        return
    levels = rules.level_prefixes
    words, outside = words_outside_entities(doc)
    glued = [
        i
        for i, word in enumerate(words)
        if len(word) > 2
        and outside[i]
        and word[-1] in levels
        and lexicon.classes.get(word[:-1], WordClass.NAME) is not WordClass.NAME
    ]
    if glued:
        with doc.retokenize() as retokenizer:
            for token in [doc[i] for i in glued]:
                parts = [token.text[:-1], token.text[-1]]
                retokenizer.split(token, parts, heads=[(token, 1), (token, 1)])
        words, outside = words_outside_entities(doc)
    split_names = [
        doc[i : i + 2]
        for i, (word, after) in enumerate(itertools.pairwise(words))
        if len(word) == 1
        and outside[i]
        and outside[i + 1]
        and len(after) >= 2
        and after[-1] in levels
        and lexicon.classes.get(word + after[:-1]) is WordClass.NAME
    ]
    if split_names:
        with doc.retokenize() as retokenizer:
            for pair in split_names:
                retokenizer.merge(pair)
