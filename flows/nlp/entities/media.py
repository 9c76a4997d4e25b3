"""Media outlets: a broadcaster's channel joined to it (央视|综合频道), and papers and journals
named by their titles in book marks (美国《国会山报》 -> 美国 + 国会山报)."""

from __future__ import annotations

from spacy.tokens import Doc, Span

from flows.nlp.entities.gazetteer import Gazetteer
from flows.nlp.entities.lexicon import WordClass, WordLexicon, is_han
from flows.nlp.entities.tables import Rules
from flows.nlp.entities.tokens import joined_to_bodies

# How many words a channel's name may take after its broadcaster (央视|中文|国际|频道).
_MAX_CHANNEL_WORDS = 3
_BROADCASTER_ENDINGS = ("台", "卫视")
# How many words a paper's title may take (新英格兰|医学|杂志).
_MAX_TITLE_WORDS = 6
_OPEN, _CLOSE = "《", "》"
# A paper named X报 ends with 报 (卫报, 国会山|报); a known word so ending is no paper (公报).
_PAPER_END = "报"
_CHINA = "中国"


def join_channels(spans: list[Span], lexicon: WordLexicon, rules: Rules) -> list[Span]:
    """A broadcaster's channel is one organisation with it (data/annotated/README.md: 央视综合
    频道, 中央广播电视总台央视综合频道): the words after a broadcaster up to a channel suffix
    (suffix kind `channel`), none of them a verb or a function word, join it."""

    def channel(span: Span, taken: dict[int, Span]) -> tuple[int, int] | None:
        if span.label_ != "ORG" or not _is_broadcaster(span.text, rules):
            return None
        doc = span.doc
        for i in range(span.end, min(len(doc), span.end + _MAX_CHANNEL_WORDS)):
            text = doc[i].text
            if i in taken or not is_han(text):
                return None
            if rules.channel.search(text):
                return span.start, i + 1
            if lexicon[text] is WordClass.BOUNDARY:
                return None
        return None

    return joined_to_bodies(spans, channel)


def _is_broadcaster(text: str, rules: Rules) -> bool:
    """A television or radio broadcaster (word set `broadcaster`: 央视, CGTN, or a name ending
    in 台 or 卫视), whose channels are its own; a portal's are sections (新浪|出国频道)."""
    return text in rules.broadcasters or text.endswith(_BROADCASTER_ENDINGS)


def titled_media(doc: Doc, words: list[str], lexicon: WordLexicon, rules: Rules) -> list[Span]:
    """A title in book marks that names a paper, a journal or a news agency is that medium
    (data/annotated/README.md: 美国 + 国会山报, 意大利 + 每日事实报, 《临床传染病》杂志 ->
    临床传染病): the title ends with a medium's word (word set `medium`: 日报, 杂志) or with 报
    after a name (卫报, 国会山报; not 公报), or such a word follows the marks (《柳叶刀》杂志)."""
    found = []
    for start in (i for i, word in enumerate(words) if word == _OPEN):
        end = next(
            (
                j
                for j in range(start + 1, min(len(words), start + _MAX_TITLE_WORDS + 2))
                if words[j] == _CLOSE
            ),
            None,
        )
        if end is None or end == start + 1:
            continue
        title = words[start + 1 : end]
        if not all(is_han(word.replace("·", "")) for word in title):
            continue
        last, after = title[-1], words[end + 1] if end + 1 < len(words) else ""
        paper = len(last) > 1 and last.endswith(_PAPER_END) and lexicon[last] is WordClass.NAME
        if last in rules.media_words or paper or after in rules.media_words:
            found.append(Span(doc, start + 1, end, label="ORG"))
    return found


def split_titled_media(span: Span, gazetteer: Gazetteer, rules: Rules) -> list[Span]:
    """A medium's title read with the place before it and the marks around it (美国《国会山报》,
    英国《柳叶刀》杂志) is the place and the title (data/annotated/README.md: 美国 + 国会山报)."""
    if span.label_ != "ORG":
        return [span]
    texts = [token.text for token in span]
    if _OPEN not in texts or _CLOSE not in texts:
        return [span]
    doc, opening = span.doc, span.start + texts.index(_OPEN)
    closing = span.start + texts.index(_CLOSE)
    if closing - opening < 2:
        return [span]
    place = doc[span.start : opening]
    parts = [Span(doc, opening + 1, closing, label="ORG")]
    if not place.text:
        return parts
    text = place.text
    if text == _CHINA or text in rules.countries or gazetteer.is_chinese_place(text):
        return [Span(doc, place.start, place.end, label="LOC"), *parts]
    return [span]
