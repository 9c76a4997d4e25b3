"""Persons with a post: `doc._.officials` (ANNOTATION.md, "Officials").

A post stands in apposition with a PERSON mention: before it (临沂市委常委、副市长隽新阳, a
chain of posts joined by 、 or ，), right after it (刘运市长) or in brackets after it. The title
loses a division's name but keeps its level (潍坊市委副书记 → 市委副书记); a named body is the
organisation (临沂市住房和城乡建设局局长 → 局长); the adcode is the jurisdiction's, from
`zhnews_divisions` (`span._.adcode`, `doc._.article_places`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from flows.nlp.divisions import ArticlePlaces, DivisionLinker, DivisionTable, Level

# Posts a title ends with. Occupations and roles (记者, 医生, 专家, 负责人) are not posts.
_POSTS = (
    "总书记|书记|常委|委员长|主任委员|委员|省长|市长|区长|县长|州长|旗长|盟长|镇长|乡长|村长|"
    "局长|厅长|部长|处长|科长|所长|站长|大队长|支队长|队长|院长|校长|园长|馆长|社长|行长|署长|"
    "司长|组长|主任|主席|秘书长|检察长|庭长|董事长|总经理|副总经理|经理|总裁|总监|会长|理事长|"
    "政委|教导员|指导员|总理|发言人|巡视员|调研员|总工程师|总编辑|护士长|主编|台长|团长|首席执行官"
)
_POST_END = re.compile(f"(?:{_POSTS})$")
_POST_AFTER_NAME = re.compile(f"(?:副|常务副)?(?:{_POSTS})")
# The part of a title that is a generic leadership body (ANNOTATION.md: it stays in the title).
_GENERIC_BODY = re.compile(
    r"(?:党委|党工委|委|人民政府|政府|人大常委会|人大|政协|纪委监委|纪委|监委)"
)
_LEVEL_OF = {Level.PROVINCE: "省", Level.PREFECTURE: "市"}
_LEVELS = "省市区县"
# A post that names its own level (副市长) is not a post of the body before it in a chain.
_LEVEL_POST = re.compile(r"^(?:常务)?副?([省市区县])长$")
# What separates the posts of a chain, and the names of a list.
_CHAIN_MARKS = "、，,"
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
        places = doc._.article_places or linker.table.article_places(doc)
        reader = _PostReader(doc, linker.table, places)
        found: dict[tuple[str, str, str | None], Official] = {}
        previous: tuple[Span, list[Post]] | None = None
        for person in (e for e in doc.ents if e.label_ == "PERSON"):
            posts = reader.before(person) + reader.after(person)
            if not posts and previous is not None and _listed_after(previous[0], person):
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
                        sentence=_sentence_index(doc.text, person.start_char),
                    )
            previous = (person, posts)
        doc._.officials = list(found.values())
        return doc

    def to_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> None:
        """Nothing to save: the division data is `zhnews_divisions`'."""

    def from_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> OfficialsFinder:
        return self


def _listed_after(first: Span, second: Span) -> bool:
    """张三、李四: the second name of a list shares the first one's posts."""
    return first.doc.text[first.end_char : second.start_char] == "、"


def _sentence_index(text: str, offset: int) -> int:
    # The flow's sentence numbering (entities.sentence), imported here to avoid a cycle.
    from flows.nlp.model import sentence_starts

    return sum(1 for start in sentence_starts(text) if start <= offset) - 1


