"""Slogans (提法): lexicon matching, template matching and discovery of new candidates.

One pass per document: the text is normalised once (quotation marks dropped, separators
unified to 、) so that “外防输入”，“内防反弹” and 外防输入、内防反弹 meet the same
Aho-Corasick key; spans are mapped back to exact offsets of the cleaned text. Candidates not in
the lexicon are discovered by structural patterns (quotes, numbered formulas, campaigns, 以X制X,
parallel clauses), each with a score; those from the discovery threshold up are reported, and all
can be ranked across a corpus so a curator can promote them (see models/slogans/README.md).

The spaCy component `zhnews_slogans` runs the matcher over a Doc's body and writes
`doc.spans["slogans"]` with `span._.canonical`, `span._.slogan_id`, `span._.method` and
`span._.score` (the span's label is the lexicon category); its lexicon is saved inside the
pipeline. Token boundaries are cut where a slogan starts or ends inside a token, so every span
has the slogan's exact offsets.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import json
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

import ahocorasick
import duckdb
from spacy.language import Language
from spacy.tokens import Doc, Span

from flows import REPO_ROOT
from flows.store.records import SloganMention

COMPONENT = "zhnews_slogans"
SPANS_KEY = "slogans"
LEXICON_FILE = "lexicon.jsonl"
DEFAULT_LEXICON = REPO_ROOT / "models" / "slogans" / "lexicon.jsonl"

HAN = "\u4e00-\u9fff"
NUMERALS = "一二两三四五六七八九十双"
OPENERS = "“「『‘"
CLOSERS = "”」』’"
SEPARATOR = "、"
# Commas, semicolons and spaces between the parts of a formula vary by outlet; 、 is canonical.
_SEPARATOR_RE = re.compile("[，,；; \u3000]")
# ”“ and ”、“ between two quoted parts join them (“两手抓”“两不误” -> 两手抓、两不误).
_QUOTE_RE = re.compile(rf'[{CLOSERS}][、，,]?[{OPENERS}]|[{OPENERS}{CLOSERS}"]')
_QUOTE_PAIRS = ("“”", "「」", "『』", "‘’", '""')
_QUOTED_RE = re.compile("|".join(rf"{o}([^{o}{c}\n]{{1,60}}){c}" for o, c in _QUOTE_PAIRS))
# X is one Han character but not a particle or measure word (XX命运共同体 never matches 的命运
# or 一个命运); N is one numeral; * is up to six Han characters written inside a formula
# (统筹*疫情防控和经济社会发展 matches 统筹推进常态化疫情防控和经济社会发展).
_PLACEHOLDERS = {
    "X": f"(?![的之和与及了个这那])[{HAN}]",
    "N": f"[{NUMERALS}百千万0-9]",
    "*": f"[{HAN}]{{0,6}}?",
}
_SLOGAN_ID_RE = re.compile(r"^[a-z][a-z_]*-[0-9]{4}$")
_FIELDS = ("slogan_id", "canonical", "category", "variants", "templates", "first_seen")

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
# Campaign formulas: 打好污染防治攻坚战, 打赢武汉保卫战、湖北保卫战, 打好关键核心技术攻坚战.
_BATTLES = "保卫战|攻坚战|阻击战|歼灭战|总体战|持久战|人民战争"
_CAMPAIGN_RE = re.compile(
    rf"(?:打好|打赢|打响|决战|决胜)[{HAN}]{{1,10}}?(?:{_BATTLES})"
    rf"(?:、[{HAN}]{{0,8}}?(?:{_BATTLES}))*"
)
# Counter formulas: 以快制快, 以变制变.
_COUNTER_RE = re.compile(rf"以([{HAN}])制\1")
# Numerals that make a quoted word a counted formula (“四化”, “双升”, “四个结合”); 一 and 第
# start too many ordinary words.
_COUNT_NUMERALS = "两双二三四五六七八九十"
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
# The head noun of an event, product or programme name right after a quote
# (“一个星球”峰会, “快舟一号甲”运载火箭, “奥林匹克休战”纪念活动).
_QUOTED_NAME_HEAD_RE = re.compile("峰会|大会|论坛|比赛|项目|火箭|决议|纪念|订单|奖|杯|号")
# A formula right before one of these is part of a name (国务院联防联控机制,
# 中柬命运共同体行动计划), not a use of the slogan.
_NAME_HEAD_RE = re.compile("机制|办公室|领导小组|指挥部|联络组|工作组|委员会|行动计划")

# Discovery scores (how formula-like a pattern's match is, in [0, 1]) and the score from which a
# discovered mention is reported. The threshold is the lowest that keeps precision of discovered
# mentions >= 0.8 on the dev split of data/annotated/slogans (`zhnews slogans evaluate`).
DISCOVERY_THRESHOLD = 0.7
_SCORE_CAMPAIGN = 0.9
_SCORE_COUNTER = 0.85
_SCORE_QUOTED_PARTS = 0.9  # “水量丰起来、水质好起来、风光美起来”
_SCORE_QUOTED_COUNT = 0.85  # “四化”, “双升”, “公交化”, “零报告”, “线上+线下”
_SCORE_QUOTED_CLAUSES = 0.7  # “应检尽检，不漏一人”: equal short clauses
_SCORE_QUOTED_OBJECT = 0.7  # 防止“灯下黑”, 按照“无接触配送”要求: the object of a policy verb
_SCORE_QUOTED_WORD = 0.5  # “护城河”, “保护伞”, but as often “手撕钢”, “冰丝带”, “亚斯”
_SCORE_QUOTED_SPEECH = 0.45  # “志不求易者成，事不避难者进”: unequal or long clauses
_SCORE_QUOTED_LONG = 0.3  # six or more characters in one part: names, verse, speech
_PENALTY_NAME_LIKE = 0.3
_SCORE_NUMBERED = 0.8  # 一企一策, 七天七检, 四不两直, 四个一批, 三管三必须
_SCORE_NUMBERED_PLAIN = 0.4  # 两国两党, 十人一组, 两江四岸: counts, not a formula's tail
_SCORE_NUMBERED_IN_WORD = 0.2  # 长三角一体化: the match is inside a longer word
_SCORE_TRIPLET = 0.75
_SCORE_COUPLET = 0.5  # 复工复产、复商复市 is as parallel as 外防输入、内防反弹


class SloganCategory(StrEnum):
    """What a slogan is about; EXCLUDED marks curated non-slogans that discovery must skip."""

    EPIDEMIC = "epidemic"
    ECONOMY = "economy"
    GOVERNANCE = "governance"
    PARTY_BUILDING = "party_building"
    SERVICES = "services"
    LIVELIHOOD = "livelihood"
    FOREIGN_AFFAIRS = "foreign_affairs"
    EXCLUDED = "excluded"


class MatchMethod(StrEnum):
    """How a mention was found; on equal spans the earlier member wins."""

    LEXICON = "lexicon"
    TEMPLATE = "template"
    DISCOVERED = "discovered"


class LexiconError(ValueError):
    """A lexicon file entry is malformed; the message names the file and line."""


def normalize(text: str) -> tuple[str, list[int]]:
    """Drop quotation marks and unify separators; return the key text and its deletion index.

    The index lists, for each deleted character j (in order), its original position minus j,
    which is what `_to_original` needs to map key positions back with one bisect.
    """
    parts: list[str] = []
    shifts: list[int] = []
    last = 0
    for match in _QUOTE_RE.finditer(text):
        start, end = match.span()
        parts.append(text[last:start])
        kept = 1 if end - start > 1 else 0
        if kept:
            parts.append(SEPARATOR)
        for position in range(start + kept, end):
            shifts.append(position - len(shifts))
        last = end
    parts.append(text[last:])
    return _SEPARATOR_RE.sub(SEPARATOR, "".join(parts)), shifts


def _to_original(shifts: list[int], key_start: int, key_end: int) -> tuple[int, int]:
    """Map a [start, end) span of the normalised key back to original offsets."""
    start = key_start + bisect.bisect_right(shifts, key_start)
    end = key_end - 1 + bisect.bisect_right(shifts, key_end - 1) + 1
    return start, end


def _longest_literal(template: str) -> str:
    """The longest run of a template's key without placeholders (命运共同体 of XX命运共同体)."""
    key = normalize(template)[0]
    return max(re.split(f"[{re.escape(''.join(_PLACEHOLDERS))}]", key), key=len)


