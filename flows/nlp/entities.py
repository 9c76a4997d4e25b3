"""`zhnews_entity_rules`: ANNOTATION.md's entity conventions on top of the MSRA-style `ner`.

The `ner` component is judged alone on MSRA conventions, so rules where the product's
conventions differ live here, after it, and only change what the tables receive:

- drop what the conventions exclude (generic bodies such as 市委, 我国, titles after a surname,
  a body's 党组, the product in …大厅微信公众号);
- add divisions the model, trained on national news, missed: by shape (诸城市, 兰陵县) and from a
  gazetteer of China's provinces, cities and counties, with their short names (诸城);
- add local bodies, institutions and facilities named by a suffix (市行政审批服务局, 区疫情指挥部,
  巨野河街道, 青兰高速, 昌城口) with the longest name before it;
- split chains of places (湖南永州蓝山县), keep a Chinese company's place in its name;
- add one-character place names after verbs of movement (离盘, 入诸).

Where a name starts is decided with a word lexicon from People's Daily 1998 (`WordLexicon`),
saved inside the pipeline with the gazetteer: a verb such as 抓好 or 联系 cannot begin a name, a
word People's Daily never saw (巨野河) most likely is one.
"""

from __future__ import annotations

import bisect
import itertools
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import ahocorasick
from spacy.language import Language
from spacy.tokens import Doc, Span, Token


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Bare generic leadership bodies are not names (ANNOTATION.md, "ORG, excluded"); nor are a
# party committee's departments and task groups named by no place or body at all (a source
# credit "（宣传部）", 疫情防控领导小组), while 市委宣传部 and 市…领导小组 are.
_GENERIC_BODY = re.compile(
    r"^[省市区县镇乡]?(临时)?(委|政府|人大常委会|人大|政协|纪委监委|纪委|党委|常委会|委员会|街道|督导组|"
    r"党支部)$|^(宣传部|组织部|统战部|(新冠肺炎)?(疫情)?(防控|防疫)?(工作)?(领导小组|工作小组))$"
)
# Common nouns MSRA-style models tag as places, which the conventions exclude.
_NOT_NAMES = _words(
    "我国 全国 内地 首都 国内 境外 海外 省内 市内 APP App app "
    # Kinds of facility, not named ones (ANNOTATION.md: named facilities are LOC).
    "检查站 卡口 收费站 服务区 火车站 汽车站 高铁站 车站 机场 码头 广场 公园 商场 超市 小区"
)
# Titles a model may leave attached to a surname-only mention (李主任 -> 李).
_PERSON_TITLE = re.compile(
    r"(主任|书记|局长|市长|区长|县长|省长|部长|总|先生|女士|同志|经理|老师|师傅|爷爷|奶奶|阿姨|叔叔|大爷|大妈)$"
)
# A body's party group is not part of its name (临沂市行政审批服务局党组 -> …服务局).
# (A 综合党委 is a body of its own and keeps its name.)
_PARTY_GROUP = re.compile(r"党组$")


class WordClass(StrEnum):
    """What a known word can be in a name, from its People's Daily tags."""

    NAME = "name"  # ns/nr/nt/nz: a proper name
    DESCRIPTOR = "descriptor"  # nouns, abbreviations, verbal nouns (行政, 商贸, 审批, 新型)
    BOUNDARY = "boundary"  # verbs, adverbs, function words: a name does not run through them


_NAME_TAGS = frozenset({"ns", "nr", "nt", "nz"})
# j (abbreviations) names bodies as often as it shortens common words (部委, 商贸, 农牧).
_DESCRIPTOR_TAGS = frozenset({"n", "vn", "an", "b", "a", "ng", "s", "nx", "j"})
# A verb People's Daily also uses as a noun this often can be part of a body's name (审批,
# 执法, 处置); verbs that rarely are (抓好, 设立, 加强) end it.
_VERBAL_NOUN_SHARE = 0.15


