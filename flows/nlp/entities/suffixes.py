"""The suffix walker: local bodies, institutions and facilities named by a suffix (市行政审批服务局,
区疫情指挥部, 巨野河街道, 青兰高速, 昌城口), each with the longest name before it.

Bodies take the place before them (临沂市住建局); institutions have a name of their own, and a
place before it is a separate entity (美国 + 约翰斯·霍普金斯大学, 湖北 + 孝感市中心医院). 街道/片区
are ORG when they act as an office, the more common use in government news; 口 (an expressway
exit) only near an expressway.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from spacy.tokens import Doc, Span, Token

from flows.nlp.entities.divisions import is_division
from flows.nlp.entities.lexicon import WordClass, WordLexicon, is_han
from flows.nlp.entities.tables import Rules, SuffixKind
from flows.nlp.entities.tokens import entity_at

# A government names one body only with the place before it (日本政府, 郑州市政府), never alone
# (中央政府, 地方政府, 联邦政府).
_NEEDS_PLACE = "政府"
# The national level prefix (国家卫生健康委, 国家林业和草原局).
_NATIONAL = "国家"
# The suffix kinds before which a one-word entity of each label may be the body's own name.
_OWN_NAME_KINDS = {
    "PERSON": (SuffixKind.BODY, SuffixKind.INSTITUTION),
    "LOC": (SuffixKind.INSTITUTION,),
}


class _Part(StrEnum):
    ANCHOR = "anchor"  # a place or a level prefix: the name starts here
    NAME = "name"
    DESCRIPTOR = "descriptor"
    JOINER = "joiner"
    BOUNDARY = "boundary"


@dataclass
class SuffixWalker:
    """Walks left from each suffix word of one document to where its name starts."""

    doc: Doc
    lexicon: WordLexicon
    rules: Rules
    entity_at: dict[int, Span]
    max_name_tokens: int
    expressway_window: int

    def names(self, words: list[str]) -> Iterator[Span]:
        """Walking left from the suffix word, the name takes every word up to a place or level
        prefix that starts it (临沂市住房和城乡建设局, 市第九核查督导组); with no such start it
        keeps only what runs back to its leftmost unknown or proper word (漱玉平民大药房, not
        联系巨野河街道). A suffix with nothing specific before it (市委, 街道, 出口) is no name.
        """
        doc, rules = self.doc, self.rules
        lookalikes = rules.body_lookalikes
        for i, word in enumerate(words):
            if not word.endswith(rules.name_suffix_endings):
                continue
            head = doc[i]
            found = rules.name_suffix_kind(word)
            is_exit = found is None and self._is_exit(head)
            if is_exit:
                exit_suffix = rules.exit_ending.search(word)
                assert exit_suffix is not None
                found = (SuffixKind.FACILITY, exit_suffix.group())
            if found is None or head.text in lookalikes or head.text[-2:] in lookalikes:
                continue
            kind, suffix = found
            if head.i in self.entity_at and self.entity_at[head.i].end > head.i + 1:
                continue
            # The hall of a centre, the party committee of a company: the first one is the name.
            before = words[i - 1] if i > 0 else ""
            inner_name = (
                self._suffix_kind(before) in (SuffixKind.BODY, SuffixKind.INSTITUTION)
                and before not in lookalikes
            )
            if kind is not SuffixKind.FACILITY and inner_name:
                continue
            start = self._name_start(head, suffix, kind=kind)
            if start is None:
                continue
            name = doc[start : i + 1]
            if suffix == _NEEDS_PLACE and not self._starts_with_place(name):
                continue
            generic = rules.kinds_of_institution
            if name.text not in generic and not (is_exit and len(name.text) < 3):
                name = Span(doc, start, i + 1, label="ORG")
                if kind is SuffixKind.FACILITY or rules.venue_ending.search(name.text):
                    name = Span(doc, start, i + 1, label="LOC")
                yield name

    def _suffix_kind(self, word: str) -> SuffixKind | None:
        found = self.rules.name_suffix_kind(word)
        return found[0] if found else None

    def _starts_with_place(self, name: Span) -> bool:
        place = self.entity_at.get(name.start)
        return place is not None and place.label_ == "LOC" and place.start == name.start

    def _is_exit(self, token: Token) -> bool:
        """昌城口, 孟疃口: a word ending in 口 near an expressway (the name needs 3 characters)."""
        if self.rules.exit_ending.search(token.text) is None:
            return False
        doc, window = token.doc, self.expressway_window
        lo, hi = max(0, token.i - window), min(len(doc), token.i + window)
        return bool(self.rules.expressway.search(doc[lo:hi].text))

    def _part(self, token: Token, entity: Span | None) -> _Part:
        text, rules = token.text, self.rules
        if entity is not None:
            return _Part.ANCHOR if entity.label_ == "LOC" else _Part.NAME
        if text in rules.level_prefixes or is_division(text, self.lexicon, rules):
            return _Part.ANCHOR
        if not is_han(text):
            return _Part.BOUNDARY
        if text in rules.joiners:
            return _Part.JOINER
        if rules.ordinal.match(text):
            return _Part.NAME
        return _Part(self.lexicon[text].value)

    def _name_start(self, head: Token, suffix: str, *, kind: SuffixKind) -> int | None:
        """Where the name ending with `head` starts, or None when it is not a name.

        The walk stops at another person or organisation (names are not chained), at a verb or
        function word, and at a facility when this is one (青兰高速 + 昌城口). It crosses 和/的
        only on its way to the place that starts the name (临沂市住房和城乡建设局; 市…感染的
        肺炎…领导小组, where 的 needs a bare level prefix). An institution does not take a place
        that is an entity of its own (美国 + 约翰斯·霍普金斯大学). A facility needs a proper or
        unknown word: 中国经济高速(发展) is no road.
        """
        doc, lexicon, entity_at = self.doc, self.lexicon, self.entity_at
        needs_name = kind is SuffixKind.FACILITY
        own = entity_at.get(head.i)
        if own is not None and own.start < head.i:
            # A "person" ending like a facility is the facility (贾悦口); otherwise the model
            # read a name here, and only a generic one (城乡建设局) may grow to its place.
            if own.label_ == "PERSON":
                return own.start if needs_name else None
            if self._part(doc[own.start], None) is _Part.NAME:
                return None
            first = own.start
        else:
            first = head.i
        head_is_name = (
            first == head.i
            and len(head.text) > len(suffix)
            and lexicon[head.text] is WordClass.NAME
        )
        leftmost_name = head.i if head_is_name else None
        crossed: str | None = None
        i = first - 1
        while i >= 0 and head.i - i <= self.max_name_tokens:
            token, entity = doc[i], entity_at.get(i)
            if entity is not None and self._is_own_name(entity, kind):
                entity = None
            if entity is not None and entity.label_ != "LOC":
                break
            if needs_name and self._suffix_kind(token.text) is SuffixKind.FACILITY:
                break
            part = self._part(token, entity)
            if part is _Part.ANCHOR and token.text == _NATIONAL and suffix == "中心":
                # 国家高山滑雪中心 is a venue, 国家金融管理中心 a role: there 国家 only describes.
                part = _Part.DESCRIPTOR
            if part is _Part.ANCHOR:
                bare = entity is None and token.text in self.rules.level_prefixes
                if (crossed == "的" or kind is SuffixKind.INSTITUTION) and not bare:
                    break
                # A bare level before the bare suffix (市委, 区政府) names nothing specific, nor
                # does a place before 中心 (临沂市中心); a named place does (临沂市委, 诸城督导组).
                # A facility takes a place only right before it (济南高新区), or with a name word.
                specific = (
                    head.i - i > 1
                    or len(head.text) > len(suffix)
                    or (not bare and suffix != "中心")
                )
                if not specific or (needs_name and leftmost_name is None and head.i - i > 1):
                    break
                return entity.start if entity is not None else i
            if part is _Part.BOUNDARY:
                break
            if part is _Part.JOINER:
                before = doc[i - 1] if i > 0 else None
                if crossed or before is None or before.i in entity_at:
                    break
                if self._part(before, None) not in (_Part.NAME, _Part.DESCRIPTOR):
                    break
                crossed = token.text
            elif part is _Part.NAME and crossed is None:
                leftmost_name = i
            i -= 1
        if leftmost_name is None and first == head.i and self._listed_department(head, suffix):
            return head.i
        return self._with_cut_character(leftmost_name)

    def _is_own_name(self, entity: Span, kind: SuffixKind) -> bool:
        """A person, or a place before an institution, that is one word People's Daily never
        had: the model read the unknown word from its characters (漱玉 in 漱玉平民大药房, 东港 in
        东港股份有限公司), and before the suffix it is the name of the body itself."""
        return (
            kind in _OWN_NAME_KINDS.get(entity.label_, ())
            and len(entity) == 1
            and len(entity.text) > 1
            and entity.text not in self.lexicon.classes
            and not is_division(entity.text, self.lexicon, self.rules)
        )

    def _listed_department(self, head: Token, suffix: str) -> bool:
        """公安分局 in 区执法局、公安分局、文旅局: a department's own word as a list item."""
        if len(head.text) - len(suffix) < 2:
            return False
        before = self.doc[head.i - 1].text if head.i > 0 else "。"
        return before in self.rules.list_marks or before.isspace()

    def _with_cut_character(self, start: int | None) -> int | None:
        """Take back a single character the segmenter cut off an unknown name (昌/城口)."""
        if start is None or start == 0:
            return start
        before = self.doc[start - 1]
        cut = len(before) == 1 and before.i not in self.entity_at
        if cut and self._part(before, None) in (_Part.NAME, _Part.DESCRIPTOR):
            return start - 1
        return start