def _template_regex(template: str) -> str:
    """Compile template syntax (X = one Han character, N = one numeral, * = a gap) to a regex."""
    key, _ = normalize(template)
    return "".join(_PLACEHOLDERS.get(char, re.escape(char)) for char in key)


@dataclass(frozen=True, slots=True)
class SloganEntry:
    """One curated lexicon entry (one JSONL line)."""

    slogan_id: str
    canonical: str
    category: SloganCategory
    variants: tuple[str, ...] = ()
    templates: tuple[str, ...] = ()
    first_seen: dt.date | None = None
    quoted_only: bool = False  # generic words (一盘棋, 防火墙) are slogans only when quoted

    @classmethod
    def from_json(cls, data: object) -> SloganEntry:
        """Build an entry from parsed JSON, raising ValueError with a readable reason."""
        if not isinstance(data, dict):
            raise ValueError("entry must be a JSON object")
        unknown = set(data) - {*_FIELDS, "quoted_only"}
        missing = [name for name in _FIELDS if name not in data]
        if unknown or missing:
            raise ValueError(f"unknown fields {sorted(unknown)}, missing fields {missing}")
        slogan_id, canonical = data["slogan_id"], data["canonical"]
        if not isinstance(slogan_id, str) or not _SLOGAN_ID_RE.match(slogan_id):
            raise ValueError(f"slogan_id {slogan_id!r} must look like 'epidemic-0001'")
        if not isinstance(canonical, str) or not canonical.strip():
            raise ValueError("canonical must be a non-empty string")
        if any(char in OPENERS + CLOSERS + '"' for char in canonical):
            raise ValueError(f"canonical {canonical!r} must not contain quotation marks")
        try:
            category = SloganCategory(data["category"])
        except ValueError:
            choices = ", ".join(SloganCategory)
            raise ValueError(f"category {data['category']!r} is not one of: {choices}") from None
        variants, templates = _strings(data, "variants"), _strings(data, "templates")
        bad = [t for t in templates if not set(t) & set(_PLACEHOLDERS)]
        if bad:
            raise ValueError(f"templates {bad} contain no placeholder X, N or *")
        first_seen = data["first_seen"]
        try:
            date = None if first_seen is None else dt.date.fromisoformat(first_seen)
        except (TypeError, ValueError):
            raise ValueError(f"first_seen {first_seen!r} must be YYYY-MM-DD or null") from None
        quoted_only = data.get("quoted_only", False)
        if not isinstance(quoted_only, bool):
            raise ValueError("quoted_only must be true or false")
        return cls(slogan_id, canonical, category, variants, templates, date, quoted_only)

    def to_json(self) -> dict[str, object]:
        """The entry as written to the lexicon file."""
        return {
            "slogan_id": self.slogan_id,
            "canonical": self.canonical,
            "category": str(self.category),
            "variants": list(self.variants),
            "templates": list(self.templates),
            "first_seen": self.first_seen.isoformat() if self.first_seen else None,
            "quoted_only": self.quoted_only,
        }

    @property
    def surfaces(self) -> tuple[str, ...]:
        """Literal forms matched for this entry (templates are matched separately)."""
        return () if self.templates else (self.canonical, *self.variants)