@dataclass
class WordLexicon:
    """Known words and their class; unknown words are treated as names."""

    classes: dict[str, WordClass] = field(default_factory=dict)

    def __getitem__(self, word: str) -> WordClass:
        return self.classes.get(word, WordClass.NAME)

    def __bool__(self) -> bool:
        return bool(self.classes)

    @classmethod
    def from_tagged(cls, sentences: Iterable[Iterable[tuple[str, str]]]) -> WordLexicon:
        """Classes from (word, tag) sentences of People's Daily (PKU tag set)."""
        tags: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for sentence in sentences:
            for word, tag in sentence:
                tags[word][tag] += 1
        return cls({word: _word_class(counts) for word, counts in tags.items()})

    def with_common_words(self, words: Iterable[str]) -> WordLexicon:
        """Add words People's Daily 1998 never saw but that are no names (防控, 收治, 方舱)."""
        added = {w: WordClass.DESCRIPTOR for w in words if w not in self.classes}
        return WordLexicon({**self.classes, **added})

    def to_disk(self, path: Path) -> None:
        grouped = {
            c.value: sorted(w for w, wc in self.classes.items() if wc is c) for c in WordClass
        }
        path.write_text(json.dumps(grouped, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def from_disk(cls, path: Path) -> WordLexicon:
        grouped = json.loads(path.read_text(encoding="utf-8"))
        return cls({w: WordClass(c) for c, words in grouped.items() for w in words})


def _word_class(tags: Counter[str]) -> WordClass:
    top = tags.most_common(1)[0][0]
    if top in _NAME_TAGS:
        return WordClass.NAME
    if top in _DESCRIPTOR_TAGS:
        return WordClass.DESCRIPTOR
    if top == "v" and tags["vn"] / sum(tags.values()) >= _VERBAL_NOUN_SHARE:
        return WordClass.DESCRIPTOR
    return WordClass.BOUNDARY


def is_excluded(span: Span) -> bool:
    """True for spans that the annotation conventions say are not entities."""
    text = span.text
    if text in _NOT_NAMES or has_unpaired_quote(text) or is_no_place_here(span):
        return True
    return span.label_ == "ORG" and _GENERIC_BODY.match(text) is not None


def is_no_place_here(span: Span) -> bool:
    """Places MSRA tags that our conventions (data/annotated/README.md) do not: 中 in 中方
    ("the Chinese side"), 奥 in 奥运会/冬奥会 (the Olympics, not Austria), 中国 in the fixed
    term 中国特色社会主义."""
    if span.label_ != "LOC":
        return False
    doc, text = span.doc, span.text
    after = doc[span.end].text if span.end < len(doc) else ""
    before = doc[span.start - 1].text[-1:] if span.start > 0 else ""
    return (
        (len(text) == 1 and after == "方")
        or (text == "奥" and (after[:1] == "运" or before in ("冬", "残")))
        or (text == "中国" and after[:2] == "特色")
    )


def has_unpaired_quote(text: str) -> bool:
    """A name may quote (推进“一带一路”建设工作领导小组) but does not run into or out of a
    quotation (爱山东·容沂办”APP网: the end of a quoted app name and the words after it)."""
    depth = 0
    for char in text:
        if char in "“‘「『":
            depth += 1
        elif char in "”’」』":
            depth -= 1
            if depth < 0:
                return True
    return depth != 0


# A company named by what it does only (清运公司, 物业公司) is a kind of company, not a name.
_COMPANY_WORDS = frozenset({"公司", "有限公司"})


def is_generic_company(span: Span, lexicon: WordLexicon) -> bool:
    """清运公司: one known common word before 公司; 网联公司 (an unknown word) is a name."""
    return (
        span.label_ == "ORG"
        and len(span) == 2
        and span[1].text in _COMPANY_WORDS
        and lexicon.classes.get(span[0].text, WordClass.NAME) is not WordClass.NAME
    )


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


def strip_person_title(span: Span) -> Span:
    if span.label_ != "PERSON":
        return span
    return _cut_suffix(span, _PERSON_TITLE, keep_at_least=1)


def relabel_surname(span: Span) -> Span:
    """One character before a title is a surname (韩先生, 韩总 -> PERSON 韩), whatever the
    model took it for (韩 alone is also Korea)."""
    doc = span.doc
    if (
        span.label_ != "PERSON"
        and len(span.text) == 1
        and span.end < len(doc)
        and _PERSON_TITLE.fullmatch(doc[span.end].text)
    ):
        return Span(doc, span.start, span.end, label="PERSON")
    return span


# An organisation named inside a product phrase is annotated without the product
# (章丘区政务服务大厅 in …大厅微信公众号).
_PRODUCT = re.compile(r"(微信公众号|公众号|微信|官方微博|微博|客户端|官网|网站|APP|App|app)$")


def strip_party_group_and_product(span: Span) -> Span:
    """临沂市行政审批服务局党组 -> 临沂市行政审批服务局; …大厅微信公众号 -> …大厅."""
    if span.label_ != "ORG":
        return span
    for suffix in (_PARTY_GROUP, _PRODUCT):
        span = _cut_suffix(span, suffix, keep_at_least=2, alignment="contract")
    return span


# A single token shaped like an administrative division (诸城市, 费县, 兰山区, 山东省) is a place
# even where the model, trained on national news, has not seen the name. 省 only for the real
# provinces: otherwise a verb glued to it (畅通省内) would pass.
_PROVINCES = (
    "河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|贵州|"
    "云南|陕西|甘肃|青海|台湾"
)
_DIVISION_ENDINGS = frozenset("省市县区")
_DIVISION = re.compile(
    rf"^(({_PROVINCES})省|[\u4e00-\u9fff]{{2,4}}市|[\u4e00-\u9fff]{{1,4}}县|[\u4e00-\u9fff]{{2,4}}区)$"
)
_NOT_A_DIVISION = re.compile(
    r"^([本该各全此其每我两三多原新老城郊市县区省].*|.*(社区|园区|辖区|地区|景区|片区|城区|市区|小区|"
    r"街区|分区|专区|矿区|灾区|禁区|误区|疫区|病区|楼区|院区|赛区|封控区|管控区|防范区|风险区|"
    r"安置区|保护区|贸易区|投资区|示范区|功能区|开发区|实验区|试验区|"
    r"超市|股市|楼市|车市|夜市|上市|门市|集市|复市|府县)|(大|小|中小|大中|特大|超大)?(城市|都市))$"
)


# The counties named by one character; any other one-character stem is a cut word (坡县).
_ONE_CHARACTER_COUNTIES = frozenset("费单沛萧蠡滑易献泾眉岚黟歙杞温叶磁涉魏成徽礼宁莒沁代霍盂昔")


def is_division(text: str, lexicon: WordLexicon) -> bool:
    """诸城市, 兰陵县; not 抓好市 or 联系区, a known non-name glued to the next word's 市/区."""
    if (
        text[-1:] not in _DIVISION_ENDINGS
        or not _DIVISION.match(text)
        or _NOT_A_DIVISION.match(text)
    ):
        return False
    stem = text[:-1]
    if len(stem) == 1:
        return stem in _ONE_CHARACTER_COUNTIES
    # An unknown stem is as often a cut word (主产区, 挖断县) as a name; the gazetteer has
    # the real Chinese divisions.
    return lexicon.classes.get(stem, WordClass.NAME if not lexicon else None) is WordClass.NAME


# Suffixes that name a body, an institution or a facility. Bodies take the place before them
# (临沂市住建局); institutions have a name of their own, and a place before it is a separate
# entity (美国 + 约翰斯·霍普金斯大学, 湖北 + 孝感市中心医院). 街道/片区 are ORG when they act as an
# office, the more common use in government news; 口 (an expressway exit) only near 高速.
_BODY_SUFFIXES = (
    "委员会|局|委|办公室|服务中心|中心|指挥部|领导小组|小组|工作组|督导组|指导组|法院|检察院|"
    "派出所|大厅|街道|片区|政府"
)
_INSTITUTION_SUFFIXES = "|".join(
    (
        "有限公司|公司|集团|医院|卫生院|大学|学院|银行",
        "研究院|研究所|协会|商会|孵化器|大药房|报社|电视台",
    )
)
_LOC_SUFFIXES = (
    "高速公路|高速|基地|广场|产业园|工业园|科技园|公园|口岸|收费站|服务区|机场|开发区|高新区|新区"
)
_SUFFIX = re.compile(
    rf"(?P<ORG>{_BODY_SUFFIXES})$|(?P<INSTITUTION>{_INSTITUTION_SUFFIXES})$|(?P<LOC>{_LOC_SUFFIXES})$"
)
_EXIT_SUFFIX = re.compile(r"口$")
# The last characters of every suffix, to skip most words before any regular expression.
_SUFFIX_ENDINGS = tuple(
    {s[-1] for s in "|".join((_BODY_SUFFIXES, _INSTITUTION_SUFFIXES, _LOC_SUFFIXES)).split("|")}
    | {"口"}
)
_EXPRESSWAY = re.compile(r"高速|收费站|下道")
# A bare one-character level before a body's name belongs to it (市行政审批服务局, 区执法局).
_LEVEL_PREFIXES = frozenset("省市区县镇乡")
_ORDINAL = re.compile(r"^第[一二三四五六七八九十百零〇\d]+$")
# Passable only on the way to a place that starts the name (市…感染的肺炎疫情处置工作领导小组).
_JOINERS = frozenset({"的", "和", "与", "及"})
_MAX_NAME_TOKENS = 14
_LIST_MARKS = frozenset("、，；：。")
# Common words that end like a body or an exit but are none (布局, 常委, 出口).
_NOT_BODIES = _words(
    "布局 格局 大局 结局 当局 变局 开局 僵局 出局 骗局 全局 时局 政局 "
    "残局 战局 棋局 常委 编委 评委 路口 出口 入口 港口 窗口 人口 门口 "
    "道口 关口 闸口 胸口 渡口 河口 进口 户口 端口 接口 缺口 借口 开口 "
    "袖口 一口 两口 突破口"
)
# Kinds of institutions and places, not names of one (方舱医院, 有限公司, 高速口).
_GENERIC_NAMES = _words(
    "方舱医院 定点医院 收治医院 有限公司 有限责任公司 股份有限公司 股份公司 分公司 子公司 高速口"
)


class _Part(StrEnum):
    ANCHOR = "anchor"  # a place or a level prefix: the name starts here
    NAME = "name"
    DESCRIPTOR = "descriptor"
    JOINER = "joiner"
    BOUNDARY = "boundary"


@dataclass(frozen=True, slots=True)
class PlaceMention:
    """A division of the gazetteer found in a text, by character offsets."""

    start: int
    end: int
    name: str


@dataclass
class Gazetteer:
    """China's provinces, cities and counties by full name, each with the division above it.

    Full names (兴隆台区, 诸城市) are safe to match anywhere; the division above gives the
    one-character name a local article uses for its city (兴隆台区 -> 盘锦市 -> 离盘).
    """

    parents: dict[str, str] = field(default_factory=dict)
    _automaton: ahocorasick.Automaton | None = field(default=None, init=False, repr=False)

    @classmethod
    def from_adcodes(cls, rows: Iterable[tuple[str, str]]) -> Gazetteer:
        """From (12-digit adcode, name) rows: 37 province, 3701 city, 370782 county."""
        by_code = {code[:6]: name for code, name in rows if not _NOT_A_PLACE.match(name)}
        parents = {}
        for code, name in by_code.items():
            above = code[:4] + "00" if code[4:] != "00" else code[:2] + "0000"
            parents[name] = by_code.get(above, "") if above != code else ""
        return cls(parents)

    def __bool__(self) -> bool:
        return bool(self.parents)

    def find(self, text: str) -> list[PlaceMention]:
        """Longest non-overlapping mentions, not the 龙口市 of 龙口市场."""
        if not self.parents:
            return []
        if self._automaton is None:
            automaton = ahocorasick.Automaton()
            for name in self.parents:
                automaton.add_word(name, name)
            automaton.make_automaton()
            self._automaton = automaton
        return [
            PlaceMention(end + 1 - len(name), end + 1, name)
            for end, name in self._automaton.iter_long(text)
            if not (name.endswith("市") and text[end + 1 : end + 2] == "场")
        ]

    def is_chinese_place(self, text: str) -> bool:
        """A division by full or short name (山东省, 山东, 济南市, 济南)."""
        return any(
            name in self.parents for name in (text, text + "省", text + "市", text + "自治区")
        )

    def chain_parts(self, text: str) -> list[tuple[int, int]] | None:
        """湖南永州蓝山县 -> 湖南 + 永州 + 蓝山县: the places a chain is made of, by offsets.

        None unless the whole text is places (divisions by full or short name, and named
        towns, villages and 街道), at least one of them a division.
        """
        ends: list[list[tuple[int, int]] | None] = [None] * (len(text) + 1)
        ends[0] = []
        for start in range(len(text)):
            before = ends[start]
            if before is None:
                continue
            for end in range(start + 2, min(len(text), start + 10) + 1):
                piece = text[start:end]
                if self.is_chinese_place(piece) or _TOWNSHIP.fullmatch(piece):
                    parts = [*before, (start, end)]
                    best = ends[end]
                    if best is None or len(parts) < len(best):
                        ends[end] = parts
        parts = ends[len(text)]
        if not parts or not any(self.is_chinese_place(text[s:e]) for s, e in parts):
            return None
        return parts

    def initials(self, mentions: Iterable[PlaceMention]) -> set[str]:
        """One-character names of the places mentioned and of the cities above counties.

        A province's first character is not its name (山东 is 鲁), so provinces give none.
        """
        initials = set()
        for mention in mentions:
            parent = self.parents.get(mention.name, "")
            if parent:
                initials.add(mention.name[0])
            if parent and self.parents.get(parent):
                initials.add(parent[0])
        return initials

    def to_disk(self, path: Path) -> None:
        path.write_text(json.dumps(self.parents, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def from_disk(cls, path: Path) -> Gazetteer:
        return cls(json.loads(path.read_text(encoding="utf-8")))


# A named town, township, village or 街道 (路口镇, 谢家小湾村) as a link of a chain of places.
_TOWNSHIP = re.compile(r"[^省市县区镇乡村\s]{1,5}(镇|乡|村|街道)")
# Two-character district names that are also common words (城区, 郊区, 矿区), and placeholders.
_NOT_A_PLACE = re.compile(r"^(.区|市辖区|县|省直辖县级行政区划|自治区直辖县级行政区划)$")


@dataclass
class EntityRules:
    """The `zhnews_entity_rules` component; lexicon and gazetteer are saved with the pipeline."""

    lexicon: WordLexicon = field(default_factory=WordLexicon)
    gazetteer: Gazetteer = field(default_factory=Gazetteer)

    def __call__(self, doc: Doc) -> Doc:
        rejoin_unknown_words(doc)
        repair_divisions(doc, self.lexicon)
        mentions = self.gazetteer.find(doc.text)
        abbreviations = split_abbreviations(doc, self.lexicon, self.gazetteer.initials(mentions))
        kept = [
            relabel_surname(
                relabel_office(
                    relabel_body(
                        relabel_division(
                            strip_party_group_and_product(strip_person_title(s)),
                            self.lexicon,
                        )
                    )
                )
            )
            for s in doc.ents
            if not is_function_words(s, self.lexicon) and not is_generic_company(s, self.lexicon)
        ]
        # Tokens are final from here on; one pass reads their texts for all rules below.
        words = token_texts(doc)
        found = [
            *suffix_names(doc, words, self.lexicon, kept),
            *division_places(doc, words, self.lexicon),
            *gazetteer_places(doc, mentions),
        ]
        merged = join_company_places(merge_spans(kept, found), self.gazetteer)
        merged = [part for span in merged for part in split_place_chain(span, self.gazetteer)]
        merged += abbreviation_places(doc, words, merged, abbreviations)
        merged = [s for s in merged if not is_stray_character(s, merged)]
        merged = complete_person_names(merged)
        doc.ents = sorted((s for s in merged if not is_excluded(s)), key=lambda span: span.start)
        return doc

    def to_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.lexicon.to_disk(path / "words.json")
        self.gazetteer.to_disk(path / "places.json")

    def from_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> EntityRules:
        words, places = path / "words.json", path / "places.json"
        self.lexicon = WordLexicon.from_disk(words) if words.exists() else WordLexicon()
        self.gazetteer = Gazetteer.from_disk(places) if places.exists() else Gazetteer()
        return self


@Language.factory("zhnews_entity_rules")
def make_entity_rules(nlp: Language, name: str) -> EntityRules:
    return EntityRules()


def division_places(doc: Doc, words: list[str], lexicon: WordLexicon) -> list[Span]:
    """Single tokens that name a province, city, county or district."""
    return [
        Span(doc, i, i + 1, label="LOC")
        for i, word in enumerate(words)
        if is_division(word, lexicon)
    ]


def gazetteer_places(doc: Doc, mentions: list[PlaceMention]) -> list[Span]:
    """Divisions by full name, and their short names in the same text (诸城市 … 诸城).

    A short name alone is ambiguous (大同, 通化); once the text has used the full name it is
    that place.
    """
    text = doc.text
    spans = [doc.char_span(m.start, m.end, label="LOC") for m in mentions]
    stems = {
        m.name[:-1]
        for m in mentions
        if m.name[-1] in "市县区" and len(m.name) >= 3 and m.name[0] not in "市城郊矿"
    }
    for stem in stems:
        for match in re.finditer(re.escape(stem), text):
            if text[match.end() : match.end() + 1] not in ("市", "县", "区"):
                spans.append(doc.char_span(match.start(), match.end(), label="LOC"))
    return [span for span in spans if span is not None]


def _is_boundary_word(token: Token, lexicon: WordLexicon) -> bool:
    """A verb, time word or the like of two or more characters. Single characters are left
    to the model: 中, 日, 美 are places as often as not."""
    text = token.text
    return bool(lexicon) and len(text) > 1 and is_han(text) and lexicon[text] is WordClass.BOUNDARY


def is_function_words(span: Span, lexicon: WordLexicon) -> bool:
    """A "name" made only of verbs, time words and the like (午间, 目前): not a name."""
    return all(_is_boundary_word(token, lexicon) for token in span)


def relabel_division(span: Span, lexicon: WordLexicon) -> Span:
    """A one-token "person" shaped like a division (兰陵县) is the place."""
    if span.label_ == "PERSON" and len(span) == 1 and is_division(span.text, lexicon):
        return Span(span.doc, span.start, span.end, label="LOC")
    return span


# 街道/片区 before an area word name the area (天宫院街道的5个社区, 管辖区域内); see relabel_office.
_OFFICE_ENDING = re.compile(r"(街道|片区)$")
_AREA_AFTER = (
    "的",
    "辖区",
    "管辖",
    "内",
    "社区",
    "村",
    "及",
    "和",
    "与",
    "、",
    "各",
    "范围",
    "周边",
    "有",
)
# What only a body's or a company's name ends with (hospitals are ORG by ANNOTATION.md). 中心
# and 大厅 also end places (武汉博览中心), so the model's label stands for those; 街道 and 片区
# go by what stands around them (relabel_office).
_BODY_ENDING = re.compile(
    r"(委员会|局|委|办公室|指挥部|领导小组|工作组|督导组|指导组|法院|检察院|派出所|政府|党组|"
    r"医院|公司|集团|银行|科技|股份)$"
)


def relabel_body(span: Span) -> Span:
    """A "place" whose name ends like a body's (章丘区行政审批服务局, 锦丰科技) is the body."""
    if span.label_ == "LOC" and _BODY_ENDING.search(span.text):
        return Span(span.doc, span.start, span.end, label="ORG")
    return span


def relabel_office(span: Span) -> Span:
    """A "place" named 街道 or 片区 standing on its own is the office (ANNOTATION.md: ORG when it
    acts, 山大路街道协助…), unless a place comes before it (江岸区 + 后湖街道, a chain) or an area
    word after it (天宫院街道的5个社区, 管辖区域内)."""
    if span.label_ != "LOC" or not _OFFICE_ENDING.search(span.text):
        return span
    doc = span.doc
    if span.start > 0 and doc[span.start - 1].ent_type_ == "LOC":
        return span
    after = doc[span.end].text if span.end < len(doc) else ""
    if after.startswith(_AREA_AFTER):
        return span
    return Span(doc, span.start, span.end, label="ORG")


def _entity_at(spans: Iterable[Span]) -> dict[int, Span]:
    return {i: span for span in spans for i in range(span.start, span.end)}


def _part(token: Token, entity: Span | None, lexicon: WordLexicon) -> _Part:
    text = token.text
    if entity is not None:
        return _Part.ANCHOR if entity.label_ == "LOC" else _Part.NAME
    if text in _LEVEL_PREFIXES or is_division(text, lexicon):
        return _Part.ANCHOR
    if not is_han(text):
        return _Part.BOUNDARY
    if text in _JOINERS:
        return _Part.JOINER
    if _ORDINAL.match(text):
        return _Part.NAME
    return _Part(lexicon[text].value)


def is_han(text: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in text)


def suffix_names(
    doc: Doc, words: list[str], lexicon: WordLexicon, entities: list[Span]
) -> Iterator[Span]:
    """Bodies and facilities named by a suffix, each with the longest name before it.

    Walking left from the suffix word, the name takes every word up to a place or level
    prefix that starts it (临沂市住房和城乡建设局, 市第九核查督导组); with no such start it
    keeps only what runs back to its leftmost unknown or proper word (漱玉平民大药房, not
    联系巨野河街道). A suffix with nothing specific before it (市委, 街道, 出口) is no name.
    """
    if not lexicon:
        return
    entity_at = _entity_at(entities)
    for i, word in enumerate(words):
        if not word.endswith(_SUFFIX_ENDINGS):
            continue
        head = doc[i]
        match = _SUFFIX.search(word)
        kind = match.lastgroup if match else ("LOC" if _is_exit(head) else None)
        if kind is None or head.text in _NOT_BODIES or head.text[-2:] in _NOT_BODIES:
            continue
        if head.i in entity_at and entity_at[head.i].end > head.i + 1:
            continue
        # The hall of a centre, the party committee of a company: the first one is the name.
        before = words[i - 1] if i > 0 else ""
        inner_name = _suffix_kind(before) in ("ORG", "INSTITUTION") and before not in _NOT_BODIES
        if kind != "LOC" and inner_name:
            continue
        suffix = match.group() if match else "口"
        start = _name_start(doc, head, suffix, lexicon, entity_at, kind=kind)
        if start is None:
            continue
        name = doc[start : i + 1]
        if suffix == "政府" and not _starts_with_place(name, entity_at):
            continue  # 中央政府, 地方政府, 联邦政府 name no one body; 日本政府, 郑州市政府 do
        if name.text not in _GENERIC_NAMES and not (suffix == "口" and len(name.text) < 3):
            yield Span(doc, start, i + 1, label="LOC" if kind == "LOC" else "ORG")


def _starts_with_place(name: Span, entity_at: dict[int, Span]) -> bool:
    place = entity_at.get(name.start)
    return place is not None and place.label_ == "LOC" and place.start == name.start


def _is_exit(token: Token) -> bool:
    """昌城口, 孟疃口: a word ending in 口 near an expressway (the name needs 3 characters)."""
    return _EXIT_SUFFIX.search(token.text) is not None and _mentions_expressway(token)


def _suffix_kind(word: str) -> str | None:
    """ORG (a body), INSTITUTION or LOC (a facility) by the word's suffix, if it has one."""
    match = _SUFFIX.search(word)
    return match.lastgroup if match else None


def _mentions_expressway(token: Token) -> bool:
    doc = token.doc
    lo, hi = max(0, token.i - 40), min(len(doc), token.i + 40)
    return bool(_EXPRESSWAY.search(doc[lo:hi].text))


def _name_start(
    doc: Doc,
    head: Token,
    suffix: str,
    lexicon: WordLexicon,
    entity_at: dict[int, Span],
    *,
    kind: str,
) -> int | None:
    """Where the name ending with `head` starts, or None when it is not a name.

    The walk stops at another person or organisation (names are not chained), at a verb or
    function word, and at a facility when this is one (青兰高速 + 昌城口). It crosses 和/的 only
    on its way to the place that starts the name (临沂市住房和城乡建设局; 市…感染的肺炎…领导小组,
    where 的 needs a bare level prefix). An institution does not take a place that is an
    entity of its own (美国 + 约翰斯·霍普金斯大学). A facility needs a proper or unknown word:
    中国经济高速(发展) is no road.
    """
    needs_name = kind == "LOC"
    own = entity_at.get(head.i)
    if own is not None and own.start < head.i:
        # A "person" ending like a facility is the facility (贾悦口); otherwise the model read
        # a name here, and only a generic one (城乡建设局) may grow to its place.
        if own.label_ == "PERSON":
            return own.start if needs_name else None
        if _part(doc[own.start], None, lexicon) is _Part.NAME:
            return None
        first = own.start
    else:
        first = head.i
    head_is_name = (
        first == head.i and len(head.text) > len(suffix) and lexicon[head.text] is WordClass.NAME
    )
    leftmost_name = head.i if head_is_name else None
    crossed: str | None = None
    i = first - 1
    while i >= 0 and head.i - i <= _MAX_NAME_TOKENS:
        token, entity = doc[i], entity_at.get(i)
        if entity is not None and _is_own_name(entity, kind, lexicon):
            entity = None
        if entity is not None and entity.label_ != "LOC":
            break
        if needs_name and _suffix_kind(token.text) == "LOC":
            break
        part = _part(token, entity, lexicon)
        if part is _Part.ANCHOR:
            bare = entity is None and token.text in _LEVEL_PREFIXES
            if (crossed == "的" or kind == "INSTITUTION") and not bare:
                break
            # A bare level before the bare suffix (市委, 区政府) names nothing specific, nor
            # does a place before 中心 (临沂市中心); a named place does (临沂市委, 诸城督导组).
            # A facility takes a place only right before it (济南高新区), or with a name word.
            specific = (
                head.i - i > 1 or len(head.text) > len(suffix) or (not bare and suffix != "中心")
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
            if _part(before, None, lexicon) not in (_Part.NAME, _Part.DESCRIPTOR):
                break
            crossed = token.text
        elif part is _Part.NAME and crossed is None:
            leftmost_name = i
        i -= 1
    if leftmost_name is None and first == head.i and _listed_department(doc, head, suffix):
        return head.i
    return _with_cut_character(doc, leftmost_name, lexicon, entity_at)


# The suffix kinds before which a one-word entity of each label may be the body's own name.
_OWN_NAME_KINDS = {"PERSON": ("ORG", "INSTITUTION"), "LOC": ("INSTITUTION",)}


def _is_own_name(entity: Span, kind: str, lexicon: WordLexicon) -> bool:
    """A person, or a place before an institution, that is one word People's Daily never had:
    the model read the unknown word from its characters (漱玉 in 漱玉平民大药房, 东港 in
    东港股份有限公司), and before the suffix it is the name of the body itself."""
    return (
        kind in _OWN_NAME_KINDS.get(entity.label_, ())
        and len(entity) == 1
        and len(entity.text) > 1
        and entity.text not in lexicon.classes
        and not is_division(entity.text, lexicon)
    )


def _listed_department(doc: Doc, head: Token, suffix: str) -> bool:
    """公安分局 in 区执法局、公安分局、文旅局: a department's own word as a list item."""
    if len(head.text) - len(suffix) < 2:
        return False
    before = doc[head.i - 1].text if head.i > 0 else "。"
    return before in _LIST_MARKS or before.isspace()


def _with_cut_character(
    doc: Doc, start: int | None, lexicon: WordLexicon, entity_at: dict[int, Span]
) -> int | None:
    """Take back a single character the segmenter cut off an unknown name (昌/城口)."""
    if start is None or start == 0:
        return start
    before = doc[start - 1]
    cut = len(before) == 1 and before.i not in entity_at
    if cut and _part(before, None, lexicon) in (_Part.NAME, _Part.DESCRIPTOR):
        return start - 1
    return start


def merge_spans(model: list[Span], rules: list[Span]) -> list[Span]:
    """The model's spans, replaced where a rule span covers them (the longest name wins), or
    where rule spans tile one exactly (青兰高速昌城口 -> 青兰高速 + 昌城口: one name each)."""
    spans: list[Span] = []
    for span in model:
        inside = sorted(
            (
                r
                for r in rules
                if span.start <= r.start and r.end <= span.end and len(r) < len(span)
            ),
            key=lambda r: r.start,
        )
        tiles = len(inside) > 1 and [r.start for r in inside] == [
            span.start,
            *(r.end for r in inside[:-1]),
        ]
        spans += inside if tiles and inside[-1].end == span.end else [span]
    for rule in sorted(rules, key=len, reverse=True):
        overlapping = [s for s in spans if s.start < rule.end and rule.start < s.end]
        if all(rule.start <= s.start and s.end <= rule.end for s in overlapping) or all(
            len(s) < len(rule) for s in overlapping
        ):
            spans = [s for s in spans if s not in overlapping] + [rule]
    return spans


# An expressway and one of its exits (青兰高速 + 昌城口): two places.
_EXPRESSWAY_EXIT = re.compile(r"(.+?(?:高速公路|高速))([^高速]{1,4}口)")


def split_place_chain(span: Span, gazetteer: Gazetteer) -> list[Span]:
    """One LOC per place of a chain (ANNOTATION.md: 吉林省长春市 -> 吉林省 + 长春市, 青兰高速昌城口
    -> 青兰高速 + 昌城口); a city is a place even where the model took it for an actor (河南省 as
    ORG)."""
    if span.label_ == "PERSON":
        return [span]
    exit_ = _EXPRESSWAY_EXIT.fullmatch(span.text) if span.label_ == "LOC" else None
    parts = [exit_.span(1), exit_.span(2)] if exit_ else gazetteer.chain_parts(span.text)
    if parts is None:
        return [span]
    spans = [
        span.doc.char_span(span.start_char + start, span.start_char + end, label="LOC")
        for start, end in parts
    ]
    if any(part is None for part in spans):
        return [span]
    return [part for part in spans if part is not None]


_COMPANY = re.compile(r"(有限公司|有限责任公司|股份公司|集团)$")


def join_company_places(spans: list[Span], gazetteer: Gazetteer) -> list[Span]:
    """A Chinese company's registered name starts with its place: 山东胜邦绿野化工有限公司 is one
    name, where a foreign country before an organisation is not (美国 + 约翰斯·霍普金斯大学).
    """
    ordered = sorted(spans, key=lambda span: span.start)
    joined: list[Span] = []
    for span in ordered:
        before = joined[-1] if joined else None
        if (
            before is not None
            and before.end == span.start
            and before.label_ == "LOC"
            and span.label_ == "ORG"
            and _COMPANY.search(span.text)
            and gazetteer.is_chinese_place(before.text)
        ):
            joined[-1] = Span(span.doc, before.start, span.end, label="ORG")
        else:
            joined.append(span)
    return joined


# Verbs that take a place's one-character abbreviation as object (离盘, 入诸, 返汉, 来京).
_PLACE_VERBS = frozenset("离来返入回赴抵进援在到")
# Provinces and regions by their one-character names (ANNOTATION.md: 离鄂, 来华, 赴港).
_KNOWN_ABBREVIATIONS = frozenset("京津沪渝冀豫辽湘皖鲁苏浙赣鄂桂晋陕闽粤藏琼港澳汉华")
# Objects of those verbs that are not places (返岗, 入校, 进企).
_NOT_ABBREVIATIONS = frozenset("岗工校企园户厂乡家城村镇区市省国境场店网库")


def _glued_place_verb(text: str, lexicon: WordLexicon) -> bool:
    """离盘, 返汉: a place verb and one character, a word People's Daily never wrote."""
    return (
        len(text) == 2
        and text[0] in _PLACE_VERBS
        and text[1] not in _NOT_ABBREVIATIONS
        and lexicon[text] is WordClass.NAME
    )


def _abbreviations(doc: Doc, words: list[str], lexicon: WordLexicon) -> set[str]:
    """One-character place names this document may use.

    The first character of its places (诸 for 诸城市), the provinces' names, and a character
    the text puts after two different place verbs (返盘 … 来盘), which only a place takes.
    """
    places = {span.text[0] for span in doc.ents if span.label_ == "LOC" and len(span) == 1}
    places |= {w[0] for w in words if is_division(w, lexicon)}
    verbs_before: defaultdict[str, set[str]] = defaultdict(set)
    for word in words:
        if _glued_place_verb(word, lexicon):
            verbs_before[word[1]].add(word[0])
    repeated = {ch for ch, verbs in verbs_before.items() if len(verbs) >= 2}
    return (places | _KNOWN_ABBREVIATIONS | repeated) - _NOT_ABBREVIATIONS


def repair_divisions(doc: Doc, lexicon: WordLexicon) -> None:
    """Mend the segmenter's cuts around a level character, before any rule reads the tokens.

    纳入市 -> 纳入 市 (a known non-name glued to the 市 of the next body's name), and
    诸 城市 -> 诸城市 (a known place name split after its first character).
    """
    if not lexicon:
        return
    words, outside = _words_outside_entities(doc)
    glued = [
        i
        for i, word in enumerate(words)
        if len(word) > 2
        and outside[i]
        and word[-1] in _LEVEL_PREFIXES
        and lexicon.classes.get(word[:-1], WordClass.NAME) is not WordClass.NAME
    ]
    if glued:
        with doc.retokenize() as retokenizer:
            for token in [doc[i] for i in glued]:
                parts = [token.text[:-1], token.text[-1]]
                retokenizer.split(token, parts, heads=[(token, 1), (token, 1)])
        words, outside = _words_outside_entities(doc)
    split_names = [
        doc[i : i + 2]
        for i, (word, after) in enumerate(itertools.pairwise(words))
        if len(word) == 1
        and outside[i]
        and outside[i + 1]
        and len(after) >= 2
        and after[-1] in _LEVEL_PREFIXES
        and lexicon.classes.get(word + after[:-1]) is WordClass.NAME
    ]
    if split_names:
        with doc.retokenize() as retokenizer:
            for pair in split_names:
                retokenizer.merge(pair)


# Set by the tokenizer (flows/nlp/tokenizer.py): the token ranges of the Han words outside its
# vocabulary that it cut into characters for the NER model.
if not Doc.has_extension("unknown_words"):
    Doc.set_extension("unknown_words", default=())


def rejoin_unknown_words(doc: Doc) -> None:
    """Merge back the words the tokenizer cut into characters for the NER model (see
    flows/nlp/token_splits.py), except where an entity starts or ends inside one.

    The rules read words: 漱玉平民大药房 is a name because the walk back from 大药房 stops at
    the unknown word 漱玉, which as 漱|玉 would be two known characters.
    """
    ranges = doc._.unknown_words
    if not ranges:
        return
    iob = doc.to_array("ENT_IOB").tolist()  # 1 = I, 2 = O, 3 = B, 0 = not set
    with doc.retokenize() as retokenizer:
        for start, end in ranges:
            inside = iob[start] in (1, 3)
            if all((iob[i] == 1) == inside and iob[i] != 3 for i in range(start + 1, end)):
                retokenizer.merge(doc[start:end])
    doc._.unknown_words = ()


def token_texts(doc: Doc) -> list[str]:
    """Each token's text, read from the doc's arrays (much cheaper than making Token objects)."""
    strings = doc.vocab.strings
    return [strings[orth] for orth in doc.to_array("ORTH").tolist()]


def _words_outside_entities(doc: Doc) -> tuple[list[str], list[bool]]:
    """Each token's text, and whether it is outside every entity (IOB code not I or B)."""
    return token_texts(doc), [iob not in (1, 3) for iob in doc.to_array("ENT_IOB").tolist()]


def split_abbreviations(doc: Doc, lexicon: WordLexicon, local: set[str]) -> set[str]:
    """Split a verb glued to a place abbreviation (离盘 -> 离 盘); return the abbreviations.

    `local` are the one-character names of the text's places and the cities above them.
    """
    words, outside = _words_outside_entities(doc)
    abbreviations = _abbreviations(doc, words, lexicon) | (local - _NOT_ABBREVIATIONS)
    glued = [
        i
        for i, word in enumerate(words)
        if outside[i] and _glued_place_verb(word, lexicon) and word[1] in abbreviations
    ]
    if glued:
        with doc.retokenize() as retokenizer:
            for token in [doc[i] for i in glued]:
                parts = [token.text[0], token.text[1]]
                retokenizer.split(token, parts, heads=[(token, 1), (token, 1)])
    return abbreviations


# Before a one-character place: verbs of movement and stay (离盘, 在京, 对华), 全 (全美).
_BEFORE_ONE_CHARACTER_PLACE = _PLACE_VERBS | frozenset("对访驻至往经全")


# One-character names that are more often a common morpheme (日 "daily": 日调度、日报告).
_AMBIGUOUS_CHARACTERS = frozenset("日")


def is_stray_character(span: Span, spans: list[Span]) -> bool:
    """日 in 日调度、日报告: an ambiguous one-character "place" outside the uses ANNOTATION.md
    names, which are after a verb of movement or stay, next to another one (中日), or before
    资/企 (日资企业)."""
    if span.label_ != "LOC" or span.text not in _AMBIGUOUS_CHARACTERS:
        return False
    doc = span.doc
    before = doc[span.start - 1].text[-1:] if span.start > 0 else ""
    after = doc[span.end].text[:1] if span.end < len(doc) else ""
    paired = any(
        len(other.text) == 1 and (other.end == span.start or other.start == span.end)
        for other in spans
    )
    return not (paired or before in _BEFORE_ONE_CHARACTER_PLACE or after in ("资", "企"))


def complete_person_names(spans: list[Span]) -> list[Span]:
    """傅明 before 先 is 傅明先 where the document names 傅明先 elsewhere: a given name's last
    character can also be a word (先 "first", 献 "offer"), and the model reads it as one in
    some sentences of an article and not in others. One person, one name per document."""
    names = sorted({s.text for s in spans if s.label_ == "PERSON"}, key=len, reverse=True)
    starts = sorted(s.start_char for s in spans)
    completed = []
    for span in spans:
        if span.label_ == "PERSON":
            following = bisect.bisect_right(starts, span.start_char)
            room = starts[following] if following < len(starts) else len(span.doc.text)
            for name in names:
                end = span.start_char + len(name)
                if (
                    len(name) > len(span.text)
                    and end <= room
                    and span.doc.text.startswith(name, span.start_char)
                ):
                    span = span.doc.char_span(span.start_char, end, label="PERSON") or span
                    break
        completed.append(span)
    return completed


def abbreviation_places(
    doc: Doc, words: list[str], entities: list[Span], abbreviations: set[str]
) -> list[Span]:
    """`盘` in 离 盘 or 返 盘: a place abbreviation right after a place verb."""
    taken = set(_entity_at(entities))
    return [
        Span(doc, i, i + 1, label="LOC")
        for i, word in enumerate(words)
        if i > 0 and i not in taken and word in abbreviations and words[i - 1] in _PLACE_VERBS
    ]
