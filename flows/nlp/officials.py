"""Persons with a post: `doc._.officials` (ANNOTATION.md, "Officials").

A post stands in apposition with a PERSON mention: before it (临沂市委常委、副市长隽新阳, a
chain of posts joined by 、 or ，), right after it (刘运市长) or in brackets after it. The title
loses a division's name but keeps its level (潍坊市委副书记 → 市委副书记); a named body is the
organisation (临沂市住房和城乡建设局局长 → 局长); the adcode is the jurisdiction's, from
`zhnews_divisions` (`span._.adcode`, `doc._.article_places`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from flows.nlp.divisions import (
    ArticlePlaces,
    DivisionLinker,
    DivisionTable,
    Level,
    Mentions,
    is_government_body,
)

# Posts a title ends with. Occupations and roles (记者, 医生, 专家, 负责人) are not posts.
_POSTS = (
    "总书记|书记|国家主席|国家副主席|国务委员|行政长官|党组成员|常委|委员长|主任委员|委员|"
    "省长|市长|区长|县长|州长|旗长|盟长|镇长|乡长|村长|"
    "局长|厅长|部长|处长|科长|所长|站长|大队长|支队长|队长|院长|校长|园长|馆长|社长|行长|署长|"
    "司长|组长|主任|主席|秘书长|检察长|庭长|董事长|总经理|副总经理|经理|总裁|总监|会长|理事长|"
    "政委|教导员|指导员|总理|发言人|巡视员|调研员|总工程师|总编辑|护士长|主编|台长|团长|首席执行官"
)
_POST_END = re.compile(f"(?:{_POSTS})$")
# A post with what may stand before it: 原党组书记, 常务副市长, 党委委员.
_POST_WORD = re.compile(
    rf"(?:前|原)?(?:党组|党委|党工委|党总支|党支部)?(?:常务|第一|执行)?(?:副|代)?(?:{_POSTS})$"
)
# A party or leadership body at the end of a named body is part of the title:
# 中共中央政治局常委 → 政治局常委 of 中共中央, 区公安分局党委书记 → 党委书记 of 区公安分局.
_PARTY_BODY = re.compile(r"(?:政治局|党委|党组|党工委|党总支|党支部)$")
_LEVEL_WORD = re.compile(r"(?:特别行政区|自治区|自治州|自治县|自治旗|[省市区县州旗盟])$")
# The most characters between a body's name and the post (急救科, 北京医院肾内科).
_MAX_UNIT = 10
# A unit named after a place without being an entity is a government body when it ends so.
_GOVERNMENT_UNIT = re.compile(
    r"(?:局|厅|委员会|委|办公室|办|政府|指挥部|领导小组|督导组|法院|检察院)$"
)
_POST_AFTER_NAME = re.compile(f"(?:副|常务副)?(?:{_POSTS})")
# The part of a title that is a generic leadership body (ANNOTATION.md: it stays in the title).
_GENERIC_BODY = re.compile(
    r"(?:党委|党工委|委|人民政府|政府|人大常委会|人大|政协|纪委监委|纪委|监委)"
)
_LEVEL_OF = {Level.PROVINCE: "省", Level.PREFECTURE: "市"}
_LEVELS = "省市区县"
# Levels below the county: a title keeps them (镇党委书记), they get no code.
_LOWER_LEVEL = re.compile(r"街道|社区|镇|乡|村")
# A post that names its own level (副市长) is not a post of the body before it in a chain.
_LEVEL_POST = re.compile(r"^(?:常务)?副?([省市区县镇乡])长$")
# What separates the posts of a chain, and the names of a list.
_CHAIN_MARKS = "、，,兼"
_SENTENCE_MARKS = '。！？!?；;：:\n“”"「」'
_MAX_TITLE = 40
_BELOW_COUNTY = re.compile(r"村|街道|社区|镇|乡(?!村)")


@dataclass(frozen=True, slots=True)
class Official:
    """One row of the `officials` table, without doc_id and run_id."""

    person: str
    start_char: int
    end_char: int
    title: str
    organisation: str | None
    adcode: str | None
    sentence: int


@dataclass(frozen=True, slots=True)
class Post:
    """A parsed post: `body` is the generic body a following bare post inherits (区政协)."""

    title: str
    organisation: str | None
    adcode: str | None
    body: str
    has_prefix: bool


class OfficialsFinder:
    """`doc._.officials` from PERSON mentions and the posts written with them."""

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp

    def __call__(self, doc: Doc) -> Doc:
        linker = self.nlp.get_pipe("zhnews_divisions")
        assert isinstance(linker, DivisionLinker)
        mentions = Mentions.of(doc)
        places = doc._.article_places or linker.table.article_places(doc, mentions)
        reader = _PostReader(mentions, linker.table, places)
        found: dict[tuple[str, str, str | None], Official] = {}
        starts = _sentence_starts(mentions.text)
        previous: tuple[Span, list[Post]] | None = None
        for person in reader.persons:
            posts = reader.before(person) + reader.after(person)
            if not posts and previous is not None and reader.listed_after(previous[0], person):
                posts = previous[1]
            for post in posts:
                key = (person.text, post.title, post.organisation)
                if key not in found:
                    found[key] = Official(
                        person=person.text,
                        start_char=person.start_char,
                        end_char=person.end_char,
                        title=post.title,
                        organisation=post.organisation,
                        adcode=post.adcode,
                        sentence=bisect.bisect_right(starts, person.start_char) - 1,
                    )
            previous = (person, posts)
        doc._.officials = list(found.values())
        return doc

    def to_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> None:
        """Nothing to save: the division data is `zhnews_divisions`'."""

    def from_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> OfficialsFinder:
        return self


