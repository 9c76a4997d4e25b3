# distutils: language = c++
# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""pkuseg's segmentation of one sentence (CRF node scores, Viterbi, words), compiled.

The features of each character come from `PkusegFeatures` (flows/nlp/pkuseg_features.pyx) in
pkuseg's order, so the node scores (the same sums, in the same order, as spacy-pkuseg's
`getLogYY`), spacy-pkuseg's own `run_viterbi` and therefore the words are what spacy-pkuseg
gives.
"""

from libc.stdint cimport int32_t, int64_t
from libcpp.vector cimport vector

import numpy as np
from spacy_pkuseg.inference import getLogYY, run_viterbi

from flows.nlp.pkuseg_features cimport PkusegFeatures


cdef class PkusegCRF:
    """A loaded pkuseg model's feature tables and weights, and the sentence segmentation that
    reads them.

    `extractor` is the model's `FeatureExtractor` (its `feature_to_idx` and `unigram`, and its
    text normalisation), `weights` the CRF weights (`Model.w`), `tag_names` the tag of each tag
    index; `word_min`, `word_max` and `word_features` are pkuseg's config of the model.
    `features`, when given, stands for `extractor.feature_to_idx`: anything with its `len` and
    its `items()` (flows/nlp/pkuseg_model.py streams them from the saved bytes).
    """

    cdef readonly object extractor
    cdef readonly object weights
    cdef readonly object tag_names
    cdef readonly int word_min, word_max
    cdef readonly bint word_features
    cdef PkusegFeatures tables
    cdef int n_tags
    cdef vector[char] begins  # whether a tag starts a word ("B" in its name)
    cdef object edge_score

    def __init__(
        self,
        extractor,
        weights,
        tag_names,
        int word_min,
        int word_max,
        bint word_features,
        features=None,
    ):
        self.extractor = extractor
        self.weights = np.ascontiguousarray(weights, dtype=np.float64)
        self.tag_names = dict(tag_names)
        self.word_min, self.word_max, self.word_features = word_min, word_max, word_features
        if features is None:
            features = extractor.feature_to_idx
        self.tables = PkusegFeatures(extractor, word_min, word_max, word_features, features)
        self.n_tags = len(self.tag_names)
        self.begins = [("B" in self.tag_names[tag]) for tag in range(self.n_tags)]
        # The transition scores do not depend on the sentence: getLogYY of no nodes gives them.
        _, self.edge_score = getLogYY(
            [], self.n_tags, len(features) * self.n_tags, self.weights, 1.0
        )

    def __reduce__(self):
        return (
            PkusegCRF,
            (
                self.extractor,
                self.weights,
                self.tag_names,
                self.word_min,
                self.word_max,
                self.word_features,
            ),
        )

    def features(self, str text) -> list:
        """Each character's feature indices, as `get_node_features_idx` gives them for the nodes
        of `FeatureExtractor.normalize_text(text)`."""
        return self.tables.features(text)

    def cut(self, str text) -> list:
        """The words of `text` (one sentence, no whitespace) as spacy-pkuseg's `_cut` makes them."""
        cdef vector[int32_t] nodes = self.tables.nodes(text)
        cdef int n = nodes.size()
        if n == 0:
            return []
        cdef vector[int32_t] features, starts
        self.tables.node_features(nodes, features, starts)
        node_score = np.zeros((n, self.n_tags), dtype=np.float64)
        cdef double[:, ::1] scores = node_score
        cdef const double[::1] weights = self.weights
        cdef int T = self.n_tags
        cdef int i, j, s
        cdef int64_t row
        for i in range(n):
            for j in range(starts[i], starts[i + 1]):
                row = <int64_t>features[j] * T
                for s in range(T):
                    scores[i, s] += weights[row + s]
        _, tags = run_viterbi(node_score, self.edge_score)
        cdef const int[::1] tag_of = tags
        words = []
        cdef Py_ssize_t begin = 0
        for i in range(1, n):
            if self.begins[tag_of[i]]:
                words.append(text[begin:i])
                begin = i
        words.append(text[begin:])
        return words