def _strings(data: dict, name: str) -> tuple[str, ...]:
    """A list-of-strings field as a tuple, or ValueError."""
    value = data[name]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{name} must be a list of non-empty strings")
    return tuple(value)


@dataclass(frozen=True, slots=True)
class SloganLexicon:
    """The curated slogan lexicon: entries sorted by slogan_id."""

    entries: tuple[SloganEntry, ...]

    @classmethod
    def load(cls, path: Path = DEFAULT_LEXICON) -> SloganLexicon:
        """Read and validate a JSONL lexicon; errors name the file and line."""
        entries: list[SloganEntry] = []
        seen_ids: dict[str, int] = {}
        seen_keys: dict[str, int] = {}
        for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                entry = SloganEntry.from_json(json.loads(line))
            except ValueError as error:  # json.JSONDecodeError is a ValueError too
                raise LexiconError(f"{path}:{number}: {error}") from None
            if entry.slogan_id in seen_ids:
                first = seen_ids[entry.slogan_id]
                raise LexiconError(f"{path}:{number}: slogan_id {entry.slogan_id} repeats {first}")
            seen_ids[entry.slogan_id] = number
            for surface in (*entry.surfaces, *entry.templates):
                key = normalize(surface)[0]
                if key in seen_keys and seen_keys[key] != number:
                    where = f"line {seen_keys[key]}"
                    raise LexiconError(f"{path}:{number}: form {surface!r} also on {where}")
                seen_keys[key] = number
            entries.append(entry)
        return cls(tuple(sorted(entries, key=lambda e: e.slogan_id)))

    def save(self, path: Path) -> None:
        """Write the lexicon as sorted JSONL, so that saving twice gives identical bytes."""
        lines = (
            json.dumps(entry.to_json(), ensure_ascii=False)
            for entry in sorted(self.entries, key=lambda e: e.slogan_id)
        )
        Path(path).write_text("".join(line + "\n" for line in lines), encoding="utf-8")

    def excluded_keys(self) -> frozenset[str]:
        """Normalised forms of curated non-slogans (apps, dates, idioms, rhetorical quotes)."""
        return frozenset(
            normalize(surface)[0]
            for entry in self.entries
            if entry.category is SloganCategory.EXCLUDED
            for surface in entry.surfaces
        )


