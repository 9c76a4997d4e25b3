"""Names that stand for something else by their context: a body named by where it sits or what
it spans (白宫, 欧盟) is the place where something is in it, a company or a paper that names a
market index (道琼斯工业平均指数) is part of the index's name."""

from __future__ import annotations

from spacy.tokens import Span

from flows.nlp.entities.lexicon import WordClass, WordLexicon, is_han
from flows.nlp.entities.tables import Rules

# How far after a body's seat the verb that makes it the scene may come, over adverbs and time
# words (白宫|近日|接连|曝出).
_MAX_EVENT_DISTANCE = 3
_BEFORE_EVENT_POS = frozenset({"ADV", "NOUN"})
_NOUNS = frozenset({"NOUN", "PROPN"})
# How many words an index's name may run from the company or paper to 指数 (日经|225|种|股票|
# 平均|价格|指数), and the one mark it may cross (《金融时报》指数).
_MAX_INDEX_WORDS = 6
_TITLE_CLOSE = "》"


def seat_place(span: Span, lexicon: WordLexicon, rules: Rules) -> list[Span]:
    """A body named by its seat or its area (word set `metonym`: 白宫, 欧盟) is the place where
    something is in it or goes to it (data/annotated/README.md: 白宫出现疫情, 去白宫工作,
    出口到欧盟之外, 欧盟内部市场) and the body where it acts (白宫要求, 欧盟继续支持)."""
    if span.label_ != "ORG" or span.text not in rules.metonyms:
        return [span]
    doc = span.doc
    before = doc[span.start - 1].text if span.start > 0 else ""
    after = doc[span.end] if span.end < len(doc) else None
    # 在白宫新闻发布会上: before a noun the seat names whose it is, 在 governs the noun.
    modifies = after is not None and after.pos_ in _NOUNS
    inside = after is not None and after.text in rules.inside_place
    if (before in rules.into_place and not modifies) or inside:
        return [Span(doc, span.start, span.end, label="LOC")]
    for token in doc[span.end : span.end + _MAX_EVENT_DISTANCE]:
        if token.text in rules.place_events:
            return [Span(doc, span.start, span.end, label="LOC")]
        # Only adverbs and time words between (近日, 接连); 宣布 or 官员 make another clause.
        if token.pos_ not in _BEFORE_EVENT_POS or lexicon[token.text] is not WordClass.BOUNDARY:
            break
    return [span]


def is_index_name(span: Span, lexicon: WordLexicon, rules: Rules) -> bool:
    """道琼斯 in 道琼斯工业平均指数, 金融时报 in 《金融时报》指数: a company or a paper that names a
    market index (word set `index_word`) is part of the index's name, which is not annotated
    (data/annotated/README.md); the words up to 指数 describe the index (工业, 平均, 500种股票),
    where a verb or 的 between makes the organisation one that published an index
    (国家统计局发布的…指数)."""
    if span.label_ != "ORG":
        return False
    doc = span.doc
    for i in range(span.end, min(len(doc), span.end + _MAX_INDEX_WORDS)):
        text = doc[i].text
        if text in rules.index_words:
            return True
        if text == _TITLE_CLOSE or (text.isascii() and text.isalnum()):
            continue  # 》, 500, CAC40
        if not is_han(text) or text in rules.joiners:
            return False
        counted = len(text) == 1 and doc[i - 1].text.isdigit()  # 500|种
        if lexicon[text] is WordClass.BOUNDARY and not counted:
            return False
    return False
