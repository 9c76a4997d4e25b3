"""spaCy's Chinese pkuseg tokenizer with pkuseg's segmentation of a sentence compiled.

spacy-pkuseg builds each character's CRF features one by one (`get_node_features_idx`): about
80 string concatenations and dict look-ups per character, most of the NER pipeline's tokenizer
time on news text. flows/nlp/pkuseg_features.pyx (built at install) produces the same feature
indices, in the same order, from integer tables, so the CRF scores and therefore the
segmentation are unchanged; `PkusegTokenizer` is `spacy.lang.zh.ChineseTokenizer` (segmenter
"pkuseg", model stored in the pipeline as before) with that segmentation plugged in, and with
the token splits of flows/nlp/token_splits.py after it.

The tokenizer is also where the text is normalised for the model: pkuseg reads ASCII punctuation
next to Han characters as its full-width form (`segmentation_view`), while the Doc keeps the
original characters, so `doc.text` is the input and no offset moves.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import spacy
import spacy_pkuseg
import srsly
from spacy import util
from spacy.lang.zh import ChineseTokenizer, Segmenter
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.vocab import Vocab
from spacy_pkuseg.config import config as pkuseg_config

from flows.nlp.pkuseg_crf import PkusegCRF
from flows.nlp.pkuseg_model import (
    FEATURES_FILE,
    WEIGHTS_FILE,
    PackedFeatureExtractor,
    read_segmenter,
)
from flows.nlp.token_splits import SplitTable

# Where the tokenizer keeps its token-split table: a file in its directory, a key in its bytes.
SPLITS_FILE = "token_splits.json"
SPLITS_KEY = "token_splits"
# People's Daily and MSRA write these only full-width; next to a Han character they are Chinese
# punctuation typed on an ASCII keyboard (the seeds are full of `,`), which the segmenter would
# glue to the neighbouring word (`赵明,`).
ASCII_MARKS, FULL_WIDTH_MARKS = ",;:?!()", "，；：？！（）"
FULL_WIDTH_PUNCT = str.maketrans(ASCII_MARKS, FULL_WIDTH_MARKS)
_ASCII_PUNCT_BY_HAN = re.compile(r"(?<=[\u4e00-\u9fff])[,;:?!()]|[,;:?!()](?=[\u4e00-\u9fff])")


def segmentation_view(text: str) -> str:
    """The text pkuseg reads: the same length as `text`, ASCII punctuation by Han full-width."""
    return _ASCII_PUNCT_BY_HAN.sub(lambda m: m.group().translate(FULL_WIDTH_PUNCT), text)


def read_punctuation_as_full_width(vocab: Vocab) -> None:
    """Give each of those ASCII marks the lexeme attributes and vector of its full-width form,
    so the model reads the Doc's `赵明` `,` as the `赵明` `，` it was trained on."""
    for ascii_mark, full_width in zip(ASCII_MARKS, FULL_WIDTH_MARKS, strict=True):
        lexeme, model = vocab[ascii_mark], vocab[full_width]
        lexeme.norm_, lexeme.prefix_, lexeme.suffix_ = model.norm_, model.prefix_, model.suffix_
        lexeme.shape_ = model.shape_
        # `spacy train` builds the tokenizer on a vocab whose table is still empty.
        row = vocab.vectors.key2row.get(model.orth)
        if row is not None and row < vocab.vectors.shape[0]:
            vocab.vectors.add(lexeme.orth, row=row)


class FastPkuseg(spacy_pkuseg.pkuseg):
    """A loaded pkuseg segmenter whose `_cut` (one sentence) is compiled: flows/nlp/pkuseg_crf."""

    crf: PkusegCRF

    @classmethod
    def adopt(cls, segmenter: spacy_pkuseg.pkuseg) -> FastPkuseg:
        """The same segmenter (model, user dictionary, post-processing), with compiled cuts."""
        if isinstance(segmenter, cls):
            return segmenter
        fast = cls.__new__(cls)
        fast.__dict__.update(segmenter.__dict__)
        extractor = segmenter.feature_extractor
        fast.crf = PkusegCRF(
            extractor,
            segmenter.model.w,
            segmenter.idx_to_tag,
            word_min=pkuseg_config.wordMin,
            word_max=pkuseg_config.wordMax,
            word_features=bool(pkuseg_config.wordFeature),
            features=(
                extractor.feature_index if isinstance(extractor, PackedFeatureExtractor) else None
            ),
        )
        return fast

    def _cut(self, text: str) -> list[str]:
        return self.crf.cut(text)


