"""Slogans (提法): lexicon matching, template matching and discovery of new candidates.

One pass per document: the text is normalised once (quotation marks dropped, separators
unified to 、) so that “外防输入”，“内防反弹” and 外防输入、内防反弹 meet the same
Aho-Corasick key; spans are mapped back to exact offsets of the cleaned text. Candidates not in
the lexicon are discovered from quotation marks, numbered formulas and parallel couplets, and
ranked across a corpus so a curator can promote them (see models/slogans/README.md).

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
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
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
_PLACEHOLDERS = {"X": f"[{HAN}]", "N": f"[{NUMERALS}百千万0-9]"}
_SLOGAN_ID_RE = re.compile(r"^[a-z][a-z_]*-[0-9]{4}$")
_FIELDS = ("slogan_id", "canonical", "category", "variants", "templates", "first_seen")

# Discovery filters. A quoted phrase is a candidate only when it is short Han text (speech,
# item names and titles are long or punctuated) and does not name an app or a product.
_MAX_PART_CHARS = 8
_MAX_QUOTE_CHARS = 40
_QUOTE_CHARS_RE = re.compile(rf"^[{HAN}、+]+$")
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


def _template_regex(template: str) -> str:
    """Compile template syntax (X = one Han character, N = one numeral) to a regex."""
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
            raise ValueError(f"templates {bad} contain no placeholder X or N")
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

    def __init__(self, lexicon: SloganLexicon) -> None:
        self._entries = [e for e in lexicon.entries if e.category is not SloganCategory.EXCLUDED]
        self._excluded = lexicon.excluded_keys()
        self._automaton = ahocorasick.Automaton()
        for index, entry in enumerate(self._entries):
            for surface in entry.surfaces:
                key = normalize(surface)[0]
                self._automaton.add_word(key, (index, len(key)))
        if len(self._automaton):
            self._automaton.make_automaton()
        self._templates = [
            (re.compile(_template_regex(template)), index)
            for index, entry in enumerate(self._entries)
            for template in entry.templates
        ]

    def find(self, text: str, body_start: int = 0) -> list[SloganMention]:
        """Slogan mentions in text[body_start:] (titles are not annotated), sorted by offset."""
        body_start = min(max(body_start, 0), len(text))
        body = text[body_start:]
        known = _resolve_overlaps(self._known(body))
        occupied = _Occupied(known)
        # Couplets are the weakest evidence: one overlapping a known formula is two formulas.
        couplets = (
            couplet
            for couplet in _discover_couplets(body, self._excluded)
            if not occupied.overlaps(couplet)
        )
        candidates = [
            *known,
            *_discover_quoted(body, self._excluded),
            *_discover_numbered(body, self._excluded),
            *couplets,
        ]
        kept = _resolve_overlaps(candidates)
        return [_shift(mention, body_start) for mention in kept]

    def _known(self, text: str) -> Iterator[SloganMention]:
        """Lexicon and template matches, widened to their quotation marks."""
        key, shifts = normalize(text)
        spans: list[tuple[int, int, int, MatchMethod]] = []
        if len(self._automaton):
            for end, (index, length) in self._automaton.iter(key):
                spans.append((end + 1 - length, end + 1, index, MatchMethod.LEXICON))
        for pattern, index in self._templates:
            for match in pattern.finditer(key):
                spans.append((*match.span(), index, MatchMethod.TEMPLATE))
        for key_start, key_end, index, method in spans:
            entry = self._entries[index]
            start, end = _quote_span(text, *_to_original(shifts, key_start, key_end))
            surface = text[start:end]
            quoted = surface[0] in OPENERS + '"'
            if (entry.quoted_only and not quoted) or (not quoted and _has_opener(surface)):
                continue  # 社会面“动态清零”: the quote, not the unquoted prefix, is the slogan
            yield SloganMention(
                surface, start, end, entry.slogan_id, entry.canonical, str(entry.category), method
            )


def _has_opener(surface: str) -> bool:
    """Whether a span contains an opening quotation mark."""
    return any(char in OPENERS for char in surface)


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


def _discovered(text: str, start: int, end: int) -> SloganMention:
    """A discovered mention of text[start:end]."""
    surface = text[start:end]
    return SloganMention(
        surface, start, end, None, canonical_form(surface), None, MatchMethod.DISCOVERED
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
            or _APP_SUFFIX_RE.match(text, match.end())
            or text[match.start() - 1 : match.start()] in ("：", ":")
        ):
            continue
        yield _discovered(text, *match.span())


def _discover_numbered(text: str, excluded: frozenset[str]) -> Iterator[SloganMention]:
    """Unquoted numbered formulas (一企一策, 四不两直) that are not ordinary idioms."""
    for match in _NUMBERED_RE.finditer(text):
        if match.group() not in excluded:
            yield _discovered(text, *match.span())


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
        yield _discovered(text, start, start + len(SEPARATOR.join(parts)))


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
    return SloganMention(
        mention.text,
        mention.start_char + offset,
        mention.end_char + offset,
        mention.slogan_id,
        mention.canonical,
        mention.category,
        mention.method,
    )


def body_start(text: str) -> int:
    """Where the body of a `documents.text` begins: after its title line and blank line."""
    title_end = text.find("\n")
    return title_end + 2 if title_end > 0 and text.startswith("\n\n", title_end) else 0


def discovery_scores(mentions: Sequence[SloganMention]) -> list[float]:
    """Each mention's score: 1 for lexicon and template matches; a discovered candidate scores
    n / (n + 1) for its n mentions in the document, so repetition is the evidence."""
    repeats = Counter(m.canonical for m in mentions if m.method == MatchMethod.DISCOVERED)
    return [
        repeats[m.canonical] / (repeats[m.canonical] + 1)
        if m.method == MatchMethod.DISCOVERED
        else 1.0
        for m in mentions
    ]


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
        self._matcher = SloganMatcher(lexicon)

    def __call__(self, doc: Doc) -> Doc:
        found = self._matcher.find(doc.text, body_start=body_start(doc.text))
        kept = [
            (mention, score)
            for mention, score in zip(found, discovery_scores(found), strict=True)
            if score >= self.discovery_threshold
        ]
        _cut_tokens_at(doc, (o for m, _ in kept for o in (m.start_char, m.end_char)))
        spans = []
        for mention, score in kept:
            span = doc.char_span(mention.start_char, mention.end_char, label=mention.category or "")
            assert span is not None  # the tokens were cut at its ends
            span._.canonical = mention.canonical
            span._.slogan_id = mention.slogan_id
            span._.method = mention.method
            span._.score = score
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


@Language.factory(COMPONENT, default_config={"discovery_threshold": 0.5})
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
