"""NER training examples from the train items of `ner_news_articles.jsonl`, in MSRA's conventions.

Those items are annotated by ANNOTATION.md, which differs from MSRA (the bulk of `ner`'s
training data) in a few places. Where the two agree the annotation is gold; where they differ
`ner` is taught neither way: the characters are marked as missing annotation, the rule
components decide those cases, and the MSRA test still measures `ner` in its own conventions
(CONTRACT.md, "Models and training").

The differences, each counted on MSRA NER train (models/README.md gives the counts):
- `bare-body`: a bare leadership body left out by ANNOTATION.md (市委, 县委书记's 县委, 市政协,
  人大常委会) is ORG in MSRA.
- `place-and-generic-body`: place + 政府/军方/警方/军 is one ORG in ANNOTATION.md, the place
  alone (LOC) in MSRA.
- `place-before-body`: a place written before a body whose own name does not hold it is split
  off in ANNOTATION.md (湖北 + 孝感市中心医院, 美国 + 约翰斯·霍普金斯大学), inside the ORG in MSRA.
- `delegation`: place + 代表团 gives the place alone in ANNOTATION.md, one ORG in MSRA.
- `side`: 中方/美方 is not annotated in ANNOTATION.md, the country character is LOC in MSRA.
- `unannotated-place`: a place name left out by ANNOTATION.md (中国 in 中国特色/新中国, demonyms
  such as 美国人, 湖北 in an app's name) is LOC in MSRA wherever it is written.
- `games`: 奥 of 奥运会/冬奥会 and 亚 of 亚运会 are LOC in MSRA, not annotated in ANNOTATION.md.
- `abbreviated-region`: a region written as province abbreviations (京津冀, 粤港澳) is one LOC
  in ANNOTATION.md, one LOC per character in MSRA.

Place chains (河北沧州 → 河北 + 沧州) and single-character places in verb compounds (来华, 离盘)
are split the same way in both, so they stay gold.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from flows.train.splits import NEWS_ARTICLES

Span = tuple[int, int, str]
Missing = tuple[int, int, str]  # start, end, the difference that makes it missing

# Generic leadership bodies MSRA labels ORG (市委 ORG 48 times bare, O twice); bare 政府 is O in
# MSRA as in ANNOTATION.md (市政府 O 73 of 109), so it agrees and is not here.
_BARE_BODY = re.compile(
    r"(?<![城都])[省市县区州]委(?!员|托|屈)|[省市县区州]?(?:人大常委会|政协)|[省市县区州]纪委"
)
_GENERIC_BODY_SUFFIX = re.compile(
    r"(?:政府|军方|警方|军队|武装部队|(?<=[美日英法德俄韩朝苏以])军)$"
)
_DELEGATION = re.compile(r"[\u4e00-\u9fff]{0,4}?代表团")
# 中方/美方 and the like, not where 方 opens a word of its own (书法方面, 其中方舱, 以方便).
_SIDE = re.compile(
    r"[中美日俄英法德韩朝印巴伊以欧非](?=方(?![面法式向案针位圆舱便可才能言块阵志程略剂格形]))"
)
_GAMES = re.compile(r"[奥亚](?=运)|(?<=[冬残])奥")
# Regions written as one-character province abbreviations (京津冀, 粤港澳): one LOC in
# ANNOTATION.md, one LOC per character in MSRA (京津, 川渝, 冀鲁豫: 110 times, never one LOC).
# 辽宁 is the one province whose own name is two such characters.
_ABBREVIATED_REGION = re.compile(
    r"[京津沪渝冀豫晋辽吉黑苏浙皖闽赣鲁鄂湘粤桂琼川黔滇陕甘青宁新藏蒙港澳台]{2,}"
)
_PROVINCE_OF_ABBREVIATIONS = "辽宁"
# Words ANNOTATION.md leaves unannotated where MSRA labels an entity.
_UNANNOTATED_IN_MSRA = ((_BARE_BODY, "bare-body"), (_SIDE, "side"), (_GAMES, "games"))
# Terms whose place MSRA leaves unlabelled as ANNOTATION.md does (发展中国家 O 153 of 153 times,
# 北京时间 7 of 9): they agree there.
_PLACE_IN_TERM = re.compile(r"发展中国家|北京时间")


@dataclass(frozen=True)
class ArticleExample:
    """One sentence: its gold spans and the character ranges that are missing annotation."""

    id: str
    text: str
    spans: list[Span]
    missing: list[Missing]


def _free(start: int, end: int, spans: Iterable[Span]) -> bool:
    return all(end <= s or start >= e for s, e, _ in spans)


def disputed_ranges(text: str, spans: list[Span], places: frozenset[str]) -> list[Missing]:
    """The character ranges of `text` on which ANNOTATION.md (`spans`) and MSRA differ.

    `places` are LOC surfaces of two characters or more that the annotators wrote elsewhere:
    where one of them is left unannotated, MSRA would have labelled it.
    """
    ordered = sorted(spans)
    found: list[Missing] = []
    for pattern, reason in _UNANNOTATED_IN_MSRA:
        for match in pattern.finditer(text):
            if _free(*match.span(), ordered):
                found.append((*match.span(), reason))
    for start, end, label in ordered:
        if label == "ORG" and _GENERIC_BODY_SUFFIX.search(text[start:end]):
            found.append((start, end, "place-and-generic-body"))
        surface = text[start:end]
        region = _ABBREVIATED_REGION.fullmatch(surface)
        if label == "LOC" and region and surface != _PROVINCE_OF_ABBREVIATIONS:
            found.append((start, end, "abbreviated-region"))
        if label == "LOC":
            delegation = _DELEGATION.match(text, end)
            if delegation and _free(end, delegation.end(), ordered):
                found.append((start, delegation.end(), "delegation"))
    # A run of places written straight before an ORG: MSRA keeps them inside its name. A
    # one-character place there closes a verb compound (在京 + 中共中央政治局), LOC in both.
    run_start = None
    for (start, end, label), following in itertools.pairwise([*ordered, None]):
        if label == "LOC":
            run_start = start if run_start is None else run_start
            joined = following and following[2] == "ORG" and following[0] == end
            if joined and end - start > 1:
                found.append((run_start, following[1], "place-before-body"))
            if not following or following[0] != end or following[2] != "LOC":
                run_start = None
    terms = [(*match.span(), "") for match in _PLACE_IN_TERM.finditer(text)]
    for place in places:
        for match in re.finditer(re.escape(place), text):
            if _free(*match.span(), [*ordered, *terms]):
                found.append((*match.span(), "unannotated-place"))
    return sorted(set(found))


def article_examples(path: Path = NEWS_ARTICLES) -> Iterator[ArticleExample]:
    """The sentences of the `train` items of `path`, gold where ANNOTATION.md and MSRA agree.

    Every other split of the file is held out, whatever its name, and never read past its
    split field. Sentences with no entity stay: they are the negatives of the news domain.
    """
    records = list(_train_records(path))
    places = frozenset(
        record["text"][s:e]
        for record in records
        for s, e, label in record["entities"]
        if label == "LOC" and e - s > 1
    )
    for record in records:
        spans = [(s, e, label) for s, e, label in record["entities"]]
        missing = disputed_ranges(record["text"], spans, places)
        kept = [span for span in spans if _free(span[0], span[1], missing)]
        yield ArticleExample(record["id"], record["text"], kept, missing)


def _train_records(path: Path) -> Iterator[dict]:
    if not path.exists():
        return
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                if record["split"] == "train":
                    yield record