_METHOD_RANK = {method: rank for rank, method in enumerate(MatchMethod)}


def _preference(mention: SloganMention) -> tuple[int, int, int]:
    """Sort key: longest span first, then lexicon over template over discovered, then leftmost."""
    length = mention.end_char - mention.start_char
    return -length, _METHOD_RANK[mention.method], mention.start_char


class SloganMatcher:
    """Finds slogan mentions in cleaned Simplified text; build once per worker."""

    def __init__(
        self, lexicon: SloganLexicon, *, discovery_threshold: float = DISCOVERY_THRESHOLD
    ) -> None:
        """Build the automaton; discovered mentions scoring below `discovery_threshold` are
        dropped (0 keeps every candidate, for curating the lexicon or measuring scores)."""
        self.discovery_threshold = discovery_threshold
        self._entries = [e for e in lexicon.entries if e.category is not SloganCategory.EXCLUDED]
        self._by_parts = {
            frozenset(entry.canonical.split(SEPARATOR)): entry
            for entry in self._entries
            if SEPARATOR in entry.canonical and not entry.templates
        }
        self._excluded = lexicon.excluded_keys()
        self._automaton = ahocorasick.Automaton()
        for index, entry in enumerate(self._entries):
            for surface in entry.surfaces:
                key = normalize(surface)[0]
                self._automaton.add_word(key, (index, len(key)))
        if len(self._automaton):
            self._automaton.make_automaton()
        self._templates = [
            (re.compile(_template_regex(template)), _longest_literal(template), index)
            for index, entry in enumerate(self._entries)
            for template in entry.templates
        ]

    def find(
        self, text: str, body_start: int = 0, names: Iterable[tuple[int, int]] = ()
    ) -> list[SloganMention]:
        """Slogan mentions in text[body_start:] (titles are not annotated), sorted by offset.

        `names` are (start, end) offsets of organisation names in `text`; a formula inside one
        (联防联控 in 国务院联防联控机制) is part of the name, not a slogan.
        """
        body_start = min(max(body_start, 0), len(text))
        body = text[body_start:]
        name_spans = [(start - body_start, end - body_start) for start, end in names]

        def is_use(mention: SloganMention) -> bool:
            return not _inside_name(body, mention, name_spans)

        known = _resolve_overlaps(filter(is_use, self._known(body)))
        occupied = _Occupied(known)
        # Couplets are the weakest evidence: one overlapping a known formula is two formulas.
        couplets = (
            couplet
            for couplet in _discover_couplets(body, self._excluded)
            if not occupied.overlaps(couplet)
        )
        discovered = (
            mention
            for mention in (
                *_discover_quoted(body, self._excluded),
                *_discover_numbered(body, self._excluded),
                *_discover_campaigns(body),
                *_discover_counters(body),
                *couplets,
            )
            if mention.score >= self.discovery_threshold and is_use(mention)
        )
        kept = self._join_adjacent_quotes(body, _resolve_overlaps([*known, *discovered]))
        return [_shift(mention, body_start) for mention in kept]

    def _join_adjacent_quotes(
        self, text: str, mentions: list[SloganMention]
    ) -> list[SloganMention]:
        """One item for quotes of one formula written side by side in another order than the
        lexicon's (“一张网”“一盘棋” for 一盘棋、一张网); parallel quotes that are no formula's
        parts stay apart (“七天七检”“七天四检”)."""
        joined: list[SloganMention] = []
        for mention in mentions:
            previous = joined[-1] if joined else None
            if (
                previous is None
                or previous.end_char != mention.start_char
                or previous.text[-1] not in CLOSERS
                or mention.text[0] not in OPENERS
            ):
                joined.append(mention)
                continue
            canonical = f"{previous.canonical}{SEPARATOR}{mention.canonical}"
            entry = self._by_parts.get(frozenset(canonical.split(SEPARATOR)))
            if entry is None:
                joined.append(mention)
                continue
            joined[-1] = SloganMention(
                text[previous.start_char : mention.end_char],
                previous.start_char,
                mention.end_char,
                entry.slogan_id,
                canonical,
                str(entry.category),
                MatchMethod.LEXICON,
            )
        return joined

    def _known(self, text: str) -> Iterator[SloganMention]:
        """Lexicon and template matches, widened to their quotation marks."""
        key, shifts = normalize(text)
        spans: list[tuple[int, int, int, MatchMethod]] = []
        if len(self._automaton):
            for end, (index, length) in self._automaton.iter(key):
                spans.append((end + 1 - length, end + 1, index, MatchMethod.LEXICON))
        for pattern, literal, index in self._templates:
            if literal not in key:
                continue  # a substring test is much faster than a regex led by placeholders
            for match in pattern.finditer(key):
                spans.append((*match.span(), index, MatchMethod.TEMPLATE))
        for key_start, key_end, index, method in spans:
            entry = self._entries[index]
            start, end = _quote_span(text, *_to_original(shifts, key_start, key_end))
            surface = text[start:end]
            if entry.quoted_only and surface[0] not in OPENERS + '"':
                continue  # 一张“网” is a rhetorical quote, not the formula “一张网”
            yield SloganMention(
                surface, start, end, entry.slogan_id, entry.canonical, str(entry.category), method
            )


