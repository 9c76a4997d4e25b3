"""Filters: what the annotation conventions say is not an entity."""

from __future__ import annotations

from spacy.tokens import Span, Token

from flows.nlp.entities.lexicon import WordClass, WordLexicon, is_han
from flows.nlp.entities.tables import Rules

# Quoted formulas are short (特事特办, 华龙一号); a longer quotation may be a foreign body's
# name in translation (“中央公共卫生实验室”).
_MAX_FORMULA_CHARACTERS = 6


# A name runs over no clause boundary (中国人民有效抗击新冠肺炎疫情，: a clause the model ran on).
_CLAUSE_MARKS = frozenset("，。；！：")
# China forms demonyms as the foreign countries of the word set `country` do (中国人).
_CHINA = "中国"
_DEMONYM = "人"
# Descent (非洲裔, 亚裔, 拉美裔) is written after any place, never naming it.
_DESCENT = "裔"


def is_excluded(span: Span, rules: Rules) -> bool:
    """True for spans that the annotation conventions say are not entities."""
    text = span.text
    if text in rules.not_entities or has_unpaired_quote(text) or is_no_place_here(span, rules):
        return True
    if is_side(span) or is_vessel_name(span) or is_quoted_formula(span, rules):
        return True
    if len(span) > 1 and span[-1].text in rules.joiners:
        # 中央财政对…提供50%的: a name does not end with 的 or 和; a clause the model ran on.
        return True
    if not _CLAUSE_MARKS.isdisjoint(text):
        return True
    if span.label_ == "LOC" and rules.venue_ending.fullmatch(text):
        return True  # 会展中心, 体育馆: a kind of venue, no one venue
    return span.label_ == "ORG" and (text in rules.generic_bodies or is_bare_suffix(text, rules))


def is_bare_suffix(text: str, rules: Rules) -> bool:
    """研究院, 委员会: a body's or institution's suffix alone names no one (it refers back)."""
    found = rules.name_suffix_kind(text)
    return found is not None and found[1] == text


def is_no_place_here(span: Span, rules: Rules) -> bool:
    """Places MSRA tags that our conventions (data/annotated/README.md) do not: a place's name
    inside a fixed term (word set `fixed_term`: 奥 in 奥运会/冬奥会, the Olympics, not Austria;
    中国 in 中国特色社会主义, 新中国, 中国梦), a country in a demonym (中国人, 美国人; 湖北人 names
    where one is from) and any place before 裔 (非洲裔)."""
    if span.label_ != "LOC":
        return False
    doc, text = span.doc, span.text
    # The term starts with a word of its own (新|中国, not 刷新|中国纪录) and may run on into
    # the next word (奥|运会).
    before = doc[span.start - 1].text if span.start > 0 else ""
    after = doc[span.end : span.end + 2].text
    for term in rules.fixed_terms:
        at = term.find(text)
        if at < 0 or not after.startswith(term[at + len(text) :]):
            continue
        if at == 0 or before == term[:at]:
            return True
    following = doc[span.end].text if span.end < len(doc) else ""
    if following == _DESCENT:
        return True
    return following == _DEMONYM and (text in rules.countries or text == _CHINA)


def is_side(span: Span) -> bool:
    """中方, 汤方 ("the Chinese side", "the Tongan side"; data/annotated/README.md): a
    one-character name before 方 is not annotated, whatever the model read it as."""
    doc = span.doc
    return len(span.text) == 1 and span.end < len(doc) and doc[span.end].text == "方"


def _is_quoted(span: Span) -> tuple[bool, str]:
    """Whether an opening quote is right before the span, and the text of the two tokens after
    it (read from the tokens: `doc.text` would join the whole document for each span)."""
    doc = span.doc
    before = doc[span.start - 1].text if span.start > 0 else ""
    return before.endswith("“"), doc[span.end : span.end + 2].text


def is_vessel_name(span: Span) -> bool:
    """“西奥多·罗斯福”号, “长安号”: the quoted name of a ship or a train is no entity
    (data/annotated/README.md), even where it is a person's or a place's name."""
    quoted, after = _is_quoted(span)
    closed_after_mark = span.text.endswith("号") and after.startswith("”")
    return quoted and (after.startswith("”号") or closed_after_mark)


def is_quoted_formula(span: Span, rules: Rules) -> bool:
    """“特事特办”: an "organisation" that is a whole quotation and ends like no body or
    institution is a quoted formula (a slogan), not a name; “全球首席执行官委员会” is a name."""
    if span.label_ != "ORG" or len(span.text) > _MAX_FORMULA_CHARACTERS:
        return False
    quoted, after = _is_quoted(span)
    if not quoted or not after.startswith("”"):
        return False
    return rules.name_suffix_kind(span.text) is None and not rules.body_ending.search(span.text)


def has_unpaired_quote(text: str) -> bool:
    """A name may quote (推进“一带一路”建设工作领导小组) but does not run into or out of a
    quotation (爱山东·容沂办”APP网: the end of a quoted app name and the words after it)."""
    depth = 0
    for char in text:
        if char in "“‘「『《":
            depth += 1
        elif char in "”’」』》":
            depth -= 1
            if depth < 0:
                return True
    return depth != 0


def is_generic_company(span: Span, lexicon: WordLexicon, rules: Rules) -> bool:
    """清运公司: one known common word before 公司 is a kind of company; 网联公司 (an unknown
    word) is a name."""
    return (
        span.label_ == "ORG"
        and len(span) == 2
        and span[1].text in rules.company_words
        and lexicon.classes.get(span[0].text, WordClass.NAME) is not WordClass.NAME
    )


def _is_boundary_word(token: Token, lexicon: WordLexicon) -> bool:
    """A verb, time word or the like of two or more characters. Single characters are left
    to the model: 中, 日, 美 are places as often as not."""
    text = token.text
    return bool(lexicon) and len(text) > 1 and is_han(text) and lexicon[text] is WordClass.BOUNDARY


def is_function_words(span: Span, lexicon: WordLexicon) -> bool:
    """A "name" made only of verbs, time words and the like (午间, 目前): not a name."""
    return all(_is_boundary_word(token, lexicon) for token in span)


def is_lone_character_body(span: Span, spans: list[Span]) -> bool:
    """联 in 联系, 盟 of 非盟: one character is an organisation only among others written
    the same way (工农中建, the four state banks)."""
    if span.label_ != "ORG" or len(span.text) != 1:
        return False
    return not any(
        len(other.text) == 1 and (other.end == span.start or other.start == span.end)
        for other in spans
    )


def is_stray_character(span: Span, spans: list[Span], rules: Rules) -> bool:
    """日 in 日调度、日报告: an ambiguous one-character "place" outside the uses ANNOTATION.md
    names, which are after a verb of movement or stay, next to another one (中日), or before
    资/企 (日资企业)."""
    if span.label_ != "LOC" or span.text not in rules.ambiguous_characters:
        return False
    doc = span.doc
    before = doc[span.start - 1].text[-1:] if span.start > 0 else ""
    after = doc[span.end].text[:1] if span.end < len(doc) else ""
    paired = any(
        len(other.text) == 1 and (other.end == span.start or other.start == span.end)
        for other in spans
    )
    before_place = before in rules.before_one_character_place
    return not (paired or before_place or after in ("资", "企"))
