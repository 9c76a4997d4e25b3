# cython: language_level=3
"""`PkusegFeatures` declared for the modules that read its tables (flows/nlp/pkuseg_crf.pyx)."""

from libc.stdint cimport int32_t, uint64_t
from libcpp.vector cimport vector


cdef extern from "pkuseg_tables.h":
    cdef cppclass FlatMap:
        int32_t get(uint64_t key) nogil
        void set(uint64_t key, int32_t value) nogil

    cdef cppclass WordPairs:
        FlatMap by_words
        vector[int32_t] after_no_word
        vector[char] has_pairs


cdef class PkusegFeatures:
    cdef int word_min, word_max
    cdef bint word_features
    cdef int n_sizes
    cdef vector[int32_t] bmp_node  # node id of each BMP character, NO_ID where none
    cdef FlatMap astral_node
    cdef vector[char] renamed  # BMP characters that pkuseg renames or folds into a class
    cdef dict class_ids  # "**Num", "**Letter": node id, NO_ID until seen
    cdef int32_t n_nodes
    cdef vector[int32_t] char_table  # [node * 5 + template] for CHAR_TEMPLATES
    # PAIR_TEMPLATES, by (left, right). (C++ members cannot be arrays: Cython would not
    # construct them.)
    cdef FlatMap left_pairs, right_pairs, skip_pairs
    cdef FlatMap trie  # (state, node) -> state; state 0 is the root
    cdef vector[int32_t] word_of_state  # word id a trie state spells, NO_ID where none
    # Word ids of "**noWord", of "" (NO_ID unless a dictionary word) and of a slice out of the
    # sentence ("" if a word, else "**noWord").
    cdef int32_t no_word, empty_word, outside
    cdef vector[int32_t] ending_words, starting_words  # "w-1" and "w1" by word id
    cdef WordPairs left_words, right_words  # "ww.l" and "ww.r"

    cdef _build(self, extractor, features)
    cdef int32_t _node_id(self, str text, Py_ssize_t start, Py_ssize_t end)
    cdef int32_t _word_id(self, str text, Py_ssize_t start, Py_ssize_t end)
    cdef inline int32_t _new_node(self)
    cdef bint _word_nodes(self, str word, vector[int32_t]& nodes)
    cdef vector[int32_t] nodes(self, str text)
    cdef void node_features(
        self, vector[int32_t]& nodes, vector[int32_t]& features, vector[int32_t]& starts
    ) noexcept
    cdef inline int32_t _word(self, vector[int32_t]& words, int n, int start, int k) noexcept
    cdef inline void _pairs(
        self, WordPairs& pairs, int32_t* pres, int32_t* posts, int K, vector[int32_t]& features
    ) noexcept