def _sentence_starts(text: str) -> list[int]:
    # The flow's sentence numbering (entities.sentence); flows.nlp.model imports this module.
    from flows.nlp.model import sentence_starts

    return sentence_starts(text)


class _PostReader:
    def __init__(self, mentions: Mentions, table: DivisionTable, places: ArticlePlaces) -> None:
        self.text = mentions.text
        self.table = table
        self.places = places
        self.entity_at = {e.start_char: e for e in mentions.ents}
        self.persons = [e for e in mentions.ents if e.label_ == "PERSON"]
        self.inside = {
            offset for e in mentions.ents for offset in range(e.start_char + 1, e.end_char)
        }

    def listed_after(self, first: Span, second: Span) -> bool:
        """张三、李四: the second name of a list shares the first one's posts."""
        return self.text[first.end_char : second.start_char] == "、"

    def before(self, person: Span) -> list[Post]:
        """The chain of posts written right before the name, left to right."""
        segments = list(self._segments_before(person.start_char))
        return self._chain(reversed(segments))

    def after(self, person: Span) -> list[Post]:
        """刘运市长, or posts in brackets: 隽新阳（临沂市副市长）."""
        text, end = self.text, person.end_char
        if end < len(text) and text[end] in "（(":
            close = min(
                (i for i in (text.find("）", end), text.find(")", end)) if i > 0), default=-1
            )
            if close > 0:
                return self._chain(self._split(end + 1, close))
        match = _POST_AFTER_NAME.match(text, end)
        if match is None or self._continues_word(match.end()):
            return []
        post = self._post(match.start(), match.end())
        return [post] if post is not None else []

    def _continues_word(self, end: int) -> bool:
        """市长助理, 主任医师: the post word is the start of a longer word."""
        return end < len(self.text) and bool(re.match(r"[助医科级团]", self.text[end]))

    def _segments_before(self, end: int) -> Iterator[tuple[int, int]]:
        """(start, end) of each post of the chain that ends at `end`, nearest first."""
        text = self.text
        while end > 0:
            start = end
            while start > 0 and text[start - 1] not in _CHAIN_MARKS + _SENTENCE_MARKS:
                start -= 1
            if end - start > _MAX_TITLE:
                start = end - _MAX_TITLE
            # Another name before the post ends the search there (李克强…听取…行政长官林郑月娥).
            start = max([start] + [p.end_char for p in self.persons if start < p.end_char <= end])
            if start >= end:
                return
            title_start = self._title_start(start, end)
            if title_start is None:
                return
            yield title_start, end
            if title_start > start or start == 0 or text[start - 1] not in _CHAIN_MARKS:
                return
            end = start - 1

    def _title_start(self, start: int, end: int) -> int | None:
        """Where the longest post ending at `end` starts, from `start` on."""
        if not _POST_END.search(self.text, start, end):
            return None
        for candidate in range(start, end):
            if not self._starts_title(candidate):
                continue
            post = self._post(candidate, end)
            # 代表委员: a short post without place or body inside a longer word is no post.
            if post is not None and (post.has_prefix or candidate == start or end - candidate > 2):
                return candidate
        return None

    def _starts_title(self, offset: int) -> bool:
        entity = self.entity_at.get(offset)
        if entity is not None and entity.label_ in ("ORG", "LOC"):
            return True
        return offset not in self.inside

    def _split(self, start: int, end: int) -> list[tuple[int, int]]:
        parts, position = [], start
        for offset in range(start, end + 1):
            if offset == end or self.text[offset] in _CHAIN_MARKS:
                if offset > position:
                    parts.append((position, offset))
                position = offset + 1
        return parts

    def _chain(self, segments: Iterable[tuple[int, int]]) -> list[Post]:
        """Posts of a chain; one without a prefix takes the body and code of the one before."""
        posts: list[Post] = []
        for start, end in segments:
            post = self._post(start, end)
            if post is None:
                return posts
            if not post.has_prefix and posts:
                before = posts[-1]
                title = post.title
                if before.body and not _LEVEL_POST.match(title):
                    title = before.body + title
                former = before.title[:1]
                if former in "原前" and not title.startswith(former):
                    title = former + title
                post = Post(title, before.organisation, before.adcode, before.body, False)
            posts.append(post)
        return posts

    def _post(self, start: int, end: int) -> Post | None:
        """Parse text[start:end] as [places] [body] post."""
        if _POST_END.search(self.text, start, end) is None:
            return None
        position, place, code = start, None, None
        while position < end:
            entity = self.entity_at.get(position)
            if entity is not None:
                if entity.label_ != "LOC" or entity.end_char >= end:
                    break
                place, code, position = entity.text, entity._.adcode, entity.end_char
                continue
            leading = self.table.leading_names(self.text[position:end])
            if not leading or position + len(leading[0][0]) >= end:
                break
            name, codes = leading[0]
            place, code = name, self.table.resolve(codes, (), self.places)
            position += len(name)
        entity = self.entity_at.get(position)
        if entity is not None and entity.label_ == "ORG" and entity.end_char < end:
            return self._post_of_body(entity, end, code)
        rest = self.text[position:end]
        if place is not None:
            return self._post_after_place(place, code, rest)
        if rest[0] in _LEVELS or _LOWER_LEVEL.match(rest):
            return self._bare_post(rest)
        if not _POST_WORD.fullmatch(rest):
            return None
        level = _LEVEL_POST.match(rest.lstrip("前原"))
        code = self.places.for_prefix(level.group(1)) if level else None
        return Post(rest, None, code, "", False)

    def _bare_post(self, text: str) -> Post | None:
        """市委书记, 区政协党组书记, 镇党委书记: a body without its place, of the article's
        division (none below the county)."""
        lower = _LOWER_LEVEL.match(text)
        level_end = lower.end() if lower else 1
        body = _GENERIC_BODY.match(text, level_end)
        rest = text[body.end() :] if body else text[level_end:]
        if not _POST_WORD.fullmatch(rest) and not _LEVEL_POST.match(text):
            return None
        code = None if lower or _BELOW_COUNTY.search(text) else self.places.for_prefix(text[0])
        return Post(text, None, code, text[: body.end()] if body else "", True)

    def _post_after_place(self, name: str, code: str | None, rest: str) -> Post | None:
        """临沂市委常委 → 市委常委; 济南市市长 → 市长; 湖北重症护理队队长 → 队长 of it."""
        body = _GENERIC_BODY.match(rest)
        level = self._level_word(name, code)
        if body is not None and level is not None:
            if not _POST_WORD.fullmatch(rest, body.end()):
                return None
            return Post(level + rest, None, code, level + rest[: body.end()], True)
        split = _split_post(rest)
        if split is None:
            return None
        unit, post = split
        if not unit:
            return Post(post, None, code, "", True)
        organisation = name + unit
        governed = _GOVERNMENT_UNIT.search(unit) and not _BELOW_COUNTY.search(unit)
        return Post(post, organisation, code if governed else None, "", True)

    def _post_of_body(self, entity: Span, end: int, place_code: str | None) -> Post | None:
        """A post of a body: 临沂市住房和城乡建设局局长, 中共中央政治局常委, 临沂市委常委."""
        split = _split_post(self.text[entity.end_char : end])
        if split is None:
            return None
        unit, post = split
        code = entity._.adcode
        if code is None and is_government_body(entity.text):
            code = place_code
        generic = self._generic_body(entity)
        if generic is not None:
            return Post(generic + unit + post, None, code, generic, True)
        party = _PARTY_BODY.search(entity.text)
        if party is not None and party.start() > 0 and not unit:
            owner = entity.text[: party.start()]
            # 村党支部书记: a party body of a bare level is a generic body, kept in the title.
            if owner in _LEVELS or _LOWER_LEVEL.fullmatch(owner):
                return Post(entity.text + post, None, code, entity.text, True)
            return Post(party.group() + post, owner, code, "", True)
        return Post(post, entity.text + unit, code, "", True)

    def _generic_body(self, entity: Span) -> str | None:
        """临沂市委 → 市委: a generic leadership body named with its place."""
        leading = self.table.leading_names(entity.text)
        if not leading:
            return None
        rest = entity.text[sum(len(n) for n, _ in leading) :]
        if not _GENERIC_BODY.fullmatch(rest):
            return None
        level = self._level_word(leading[-1][0], entity._.adcode)
        return None if level is None else level + rest

    def _level_word(self, name: str, code: str | None) -> str | None:
        """The level a division's name ends with (临沂市 → 市, 新疆维吾尔自治区 → 自治区)."""
        written = _LEVEL_WORD.search(name)
        if written is not None:
            return written.group()
        division = self.table.divisions.get(code or "")
        if division is None:
            return None
        if division.level is Level.COUNTY:
            found = _LEVEL_WORD.search(division.name)
            return found.group() if found else None
        if division.code[:2] in ("11", "12", "31", "50"):
            return "市"
        return _LEVEL_OF[division.level]


def _split_post(text: str) -> tuple[str, str] | None:
    """(unit, post) of `text`: 急救科护士长 → (急救科, 护士长); None if it ends in no post."""
    match = _POST_WORD.search(text)
    if match is None or match.start() > _MAX_UNIT or re.search(r"[的了和与在是对为]", text):
        return None
    return text[: match.start()], match.group()


if not Doc.has_extension("officials"):
    Doc.set_extension("officials", default=None)


@Language.factory("zhnews_officials")
def make_officials_finder(nlp: Language, name: str) -> OfficialsFinder:
    return OfficialsFinder(nlp)


def add_to_pipeline(nlp: Language) -> None:
    """Add `zhnews_officials` after `zhnews_divisions`, which it reads (where missing)."""
    if "zhnews_officials" not in nlp.pipe_names:
        nlp.add_pipe("zhnews_officials", after="zhnews_divisions")