def _inside_name(text: str, mention: SloganMention, names: list[tuple[int, int]]) -> bool:
    """Whether an unquoted mention is part of a name: inside a given name span, or followed
    by a name's head noun (联防联控机制)."""
    if any(start <= mention.start_char and mention.end_char <= end for start, end in names):
        return True
    quoted = mention.text[-1] in CLOSERS + '"'
    return not quoted and _NAME_HEAD_RE.match(text, mention.end_char) is not None


def _quote_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a span to the quotation marks that enclose it (“封闭式”管理 keeps its “)."""
    inner = text[start:end]
    closes_inside = _unopened_closers(inner)
    opens_inside = _unclosed_openers(inner)
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    if before and before in OPENERS and (closes_inside or (after and after in CLOSERS)):
        start -= 1
        opens_inside += 1
    if after and after in CLOSERS and opens_inside:
        end += 1
    if before == '"' and after == '"':
        start, end = start - 1, end + 1
    return start, end


def _unopened_closers(surface: str) -> int:
    """Closing marks in a span whose opening mark lies before it."""
    depth = missing = 0
    for char in surface:
        if char in OPENERS:
            depth += 1
        elif char in CLOSERS:
            if depth:
                depth -= 1
            else:
                missing += 1
    return missing


def _unclosed_openers(surface: str) -> int:
    """Opening marks in a span whose closing mark lies after it."""
    depth = 0
    for char in surface:
        if char in OPENERS:
            depth += 1
        elif char in CLOSERS and depth:
            depth -= 1
    return depth


def canonical_form(surface: str) -> str:
    """A surface without quotation marks, its parts joined by 、."""
    return normalize(surface)[0].strip(SEPARATOR)


def _discovered(text: str, start: int, end: int, score: float) -> SloganMention:
    """A discovered mention of text[start:end] with its score."""
    surface = text[start:end]
    return SloganMention(
        surface, start, end, None, canonical_form(surface), None, MatchMethod.DISCOVERED, score
    )


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
        yield _discovered(text, *match.span(), _quoted_score(text, match, content, key))


def _quoted_score(text: str, match: re.Match[str], content: str, key: str) -> float:
    """How formula-like a quoted phrase is.

    Parts joined by 、, a count, 零X/不X or X+Y read as a formula, and so does a word that is
    the object of a policy verb; clauses joined by commas read as a formula only when short and
    of one length (else speech or verse). A long part, an opening degree adverb, a word in a list
    of quotes (“海洋之杯”“深海”“晴空”), an ordinal (“第一闸”) or a quote followed by the head
    noun of a name (“一个星球”峰会) read as a name or speech.
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
        or _NUMBERED_RE.fullmatch(key)
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
        else:
            score = _SCORE_QUOTED_WORD
    if _QUOTED_NAME_HEAD_RE.match(text, match.end()):
        score -= _PENALTY_NAME_LIKE
    return round(max(score, 0.0), 2)


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
        yield _discovered(text, *match.span(), score)


