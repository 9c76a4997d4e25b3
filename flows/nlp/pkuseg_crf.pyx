# distutils: language = c++
# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""pkuseg's segmentation of one sentence (CRF features, node scores, words), compiled.

spacy-pkuseg builds each character's CRF feature names as strings ("c-1c.中.国",
"ww.l.**noWord*中国", about 80 of them) and looks every one up in a dict of 650k names
(`FeatureExtractor.get_node_features_idx`). `PkusegCRF` reads that dict once, when the model
is loaded, into integer tables: each node (character, or "**Num"/"**Letter" for the characters
pkuseg folds into a class) gets an id, each dictionary word of wordMin..wordMax nodes a word id
found by walking a trie, and each template a table from ids to the feature index. The feature
indices of a node come out in pkuseg's order, so the node scores (the same sums, in the same
order, as spacy-pkuseg's `getLogYY`), spacy-pkuseg's own `run_viterbi` and therefore the words
are what spacy-pkuseg gives.
"""

from cython.operator cimport dereference as deref
from libc.stdint cimport int32_t, int64_t, uint32_t, uint64_t
from libcpp.unordered_map cimport unordered_map
from libcpp.vector cimport vector

import numpy as np
from spacy_pkuseg.inference import getLogYY, run_viterbi

DEF NO_ID = -1
NO_WORD = "**noWord"
# pkuseg's templates that read one node: the node, one and two before, one and two after.
CHAR_TEMPLATES = ("c", "c-1", "c1", "c-2", "c2")
# Those that read two neighbouring nodes, "<template>.<left>.<right>".
PAIR_TEMPLATES = ("c-1c", "cc1", "c-2c-1")


cdef inline uint64_t pair_key(int32_t left, int32_t right) noexcept nogil:
    return (<uint64_t>(<uint32_t>left) << 32) | <uint64_t>(<uint32_t>right)


cdef inline int32_t lookup(unordered_map[uint64_t, int32_t]& table, uint64_t key) noexcept nogil:
    cdef unordered_map[uint64_t, int32_t].iterator found = table.find(key)
    if found == table.end():
        return NO_ID
    return deref(found).second


cdef extern from *:
    """
    #include <cstdint>
    #include <unordered_map>
    #include <vector>
    struct WordPairs {
        std::unordered_map<uint64_t, int32_t> by_words;
        std::vector<int32_t> after_no_word;
        std::vector<char> has_pairs;
    };
    """
    # One side of pkuseg's word-pair features ("ww.l" or "ww.r"): the index of (pre, post) by
    # word ids, kept by post for the common pre "**noWord", and whether a pre has any.
    cdef cppclass WordPairs:
        unordered_map[uint64_t, int32_t] by_words
        vector[int32_t] after_no_word
        vector[char] has_pairs


cdef class PkusegCRF:
    """A loaded pkuseg model's feature tables, and the sentence segmentation that reads them.

    `extractor` is the model's `FeatureExtractor` (its `feature_to_idx` and `unigram`, and its
    text normalisation), `weights` the CRF weights (`Model.w`), `tag_names` the tag of each tag
    index; `word_min`, `word_max` and `word_features` are pkuseg's config of the model.
    """

    cdef readonly object extractor
    cdef readonly object weights
    cdef readonly object tag_names
    cdef readonly int word_min, word_max
    cdef readonly bint word_features
    cdef int n_sizes, n_tags
    cdef vector[int32_t] bmp_node  # node id of each BMP character, NO_ID where none
    cdef unordered_map[uint64_t, int32_t] astral_node
    cdef vector[int32_t] char_table  # [node * 5 + template] for CHAR_TEMPLATES
    # PAIR_TEMPLATES, by (left, right). (C++ members cannot be arrays: Cython would not
    # construct them.)
    cdef unordered_map[uint64_t, int32_t] left_pairs, right_pairs, skip_pairs
    cdef unordered_map[uint64_t, int32_t] trie  # (state, node) -> state; state 0 is the root
    cdef vector[int32_t] word_of_state  # word id a trie state spells, NO_ID where none
    cdef int32_t no_word, outside  # word ids of "**noWord" and of a slice out of the sentence
    cdef vector[int32_t] ending_words, starting_words  # "w-1" and "w1" by word id
    cdef WordPairs left_words, right_words  # "ww.l" and "ww.r"
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
    ):
        self.extractor = extractor
        self.weights = np.ascontiguousarray(weights, dtype=np.float64)
        self.tag_names = dict(tag_names)
        self.word_min, self.word_max, self.word_features = word_min, word_max, word_features
        self.n_sizes = max(word_max - word_min + 1, 0)
        self.n_tags = len(self.tag_names)
        self.begins = [("B" in self.tag_names[tag]) for tag in range(self.n_tags)]
        n_features = len(extractor.feature_to_idx)
        # The transition scores do not depend on the sentence: getLogYY of no nodes gives them.
        _, self.edge_score = getLogYY([], self.n_tags, n_features * self.n_tags, self.weights, 1.0)
        self._build(extractor)

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

    cdef _build(self, extractor):
        # A character's node: pkuseg renames some characters and folds digits and letters into
        # a class ("**Num"); every other character is its own node.
        special = set(extractor.keywords) | set(extractor.num) | set(extractor.letter)
        node_of_special = {char: next(iter(extractor.normalize_text(char))) for char in special}
        classes = sorted({node for node in node_of_special.values() if len(node) > 1})
        node_ids: dict = {}

        def node_id(str node):
            """The id of a string that can be a node, else None."""
            found = node_ids.get(node)
            if found is not None:
                return found
            if len(node) == 1:
                if node_of_special.get(node, node) != node:
                    return None
            elif node not in classes:
                return None
            found = node_ids[node] = len(node_ids)
            return found

        def word_nodes(str word):
            """The ids of the nodes that joined make `word`, else None (no node sequence does).
            The classes start with "*", which pkuseg renames in the text, so the reading is
            unique."""
            nodes = []
            position = 0
            while position < len(word):
                for name in classes:
                    if word.startswith(name, position):
                        nodes.append(node_id(name))
                        position += len(name)
                        break
                else:
                    found = node_id(word[position])
                    if found is None:
                        return None
                    nodes.append(found)
                    position += 1
            return nodes

        # Words of wordMin..wordMax nodes are the only slices looked up; "" stands for a slice
        # that leaves the sentence.
        word_ids: dict = {}
        cdef int32_t state, child
        cdef uint64_t key
        self.word_of_state.push_back(NO_ID)
        if self.word_features:
            for word in extractor.unigram:
                nodes = word_nodes(word)
                if nodes is None or not self.word_min <= len(nodes) <= self.word_max:
                    continue
                word_ids[word] = len(word_ids)
                state = 0
                for node in nodes:
                    key = pair_key(state, node)
                    if self.trie.count(key):
                        state = self.trie[key]
                    else:
                        child = self.word_of_state.size()
                        self.word_of_state.push_back(NO_ID)
                        self.trie[key] = child
                        state = child
                self.word_of_state[state] = word_ids[word]
        if "" in extractor.unigram:
            word_ids[""] = len(word_ids)
        self.no_word = len(word_ids)
        word_ids[NO_WORD] = self.no_word
        self.outside = word_ids.get("", self.no_word)
        cdef int n_words = len(word_ids)
        self.ending_words.assign(n_words, NO_ID)
        self.starting_words.assign(n_words, NO_ID)
        self.left_words.after_no_word.assign(n_words, NO_ID)
        self.left_words.has_pairs.assign(n_words, 0)
        self.right_words.after_no_word.assign(n_words, NO_ID)
        self.right_words.has_pairs.assign(n_words, 0)

        char_features = []
        char_template = {name: k for k, name in enumerate(CHAR_TEMPLATES)}
        pair_template = {name: k for k, name in enumerate(PAIR_TEMPLATES)}
        cdef int32_t index
        cdef int k
        cdef unordered_map[uint64_t, int32_t]* table
        cdef WordPairs* pairs
        for feature, index in extractor.feature_to_idx.items():
            # Node strings hold no "." (pkuseg renames it), template names neither.
            name, _, value = feature.partition(".")
            k = char_template.get(name, -1)
            if k >= 0:
                node = node_id(value)
                if node is not None:
                    char_features.append((node, k, index))
                continue
            k = pair_template.get(name, -1)
            if k >= 0:
                # Every reading of "<left>.<right>" as two nodes finds this index in pkuseg.
                table = &self.left_pairs if k == 0 else &self.right_pairs if k == 1 else &self.skip_pairs
                for left_node, right_node in _splits(value, ".", node_id):
                    table[0][pair_key(left_node, right_node)] = index
                continue
            if name == "w-1" or name == "w1":
                found = word_ids.get(value)
                if found is not None and found != self.no_word:
                    if name == "w-1":
                        self.ending_words[found] = index
                    else:
                        self.starting_words[found] = index
            elif name == "ww" and self.word_features:
                side, _, value = value.partition(".")
                if side not in ("l", "r"):
                    continue
                pairs = &self.left_words if side == "l" else &self.right_words
                for pre, post in _splits(value, "*", word_ids.get):
                    pairs.has_pairs[pre] = 1
                    if pre == self.no_word:
                        pairs.after_no_word[post] = index
                    else:
                        pairs.by_words[pair_key(pre, post)] = index
        self.char_table.assign(len(node_ids) * 5, NO_ID)
        for node, k, index in char_features:
            self.char_table[node * 5 + k] = index
        self.bmp_node.assign(0x10000, NO_ID)
        for node, found in node_ids.items():
            if len(node) == 1:
                self._set_node(ord(node), found)
        for char, node in node_of_special.items():
            self._set_node(ord(char), node_ids.get(node, NO_ID))

    cdef void _set_node(self, int64_t codepoint, int32_t node):
        if codepoint < 0x10000:
            self.bmp_node[codepoint] = node
        else:
            self.astral_node[<uint64_t>codepoint] = node

    cdef vector[int32_t] _nodes(self, str text):
        cdef vector[int32_t] nodes
        cdef Py_UCS4 char
        cdef unordered_map[uint64_t, int32_t].iterator found
        nodes.reserve(len(text))
        for char in text:
            if char < 0x10000:
                nodes.push_back(self.bmp_node[char])
            else:
                found = self.astral_node.find(<uint64_t>char)
                nodes.push_back(NO_ID if found == self.astral_node.end() else deref(found).second)
        return nodes

    cdef void _features(
        self, vector[int32_t]& nodes, vector[int32_t]& features, vector[int32_t]& starts
    ) noexcept:
        """Each node's feature indices in pkuseg's order: node i's are
        features[starts[i]:starts[i + 1]]."""
        cdef int n = nodes.size()
        cdef int K = self.n_sizes
        cdef int i, k, j, size, start, step, index
        cdef int32_t node, other, state, pre, post
        cdef uint64_t key
        cdef unordered_map[uint64_t, int32_t].iterator found
        # words[start * K + k]: the word id of the slice of sizes[k] nodes from `start`.
        cdef vector[int32_t] words
        cdef int32_t pre_in[32]
        cdef int32_t post_in[32]
        cdef int32_t pre_ex[32]
        cdef int32_t post_ex[32]
        cdef int32_t* char_table = self.char_table.data()
        if self.word_features:
            words.assign(n * K, self.no_word)
            for start in range(n):
                for k in range(K):
                    if start + self.word_max - k > n:
                        words[start * K + k] = self.outside
                state = 0
                for step in range(self.word_max):
                    if start + step >= n or nodes[start + step] == NO_ID:
                        break
                    found = self.trie.find(pair_key(state, nodes[start + step]))
                    if found == self.trie.end():
                        break
                    state = deref(found).second
                    size = step + 1
                    if size >= self.word_min and self.word_of_state[state] != NO_ID:
                        words[start * K + self.word_max - size] = self.word_of_state[state]
        starts.push_back(features.size())
        for i in range(n):
            node = nodes[i]
            features.push_back(0)
            if node != NO_ID and char_table[node * 5] != NO_ID:
                features.push_back(char_table[node * 5])
            if i > 0:
                other = nodes[i - 1]
                if other != NO_ID:
                    if char_table[other * 5 + 1] != NO_ID:
                        features.push_back(char_table[other * 5 + 1])
                    if node != NO_ID:
                        index = lookup(self.left_pairs, pair_key(other, node))
                        if index != NO_ID:
                            features.push_back(index)
            if i + 1 < n:
                other = nodes[i + 1]
                if other != NO_ID:
                    if char_table[other * 5 + 2] != NO_ID:
                        features.push_back(char_table[other * 5 + 2])
                    if node != NO_ID:
                        index = lookup(self.right_pairs, pair_key(node, other))
                        if index != NO_ID:
                            features.push_back(index)
            if i > 1:
                other = nodes[i - 2]
                if other != NO_ID:
                    if char_table[other * 5 + 3] != NO_ID:
                        features.push_back(char_table[other * 5 + 3])
                    if nodes[i - 1] != NO_ID:
                        index = lookup(self.skip_pairs, pair_key(other, nodes[i - 1]))
                        if index != NO_ID:
                            features.push_back(index)
            if i + 2 < n:
                other = nodes[i + 2]
                if other != NO_ID and char_table[other * 5 + 4] != NO_ID:
                    features.push_back(char_table[other * 5 + 4])
            if not self.word_features:
                starts.push_back(features.size())
                continue
            for k in range(K):
                size = self.word_max - k
                pre_in[k] = self._word(words, n, i - size + 1, k)
                post_in[k] = self._word(words, n, i, k)
                pre_ex[k] = self._word(words, n, i - size, k)
                post_ex[k] = self._word(words, n, i + 1, k)
            for k in range(K):
                if self.ending_words[pre_in[k]] != NO_ID:
                    features.push_back(self.ending_words[pre_in[k]])
            for k in range(K):
                if self.starting_words[post_in[k]] != NO_ID:
                    features.push_back(self.starting_words[post_in[k]])
            self._pairs(self.left_words, pre_ex, post_in, K, features)
            self._pairs(self.right_words, pre_in, post_ex, K, features)
            starts.push_back(features.size())

    cdef inline int32_t _word(self, vector[int32_t]& words, int n, int start, int k) noexcept:
        if start < 0 or start >= n:
            return self.outside
        return words[start * self.n_sizes + k]

    cdef inline void _pairs(
        self, WordPairs& pairs, int32_t* pres, int32_t* posts, int K, vector[int32_t]& features
    ) noexcept:
        cdef int j, k
        cdef int32_t pre, index
        for j in range(K):
            pre = pres[j]
            if not pairs.has_pairs[pre]:
                continue
            for k in range(K):
                if pre == self.no_word:
                    index = pairs.after_no_word[posts[k]]
                else:
                    index = lookup(pairs.by_words, pair_key(pre, posts[k]))
                if index != NO_ID:
                    features.push_back(index)

    def features(self, str text) -> list:
        """Each character's feature indices, as `get_node_features_idx` gives them for the nodes
        of `FeatureExtractor.normalize_text(text)`."""
        cdef vector[int32_t] nodes = self._nodes(text)
        cdef vector[int32_t] features, starts
        self._features(nodes, features, starts)
        return [
            [features[j] for j in range(starts[i], starts[i + 1])] for i in range(nodes.size())
        ]

    def cut(self, str text) -> list:
        """The words of `text` (one sentence, no whitespace) as spacy-pkuseg's `_cut` makes them."""
        cdef vector[int32_t] nodes = self._nodes(text)
        cdef int n = nodes.size()
        if n == 0:
            return []
        cdef vector[int32_t] features, starts
        self._features(nodes, features, starts)
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


def _splits(str value, str separator, lookup):
    """The readings of `value` as two keys joined by `separator` that `lookup` knows, as the
    pairs of what it returns for them."""
    position = value.find(separator)
    while position >= 0:
        left, right = lookup(value[:position]), lookup(value[position + 1 :])
        if left is not None and right is not None:
            yield left, right
        position = value.find(separator, position + 1)
