"""The word lexicon: what a word People's Daily 1998 knows can be in a name.

Where a name starts is decided with it: a verb such as 抓好 or 联系 cannot begin a name, a word
People's Daily never saw (巨野河) most likely is one.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from flows.nlp.entities.tables import read_jsonl


class WordClass(StrEnum):
    """What a known word can be in a name, from its People's Daily tags."""

    NAME = "name"  # ns/nr/nt/nz: a proper name
    DESCRIPTOR = "descriptor"  # nouns, abbreviations, verbal nouns (行政, 商贸, 审批, 新型)
    BOUNDARY = "boundary"  # verbs, adverbs, function words: a name does not run through them


_NAME_TAGS = frozenset({"ns", "nr", "nt", "nz"})
# j (abbreviations) names bodies as often as it shortens common words (部委, 商贸, 农牧).
_DESCRIPTOR_TAGS = frozenset({"n", "vn", "an", "b", "a", "ng", "s", "nx", "j"})
# A verb People's Daily also uses as a noun this often can be part of a body's name (审批,
# 执法, 处置); verbs that rarely are (抓好, 设立, 加强) end it.
_VERBAL_NOUN_SHARE = 0.15


@dataclass
class WordLexicon:
    """Known words and their class; unknown words are treated as names."""

    classes: dict[str, WordClass] = field(default_factory=dict)

    def __getitem__(self, word: str) -> WordClass:
        return self.classes.get(word, WordClass.NAME)

    def __bool__(self) -> bool:
        return bool(self.classes)

    @classmethod
    def from_tagged(cls, sentences: Iterable[Iterable[tuple[str, str]]]) -> WordLexicon:
        """Classes from (word, tag) sentences of People's Daily (PKU tag set)."""
        tags: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for sentence in sentences:
            for word, tag in sentence:
                tags[word][tag] += 1
        return cls({word: _word_class(counts) for word, counts in tags.items()})

    def with_common_words(self, words: Iterable[str]) -> WordLexicon:
        """Add words People's Daily 1998 never saw but that are no names (防控, 收治, 方舱)."""
        added = {w: WordClass.DESCRIPTOR for w in words if w not in self.classes}
        return WordLexicon({**self.classes, **added})

    def to_disk(self, path: Path) -> None:
        """One `{"word", "class"}` line per word, sorted by word."""
        with path.open("w", encoding="utf-8") as lines:
            for word in sorted(self.classes):
                row = {"word": word, "class": self.classes[word].value}
                lines.write(json.dumps(row, ensure_ascii=False) + "\n")

    @classmethod
    def from_disk(cls, path: Path) -> WordLexicon:
        rows = read_jsonl(path)
        return cls({row["word"]: WordClass(row["class"]) for row in rows})


def _word_class(tags: Counter[str]) -> WordClass:
    top = tags.most_common(1)[0][0]
    if top in _NAME_TAGS:
        return WordClass.NAME
    if top in _DESCRIPTOR_TAGS:
        return WordClass.DESCRIPTOR
    if top == "v" and tags["vn"] / sum(tags.values()) >= _VERBAL_NOUN_SHARE:
        return WordClass.DESCRIPTOR
    return WordClass.BOUNDARY


def is_han(text: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in text)