def _discover_campaigns(text: str) -> Iterator[SloganMention]:
    """Campaign formulas with their verb (打好污染防治攻坚战, 打好武汉保卫战、湖北保卫战)."""
    for match in _CAMPAIGN_RE.finditer(text):
        yield _discovered(text, *match.span(), _SCORE_CAMPAIGN)


def _discover_counters(text: str) -> Iterator[SloganMention]:
    """以X制X formulas (以快制快)."""
    for match in _COUNTER_RE.finditer(text):
        yield _discovered(text, *match.span(), _SCORE_COUNTER)


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
        yield _discovered(text, start, start + len(SEPARATOR.join(parts)), score)


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


class _Occupied:
    """Non-overlapping spans, sorted, for overlap checks in O(log n) on long documents."""

    def __init__(self, mentions: Iterable[SloganMention] = ()) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        for mention in mentions:
            self.add(mention)

    def overlaps(self, mention: SloganMention) -> bool:
        """Whether the mention shares a character with a kept span."""
        index = bisect.bisect_left(self._starts, mention.end_char)
        return index > 0 and self._ends[index - 1] > mention.start_char

    def add(self, mention: SloganMention) -> None:
        """Keep a span that overlaps none of the kept ones."""
        index = bisect.bisect_left(self._starts, mention.start_char)
        self._starts.insert(index, mention.start_char)
        self._ends.insert(index, mention.end_char)


def _resolve_overlaps(candidates: Iterable[SloganMention]) -> list[SloganMention]:
    """Keep the longest of overlapping mentions (lexicon over template over discovered)."""
    occupied = _Occupied()
    kept: list[SloganMention] = []
    for mention in sorted(candidates, key=_preference):
        if not occupied.overlaps(mention):
            occupied.add(mention)
            kept.append(mention)
    return sorted(kept, key=lambda m: m.start_char)


def _shift(mention: SloganMention, offset: int) -> SloganMention:
    """The mention with offsets moved by `offset` (body to document coordinates)."""
    if not offset:
        return mention
    return replace(
        mention, start_char=mention.start_char + offset, end_char=mention.end_char + offset
    )


def body_start(text: str) -> int:
    """Where the body of a `documents.text` begins: after its title line and blank line."""
    title_end = text.find("\n")
    return title_end + 2 if title_end > 0 and text.startswith("\n\n", title_end) else 0


for _name in ("canonical", "slogan_id", "method", "score"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)


class SloganFinder:
    """The `zhnews_slogans` component: `doc.spans["slogans"]`, lexicon saved with it."""

    def __init__(self, *, discovery_threshold: float) -> None:
        self.discovery_threshold = discovery_threshold
        self.lexicon = SloganLexicon(())

    @property
    def lexicon(self) -> SloganLexicon:
        return self._lexicon

    @lexicon.setter
    def lexicon(self, lexicon: SloganLexicon) -> None:
        self._lexicon = lexicon
        self._matcher = SloganMatcher(lexicon, discovery_threshold=self.discovery_threshold)

    def __call__(self, doc: Doc) -> Doc:
        names = [(e.start_char, e.end_char) for e in doc.ents if e.label_ == "ORG"]
        found = self._matcher.find(doc.text, body_start=body_start(doc.text), names=names)
        _cut_tokens_at(doc, (o for m in found for o in (m.start_char, m.end_char)))
        spans = []
        for mention in found:
            span = doc.char_span(mention.start_char, mention.end_char, label=mention.category or "")
            assert span is not None  # the tokens were cut at its ends
            span._.canonical = mention.canonical
            span._.slogan_id = mention.slogan_id
            span._.method = mention.method
            span._.score = mention.score
            spans.append(span)
        doc.spans[SPANS_KEY] = spans
        return doc

    def initialize(
        self,
        get_examples: Callable[[], Iterable[object]] | None = None,
        *,
        nlp: Language | None = None,
        lexicon: str | Path = DEFAULT_LEXICON,
    ) -> None:
        """Read the curated lexicon (models/slogans/lexicon.jsonl unless `lexicon` names one)."""
        self.lexicon = SloganLexicon.load(Path(lexicon))

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        Path(path).mkdir(parents=True, exist_ok=True)
        self.lexicon.save(Path(path) / LEXICON_FILE)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> SloganFinder:
        self.lexicon = SloganLexicon.load(Path(path) / LEXICON_FILE)
        return self


