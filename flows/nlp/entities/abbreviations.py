"""One-character place names after verbs of movement (离盘, 入诸, 返汉, 来京)."""

from __future__ import annotations

from collections import defaultdict

from spacy.tokens import Doc, Span

from flows.nlp.entities.divisions import is_division
from flows.nlp.entities.lexicon import WordClass, WordLexicon
from flows.nlp.entities.tables import Rules
from flows.nlp.entities.tokens import entity_at, words_outside_entities


def _glued_place_verb(text: str, lexicon: WordLexicon, rules: Rules) -> bool:
    """离盘, 返汉: a place verb and one character, a word People's Daily never wrote."""
    return (
        len(text) == 2
        and text[0] in rules.place_verbs
        and text[1] not in rules.not_abbreviations
        and lexicon[text] is WordClass.NAME
    )


def _abbreviations(
    doc: Doc, words: list[str], lexicon: WordLexicon, rules: Rules, *, min_place_verbs: int
) -> set[str]:
    """One-character place names this document may use.

    The first character of its places (诸 for 诸城市), the provinces' names, and a character
    the text puts after `min_place_verbs` different place verbs (返盘 … 来盘), which only a
    place takes.
    """
    places = {span.text[0] for span in doc.ents if span.label_ == "LOC" and len(span) == 1}
    places |= {w[0] for w in words if is_division(w, lexicon, rules)}
    verbs_before: defaultdict[str, set[str]] = defaultdict(set)
    for word in words:
        if _glued_place_verb(word, lexicon, rules):
            verbs_before[word[1]].add(word[0])
    repeated = {ch for ch, verbs in verbs_before.items() if len(verbs) >= min_place_verbs}
    known = rules.known_abbreviations
    return (places | known | repeated) - rules.not_abbreviations


def split_abbreviations(
    doc: Doc, lexicon: WordLexicon, local: set[str], rules: Rules, *, min_place_verbs: int
) -> set[str]:
    """Split a verb glued to a place abbreviation (离盘 -> 离 盘); return the abbreviations.

    `local` are the one-character names of the text's places and the cities above them.
    """
    words, outside = words_outside_entities(doc)
    not_abbreviations = rules.not_abbreviations
    abbreviations = _abbreviations(doc, words, lexicon, rules, min_place_verbs=min_place_verbs) | (
        local - not_abbreviations
    )
    glued = [
        i
        for i, word in enumerate(words)
        if outside[i] and _glued_place_verb(word, lexicon, rules) and word[1] in abbreviations
    ]
    if glued:
        with doc.retokenize() as retokenizer:
            for token in [doc[i] for i in glued]:
                parts = [token.text[0], token.text[1]]
                retokenizer.split(token, parts, heads=[(token, 1), (token, 1)])
    return abbreviations


def abbreviation_places(
    doc: Doc, words: list[str], entities: list[Span], abbreviations: set[str], rules: Rules
) -> list[Span]:
    """`盘` in 离 盘 or 返 盘: a place abbreviation right after a place verb."""
    taken = set(entity_at(entities))
    verbs = rules.place_verbs
    return [
        Span(doc, i, i + 1, label="LOC")
        for i, word in enumerate(words)
        if i > 0 and i not in taken and word in abbreviations and words[i - 1] in verbs
    ]
