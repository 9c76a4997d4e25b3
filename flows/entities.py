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


# A single token shaped like an administrative division (诸城市, 费县, 兰山区, 山东省) is a place
# even where the model, trained on national news, has not seen the name. 省 only for the real
# provinces: otherwise a verb glued to it (畅通省内) would pass.
_PROVINCES = (
    "河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|贵州|"
    "云南|陕西|甘肃|青海|台湾"
)
_DIVISION = re.compile(
    rf"^(({_PROVINCES})省|[\u4e00-\u9fff]{{2,4}}市|[\u4e00-\u9fff]{{1,4}}县|[\u4e00-\u9fff]{{2,4}}区)$"
)
_NOT_A_DIVISION = re.compile(
    r"^([本该各全此其每我两三多原新老城郊市县区省].*|.*(社区|园区|辖区|地区|景区|片区|城区|市区|小区|"
    r"街区|分区|专区|矿区|灾区|禁区|误区|疫区|病区|楼区|院区|赛区|封控区|管控区|防范区|风险区|"
    r"安置区|保护区|贸易区|投资区|示范区|功能区|开发区|实验区|试验区|"
    r"超市|股市|楼市|车市|夜市|上市|门市|集市|复市|府县)|(大|小|中小|大中|特大|超大)?(城市|都市))$"
)


def is_division(span: Span) -> bool:
    return (
        len(span) == 1 and bool(_DIVISION.match(span.text)) and not _NOT_A_DIVISION.match(span.text)
    )


def division_places(doc: Doc) -> list[Span]:
    """Unlabelled single tokens that name a province, city, county or district."""
    labelled = {token.i for span in doc.ents for token in span}
    candidates = (doc[i : i + 1] for i in range(len(doc)) if i not in labelled)
    return [Span(doc, s.start, s.end, label="LOC") for s in candidates if is_division(s)]


def relabel_division(span: Span) -> Span:
    """A one-token "person" shaped like a division (兰陵县) is the place."""
    if span.label_ == "PERSON" and is_division(span):
        return Span(span.doc, span.start, span.end, label="LOC")
    return span


@Language.component("zhnews_entity_rules")
def entity_rules(doc: Doc) -> Doc:
    """Apply ANNOTATION.md's conventions: drop excluded names and titles, add divisions."""
    kept = [relabel_division(strip_person_title(s)) for s in doc.ents if not is_excluded(s)]
    doc.ents = sorted([*kept, *division_places(doc)], key=lambda span: span.start)
    return doc