class PkusegTokenizer(ChineseTokenizer):
    """`ChineseTokenizer` whose pkuseg segmenter, however it is loaded, is a `FastPkuseg`, and
    whose words are then cut by the token-split table (flows/nlp/token_splits.py: its cuts, then its
    vocabulary), saved with it.

    The cuts live here, not in a pipeline component, because the NER model needs them wherever
    it runs: a pipeline loaded with only `tok2vec` and `ner` enabled still runs its tokenizer.
    """

    def __init__(self, vocab: Vocab, segmenter: Segmenter = Segmenter.char) -> None:
        super().__init__(vocab, segmenter=segmenter)
        self.splits = SplitTable()
        read_punctuation_as_full_width(vocab)

    @property
    def pkuseg_seg(self) -> FastPkuseg | None:
        return self._pkuseg_seg

    @pkuseg_seg.setter
    def pkuseg_seg(self, segmenter: spacy_pkuseg.pkuseg | None) -> None:
        self._pkuseg_seg = None if segmenter is None else FastPkuseg.adopt(segmenter)

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Example]] | None = None,
        *,
        nlp: Language | None = None,
        pkuseg_model: str | None = None,
        pkuseg_user_dict: str | None = "default",
        token_splits: str | None = None,
    ) -> None:
        """spaCy's initialisation, and the split table from `token_splits` (a file that
        `SplitTable.to_disk` wrote) when given: `zhnews train ner` passes the vocabulary its
        training documents were cut by, so the dev documents are cut the same way."""
        super().initialize(
            get_examples, nlp=nlp, pkuseg_model=pkuseg_model, pkuseg_user_dict=pkuseg_user_dict
        )
        self.splits = (
            SplitTable() if token_splits is None else SplitTable.from_disk(Path(token_splits))
        )
        read_punctuation_as_full_width(self.vocab)  # with the vectors initialisation loaded

    def __call__(self, text: str) -> Doc:
        if self.segmenter != Segmenter.pkuseg or self.pkuseg_seg is None:
            return super().__call__(text)
        view = segmentation_view(text)
        pieces, unknown_words = self.splits.cut(self.pkuseg_seg.cut(view))
        if view != text:
            pieces = _original_pieces(pieces, view, text)
        words, spaces = util.get_words_and_spaces(pieces, text)
        doc = Doc(self.vocab, words=words, spaces=spaces)
        if unknown_words:
            # Piece and token indices differ where the text holds whitespace (a token of its own).
            if len(words) != len(pieces):
                unknown_words = _token_ranges(pieces, words, unknown_words)
            # Registered by flows/nlp/entities.py, which reads it (imported via token_splits.py).
            doc._.unknown_words = unknown_words
        return doc

    def to_bytes(self, **kwargs: object) -> bytes:
        fields = srsly.msgpack_loads(super().to_bytes(**kwargs))
        fields[SPLITS_KEY] = self.splits.to_bytes()
        return srsly.msgpack_dumps(fields)

    def from_bytes(self, data: bytes, **kwargs: object) -> PkusegTokenizer:
        fields = srsly.msgpack_loads(data)
        config = srsly.json_loads(fields["cfg"]) if "cfg" in fields else {}
        # What spaCy's `from_bytes` loads, without pkuseg's constructor (pkuseg_model.py).
        if _is_pkuseg(config) and fields.get("pkuseg_features") and fields.get("pkuseg_weights"):
            self._set_config(config)
            self.pkuseg_seg = read_segmenter(
                fields["pkuseg_features"],
                fields["pkuseg_weights"],
                srsly.msgpack_loads(fields["pkuseg_processors"]),
            )
        else:
            super().from_bytes(data, **kwargs)
        self.splits = (
            SplitTable.from_bytes(fields[SPLITS_KEY]) if SPLITS_KEY in fields else SplitTable()
        )
        # The vocabulary is loaded before the tokenizer, and loading it resets its lexemes.
        read_punctuation_as_full_width(self.vocab)
        return self

    def to_disk(self, path: str | Path, **kwargs: object) -> None:
        super().to_disk(path, **kwargs)
        self.splits.to_disk(Path(path) / SPLITS_FILE)

    def from_disk(self, path: str | Path, **kwargs: object) -> PkusegTokenizer:
        path = Path(path)
        model, processors = path / "pkuseg_model", path / "pkuseg_processors"
        config = srsly.read_json(path / "cfg") if (path / "cfg").exists() else {}
        # What spaCy's `from_disk` loads, without pkuseg's constructor (pkuseg_model.py).
        if _is_pkuseg(config) and model.exists() and processors.exists():
            self._set_config(config)
            self.pkuseg_seg = read_segmenter(
                (model / FEATURES_FILE).read_bytes(),
                model / WEIGHTS_FILE,
                srsly.read_msgpack(processors),
            )
        else:
            super().from_disk(path, **kwargs)
        table = path / SPLITS_FILE
        self.splits = SplitTable.from_disk(table) if table.exists() else SplitTable()
        read_punctuation_as_full_width(self.vocab)
        return self


def _is_pkuseg(config: dict[str, object]) -> bool:
    return config.get("segmenter") == Segmenter.pkuseg


def _original_pieces(pieces: Sequence[str], view: str, text: str) -> list[str]:
    """`pieces` of `view` as the same stretches of `text` (`view` is `text` with characters
    replaced one for one; whitespace that the segmenter leaves out is skipped)."""
    originals = []
    position = 0
    for piece in pieces:
        position = view.index(piece, position)
        originals.append(text[position : position + len(piece)])
        position += len(piece)
    return originals


def _token_ranges(
    pieces: Sequence[str], words: Sequence[str], ranges: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """`ranges` of `pieces` as ranges of `words`: the same strings, with whitespace tokens
    inserted by `get_words_and_spaces`."""
    token_of: list[int] = []
    token = 0
    for piece in pieces:
        while words[token] != piece:
            token += 1
        token_of.append(token)
        token += 1
    return [(token_of[start], token_of[end - 1] + 1) for start, end in ranges]


# The `[nlp.tokenizer]` block of every zhnews pipeline.
TOKENIZER_CONFIG = {"@tokenizers": "zhnews.ChineseTokenizer.v1", "segmenter": "pkuseg"}


@spacy.registry.tokenizers("zhnews.ChineseTokenizer.v1")
def create_tokenizer(
    segmenter: Segmenter = Segmenter.pkuseg,
) -> Callable[[Language], PkusegTokenizer]:
    def tokenizer_factory(nlp: Language) -> PkusegTokenizer:
        return PkusegTokenizer(nlp.vocab, segmenter=segmenter)

    return tokenizer_factory
