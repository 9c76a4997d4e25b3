"""Discovery of slogans not in the lexicon, by structural patterns with a score each.

Quoted phrases, numbered formulas (一企一策), campaigns (打好…攻坚战), 以X制X and parallel
clauses (守土有责、守土尽责) are candidates; each pattern's score says how formula-like its match
is, and mentions from DISCOVERY_THRESHOLD up are reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from flows.nlp.slogans.lexicon import (
    CLOSERS,
    HAN,
    NUMERALS,
    OPENERS,
    SEPARATOR,
    MatchMethod,
    canonical_form,
)
from flows.nlp.slogans.parts import reduplicated_word, shared_in_place
from flows.store.records import SloganMention

_QUOTE_PAIRS = ("“”", "「」", "『』", "‘’", '""')
_QUOTED_RE = re.compile("|".join(rf"{o}([^{o}{c}\n]{{1,60}}){c}" for o, c in _QUOTE_PAIRS))

# Discovery filters. A quoted phrase is a candidate only when it is short Han text (speech,
# item names and titles are long or punctuated) and does not name an app or a product.
_MAX_PART_CHARS = 8
_MAX_QUOTE_CHARS = 40
_QUOTE_CHARS_RE = re.compile(rf"^[{HAN}、+]+$")
_MODEL_NAME_RE = re.compile(f"[{NUMERALS}0-9]号")  # “快舟一号甲”, “华龙一号”
_APP_SUFFIX_RE = re.compile(r"^\s*(?:APP|App|app|小程序|公众号|客户端|平台|网站|系统|热线|账号)")
_NAME_ENDINGS = (
    "码",
    "宝",
    "号",
    "网",
    "台",
    "报",
    "奖",
    "杯",
    "勋章",
    "医院",
    "客服",
    "中心",
    "系统",
    "器",
)
# Numbered formulas: 三管三必须, 一企一策, 七天七检, 四不两直, 十天一调度; 四个一批, 五个一律.
_TAIL = f"(?:必须|调度|专班|方案|清单|台账|服务|专员|报告|[{HAN}])"
_NOT_MEASURE = "年月日时点分秒号个次元万千百亿倍成些对"
_NUMBERED_RE = re.compile(
    rf"(?<![{NUMERALS}百千万亿第])(?:[{NUMERALS}](?![{_NOT_MEASURE}{NUMERALS}])[{HAN}]"
    rf"[{NUMERALS}](?![次度遍回趟{NUMERALS}]){_TAIL}|[二两三四五六七八九十]个一[{HAN}])"
)
_RUN_RE = re.compile(rf"(?<![{HAN}])[{HAN}]+(?:、[{HAN}]+)+")
_COUPLET_LENGTHS = range(3, 6)
# Campaign formulas: 打好污染防治攻坚战, 打赢武汉保卫战、湖北保卫战, 打好关键核心技术攻坚战,
# 打好“三大攻坚战”; not 必须打赢的人民战争.
_BATTLES = "保卫战|攻坚战|阻击战|歼灭战|总体战|持久战|人民战争"
_CAMPAIGN_RE = re.compile(
    rf"(?:打好|打赢|打响|决战|决胜)(?!的)"
    rf"(?:“[{HAN}]{{1,10}}?(?:{_BATTLES})”|[{HAN}]{{1,10}}?(?:{_BATTLES}))"
    rf"(?:、[{HAN}]{{0,8}}?(?:{_BATTLES}))*"
)
# A series of campaigns without its verb (一场…的疫情防控人民战争、总体战、阻击战; 武汉保卫战、
# 湖北保卫战); its first part is cut after a frame (的, 一场, 取得了, 投身, 部署, 在, 为…).
_BATTLE_SERIES_RE = re.compile(
    rf"(?<![{HAN}、])[{HAN}]{{0,24}}?(?:{_BATTLES})(?:、[{HAN}]{{0,8}}?(?:{_BATTLES}))+"
)
_BATTLE_PAIR_RE = re.compile(f"(?:{_BATTLES}){SEPARATOR}")
_BATTLE_LEAD_RE = re.compile(".*(?:的|场|取得|投身|部署|决战|决胜|[了在为是])")
# Counter formulas: 以快制快, 以变制变.
_COUNTER_RE = re.compile(rf"以([{HAN}])制\1")
# Exhaustive formulas, alone or in a series: 应收尽收, 应检尽检、愿检尽检, 能复尽复、能开尽开.
_EXHAUSTIVE = rf"[应愿能]([{HAN}])尽\{{group}}"
_EXHAUSTIVE_RE = re.compile(
    _EXHAUSTIVE.format(group=1) + f"(?:{SEPARATOR}" + _EXHAUSTIVE.format(group=2) + ")*"
)
# One stabilising or safeguarding verb repeated before two-character objects (稳外贸稳外资,
# 保就业保民生, 稳就业、稳金融), ending at a mark or at 的/工作: a longer object (保市场主体)
# or a word (保险保障) goes on, and so does a series with other parts across 、
# (保主体、保定单、保份额、稳市场).
_REPEATED_VERB_RE = re.compile(
    rf"(?<!{SEPARATOR})([稳保])[{HAN}]{{2}}(?:{SEPARATOR}?\1[{HAN}]{{2}})+"
    rf"(?:(?![{HAN}{SEPARATOR}])|(?=的|工作))"
)
# Three or more three-character clauses joined by 、, each opening with a policy verb, a
# negation or a marker of scope or time (稳就业、保民生、促发展; 补短板、堵漏洞、强弱项;
# 不麻痹、不厌战、不松劲; 早发现、早报告、早隔离). A series that goes on with 、 or closes
# with 等 is a list. One followed by another word than a head noun (的, 工作, 措施, 要求, 原则,
# 和) may have cut its last clause short (不怕苦、不畏难、不惧牺|牲), so it scores lower.
_CLAUSE_OPENERS = "补堵强防稳保促抓优提降调惠扩增减控不零无全早"
_VERB_SERIES_RE = re.compile(
    rf"(?<!{SEPARATOR})[{_CLAUSE_OPENERS}][{HAN}]{{2}}"
    rf"(?:{SEPARATOR}[{_CLAUSE_OPENERS}][{HAN}]{{2}}){{2,}}(?![{SEPARATOR}等])"
)
_SERIES_END_RE = re.compile(rf"(?![{HAN}])|的|工作|措施|要求|原则|和")
# A series of equal parts that a frame names as a rule: the object of 坚持/按照/本着/做到/秉持/
# 遵循 ending at a mark or a rule noun (坚持人民至上、生命至上; 按照特事特办、急事快办、要事合办
# 的原则), or any series before 的 and a rule noun (开放、包容、普惠、平衡、共赢的方向; 协调、合作、
# 稳定的总基调). Its first part may be cut from a longer run only after such a frame or after
# 朝着/提出/贯彻/落实 (朝着开放、包容…的方向). Not a formula: two-character parts fewer than
# three (更加精准、细致的要求), two ABAC words (坚持联防联控、严防严控: two formulas), and a
# couplet sharing no character in place after the first: two values or measures side by side
# (坚持开放包容、平等相待; 做到不漏一人、不留死角). Other verbs take descriptive series as often
# (发扬不畏艰险、无私奉献).
_RULE_FRAMES = "坚持|按照|本着|做到|秉持|遵循"
_RULE_NOUNS = "总要求|总体要求|总基调|基调|原则|工作方针|方针|要求|方向|定位|思路"
_FRAMED_SERIES_RE = re.compile(
    rf"(?:{_RULE_FRAMES})([{HAN}]{{2,5}}(?:{SEPARATOR}[{HAN}]{{2,5}})+)"
    rf"(?=[，。；！：]|的?(?:{_RULE_NOUNS}|理念))"
)
_RULE_NOUN_RE = re.compile(f"的(?:{_RULE_NOUNS})")
_SERIES_BEFORE_RE = re.compile(rf"(?<![{HAN}])[{HAN}]+(?:{SEPARATOR}[{HAN}]{{2,5}})+$")
_SERIES_REACH = 80  # characters looked back from a rule noun for its series
_CUT_AFTER_RE = re.compile(rf"(?:{_RULE_FRAMES}|朝着|提出|贯彻|落实)(?:更加)?$")
# Series of four-character parts opening with one two-character word (集中患者、集中专家、集中资源、
# 集中救治; 营造尊重劳动、尊重知识、尊重人才、尊重创造的环境): four or more parts make a formula,
# three are as often a description (服从大局、服从组织、服从安排). The first part may be cut from
# a longer run, the last may go on only with 的; a series closed by 等 is a list.
_SHARED_OPENING_CHARS, _SHARED_OPENING_PART = 2, 4
# The two-hands formula written out (一手抓疫情防控，一手抓经济发展; 一手抓防疫、一手抓生产),
# ending at a mark; with long objects it describes two lines of work (一手抓传统产业转型升级…).
_TWO_HANDS_RE = re.compile(rf"一手抓([{HAN}]{{2,12}})[，、]一手抓([{HAN}]{{2,12}})(?![{HAN}])")
_TWO_HANDS_OBJECT_CHARS = 6
# Two clauses of one shape X就是Y with subjects of one length (疫情就是命令，防控就是责任; 江山就是
# 人民、人民就是江山; 复工就是稳就业，复产就是稳经济) make a formula, the first subject cut from a
# longer run (牢记疫情…); clauses with one predicate describe (…人民就是一个大家庭，全国各族人民
# 就是一个大家庭).
_IS_COUPLET_RE = re.compile(
    rf"(?<![{HAN}])([{HAN}]{{2,}}?)就是([{HAN}]{{2,6}})[，、]([{HAN}]{{2,6}})就是([{HAN}]{{2,6}})"
    rf"(?![{HAN}])"
)
# Series of superlatives (最全面、最严格、最彻底): as often descriptive (最边远、最贫困、最艰苦;
# dev rejects 最彻底、最严格) as a formula, so they are candidates for curators only.
_SUPERLATIVES_RE = re.compile(rf"最[{HAN}]{{2}}(?:{SEPARATOR}?最[{HAN}]{{2}})+")
# Numerals that make a quoted word a counted formula (“四化”, “双升”, “四个结合”); 一 and 第
# start too many ordinary words.
_COUNT_NUMERALS = "两双二三四五六七八九十"
# A quoted run of 一X parts is a numbered formula however long (“一人一案一策”, “一医一患一诊室”).
_ONE_EACH_RE = re.compile(rf"^(?:一[{HAN}]{{1,3}}){{2,}}$")
# Other marks of a formula in a quoted word: 零X, 不X (“零跑腿”, “不打烊”) and X+Y.
_FORMULA_WORD_RE = re.compile(rf"^[零不][{HAN}]{{2}}$|\+")
# Quoted speech opens with a degree adverb (“极为重要”, “非常罕见”, “十分荒谬”, “令人警醒”).
_SPEECH_STARTS = ("极", "非常", "十分", "更", "很", "令人", "太")
# A quote next to another quote, or joined to it by 和/与/及/、, is one of a list of names
# or items (“海洋之杯”“深海”“晴空”, “线上”和“线下”).
_LISTED_AFTER_RE = re.compile(f"[和与及、]?[{OPENERS}]")
_LISTED_BEFORE_RE = re.compile(f"[{CLOSERS}][和与及、]?$")
# Verbs whose object is a formula (坚持“…”, 防止“灯下黑”, 按照“无接触配送”要求).
_POLICY_VERB_RE = re.compile(
    "(?:坚持|落实|实行|推行|实施|推进|推动|做到|按照|开展|推出|建立|实现|防止|破解|不搞|"
    "打造|探索|采取|践行|贯彻|深化|运用)$"
)
# The last character of a numbered formula's object (一企一策, 一人一档, 七天七检, 一人一码).
_POLICY_TAILS = "策档案码证检单账员班度"
# A quoted word that labels a policy noun right after it (“专精特新”企业, “送温暖”工作,
# “春雨润苗”专项行动, “放管服”改革) is a policy label.
_QUOTED_LABEL_HEAD_RE = re.compile("工作|专项行动|行动|企业|产业|改革|模式|精神|理念|经验|战略")
# A quoted word after a metaphor frame is a formulaic metaphor (牵住…这个“牛鼻子”,
# 当好首都“护城河”, 筑牢安全“防火墙”, 打通“堵点”, 消除“数字鸿沟”, 聚焦“三区三州”); a place or
# field of up to two characters may stand between the frame and the quote.
_METAPHOR_FRAME_RE = re.compile(
    "(?:这个|这一|当好|守好|守住|筑牢|筑起|筑好|架起|织密|织牢|扎紧|拧紧|牵住|啃下|"
    f"打通|畅通|消除|弥合|聚焦)[{HAN}]{{0,2}}$"
)
# 所谓“…” marks a quote the writer disowns (所谓“疑点”), not a formula.
_DISOWNED_RE = re.compile("所谓$")
# The head noun of an event, product or programme name right after a quote
# (“一个星球”峰会, “快舟一号甲”运载火箭, “奥林匹克休战”纪念活动).
_QUOTED_NAME_HEAD_RE = re.compile("峰会|大会|论坛|比赛|项目|火箭|决议|纪念|订单|奖|杯|号")

# Discovery scores (how formula-like a pattern's match is, in [0, 1]) and the score from which a
# discovered mention is reported. The threshold is the lowest that keeps precision of discovered
# mentions >= 0.8 on the dev split of data/annotated/slogans (`zhnews slogans evaluate`).
DISCOVERY_THRESHOLD = 0.7
_SCORE_CAMPAIGN = 0.9
_SCORE_BATTLE_SERIES = 0.85  # 疫情防控人民战争、总体战、阻击战 without 打赢
_SCORE_COUNTER = 0.85
_SCORE_EXHAUSTIVE = 0.85  # 应收尽收, 应检尽检、愿检尽检
_SCORE_REPEATED_VERB = 0.8  # 稳外贸稳外资, 保就业保民生
_SCORE_VERB_SERIES = 0.75  # 补短板、堵漏洞、强弱项; but also 不放弃、不退缩、不止步
_SCORE_VERB_SERIES_OPEN = 0.5  # 稳就业、保民生、保市场|主体: the last clause may go on
_SCORE_SUPERLATIVES = 0.6  # 最全面、最严格、最彻底: three or more
_SCORE_SUPERLATIVES_TWO = 0.4  # 最经济最有效
_SCORE_QUOTED_PARTS = 0.9  # “水量丰起来、水质好起来、风光美起来”
_SCORE_QUOTED_COUNT = 0.85  # “四化”, “双升”, “公交化”, “零报告”, “线上+线下”
_SCORE_QUOTED_CLAUSES = 0.7  # “应检尽检，不漏一人”: equal short clauses
_SCORE_QUOTED_OBJECT = 0.7  # 防止“灯下黑”, 按照“无接触配送”要求: the object of a policy verb
_SCORE_QUOTED_LABEL = 0.7  # “专精特新”企业, 这个“牛鼻子”: a policy noun's label, a metaphor
_SCORE_QUOTED_WORD = 0.5  # “护城河”, “保护伞”, but as often “手撕钢”, “冰丝带”, “亚斯”
_SCORE_QUOTED_SPEECH = 0.45  # “志不求易者成，事不避难者进”: unequal or long clauses
_SCORE_QUOTED_LONG = 0.3  # six or more characters in one part: names, verse, speech
_PENALTY_NAME_LIKE = 0.3
_SCORE_NUMBERED = 0.8  # 一企一策, 七天七检, 四不两直, 四个一批, 三管三必须
_SCORE_NUMBERED_PLAIN = 0.4  # 两国两党, 十人一组, 两江四岸: counts, not a formula's tail
_SCORE_NUMBERED_IN_WORD = 0.2  # 长三角一体化: the match is inside a longer word
_SCORE_FRAMED_SERIES = 0.8  # 坚持人民至上、生命至上; 开放、包容、普惠、平衡、共赢的方向
SCORE_SERIES = 0.8  # 依法防控、科学防控、联防联控, 两手抓、两手都要硬: a known formula's series
_SCORE_TRIPLET = 0.75
_SCORE_SHARED_OPENING = 0.75  # 尊重劳动、尊重知识、尊重人才、尊重创造: four parts or more
_SCORE_SHARED_OPENING_THREE = 0.6  # 统一领导、统一指挥、统一行动, but 服从大局、服从组织、服从安排
_SCORE_TWO_HANDS = 0.8  # 一手抓疫情防控，一手抓经济发展
_SCORE_IS_COUPLET = 0.75  # 疫情就是命令，防控就是责任
_SCORE_TWO_HANDS_LONG = 0.5  # 一手抓传统产业转型升级，一手抓战略性新兴产业发展壮大
_SCORE_COUPLET = 0.5  # 复工复产、复商复市 is as parallel as 外防输入、内防反弹


def discovered_mention(text: str, start: int, end: int, score: float) -> SloganMention:
    """A discovered mention of text[start:end] with its score."""
    surface = text[start:end]
    return SloganMention(
        surface, start, end, None, canonical_form(surface), None, MatchMethod.DISCOVERED, score
    )


def discover(
    text: str,
    excluded: frozenset[str],
    *,
    overlaps_known: Callable[[SloganMention], bool],
) -> Iterator[SloganMention]:
    """Every candidate the structural patterns find in `text`, whatever its score (the caller
    applies the threshold). `excluded` holds the lexicon's excluded keys, which a quoted phrase,
    a numbered formula or a parallel series never is.

    Couplets are the weakest evidence: one that `overlaps_known` (a lexicon or template match)
    is two formulas, not a new one, and is left out.
    """
    yield from _discover_quoted(text, excluded)
    yield from _discover_numbered(text, excluded)
    yield from _discover_campaigns(text)
    yield from _discover_formula_shapes(text)
    yield from _discover_framed_series(text, excluded)
    for couplet in _discover_couplets(text, excluded):
        if not overlaps_known(couplet):
            yield couplet


def _discover_quoted(text: str, excluded: frozenset[str]) -> Iterator[SloganMention]:
    """Quoted phrases that look like formulas rather than speech, names, dates or apps."""
    for match in _QUOTED_RE.finditer(text):
        content = next(group for group in match.groups() if group is not None)
        key = canonical_form(content)
        parts = key.split(SEPARATOR)
        if (
            key in excluded
            or len(key.replace(SEPARATOR, "")) < 2
            or len(key) > _MAX_QUOTE_CHARS
            or not _QUOTE_CHARS_RE.match(key)
            or any(not part or len(part) > _MAX_PART_CHARS for part in parts)
            or all(part in excluded for part in parts)
            or key.endswith(_NAME_ENDINGS)
            or _MODEL_NAME_RE.search(key)
            or _APP_SUFFIX_RE.match(text, match.end())
            or text[match.start() - 1 : match.start()] in ("：", ":")
        ):
            continue
        yield discovered_mention(text, *match.span(), _quoted_score(text, match, content, key))


def _quoted_score(text: str, match: re.Match[str], content: str, key: str) -> float:
    """How formula-like a quoted phrase is.

    Parts joined by 、, a count, 零X/不X or X+Y read as a formula, and so does a word that is
    the object of a policy verb; clauses joined by commas read as a formula only when short and
    of one length (else speech or verse). A word that labels a policy noun after it (“专精特新”
    企业) or follows a metaphor frame (这个“牛鼻子”) reads as a label or metaphor. A long part, an
    opening degree adverb, a word in a list of quotes (“海洋之杯”“深海”“晴空”), an ordinal
    (“第一闸”), a disowned word (所谓“疑点”) or a quote followed by the head noun of a name
    (“一个星球”峰会) read as a name or speech.
    """
    parts = key.split(SEPARATOR)
    if key.startswith(_SPEECH_STARTS):
        score = _SCORE_QUOTED_LONG
    elif len(parts) > 1:
        if SEPARATOR in content:
            score = _SCORE_QUOTED_PARTS
        elif len({len(part) for part in parts}) == 1 and len(parts[0]) <= 5:
            score = _SCORE_QUOTED_CLAUSES
        else:
            score = _SCORE_QUOTED_SPEECH
    elif (
        key[0] in _COUNT_NUMERALS
        or key.endswith("化")
        or _FORMULA_WORD_RE.search(key)
        or (_NUMBERED_RE.fullmatch(key) and key[1] != key[3:])  # not “一家一家”
        or _one_each(key)
    ):
        score = _SCORE_QUOTED_COUNT
    elif len(key) >= 6:
        score = _SCORE_QUOTED_LONG
    else:
        # Both look-behinds end at the quote and are at most two characters long.
        preceding = max(match.start() - 2, 0)
        listed = _LISTED_AFTER_RE.match(text, match.end()) or _LISTED_BEFORE_RE.search(
            text, preceding, match.start()
        )
        if listed or key[0] == "第":
            score = _SCORE_QUOTED_WORD - _PENALTY_NAME_LIKE
        elif _POLICY_VERB_RE.search(text, preceding, match.start()):
            score = _SCORE_QUOTED_OBJECT
        elif _QUOTED_LABEL_HEAD_RE.match(text, match.end()) or _METAPHOR_FRAME_RE.search(
            text, max(match.start() - 4, 0), match.start()
        ):
            score = _SCORE_QUOTED_LABEL
        else:
            score = _SCORE_QUOTED_WORD
        if _DISOWNED_RE.search(text, preceding, match.start()):
            score -= _PENALTY_NAME_LIKE
    if _QUOTED_NAME_HEAD_RE.match(text, match.end()):
        score -= _PENALTY_NAME_LIKE
    return round(max(score, 0.0), 2)


def _one_each(key: str) -> bool:
    """Whether a quoted word is a run of different 一X parts (“一人一案一策”, not “一家一家”)."""
    parts = key.split("一")[1:]
    return _ONE_EACH_RE.match(key) is not None and len(set(parts)) == len(parts)


def _discover_numbered(text: str, excluded: frozenset[str]) -> Iterator[SloganMention]:
    """Unquoted numbered formulas (一企一策, 四不两直) that are not ordinary idioms."""
    for match in _NUMBERED_RE.finditer(text):
        found = match.group()
        if found in excluded or found[1] == found[3:]:  # 一家一家, 一代一代: reduplication
            continue
        if text[match.end() : match.end() + 1] == "化":
            score = _SCORE_NUMBERED_IN_WORD
        elif len(found) > 4 or found[-1] in _POLICY_TAILS or found[1] == "不" or "个一" in found:
            score = _SCORE_NUMBERED
        else:
            score = _SCORE_NUMBERED_PLAIN
        yield discovered_mention(text, *match.span(), score)


def _discover_campaigns(text: str) -> Iterator[SloganMention]:
    """Campaign formulas with their verb (打好污染防治攻坚战, 打好武汉保卫战、湖北保卫战), and
    series of campaigns without it (疫情防控人民战争、总体战、阻击战)."""
    campaigns = [match.span() for match in _CAMPAIGN_RE.finditer(text)]
    for start, end in campaigns:
        yield discovered_mention(text, start, end, _SCORE_CAMPAIGN)
    if _BATTLE_PAIR_RE.search(text) is None:
        return  # no campaign has another after it
    for match in _BATTLE_SERIES_RE.finditer(text):
        start, end = match.span()
        if any(start < other_end and other_start < end for other_start, other_end in campaigns):
            continue  # 坚决打赢湖北保卫战、武汉保卫战: the campaign with its verb
        lead = _BATTLE_LEAD_RE.match(text, start, end)
        start = lead.end() if lead else start
        yield discovered_mention(text, start, end, _SCORE_BATTLE_SERIES)


def _discover_formula_shapes(text: str) -> Iterator[SloganMention]:
    """Formulas of a fixed shape: 以X制X (以快制快), 应X尽X (应收尽收), 稳X稳Y (稳外贸稳外资),
    series of verb clauses (补短板、堵漏洞、强弱项), of parts with one opening word (尊重劳动、
    尊重知识…), the two hands written out (一手抓…，一手抓…), X就是Y couplets (疫情就是命令，
    防控就是责任) and superlatives (最全面、最严格)."""
    for pattern, score in (
        (_COUNTER_RE, _SCORE_COUNTER),
        (_EXHAUSTIVE_RE, _SCORE_EXHAUSTIVE),
        (_REPEATED_VERB_RE, _SCORE_REPEATED_VERB),
    ):
        for match in pattern.finditer(text):
            yield discovered_mention(text, *match.span(), score)
    for match in _VERB_SERIES_RE.finditer(text):
        parts = match.group().split(SEPARATOR)
        if len({part[-1] for part in parts}) == 1:  # 防控组、保障组、救治组: names with one head
            continue
        closed = _SERIES_END_RE.match(text, match.end())
        score = _SCORE_VERB_SERIES if closed else _SCORE_VERB_SERIES_OPEN
        yield discovered_mention(text, *match.span(), score)
    for run in _RUN_RE.finditer(text):
        span = _shared_opening_span(text, run)
        if span is not None:
            four = text.count(SEPARATOR, *span) >= 3
            score = _SCORE_SHARED_OPENING if four else _SCORE_SHARED_OPENING_THREE
            yield discovered_mention(text, *span, score)
    for match in _TWO_HANDS_RE.finditer(text):
        short = max(map(len, match.groups())) <= _TWO_HANDS_OBJECT_CHARS
        yield discovered_mention(
            text, *match.span(), _SCORE_TWO_HANDS if short else _SCORE_TWO_HANDS_LONG
        )
    for match in _IS_COUPLET_RE.finditer(text):
        run, first_is, second, second_is = match.groups()
        first = run[-len(second) :]
        if len(run) >= len(second) and first != second and first_is != second_is:
            start = match.start() + len(run) - len(second)
            yield discovered_mention(text, start, match.end(), _SCORE_IS_COUPLET)
    for match in _SUPERLATIVES_RE.finditer(text):
        three = match.group().count("最") >= 3
        score = _SCORE_SUPERLATIVES if three else _SCORE_SUPERLATIVES_TWO
        yield discovered_mention(text, *match.span(), score)


def _shared_opening_span(text: str, run: re.Match[str]) -> tuple[int, int] | None:
    """The span of a run's series of four-character parts opening with one word (尊重劳动、
    尊重知识、尊重人才), or None when the run is no such series of three parts or more."""
    parts = run.group().split(SEPARATOR)
    size = _SHARED_OPENING_PART
    first, last = parts[0][-size:], parts[-1][:size]
    rest = parts[-1][size:]
    if (
        len(parts) < 3
        or min(len(parts[0]), len(parts[-1])) < size
        or any(len(part) != size for part in parts[1:-1])
        or (rest and not rest.startswith("的"))
        or text.startswith("等", run.end())
    ):
        return None
    opening = first[:_SHARED_OPENING_CHARS]
    if any(not part.startswith(opening) for part in (*parts[1:-1], last)):
        return None
    start = run.start() + len(parts[0]) - size
    return start, run.end() - len(rest)


def _discover_couplets(text: str, excluded: frozenset[str]) -> Iterator[SloganMention]:
    """Parallel phrases sharing characters in place (守土有责、守土担责、守土尽责).

    Lists with a common head or modifier (重点场所、重点人群; 形式主义、官僚主义; 智能化、信息化;
    抓救治、抓供应) are descriptive, so the shared characters must include an inner position
    and must not be just a prefix or a suffix.
    """
    for run in _RUN_RE.finditer(text):
        parts = run.group().split(SEPARATOR)
        length = _couplet_length(parts)
        if length is None:
            continue
        parts[0], parts[-1] = parts[0][-length:], parts[-1][:length]
        if not _parallel(parts) or SEPARATOR.join(parts) in excluded:
            continue
        start = run.start() + len(run.group().split(SEPARATOR)[0]) - length
        score = _SCORE_TRIPLET if len(parts) > 2 else _SCORE_COUPLET
        yield discovered_mention(text, start, start + len(SEPARATOR.join(parts)), score)


def _couplet_length(parts: list[str]) -> int | None:
    """The common part length of a run, or None when the parts are not of one length."""
    inner = {len(part) for part in parts[1:-1]}
    if len(inner) > 1:
        return None
    length = inner.pop() if inner else None
    if length is None:
        equal = len(parts[0]) == len(parts[1])
        length = len(parts[0]) if equal else (4 if 4 in (len(parts[0]), len(parts[1])) else None)
    if length not in _COUPLET_LENGTHS or min(len(parts[0]), len(parts[-1])) < length:
        return None
    return length


def _parallel(parts: list[str]) -> bool:
    """Whether equal-length parts share characters in place other than a plain head/modifier."""
    if len(set(parts)) < len(parts):
        return False
    length = len(parts[0])
    shared = [i for i in range(length) if len({part[i] for part in parts}) == 1]
    if not shared or len(shared) == length:
        return False
    contiguous = shared == list(range(shared[0], shared[-1] + 1))
    edge = contiguous and (shared[0] == 0 or shared[-1] == length - 1)
    inner = any(0 < i < length - 1 for i in shared)
    return inner and not edge


def _discover_framed_series(text: str, excluded: frozenset[str]) -> Iterator[SloganMention]:
    """Series of equal parts that a frame names as a rule (坚持人民至上、生命至上; 协调、合作、
    稳定的总基调; 朝着开放、包容、普惠、平衡、共赢的方向)."""
    found: list[tuple[int, int]] = []
    for match in _FRAMED_SERIES_RE.finditer(text):
        found.append(match.span(1))
    for noun in _RULE_NOUN_RE.finditer(text):
        match = _SERIES_BEFORE_RE.search(text, max(noun.start() - _SERIES_REACH, 0), noun.start())
        if match is None:
            continue
        parts = match.group().split(SEPARATOR)
        cut = len(parts[0]) - len(parts[-1])
        if cut < 0 or (cut and not _CUT_AFTER_RE.search(text, 0, match.start() + cut)):
            continue
        found.append((match.start() + cut, match.end()))
    for start, end in sorted(set(found)):
        parts = text[start:end].split(SEPARATOR)
        if (
            len({len(part) for part in parts}) > 1
            or (len(parts) == 2 and (len(parts[0]) == 2 or not shared_in_place(*parts)))
            or (len(parts) == 2 and all(map(reduplicated_word, parts)))
            or SEPARATOR.join(parts) in excluded
        ):
            continue
        yield discovered_mention(text, start, end, _SCORE_FRAMED_SERIES)
