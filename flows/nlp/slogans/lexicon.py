"""The slogan lexicon: its categories, entries and JSONL file, and text normalisation.

`normalize` drops quotation marks and unifies separators to 、, so that every written form of a
formula meets one key; `SloganLexicon` reads, validates and writes models/slogans/lexicon.jsonl;
template syntax (X, N, *) compiles to regular expressions here.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from flows import REPO_ROOT

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
# X is one Han character but not a particle, copula or measure word (XX命运共同体 never matches
# 的命运, 人类是命运 or 一个命运), and XX is not a verb taking the formula as its object (倡导命运
# 共同体理念, 构建命运共同体); N is one numeral; * is up to six Han characters written inside a
# formula (统筹*疫情防控和经济社会发展 matches 统筹推进常态化疫情防控和经济社会发展).
_NOT_VERB_XX = "(?!构建|建立|树立|增强|倡导|打造|推动|共建|携手|践行|弘扬|深化|促进|推进)"
_PLACEHOLDERS = {
    "X": f"(?![的之和与及了个这那是])[{HAN}]",
    "N": f"[{NUMERALS}百千万0-9]",
    "*": f"[{HAN}]{{0,6}}?",
}
_SLOGAN_ID_RE = re.compile(r"^[a-z][a-z_]*-[0-9]{4}$")
_FIELDS = ("slogan_id", "canonical", "category", "variants", "templates", "first_seen")


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
    which is what `to_original` needs to map key positions back with one bisect.
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


def to_original(shifts: list[int], key_start: int, key_end: int) -> tuple[int, int]:
    """Map a [start, end) span of the normalised key back to original offsets."""
    start = key_start + bisect.bisect_right(shifts, key_start)
    end = key_end - 1 + bisect.bisect_right(shifts, key_end - 1) + 1
    return start, end


def longest_literal(template: str) -> str:
    """The longest run of a template's key without placeholders (命运共同体 of XX命运共同体)."""
    key = normalize(template)[0]
    return max(re.split(f"[{re.escape(''.join(_PLACEHOLDERS))}]", key), key=len)


def template_regex(template: str) -> str:
    """Compile template syntax (X = one Han character, N = one numeral, * = a gap) to a regex."""
    key, _ = normalize(template)
    pattern = "".join(_PLACEHOLDERS.get(char, re.escape(char)) for char in key)
    placeholder = _PLACEHOLDERS["X"]
    return pattern.replace(placeholder * 2, _NOT_VERB_XX + placeholder * 2)


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


def canonical_form(surface: str) -> str:
    """A surface without quotation marks, its parts joined by 、."""
    return normalize(surface)[0].strip(SEPARATOR)
