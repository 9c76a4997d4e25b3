"""Universal Dependencies word classes from People's Daily tags: `token.pos_` from `token.tag_`.

The component `zhnews_ud_pos` runs after the `tagger` (flows/train/tagger.py). spaCy's
`attribute_ruler` would do the same through its Matcher at a Python call per token, which
cost as much as the tagger itself; this one maps the tag column in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy
import srsly
from spacy.attrs import POS, TAG
from spacy.language import Language
from spacy.parts_of_speech import IDS as UD_IDS
from spacy.strings import StringStore
from spacy.tokens import Doc

TABLE_FILE = "table.jsonl"

# People's Daily 1998 tags (Peking University's set) -> Universal Dependencies, following
# spaCy's Chinese models (their OntoNotes tags mapped by an attribute_ruler): measure words (M)
# are NUM, localisers (LC) and particles PART, time nouns (NT) NOUN, foreign words (FW) X.
# Morpheme tags (Ng, Vg, …) take their word class.
PD_TO_UD: dict[str, str] = {
    "n": "NOUN", "Ng": "NOUN", "vn": "NOUN", "an": "NOUN", "t": "NOUN", "Tg": "NOUN",
    "s": "NOUN", "j": "NOUN",  # abbreviations (两会, 人大): mostly common nouns
    "na": "NOUN",
    "nr": "PROPN", "ns": "PROPN", "nt": "PROPN", "nz": "PROPN",
    "nx": "X",  # letters and foreign words (WTO, CT)
    "v": "VERB", "Vg": "VERB", "vvn": "VERB",
    "a": "ADJ", "Ag": "ADJ", "b": "ADJ", "Bg": "ADJ", "z": "ADJ",
    "d": "ADV", "Dg": "ADV", "ad": "ADV", "vd": "ADV",
    "m": "NUM", "Mg": "NUM", "q": "NUM",
    "r": "PRON", "Rg": "PRON",
    "p": "ADP",
    "c": "CCONJ",
    "u": "PART", "y": "PART", "Yg": "PART", "f": "PART", "h": "PART", "k": "PART",
    "e": "INTJ",
    "o": "X",  # onomatopoeia
    "i": "X", "l": "X",  # idioms and set phrases: any word class
    "w": "PUNCT",
}  # fmt: skip


class UniversalPos:
    """spaCy component: sets `token.pos_` from `token.tag_` by a table (a tag not in it: X)."""

    def __init__(self, strings: StringStore, table: Mapping[str, str]) -> None:
        self.strings = strings
        self.table: dict[str, str] = {}
        self._pos_of: dict[int, int] = {}
        self.set_table(table)

    def set_table(self, table: Mapping[str, str]) -> None:
        unknown = sorted(set(table.values()) - UD_IDS.keys())
        if unknown:
            raise ValueError(f"not Universal Dependencies classes: {unknown}")
        self.table = dict(sorted(table.items()))
        # An untagged token (tag 0: the tagger disabled) stays without a class.
        self._pos_of = {0: 0}
        self._pos_of.update((self.strings.add(tag), UD_IDS[pos]) for tag, pos in self.table.items())

    def __call__(self, doc: Doc) -> Doc:
        tags = doc.to_array(TAG)
        other = UD_IDS["X"]
        pos = numpy.fromiter((self._pos_of.get(int(t), other) for t in tags), dtype="uint64")
        doc.from_array([POS], pos.reshape(-1, 1))
        return doc

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        rows = [{"tag": tag, "pos": pos} for tag, pos in self.table.items()]
        srsly.write_jsonl(path / TABLE_FILE, rows)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> UniversalPos:
        rows = srsly.read_jsonl(Path(path) / TABLE_FILE)
        self.set_table({row["tag"]: row["pos"] for row in rows})
        return self


@Language.factory("zhnews_ud_pos")
def make_ud_pos(nlp: Language, name: str) -> UniversalPos:
    """Create the component with the People's Daily table (`from_disk` reads the saved one)."""
    return UniversalPos(nlp.vocab.strings, PD_TO_UD)
