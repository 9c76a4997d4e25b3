"""spaCy's Chinese pkuseg tokenizer with pkuseg's feature extraction done a sentence at a time.

spacy-pkuseg builds each character's CRF features one by one (`get_node_features_idx`): about
80 string concatenations and dict look-ups per character, including 20 dictionary-word slices of
which each is rebuilt four times and 50 word-pair features that are mostly the same "no word"
pair. That was about 40% of the NER pipeline's time on news text. `SentenceFeatures` produces the
same feature indices, in the same order, from per-template tables and one pass of word slices
per sentence, so the CRF scores and therefore the segmentation are unchanged; `PkusegTokenizer` is
`spacy.lang.zh.ChineseTokenizer` (segmenter "pkuseg", model stored in the pipeline as before)
with that extraction plugged in, and with the token splits of flows/nlp/token_splits.py after it.

The tokenizer is also where the text is normalised for the model: pkuseg reads ASCII punctuation
next to Han characters as its full-width form (`segmentation_view`), while the Doc keeps the
original characters, so `doc.text` is the input and no offset moves.
"""

from __future__ import annotations

import itertools
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
from spacy_pkuseg import inference
from spacy_pkuseg.config import config as pkuseg_config
from spacy_pkuseg.feature_extractor import FeatureExtractor

from flows.nlp.token_splits import SplitTable

NO_WORD = "**noWord"
# Where the tokenizer keeps its token-split table: a file in its directory, a key in its bytes.
SPLITS_FILE = "token_splits.json"
SPLITS_KEY = "token_splits"
# pkuseg's feature names are "<template>.<value>"; these templates take characters (CHAR) and
# pairs of neighbouring characters (PAIR); the word templates are w-1, w1, ww.l and ww.r.
CHAR_TEMPLATES = ("c", "c-1", "c1", "c-2", "c2")
PAIR_TEMPLATES = ("c-1c", "cc1", "c-2c-1")
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
        if model.orth in vocab.vectors.key2row:
            vocab.vectors.add(lexeme.orth, row=vocab.vectors.key2row[model.orth])