def _cut_tokens_at(doc: Doc, offsets: Iterable[int]) -> None:
    """Split the tokens that `offsets` fall inside, so that spans can start and end there
    (pkuseg may glue a slogan's first character to the word before it)."""
    starts = [token.idx for token in doc]
    inner: dict[int, set[int]] = defaultdict(set)
    for offset in offsets:
        index = bisect.bisect_right(starts, offset) - 1
        if index >= 0 and starts[index] < offset < starts[index] + len(doc[index]):
            inner[index].add(offset)
    if not inner:
        return
    with doc.retokenize() as retokenizer:
        for index, cuts in inner.items():
            token = doc[index]
            bounds = [token.idx, *sorted(cuts), token.idx + len(token)]
            pieces = [doc.text[start:end] for start, end in itertools.pairwise(bounds)]
            heads = [(token, piece) for piece in range(len(pieces))]
            retokenizer.split(token, pieces, heads=heads)


@Language.factory(COMPONENT, default_config={"discovery_threshold": DISCOVERY_THRESHOLD})
def make_slogan_finder(nlp: Language, name: str, *, discovery_threshold: float) -> SloganFinder:
    """Create the slogan component with an empty lexicon (`initialize` or `from_disk` fill it).

    discovery_threshold: the least score (0 to 1) a discovered candidate needs to be kept.
    """
    return SloganFinder(discovery_threshold=discovery_threshold)


def add_to_pipeline(nlp: Language, lexicon: Path = DEFAULT_LEXICON) -> None:
    """Put the slogan component, with `lexicon`, after the date component (before numbers,
    which leave slogans out), replacing one already there."""
    if COMPONENT in nlp.pipe_names:
        nlp.remove_pipe(COMPONENT)
    finder = nlp.add_pipe(COMPONENT, after="zhnews_dates")
    assert isinstance(finder, SloganFinder)
    finder.initialize(lexicon=lexicon)


@dataclass(frozen=True, slots=True)
class CandidateRow:
    """A discovered candidate's spread across a corpus, with its ranking score.

    score = ln(1 + mentions) + 2 ln(1 + docs) + ln(1 + sources) + ln(1 + outlets)
    + 0.5 ln(1 + days between first and last date): spread over documents counts most,
    spread over sources and outlets and persistence in time lift formulas that travel.
    """

    canonical: str
    n_mentions: int
    n_docs: int
    n_sources: int
    n_outlets: int
    first_date: dt.date | None
    last_date: dt.date | None
    example: str
    score: float

    @classmethod
    def scored(
        cls,
        canonical: str,
        *,
        n_mentions: int,
        n_docs: int,
        n_sources: int,
        n_outlets: int,
        first_date: dt.date | None,
        last_date: dt.date | None,
        example: str,
    ) -> CandidateRow:
        """A row with its score computed from the counts."""
        days = (last_date - first_date).days if first_date and last_date else 0
        score = (
            math.log1p(n_mentions)
            + 2 * math.log1p(n_docs)
            + math.log1p(n_sources)
            + math.log1p(n_outlets)
            + 0.5 * math.log1p(days)
        )
        return cls(
            canonical,
            n_mentions,
            n_docs,
            n_sources,
            n_outlets,
            first_date,
            last_date,
            example,
            round(score, 4),
        )


def _top(rows: Iterable[CandidateRow], limit: int) -> list[CandidateRow]:
    """The best `limit` rows, by score then frequency then canonical form."""
    return sorted(rows, key=lambda r: (-r.score, -r.n_mentions, r.canonical))[:limit]


