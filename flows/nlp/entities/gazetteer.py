"""The gazetteer: China's provinces, cities and counties, each with the division above it.

Read from the `cpca` package's adcode table when the pipeline is packaged, saved with the
component (`places.jsonl`); other components (division codes, linking) may read it too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick

from flows.nlp.entities.tables import read_jsonl

# A named town, township, village or 街道 (路口镇, 谢家小湾村) as a link of a chain of places.
_TOWNSHIP = re.compile(r"[^省市县区镇乡村\s]{1,5}(镇|乡|村|街道)")
# The level of a province-level division, after its short name (广西|壮族自治区, 香港|特别行政区).
_PROVINCE_LEVEL = re.compile(r"(?:省|市|特别行政区|(?:壮族|回族|维吾尔)?自治区)$")
# The shortest name of a town of its own after a division's name (自贡 + 永安镇).
_MIN_TOWNSHIP_NAME = 2
# Two-character district names that are also common words (城区, 郊区, 矿区), and placeholders.
_NOT_A_PLACE = re.compile(r"^(.区|市辖区|县|省直辖县级行政区划|自治区直辖县级行政区划)$")


@dataclass(frozen=True, slots=True)
class PlaceMention:
    """A division of the gazetteer found in a text, by character offsets."""

    start: int
    end: int
    name: str


def short_name(name: str) -> str | None:
    """诸城市 -> 诸城: a city's, county's or district's name without its level, where that is
    a name of its own (not the 市中 of 市中区)."""
    if name[-1] in "市县区" and len(name) >= 3 and name[0] not in "市城郊矿":
        return name[:-1]
    return None


@dataclass
class Gazetteer:
    """China's provinces, cities and counties by full name, each with the division above it.

    Full names (兴隆台区, 诸城市) are safe to match anywhere; the division above gives the
    one-character name a local article uses for its city (兴隆台区 -> 盘锦市 -> 离盘).
    """

    parents: dict[str, str] = field(default_factory=dict)
    _automaton: ahocorasick.Automaton | None = field(default=None, init=False, repr=False)
    _below: dict[str, frozenset[str]] | None = field(default=None, init=False, repr=False)
    _provinces: dict[str, str] | None = field(default=None, init=False, repr=False)

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
        return self.full_name(text) is not None

    def full_name(self, text: str) -> str | None:
        """The gazetteer's name of a division written by full or short name (山东 -> 山东省,
        广西 -> 广西壮族自治区, 香港 -> 香港特别行政区)."""
        for name in (text, text + "省", text + "市", text + "自治区"):
            if name in self.parents:
                return name
        if self._provinces is None:
            self._provinces = {
                _PROVINCE_LEVEL.sub("", name): name
                for name, parent in self.parents.items()
                if not parent and _PROVINCE_LEVEL.search(name)
            }
        return self._provinces.get(text)

    def short_names_below(self, name: str) -> frozenset[str]:
        """Short names of the cities and counties below a division, two levels down
        (四川省 -> 广元, 苍溪 …): the same stems as `short_name`."""
        if self._below is None:
            children: dict[str, set[str]] = {}
            for child, parent in self.parents.items():
                children.setdefault(parent, set()).add(child)
            below: dict[str, frozenset[str]] = {}
            for parent, kids in children.items():
                grandchildren = {g for kid in kids for g in children.get(kid, ())}
                stems = {short_name(place) for place in kids | grandchildren}
                below[parent] = frozenset(stem for stem in stems if stem)
            self._below = below
        return self._below.get(name, frozenset())

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
                if self.is_chinese_place(piece) or self._is_township(piece):
                    parts = [*before, (start, end)]
                    best = ends[end]
                    if best is None or len(parts) < len(best):
                        ends[end] = parts
        parts = ends[len(text)]
        if not parts or not any(self.is_chinese_place(text[s:e]) for s, e in parts):
            return None
        return parts

    def _is_township(self, piece: str) -> bool:
        """A named town, township, village or 街道, whose name does not start with a division
        and go on for a name of its own (自贡永安镇 is 自贡 + 永安镇; 长安镇 is one town)."""
        match = _TOWNSHIP.fullmatch(piece)
        if match is None:
            return False
        name = piece[: match.start(1)]
        return not any(
            self.is_chinese_place(name[:cut])
            for cut in range(2, len(name) - _MIN_TOWNSHIP_NAME + 1)
        )

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
        """One `{"name", "parent"}` line per division, sorted by name."""
        with path.open("w", encoding="utf-8") as lines:
            for name in sorted(self.parents):
                row = {"name": name, "parent": self.parents[name]}
                lines.write(json.dumps(row, ensure_ascii=False) + "\n")

    @classmethod
    def from_disk(cls, path: Path) -> Gazetteer:
        rows = read_jsonl(path)
        return cls({row["name"]: row["parent"] for row in rows})