def suffix_names(
    doc: Doc,
    words: list[str],
    lexicon: WordLexicon,
    entities: list[Span],
    rules: Rules,
    *,
    max_name_tokens: int,
    expressway_window: int,
) -> list[Span]:
    """Bodies and facilities named by a suffix, each with the longest name before it."""
    if not lexicon:
        return []
    walker = SuffixWalker(
        doc, lexicon, rules, entity_at(entities), max_name_tokens, expressway_window
    )
    return list(walker.names(words))


# A venue's nickname is a word or two (“冰丝带”, “水立方”); a longer quotation says more.
_MAX_NICKNAME_CHARACTERS = 4


def venue_nicknames(doc: Doc, spans: list[Span], rules: Rules) -> list[Span]:
    """A short quotation right after a named venue or facility is its nickname, the same place
    (国家速滑馆“冰丝带”, 国家游泳中心“冰立方”: data/annotated/README.md annotates both as LOC)."""
    taken = entity_at(spans)
    found = []
    for span in spans:
        open_at = span.end
        if span.label_ != "LOC" or open_at >= len(doc) or doc[open_at].text != "“":
            continue
        kind = rules.name_suffix_kind(span.text)
        if rules.venue_ending.search(span.text) is None and (
            kind is None or kind[0] is not SuffixKind.FACILITY
        ):
            continue
        close = next(
            (
                i
                for i in range(open_at + 1, min(len(doc), open_at + _MAX_NICKNAME_CHARACTERS + 2))
                if doc[i].text == "”"
            ),
            None,
        )
        if close is None or close == open_at + 1:
            continue
        name = doc[open_at + 1 : close]
        if len(name.text) > _MAX_NICKNAME_CHARACTERS or not all(is_han(t.text) for t in name):
            continue
        if not any(i in taken for i in range(name.start, name.end)):
            found.append(Span(doc, name.start, name.end, label="LOC"))
    return found