class _PostReader:
    def __init__(self, doc: Doc, table: DivisionTable, places: ArticlePlaces) -> None:
        self.doc = doc
        self.text = doc.text
        self.table = table
        self.places = places
        self.entity_at = {e.start_char: e for e in doc.ents}
        self.persons = [e for e in doc.ents if e.label_ == "PERSON"]

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
            if any(p.start_char < end and start < p.end_char for p in self.persons):
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
            if self._starts_title(candidate) and self._post(candidate, end) is not None:
                return candidate
        return None

    def _starts_title(self, offset: int) -> bool:
        entity = self.entity_at.get(offset)
        if entity is not None and entity.label_ in ("ORG", "LOC"):
            return True
        inside = any(e.start_char < offset < e.end_char for e in self.doc.ents)
        return not inside

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
                post = Post(title, before.organisation, before.adcode, before.body, False)
            posts.append(post)
        return posts

    def _post(self, start: int, end: int) -> Post | None:
        """Parse text[start:end] as [place or body] post."""
        text = self.text[start:end]
        post_match = _POST_END.search(text)
        if post_match is None:
            return None
        entity = self.entity_at.get(start)
        if entity is not None and entity.end_char < end and entity.label_ in ("ORG", "LOC"):
            return self._post_after_entity(entity, end)
        leading = self.table.leading_names(text)
        if leading:
            name_end = start + sum(len(name) for name, _ in leading)
            code = self.table.resolve(leading[-1][1], (), self.places)
            return self._post_after_place(leading[-1][0], code, name_end, end)
        if text[0] in _LEVELS:
            return self._bare_post(text)
        if not re.fullmatch(rf"(?:前|原)?(?:常务|第一)?(?:副|代)?(?:党组|党委)?(?:{_POSTS})", text):
            return None
        level = _LEVEL_POST.match(text.removeprefix("前"))
        code = self.places.for_prefix(level.group(1)) if level else None
        return Post(text, None, code, "", False)

    def _bare_post(self, text: str) -> Post | None:
        """市委书记, 区政协党组书记: a body without its place, of the article's division."""
        body = _GENERIC_BODY.match(text, 1)
        rest = text[body.end() :] if body else text[1:]
        if not _is_post(rest) and not _LEVEL_POST.match(text):
            return None
        code = None if _BELOW_COUNTY.search(text) else self.places.for_prefix(text[0])
        return Post(text, None, code, text[: body.end()] if body else "", True)

    def _post_after_place(
        self, name: str, code: str | None, name_end: int, end: int
    ) -> Post | None:
        """临沂市委常委 → 市委常委; 济南市市长 → 市长."""
        rest = self.text[name_end:end]
        body = _GENERIC_BODY.match(rest)
        if body is not None:
            level = self._level_character(name, code)
            if not _is_post(rest[body.end() :]) or level is None:
                return None
            return Post(level + rest, None, code, level + rest[: body.end()], True)
        if not _is_post(rest):
            return None
        return Post(rest, None, code, "", True)

    def _post_after_entity(self, entity: Span, end: int) -> Post | None:
        rest = self.text[entity.end_char : end]
        if entity.label_ == "LOC":
            return self._post_after_place(entity.text, entity._.adcode, entity.end_char, end)
        if not _is_post(rest):
            return None
        generic = self._generic_body(entity)
        if generic is not None:
            return Post(generic + rest, None, entity._.adcode, generic, True)
        return Post(rest, entity.text, entity._.adcode, "", True)

    def _generic_body(self, entity: Span) -> str | None:
        """临沂市委 → 市委: a generic leadership body named with its place."""
        leading = self.table.leading_names(entity.text)
        if not leading:
            return None
        name = leading[-1][0]
        rest = entity.text[sum(len(n) for n, _ in leading) :]
        if not _GENERIC_BODY.fullmatch(rest):
            return None
        level = self._level_character(name, entity._.adcode)
        return None if level is None else level + rest

    def _level_character(self, name: str, code: str | None) -> str | None:
        """The level a division's name ends with (临沂市 → 市, 山东 → 省)."""
        if name[-1] in _LEVELS:
            return name[-1]
        division = self.table.divisions.get(code or "")
        if division is None:
            return None
        if division.level is Level.COUNTY:
            return division.name[-1] if division.name[-1] in _LEVELS else None
        if division.code[:2] in ("11", "12", "31", "50"):
            return "市"
        return _LEVEL_OF[division.level]


def _is_post(text: str) -> bool:
    """A post without a place: 副市长, 党组书记, 常委, 局长 (at most a few characters before)."""
    return (
        bool(text)
        and len(text) <= 12
        and _POST_END.search(text) is not None
        and not re.search(r"[的了和与在是对]", text)
    )


if not Doc.has_extension("officials"):
    Doc.set_extension("officials", default=None)


@Language.factory("zhnews_officials")
def make_officials_finder(nlp: Language, name: str) -> OfficialsFinder:
    return OfficialsFinder(nlp)


def add_to_pipeline(nlp: Language) -> None:
    """Add `zhnews_officials` after `zhnews_divisions`, which it reads (where missing)."""
    if "zhnews_officials" not in nlp.pipe_names:
        nlp.add_pipe("zhnews_officials", after="zhnews_divisions")
