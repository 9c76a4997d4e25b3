"""The entity rules' word lists and patterns: data, saved with the component as sorted JSONL.

Four tables, in `tables/` beside this module (the defaults) and in the pipeline's
`zhnews_entity_rules/` directory (what a saved pipeline uses):

- `not_names.jsonl`: what is not a name, one row per entry with its `kind` (where the rule
  applies), `match` (`exact` text, a `suffix` of it, or a `regex` the whole text matches) and
  the `reason`;
- `suffixes.jsonl`: endings by `kind` (a body's 局, an institution's 医院, a facility's 高速, a
  person's title 主任, a product's 公众号, …);
- `word_sets.jsonl`: words and characters by `set` (level prefixes 市/区, place verbs 离/返, …);
- `patterns.jsonl`: named regular expressions (a division's shape, an ordinal, an expressway exit).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import ClassVar, TypeVar

DEFAULT_TABLES = Path(__file__).with_name("tables")


class NotNameKind(StrEnum):
    """Where a `not_names` row applies."""

    ENTITY = "entity"  # never an entity (我国, 检查站)
    GENERIC_BODY = "generic_body"  # an ORG with no place or body in its name (市委)
    BODY_LOOKALIKE = "body_lookalike"  # a word ending like a body or an exit (布局, 出口)
    KIND_OF_INSTITUTION = "kind_of_institution"  # 方舱医院, 有限公司
    DIVISION_LOOKALIKE = "division_lookalike"  # shaped like a division, but none (社区, 大城市)
    NOT_ABBREVIATION = "not_abbreviation"  # objects of place verbs that are no place (返岗)
    AMBIGUOUS_CHARACTER = "ambiguous_character"  # one-character "places" that rarely are (日)


class Match(StrEnum):
    """How a `not_names` row's text is compared."""

    EXACT = "exact"
    SUFFIX = "suffix"
    REGEX = "regex"


class SuffixKind(StrEnum):
    """What an ending in `suffixes` marks."""

    BODY = "body"  # a body's name ends here, with the place before it (临沂市住建局)
    INSTITUTION = "institution"  # an institution's own name ends here (…大药房)
    FACILITY = "facility"  # a facility's name ends here (青兰高速)
    EXIT = "exit"  # an expressway exit's, near an expressway (昌城口)
    PERSON_TITLE = "person_title"  # cut from a person's name (李主任 -> 李)
    PARTY_GROUP = "party_group"  # cut from a body's name (…服务局党组)
    PRODUCT = "product"  # cut from a body's name (…大厅微信公众号)
    BODY_ENDING = "body_ending"  # a "place" ending so is the body (…服务局, 锦丰科技)
    OFFICE = "office"  # ORG when it acts, LOC when it names the area (街道, 片区)
    REGISTERED_COMPANY = "registered_company"  # takes the Chinese place before it (…有限公司)
    COMPANY_WORD = "company_word"  # after one common word, a kind of company (清运公司)
    INDUSTRY = "industry"  # a company's trade after its short name (山东钢铁, 中国石化)
    OWN_NAME = "own_name"  # an organisation with a name of its own (…大学, …公司)
    DELEGATION = "delegation"  # a group of which only its place is annotated (四川代表团)
    VENUE = "venue"  # an "organisation" ending so is the venue, a place (国家游泳中心, 体育馆)
    TEAM = "team"  # an ad hoc team, no body: its place or body is annotated (新疆医疗队)
    BODY_ACT = "body_act"  # cut from a body's name, what it decided (…领导小组|决策)
    CHANNEL = "channel"  # a broadcaster's channel, joined to its name (央视|综合频道)