_RANK_SQL = """
WITH mentions AS (
    SELECT doc_id, canonical, text
    FROM read_parquet(?, hive_partitioning = true)
    WHERE method = ? AND slogan_id IS NULL
), docs AS (
    SELECT doc_id, source, outlet, CAST(timezone('Asia/Shanghai', published_at) AS DATE) AS day
    FROM read_parquet(?, hive_partitioning = true)
), counts AS (
    SELECT canonical, count(*) AS n_mentions, count(DISTINCT doc_id) AS n_docs,
           mode(text) AS example
    FROM mentions GROUP BY canonical
), spread AS (
    SELECT m.canonical, count(DISTINCT d.source) AS n_sources,
           count(DISTINCT d.outlet) AS n_outlets, min(d.day) AS first_date,
           max(d.day) AS last_date
    FROM (SELECT DISTINCT canonical, doc_id FROM mentions) AS m
    LEFT JOIN docs AS d USING (doc_id)
    GROUP BY m.canonical
)
SELECT c.canonical, c.n_mentions, c.n_docs, s.n_sources, s.n_outlets, s.first_date,
       s.last_date, c.example
FROM counts AS c JOIN spread AS s USING (canonical)
"""


def rank_candidates(output_dir: Path, *, limit: int = 50) -> list[CandidateRow]:
    """Rank discovered slogan candidates of a pipeline output by frequency, spread and dates."""
    slogans = str(Path(output_dir) / "slogans" / "**" / "*.parquet")
    documents = str(Path(output_dir) / "documents" / "**" / "*.parquet")
    with duckdb.connect() as connection:
        result = connection.execute(
            _RANK_SQL, [slogans, str(MatchMethod.DISCOVERED), documents]
        ).fetchall()
    rows = (
        CandidateRow.scored(
            canonical,
            n_mentions=n_mentions,
            n_docs=n_docs,
            n_sources=n_sources,
            n_outlets=n_outlets,
            first_date=first_date,
            last_date=last_date,
            example=example,
        )
        for canonical, n_mentions, n_docs, n_sources, n_outlets, first_date, last_date, example in (
            result
        )
    )
    return _top(rows, limit)


@dataclass(frozen=True, slots=True)
class CorpusScan:
    """Mentions found in a JSONL corpus: discovered candidates ranked, lexicon hits counted."""

    n_docs: int
    n_chars: int
    candidates: list[CandidateRow]
    lexicon_docs: dict[str, int]  # canonical -> number of documents it appears in


def scan_jsonl(
    paths: Iterable[Path], matcher: SloganMatcher, *, limit: int = 50, text_field: str = "text"
) -> CorpusScan:
    """Run find() over JSONL items (id, date, title, text) and rank discovered candidates.

    Each file counts as one source and the item's `source` field (if any) as its outlet.
    """
    found: dict[str, list[tuple[str, str, str, dt.date | None, str]]] = defaultdict(list)
    lexicon_docs: dict[str, set[str]] = defaultdict(set)
    n_docs = n_chars = 0
    for path in paths:
        with Path(path).open(encoding="utf-8") as lines:
            for line in lines:
                item = json.loads(line)
                text = item.get(text_field) or ""
                doc_id, day = str(item.get("id", n_docs)), _item_date(item)
                n_docs, n_chars = n_docs + 1, n_chars + len(text)
                for mention in matcher.find(text):
                    if mention.method == MatchMethod.DISCOVERED:
                        outlet = str(item.get("source", ""))
                        found[mention.canonical].append(
                            (doc_id, str(path), outlet, day, mention.text)
                        )
                    else:
                        lexicon_docs[mention.canonical].add(doc_id)
    rows = (_row_from_hits(canonical, hits) for canonical, hits in found.items())
    counts = {canonical: len(docs) for canonical, docs in lexicon_docs.items()}
    return CorpusScan(n_docs, n_chars, _top(rows, limit), counts)


def _item_date(item: dict) -> dt.date | None:
    """The date of a JSONL item from `date` (20200120) or `pub_date` (2020-01-20 ...)."""
    for name in ("date", "pub_date", "published_at"):
        digits = re.sub(r"\D", "", str(item.get(name) or ""))[:8]
        if len(digits) == 8:
            try:
                return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
            except ValueError:
                continue
    return None


def _row_from_hits(
    canonical: str, hits: list[tuple[str, str, str, dt.date | None, str]]
) -> CandidateRow:
    """Aggregate (doc_id, source, outlet, date, text) hits of one candidate into a row."""
    days = [day for *_, day, _ in hits if day]
    texts = [text for *_, text in hits]
    return CandidateRow.scored(
        canonical,
        n_mentions=len(hits),
        n_docs=len({hit[0] for hit in hits}),
        n_sources=len({hit[1] for hit in hits}),
        n_outlets=len({hit[2] for hit in hits if hit[2]}),
        first_date=min(days, default=None),
        last_date=max(days, default=None),
        example=max(set(texts), key=texts.count),
    )