class SentenceFeatures:
    """pkuseg's feature indices for every character of a sentence, computed together."""

    def __init__(self, extractor: FeatureExtractor) -> None:
        self.unigram: set[str] = extractor.unigram
        self.word_lengths = range(pkuseg_config.wordMax, pkuseg_config.wordMin - 1, -1)
        self.word_features = bool(pkuseg_config.wordFeature)
        tables: dict[str, dict[str, int]] = {name: {} for name in CHAR_TEMPLATES + PAIR_TEMPLATES}
        word_tables: dict[str, dict[str, int]] = {"w-1": {}, "w1": {}}
        # "ww.l.PRE*POST" is kept as pair_tables["ww.l"][PRE][POST]: a character's 25 pairs are
        # then five look-ups of PRE and a C-level map over the POSTs.
        pair_tables: dict[str, dict[str, dict[str, int]]] = {"ww.l": {}, "ww.r": {}}
        for feature, index in extractor.feature_to_idx.items():
            # "ww.l." and "ww.r." hold a dot of their own; no other template name does.
            name, _, value = feature.partition(".")
            if name == "ww":
                side, _, value = value.partition(".")
                pre, _, post = value.partition("*")
                pair_tables[f"ww.{side}"].setdefault(pre, {})[post] = index
            elif name in tables:
                tables[name][value] = index
            elif name in word_tables:
                word_tables[name][value] = index
        self.tables = tables
        self.word_tables = word_tables
        self.pair_tables = pair_tables
        self.normalised = _normaliser()

    def nodes(self, text: str) -> list[str]:
        """The sequence pkuseg labels: `FeatureExtractor.normalize_text` as a list."""
        normalised = self.normalised
        return [normalised.get(char, char) for char in FeatureExtractor.keyword_rename(text)]

    def __call__(self, nodes: Sequence[str]) -> list[list[int]]:
        """Each node's feature indices, as `FeatureExtractor.get_node_features_idx` gives them."""
        if not nodes:
            return []
        tables = self.tables
        pairs = [left + "." + right for left, right in itertools.pairwise(nodes)]
        length = len(nodes)
        # One column per template, in pkuseg's order, None where the template has no feature
        # or reaches outside the sentence (the last three are cut to a one-node sentence).
        columns = (
            list(map(tables["c"].get, nodes)),
            [None, *map(tables["c-1"].get, nodes[:-1])],
            [None, *map(tables["c-1c"].get, pairs)],
            [*map(tables["c1"].get, nodes[1:]), None],
            [*map(tables["cc1"].get, pairs), None],
            [None, None, *map(tables["c-2"].get, nodes[:-2])][:length],
            [None, None, *map(tables["c-2c-1"].get, pairs[:-1])][:length],
            [*map(tables["c2"].get, nodes[2:]), None, None][:length],
        )
        words = self._word_features(nodes) if self.word_features else [[]] * length
        return [
            [0, *[index for index in chars if index is not None], *word_features]
            for *chars, word_features in zip(*columns, words, strict=True)
        ]

    def _word_features(self, nodes: Sequence[str]) -> list[list[int]]:
        """Each node's dictionary-word feature indices, in pkuseg's order.

        pkuseg looks at the words of each length (longest first) that end at the node, start at
        it, end just before it and start just after it. Where a slice would leave the sentence it
        looks up the empty string instead (`get_slice_str`); a slice that is not a dictionary
        word stands as NO_WORD.
        """
        length = len(nodes)
        offsets = [0]
        for node in nodes:
            offsets.append(offsets[-1] + len(node))
        joined = "".join(nodes)
        unigram = self.unigram
        sizes = self.word_lengths
        outside = ("" if "" in unigram else NO_WORD,) * len(sizes)
        # columns[k][start]: the word of sizes[k] starting at `start`, or NO_WORD.
        columns = []
        for size in sizes:
            inside = range(max(length - size + 1, 0))
            column = [joined[offsets[start] : offsets[start + size]] for start in inside]
            # pkuseg looks up "" where the word would leave the sentence.
            column += [""] * (length - len(column))
            columns.append([word if word in unigram else NO_WORD for word in column])
        # starting[i]: the words starting at i, one more row past the end; ending[i + 1]: the
        # words ending at i, the first row before 0. Rows are tuples built by zip, in C.
        starting = [*zip(*columns, strict=True), outside]
        ending = [
            outside,
            *zip(
                *(
                    [outside[k]] * min(size - 1, length) + column[: max(length - size + 1, 0)]
                    for k, (size, column) in enumerate(zip(sizes, columns, strict=True))
                ),
                strict=True,
            ),
        ]
        blank = (NO_WORD,) * len(sizes)
        w_1, w1 = self.word_tables["w-1"].get, self.word_tables["w1"].get
        left, right = self.pair_tables["ww.l"], self.pair_tables["ww.r"]
        # Most words before and at a node are NO_WORD, and rows repeat (most are `blank`): the
        # pairs of NO_WORD with a row are looked up once per distinct row, and a `blank` row
        # adds them len(sizes) times, in pkuseg's order.
        rows = set(starting)
        left_of_no_word = {row: _found(left.get(NO_WORD, {}).get, row) for row in rows}
        right_of_no_word = {row: _found(right.get(NO_WORD, {}).get, row) for row in rows}
        features = []
        for i in range(length):
            before, ending_here, starting_here = ending[i], ending[i + 1], starting[i]
            found = [] if ending_here == blank else _found(w_1, _words(ending_here))
            if starting_here != blank:
                found += _found(w1, _words(starting_here))
            if before == blank:
                found += left_of_no_word[starting_here] * len(before)
            else:
                for pre in before:
                    if pre == NO_WORD:
                        found += left_of_no_word[starting_here]
                    elif pre in left:
                        found += _found(left[pre].get, starting_here)
            if ending_here == blank:
                found += right_of_no_word[starting[i + 1]] * len(ending_here)
            else:
                for pre in ending_here:
                    if pre == NO_WORD:
                        found += right_of_no_word[starting[i + 1]]
                    elif pre in right:
                        found += _found(right[pre].get, starting[i + 1])
            features.append(found)
        return features


def _words(row: Sequence[str]) -> list[str]:
    return [word for word in row if word != NO_WORD]


def _found(lookup: Callable[[str], int | None], keys: Sequence[str]) -> list[int]:
    """The indices `lookup` finds for `keys`, in order."""
    return [index for index in map(lookup, keys) if index is not None]


def _normaliser() -> dict[str, str]:
    """Characters pkuseg replaces by a class name before labelling (digits, letters)."""
    if not pkuseg_config.numLetterNorm:
        return {}
    classes = {char: "**Num" for char in FeatureExtractor.num}
    classes.update((char, "**Letter") for char in FeatureExtractor.letter - FeatureExtractor.num)
    return classes


class FastPkuseg(spacy_pkuseg.pkuseg):
    """A loaded pkuseg segmenter whose `_cut` extracts features a sentence at a time."""

    sentence_features: SentenceFeatures

    @classmethod
    def adopt(cls, segmenter: spacy_pkuseg.pkuseg) -> FastPkuseg:
        """The same segmenter (model, user dictionary, post-processing), with fast features."""
        if isinstance(segmenter, cls):
            return segmenter
        fast = cls.__new__(cls)
        fast.__dict__.update(segmenter.__dict__)
        fast.sentence_features = SentenceFeatures(segmenter.feature_extractor)
        return fast

    def _cut(self, text: str) -> list[str]:
        features = self.sentence_features
        _, tags = inference.decodeViterbi_fast(features(features.nodes(text)), self.model)
        words: list[str] = []
        for tag, char in zip(tags, text, strict=True):
            if words and "B" not in self.idx_to_tag[tag]:
                words[-1] += char
            else:
                words.append(char)
        return words


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
        super().from_bytes(data, **kwargs)
        fields = srsly.msgpack_loads(data)
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
        super().from_disk(path, **kwargs)
        table = Path(path) / SPLITS_FILE
        self.splits = SplitTable.from_disk(table) if table.exists() else SplitTable()
        read_punctuation_as_full_width(self.vocab)
        return self


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