class WordSet(StrEnum):
    """The word and character sets of `word_sets`."""

    LEVEL_PREFIX = "level_prefix"  # a bare level that starts a body's name (市, 区)
    DIVISION_LEVEL = "division_level"  # the characters a division's name ends with
    PROVINCE = "province"  # provinces, whose 省 a verb cannot borrow (畅通省内)
    ONE_CHARACTER_COUNTY = "one_character_county"  # 费县, 单县
    PLACE_VERB = "place_verb"  # verbs taking a place's one-character name (离盘, 返汉)
    KNOWN_ABBREVIATION = "known_abbreviation"  # provinces' one-character names (鄂, 鲁)
    BEFORE_ONE_CHARACTER_PLACE = "before_one_character_place"  # besides place verbs (对华)
    JOINER = "joiner"  # crossed on the way to the place that starts a name (和, 的)
    LIST_MARK = "list_mark"  # before a department listed on its own (、)
    AREA_AFTER_OFFICE = "area_after_office"  # after 街道/片区 naming the area (的, 辖区)
    EXPRESSWAY_WORD = "expressway_word"  # near an exit (高速, 下道)
    AFTER_COMPANY_NAME = "after_company_name"  # after a company's short name (、, 所在)
    COUNTRY = "country"  # foreign countries, written before their organisations (美国)
    FOREIGN_REGION = "foreign_region"  # foreign states and provinces found by name (伊利诺伊州)
    FOREIGN_CITY = "foreign_city"  # foreign capitals and large cities, in chains (卡塔尔|多哈)
    REGION = "region"  # established names of regions, one place each (京津冀, 长三角地区)
    NATIONAL_BODY = "national_body"  # China's ministries, agencies and state banks (财政部, 农行)
    INTERNATIONAL_BODY = "international_body"  # names the model cuts or misses (经济合作与发展组织)
    COMPANY = "company"  # companies known by a name of their own (星巴克, 京东方, 西门子)
    LEGAL_FORM = "legal_form"  # a company's legal form, part of its name (…集团|有限公司)
    DEPARTMENT_WORD = "department_word"  # after a body, any office of its kind (福州人社|部门)
    KIND_AFTER_PLACE = "kind_after_place"  # after a place, all of a kind there (西安市|小学)
    FIXED_TERM = "fixed_term"  # terms a place's name inside is not annotated in (新中国, 冬奥)
    TITLE_AFTER_BODY = "title_after_body"  # a minister's title cut off its body (卫生部|长)
    SITE = "site"  # sites whose names do not hold their place (酒店, 景区, 口岸; not 机场)
    METONYM = "metonym"  # bodies named by where they sit or what they span (白宫, 欧盟)
    INTO_PLACE = "into_place"  # before a place one is in or goes to (在, 去, 到)
    INSIDE_PLACE = "inside_place"  # after a place, its inside or outside (内部, 之外)
    PLACE_EVENT = "place_event"  # verbs whose subject is where it happens (出现, 发生)
    INDEX_WORD = "index_word"  # a market index, named after a company or paper (道琼斯…指数)
    MEDIUM = "medium"  # a paper's or a journal's word, in or after its title (日报, 杂志)
    BROADCASTER = "broadcaster"  # broadcasters not named …台 or …卫视, with channels (央视)


class PatternName(StrEnum):
    DIVISION = "division"
    ORDINAL = "ordinal"
    EXPRESSWAY_EXIT = "expressway_exit"
    FOREIGN_CHAIN = "foreign_chain"
    SESSION = "session"


def read_jsonl(path: Path) -> list[dict[str, str]]:
    """The rows of a JSONL file, parsed as one JSON array (a third of the CPU of a
    `json.loads` per line on the 56,528 lines of the lexicon, read at every model load)."""
    # Split at line ends only, as iterating over the file does: `json.dumps(ensure_ascii=False)`
    # leaves U+2028 in a row unescaped.
    lines = path.read_text(encoding="utf-8").split("\n")
    return json.loads("[" + ",".join(line for line in lines if line.strip()) + "]")


def _write_jsonl(path: Path, rows: list[dict[str, str]]) -> None:
    lines = sorted(json.dumps(row, ensure_ascii=False) for row in rows)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def _ending(words: frozenset[str]) -> re.Pattern[str]:
    """Any of `words` at the end (searched: the match is the longest one that ends there);
    no words match nothing (tables saved before a kind existed)."""
    if not words:
        return re.compile("(?!)")
    return re.compile(f"(?:{'|'.join(sorted(map(re.escape, words)))})$")


