"""A saved pkuseg model loaded for segmentation only: what inference never reads stays packed.

`spacy_pkuseg.pkuseg(path)` decodes all of `features.msgpack` into Python objects: the 822,531
word bigrams (read only when pkuseg turns training text into features), and the 650,121
features as a dict, where the compiled segmenter (flows/nlp/pkuseg_features.pyx) reads each pair
once to build its own tables. It also loads its default dictionary, which the tokenizer's saved
processors then replace. `read_segmenter` builds the same `pkuseg` object without that work:
`PackedFeatureExtractor` keeps the bigrams and the feature index as the bytes they were read
from, decodes each the first time it is read (when the model is saved, or by pkuseg's own
Python feature extraction), and hands the compiled segmenter the feature pairs streamed from
those bytes; the loaded segmenter, and a model saved from it, are those of `pkuseg(path)`.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import spacy_pkuseg
import srsly
import srsly.msgpack
from spacy_pkuseg.feature_extractor import FeatureExtractor
from spacy_pkuseg.model import Model

FEATURES_FILE = "features.msgpack"
WEIGHTS_FILE = "weights.npz"


class PackedFeatureIndex:
    """pkuseg's feature index (`feature_to_idx`) as its msgpack bytes: its size, and its
    (feature, index) pairs decoded one by one in the dict's order, none kept."""

    def __init__(self, data: bytes | memoryview) -> None:
        self.data = data
        self._size = int(self._unpacker().read_map_header())

    def _unpacker(self) -> srsly.msgpack.Unpacker:
        unpacker = srsly.msgpack.Unpacker(raw=False, max_buffer_size=len(self.data))
        unpacker.feed(self.data)
        return unpacker

    def __len__(self) -> int:
        return self._size

    def items(self) -> Iterator[tuple[str, int]]:
        unpacker = self._unpacker()
        for _ in range(unpacker.read_map_header()):
            feature = unpacker.unpack()
            yield feature, unpacker.unpack()


class PackedFeatureExtractor(FeatureExtractor):
    """pkuseg's `FeatureExtractor` read from the bytes of `features.msgpack`: `unigram` and
    `tag_to_idx` decoded, `bigram` and `feature_to_idx` kept as bytes and decoded when first
    read (saving the model, pkuseg's own feature extraction); `feature_index` streams them."""

    def __init__(self, data: bytes) -> None:
        unpacker = srsly.msgpack.Unpacker(raw=False, max_buffer_size=len(data))
        unpacker.feed(data)
        view = memoryview(data)  # sections without copies
        sections = {}
        for _ in range(unpacker.read_map_header()):
            key = unpacker.unpack()
            start = unpacker.tell()
            unpacker.skip()
            sections[key] = view[start : unpacker.tell()]
        self.unigram = set(srsly.msgpack_loads(sections["unigram"]))
        self.tag_to_idx = srsly.msgpack_loads(sections["tag_to_idx"])
        self.feature_index = PackedFeatureIndex(sections["feature_to_idx"])
        self._bigram_data = sections["bigram"]
        self._data = data

    @functools.cached_property
    def bigram(self) -> set[str]:  # type: ignore[override]
        return set(srsly.msgpack_loads(self._bigram_data))

    @functools.cached_property
    def feature_to_idx(self) -> dict[str, int]:  # type: ignore[override]
        return srsly.msgpack_loads(self.feature_index.data)

    def __reduce__(self) -> tuple[type[PackedFeatureExtractor], tuple[bytes]]:
        return PackedFeatureExtractor, (self._data,)


def read_weights(weights: Path | bytes) -> Model:
    """pkuseg's CRF weights from `weights.npz` (as `Model.load` reads them)."""
    model = Model.__new__(Model)
    with np.load(io.BytesIO(weights) if isinstance(weights, bytes) else weights) as npz:
        model.n_tag, model.n_feature = int(npz["sizes"][0]), int(npz["sizes"][1])
        model.w = npz["w"]
    model.n_transition_feature = model.n_tag * (model.n_feature + model.n_tag)
    assert model.w.shape[0] == model.n_transition_feature
    return model


def read_segmenter(
    features: bytes, weights: Path | bytes, processors: list[Any]
) -> spacy_pkuseg.pkuseg:
    """The `pkuseg` that spaCy's Chinese tokenizer loads from its `pkuseg_model` (`features`,
    `weights`) and `pkuseg_processors` (user dictionary and post-processing word lists)."""
    user_dict, do_process, common_words, other_words = processors
    segmenter = spacy_pkuseg.pkuseg.__new__(spacy_pkuseg.pkuseg)
    segmenter.postag = False
    segmenter.preprocesser = spacy_pkuseg.Preprocesser(user_dict)
    segmenter.postprocesser = spacy_pkuseg.Postprocesser(None, None)
    segmenter.postprocesser.do_process = do_process
    segmenter.postprocesser.common_words = set(common_words)
    segmenter.postprocesser.other_words = set(other_words)
    extractor = PackedFeatureExtractor(features)
    segmenter.feature_extractor = extractor
    segmenter.model = read_weights(weights)
    segmenter.idx_to_tag = {index: tag for tag, index in extractor.tag_to_idx.items()}
    segmenter.n_feature = len(extractor.feature_index)
    segmenter.n_tag = len(extractor.tag_to_idx)
    return segmenter
