"""The token-split table: where pkuseg tokens are cut because names usually begin or end inside.

spaCy labels whole tokens only, and pkuseg, trained on People's Daily's word standard, keeps
words whole that hold a name by MSRA's and our annotation: 京剧 (京 is a place), 驻华,
抗美援朝, 马列主义, 毛泽东思想, 卫生部长 (the ORG 卫生部). No segmenter can split those by
itself: People's Daily calls them words. The NER training documents are already segmented
piece by piece between entity boundaries (flows/train/ner.py), so the model knows 华 and 美 as
tokens of their own; the tokenizer (flows/nlp/tokenizer.py: `PkusegTokenizer`) cuts by this table,
so every pipeline that runs `ner` gets those tokens, even one loaded with only `tok2vec` and
`ner` enabled. (Where MSRA tags a place our conventions do not, as 中 in 中方,
`zhnews_entity_rules` drops it.)

Its table is learnt at packaging time from the annotated training sentences (MSRA train and
ours, dev splits excluded), segmented by the pipeline's own tokenizer and, where given, by the
People's-Daily-only segmenter: a token string is cut at an offset when an entity boundary fell
there in at least half of its occurrences (two-character strings only when seen at least twice).
The shipped segmenter was itself trained on MSRA train segmented between entities, so on that
text it rarely errs; the People's-Daily segmenter never saw it and errs there as the shipped one
errs on new text, which is what the table must know.

The table also holds a vocabulary: every Han token of two or more
characters outside it is cut into characters. pkuseg glues a name it has never seen to the
character after it (叶|挺及, 康克|清听, 南庄|村年), which no table of known strings can cut;
outside the vocabulary such a token is cut to characters, and the model, trained on documents
cut by the same vocabulary (`flows/train/ner.py: training_vocabulary`), reads the name from
them. The rules read words, so `zhnews_entity_rules` puts the characters back together first
where no entity boundary fell inside (`flows/nlp/entities/tokens.py: rejoin_unknown_words`).
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spacy.tokens import Doc

from flows.nlp.entities import is_han

# (text, spans) with spans as (start, end, label) character offsets into text.
AnnotatedText = tuple[str, list[tuple[int, int, str]]]


@dataclass
class SplitTable:
    """Token string -> the offsets inside it where it is cut; then, where a vocabulary is set,
    every Han token of two or more characters outside it is cut into characters."""

    cuts: dict[str, tuple[int, ...]] = field(default_factory=dict)
    vocabulary: frozenset[str] | None = None

    @classmethod
    def learn(
        cls,
        tokenizers: Sequence[Callable[[str], Doc]],
        examples: Iterable[AnnotatedText],
        min_share: float = 0.5,
    ) -> SplitTable:
        """Cut a token string at each offset where a gold entity boundary fell in at least
        `min_share` of the string's occurrences in `examples`, each segmented by every one of
        `tokenizers` (see `package` for why more than one)."""
        seen: Counter[str] = Counter()
        boundaries: Counter[tuple[str, int]] = Counter()
        for text, spans in examples:
            edges = {edge for start, end, _ in spans for edge in (start, end)}
            for token in itertools.chain.from_iterable(t(text) for t in tokenizers):
                seen[token.text] += 1
                for offset in range(1, len(token.text)):
                    if token.idx + offset in edges:
                        boundaries[token.text, offset] += 1
        cuts: dict[str, list[int]] = {}
        for (word, offset), count in sorted(boundaries.items()):
            # A two-character string seen once is no evidence: 城口 was cut once (…城|口)
            # and would then cut every expressway exit named …城口.
            trusted = seen[word] >= 2 or len(word) >= 3
            if trusted and count >= min_share * seen[word]:
                cuts.setdefault(word, []).append(offset)
        return cls({word: tuple(offsets) for word, offsets in cuts.items()})

    def pieces(self, word: str) -> list[str]:
        edges = [0, *self.cuts.get(word, ()), len(word)]
        return [word[start:end] for start, end in itertools.pairwise(edges)]

    def split(self, words: Iterable[str]) -> list[str]:
        """`words` with every word of the table replaced by its pieces, and every Han piece
        of two or more characters outside the vocabulary by its characters."""
        return self.cut(words)[0]

    def cut(self, words: Iterable[str]) -> tuple[list[str], list[tuple[int, int]]]:
        """`split`'s pieces, and the (start, end) piece ranges of the words the vocabulary cut
        into characters.

        pkuseg joins a name it has never seen with the character after it (叶|挺及, 康克|清听),
        and spaCy labels whole tokens only; the NER model, trained on documents cut the same
        way, reads such names from their characters. The ranges let later rules put back the
        words where no entity boundary fell inside (flows/nlp/entities/tokens.py).
        """
        cuts, vocabulary = self.cuts, self.vocabulary
        pieces = [
            piece for word in words for piece in (self.pieces(word) if word in cuts else (word,))
        ]
        if vocabulary is None:
            return pieces, []
        out: list[str] = []
        ranges: list[tuple[int, int]] = []
        for piece in pieces:
            if len(piece) > 1 and piece not in vocabulary and is_han(piece):
                ranges.append((len(out), len(out) + len(piece)))
                out.extend(piece)
            else:
                out.append(piece)
        return out, ranges

    def to_bytes(self) -> bytes:
        fields: dict[str, object] = {"cuts": self.cuts}
        if self.vocabulary is not None:
            fields["vocabulary"] = sorted(self.vocabulary)
        return json.dumps(fields, ensure_ascii=False, sort_keys=True).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> SplitTable:
        loaded = json.loads(data.decode("utf-8"))
        if "cuts" not in loaded:
            # A table saved without a vocabulary is the cuts alone.
            loaded = {"cuts": loaded}
        vocabulary = loaded.get("vocabulary")
        return cls(
            {word: tuple(offsets) for word, offsets in loaded["cuts"].items()},
            None if vocabulary is None else frozenset(vocabulary),
        )

    def to_disk(self, path: Path) -> None:
        path.write_bytes(self.to_bytes())

    @classmethod
    def from_disk(cls, path: Path) -> SplitTable:
        return cls.from_bytes(path.read_bytes())