@dataclass
class RuleTables:
    """The four tables as rows; `compile` gives the lookups the rules use."""

    not_names: list[dict[str, str]] = field(default_factory=list)
    suffixes: list[dict[str, str]] = field(default_factory=list)
    word_sets: list[dict[str, str]] = field(default_factory=list)
    patterns: list[dict[str, str]] = field(default_factory=list)

    FILES: ClassVar[tuple[str, ...]] = ("not_names", "suffixes", "word_sets", "patterns")

    @classmethod
    def from_disk(cls, path: Path = DEFAULT_TABLES) -> RuleTables:
        return cls(*(read_jsonl(path / f"{name}.jsonl") for name in cls.FILES))

    def to_disk(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        for name in self.FILES:
            _write_jsonl(path / f"{name}.jsonl", getattr(self, name))

    def compile(self) -> Rules:
        return Rules(self)


@dataclass(frozen=True, slots=True)
class Listed:
    """Texts listed exactly, by a suffix or by a regular expression: `text in listed`."""

    words: frozenset[str]
    pattern: re.Pattern[str] | None

    def __contains__(self, text: object) -> bool:
        if text in self.words:
            return True
        return isinstance(text, str) and self.pattern is not None and bool(self.pattern.match(text))


# Kinds whose entries are single words or characters, used as sets.
_EXACT_ONLY = frozenset(
    {
        NotNameKind.BODY_LOOKALIKE,
        NotNameKind.KIND_OF_INSTITUTION,
        NotNameKind.NOT_ABBREVIATION,
        NotNameKind.AMBIGUOUS_CHARACTER,
    }
)


class Rules:
    """The tables as the sets and compiled patterns the rules read, checked when built."""

    def __init__(self, tables: RuleTables) -> None:
        listed = self._not_names(tables.not_names)
        self.not_entities = listed[NotNameKind.ENTITY]
        self.generic_bodies = listed[NotNameKind.GENERIC_BODY]
        self.division_lookalikes = listed[NotNameKind.DIVISION_LOOKALIKE]
        self.body_lookalikes = listed[NotNameKind.BODY_LOOKALIKE].words
        self.kinds_of_institution = listed[NotNameKind.KIND_OF_INSTITUTION].words
        self.not_abbreviations = listed[NotNameKind.NOT_ABBREVIATION].words
        self.ambiguous_characters = listed[NotNameKind.AMBIGUOUS_CHARACTER].words

        suffixes = _grouped(tables.suffixes, "kind", SuffixKind)
        self.company_words = suffixes[SuffixKind.COMPANY_WORD]
        self.industries = suffixes[SuffixKind.INDUSTRY]
        self.own_name = _ending(suffixes[SuffixKind.OWN_NAME])
        self.person_title = _ending(suffixes[SuffixKind.PERSON_TITLE])
        self.party_group = _ending(suffixes[SuffixKind.PARTY_GROUP])
        self.product = _ending(suffixes[SuffixKind.PRODUCT])
        self.body_ending = _ending(suffixes[SuffixKind.BODY_ENDING])
        self.office_ending = _ending(suffixes[SuffixKind.OFFICE])
        self.registered_company = _ending(suffixes[SuffixKind.REGISTERED_COMPANY])
        self.exit_ending = _ending(suffixes[SuffixKind.EXIT])
        self.delegation = _ending(suffixes[SuffixKind.DELEGATION])
        self.venue_ending = _ending(suffixes[SuffixKind.VENUE])
        self.team = _ending(suffixes[SuffixKind.TEAM])
        self.body_act = _ending(suffixes[SuffixKind.BODY_ACT])
        self.channel = _ending(suffixes[SuffixKind.CHANNEL])
        # One group per kind of name a suffix ends: the kind of the longest suffix is the
        # group that matched.
        walker_kinds = (SuffixKind.BODY, SuffixKind.INSTITUTION, SuffixKind.FACILITY)
        self.name_suffix = re.compile(
            "|".join(
                f"(?P<{kind.name}>{'|'.join(sorted(map(re.escape, suffixes[kind])))})$"
                for kind in walker_kinds
            )
        )
        # The last characters of every name suffix, to skip most words before any regex.
        self.name_suffix_endings = tuple(
            sorted({s[-1] for kind in (*walker_kinds, SuffixKind.EXIT) for s in suffixes[kind]})
        )

        words = _grouped(tables.word_sets, "set", WordSet)
        self.level_prefixes = words[WordSet.LEVEL_PREFIX]
        self.division_levels = words[WordSet.DIVISION_LEVEL]
        self.one_character_counties = words[WordSet.ONE_CHARACTER_COUNTY]
        self.place_verbs = words[WordSet.PLACE_VERB]
        self.known_abbreviations = words[WordSet.KNOWN_ABBREVIATION]
        self.before_one_character_place = (
            self.place_verbs | words[WordSet.BEFORE_ONE_CHARACTER_PLACE]
        )
        self.joiners = words[WordSet.JOINER]
        self.list_marks = words[WordSet.LIST_MARK]
        self.area_after_office = tuple(sorted(words[WordSet.AREA_AFTER_OFFICE]))
        self.expressway = re.compile("|".join(sorted(words[WordSet.EXPRESSWAY_WORD])))
        self.after_company_name = words[WordSet.AFTER_COMPANY_NAME]
        self.countries = words[WordSet.COUNTRY]
        self.foreign_places = self.countries | words[WordSet.FOREIGN_REGION] | words[WordSet.REGION]
        self.foreign_cities = words[WordSet.FOREIGN_CITY]
        self.national_bodies = words[WordSet.NATIONAL_BODY]
        self.international_bodies = words[WordSet.INTERNATIONAL_BODY]
        self.companies = words[WordSet.COMPANY]
        self.legal_forms = words[WordSet.LEGAL_FORM]
        self.department_words = words[WordSet.DEPARTMENT_WORD]
        self.kinds_after_place = words[WordSet.KIND_AFTER_PLACE]
        self.fixed_terms = words[WordSet.FIXED_TERM]
        self.titles_after_body = words[WordSet.TITLE_AFTER_BODY]
        self.site = _ending(words[WordSet.SITE])
        self.metonyms = words[WordSet.METONYM]
        self.into_place = words[WordSet.INTO_PLACE]
        self.inside_place = words[WordSet.INSIDE_PLACE]
        self.place_events = words[WordSet.PLACE_EVENT]
        self.index_words = words[WordSet.INDEX_WORD]
        self.media_words = words[WordSet.MEDIUM]
        self.broadcasters = words[WordSet.BROADCASTER]

        named = {PatternName(row["name"]): row["pattern"] for row in tables.patterns}
        provinces = "|".join(sorted(words[WordSet.PROVINCE]))
        self.division = re.compile(f"^(({provinces})省|{named[PatternName.DIVISION]})$")
        self.ordinal = re.compile(f"^{named[PatternName.ORDINAL]}$")
        self.expressway_exit = re.compile(named[PatternName.EXPRESSWAY_EXIT])
        # Tables saved before the pattern existed have none: it matches nothing there.
        self.foreign_chain = re.compile(named.get(PatternName.FOREIGN_CHAIN, "(?!)"))
        self.session = re.compile(f"^(?:{named.get(PatternName.SESSION, '(?!)')})$")

    @staticmethod
    def _not_names(rows: list[dict[str, str]]) -> dict[NotNameKind, Listed]:
        exact: dict[NotNameKind, set[str]] = {kind: set() for kind in NotNameKind}
        patterns: dict[NotNameKind, list[str]] = {kind: [] for kind in NotNameKind}
        for row in rows:
            kind, match, text = NotNameKind(row["kind"]), Match(row["match"]), row["text"]
            if match is Match.EXACT:
                exact[kind].add(text)
            elif kind in _EXACT_ONLY:
                raise ValueError(f"not_names: {kind} takes exact texts only, not {row}")
            else:
                patterns[kind].append(text if match is Match.REGEX else f".*{re.escape(text)}")
        return {
            kind: Listed(
                frozenset(exact[kind]),
                re.compile(f"^(?:{'|'.join(sorted(patterns[kind]))})$") if patterns[kind] else None,
            )
            for kind in NotNameKind
        }

    def name_suffix_kind(self, word: str) -> tuple[SuffixKind, str] | None:
        """The kind of name `word` ends (body, institution or facility) and the suffix."""
        match = self.name_suffix.search(word)
        if match is None or match.lastgroup is None:
            return None
        return SuffixKind[match.lastgroup], match.group()


_Kind = TypeVar("_Kind", bound=StrEnum)


def _grouped(
    rows: list[dict[str, str]], key: str, kinds: type[_Kind]
) -> dict[_Kind, frozenset[str]]:
    """The rows' texts by their `key` column, one (possibly empty) set per kind."""
    grouped: dict[_Kind, set[str]] = {kind: set() for kind in kinds}
    for row in rows:
        grouped[kinds(row[key])].add(row["text"])
    return {kind: frozenset(texts) for kind, texts in grouped.items()}
