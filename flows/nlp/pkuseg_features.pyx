# distutils: language = c++
# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""pkuseg's CRF features of each character of a sentence, compiled.

spacy-pkuseg builds each character's CRF feature names as strings ("c-1c.中.国",
"ww.l.**noWord*中国", about 80 of them) and looks every one up in a dict of 650k names
(`FeatureExtractor.get_node_features_idx`). `PkusegFeatures` reads that dict once, when the
model is loaded, into integer tables: each node (character, or "**Num"/"**Letter" for the
characters pkuseg folds into a class) gets an id, each dictionary word of wordMin..wordMax nodes
a word id found by walking a trie, and each template a table from ids to the feature index. The
feature indices of a node come out in pkuseg's order, which flows/nlp/pkuseg_crf.pyx relies on.
"""

from libc.stdint cimport int32_t, uint32_t, uint64_t
from libcpp.vector cimport vector

DEF NO_ID = -1
DEF MAX_SIZES = 32  # word lengths wordMin..wordMax a model may have

NO_WORD = "**noWord"
# pkuseg's templates that read one node: the node, one and two before, one and two after.
CHAR_TEMPLATES = ("c", "c-1", "c1", "c-2", "c2")
# Those that read two neighbouring nodes, "<template>.<left>.<right>".
PAIR_TEMPLATES = ("c-1c", "cc1", "c-2c-1")


cdef inline uint64_t pair_key(int32_t left, int32_t right) noexcept nogil:
    return (<uint64_t>(<uint32_t>left) << 32) | <uint64_t>(<uint32_t>right)


cdef inline void push_found(vector[int32_t]& features, int32_t index) noexcept nogil:
    if index != NO_ID:
        features.push_back(index)


cdef int _template(str feature, Py_ssize_t dot):
    """The template of `feature`, named feature[:dot]: 0-4 CHAR_TEMPLATES, 5-7 PAIR_TEMPLATES,
    8 "w-1", 9 "w1", 10 "ww", -1 any other."""
    cdef Py_UCS4 first = feature[0]
    if dot == 1:
        return 0 if first == "c" else -1
    cdef Py_UCS4 second = feature[1]
    if dot == 2:
        if first == "c":
            return 2 if second == "1" else 4 if second == "2" else -1
        if first == "w":
            return 9 if second == "1" else 10 if second == "w" else -1
        return -1
    cdef Py_UCS4 third = feature[2]
    if dot == 3:
        if first == "c" and second == "-":
            return 1 if third == "1" else 3 if third == "2" else -1
        if first == "c" and second == "c" and third == "1":
            return 6
        return 8 if first == "w" and second == "-" and third == "1" else -1
    if dot == 4:
        return 5 if feature.startswith("c-1c.") else -1
    if dot == 6:
        return 7 if feature.startswith("c-2c-1.") else -1
    return -1


cdef class PkusegFeatures:
    """A loaded pkuseg model's feature dictionary as integer tables (pkuseg_features.pxd lists
    them), and each node's feature indices read from them.

    `extractor` is the model's `FeatureExtractor` (its `feature_to_idx` and `unigram`, and its
    text normalisation); `word_min`, `word_max` and `word_features` are pkuseg's config of the
    model. `features`, when given, stands for `extractor.feature_to_idx`: anything with its
    `items()` (flows/nlp/pkuseg_model.py streams them from the saved bytes).
    """

    def __init__(self, extractor, int word_min, int word_max, bint word_features, features=None):
        self.word_min, self.word_max, self.word_features = word_min, word_max, word_features
        self.n_sizes = max(word_max - word_min + 1, 0)
        if self.n_sizes > MAX_SIZES:
            raise ValueError(f"pkuseg word lengths {word_min}..{word_max}: at most {MAX_SIZES}")
        self._build(extractor, extractor.feature_to_idx if features is None else features)

    cdef _build(self, extractor, features):
        # A character's node: pkuseg renames some characters and folds digits and letters into
        # a class ("**Num"); every other character is its own node, and its node id is kept by
        # code point (bmp_node, astral_node) while the tables are read.
        special = set(extractor.keywords) | set(extractor.num) | set(extractor.letter)
        node_of_special = {char: next(iter(extractor.normalize_text(char))) for char in special}
        self.class_ids = {name: NO_ID for name in node_of_special.values() if len(name) > 1}
        self.n_nodes = 0
        self.bmp_node.assign(0x10000, NO_ID)
        self.renamed.assign(0x10000, 0)
        for char, node_name in node_of_special.items():
            if ord(char) >= 0x10000:
                raise ValueError(f"pkuseg renames {char!r}, outside the BMP")
            if node_name != char:
                self.renamed[ord(char)] = 1  # never a node itself

        # Words of wordMin..wordMax nodes are the only slices looked up; "" stands for a slice
        # that leaves the sentence.
        cdef int32_t n_words = 0
        cdef vector[int32_t] nodes
        cdef int32_t state, node
        cdef int32_t found
        self.word_of_state.push_back(NO_ID)
        if self.word_features:
            for word in extractor.unigram:
                if not self._word_nodes(word, nodes):
                    continue
                if not self.word_min <= nodes.size() <= self.word_max:
                    continue
                state = 0
                for node in nodes:
                    found = self.trie.get(pair_key(state, node))
                    if found != NO_ID:
                        state = found
                    else:
                        self.trie.set(pair_key(state, node), self.word_of_state.size())
                        state = self.word_of_state.size()
                        self.word_of_state.push_back(NO_ID)
                if self.word_of_state[state] == NO_ID:
                    self.word_of_state[state] = n_words
                    n_words += 1
        self.empty_word = n_words if "" in extractor.unigram else NO_ID
        n_words += self.empty_word != NO_ID
        self.no_word = n_words
        n_words += 1
        self.outside = self.no_word if self.empty_word == NO_ID else self.empty_word
        self.ending_words.assign(n_words, NO_ID)
        self.starting_words.assign(n_words, NO_ID)
        self.left_words.after_no_word.assign(n_words, NO_ID)
        self.left_words.has_pairs.assign(n_words, 0)
        self.right_words.after_no_word.assign(n_words, NO_ID)
        self.right_words.has_pairs.assign(n_words, 0)

        cdef vector[int32_t] char_nodes, char_templates, char_indices
        cdef int32_t index, left, right, pre, post
        cdef int k
        cdef Py_ssize_t dot, split, end
        cdef str feature
        cdef FlatMap* table
        cdef WordPairs* pairs
        for feature, index in features.items():
            # Node strings hold no "." (pkuseg renames it), template names neither.
            dot = feature.find(".")
            if dot < 0:
                continue  # "$$", which pkuseg adds as index 0 itself
            k = _template(feature, dot)
            end = len(feature)
            if 0 <= k < 5:
                node = self._node_id(feature, dot + 1, end)
                if node != NO_ID:
                    char_nodes.push_back(node)
                    char_templates.push_back(k)
                    char_indices.push_back(index)
            elif k < 8:
                table = &self.left_pairs if k == 5 else &self.right_pairs if k == 6 else &self.skip_pairs
                # Every reading of "<left>.<right>" as two nodes finds this index in pkuseg.
                split = feature.find(".", dot + 1)
                while split >= 0:
                    left = self._node_id(feature, dot + 1, split)
                    right = self._node_id(feature, split + 1, end)
                    if left != NO_ID and right != NO_ID:
                        table.set(pair_key(left, right), index)
                    split = feature.find(".", split + 1)
            elif k < 10:
                pre = self._word_id(feature, dot + 1, end)
                if pre != NO_ID and pre != self.no_word:
                    if k == 8:
                        self.ending_words[pre] = index
                    else:
                        self.starting_words[pre] = index
            elif k == 10 and self.word_features and end > dot + 2 and feature[dot + 2] == ".":
                if feature[dot + 1] == "l":
                    pairs = &self.left_words
                elif feature[dot + 1] == "r":
                    pairs = &self.right_words
                else:
                    continue
                # Every reading of "<pre>*<post>" as two words finds this index in pkuseg.
                split = feature.find("*", dot + 3)
                while split >= 0:
                    pre = self._word_id(feature, dot + 3, split)
                    post = self._word_id(feature, split + 1, end)
                    if pre != NO_ID and post != NO_ID:
                        pairs.has_pairs[pre] = 1
                        if pre == self.no_word:
                            pairs.after_no_word[post] = index
                        else:
                            pairs.by_words.set(pair_key(pre, post), index)
                    split = feature.find("*", split + 1)
        self.char_table.assign(self.n_nodes * 5, NO_ID)
        for k in range(char_nodes.size()):
            self.char_table[char_nodes[k] * 5 + char_templates[k]] = char_indices[k]
        # A renamed character reads as the node it is renamed to.
        for char, node_name in node_of_special.items():
            if node_name != char:
                self.bmp_node[ord(char)] = self._node_id(node_name, 0, len(node_name))

    cdef int32_t _node_id(self, str text, Py_ssize_t start, Py_ssize_t end):
        """The id of text[start:end] as a node (a new one when first seen), else NO_ID."""
        cdef Py_UCS4 char
        cdef int32_t found
        if end - start != 1:
            name = text[start:end]
            if name not in self.class_ids:
                return NO_ID
            if self.class_ids[name] == NO_ID:
                self.class_ids[name] = self._new_node()
            return self.class_ids[name]
        char = text[start]
        if char < 0x10000:
            if self.renamed[char]:
                return NO_ID
            if self.bmp_node[char] == NO_ID:
                self.bmp_node[char] = self._new_node()
            return self.bmp_node[char]
        found = self.astral_node.get(<uint64_t>char)
        if found != NO_ID:
            return found
        self.astral_node.set(<uint64_t>char, self._new_node())
        return self.n_nodes - 1

    cdef int32_t _word_id(self, str text, Py_ssize_t start, Py_ssize_t end):
        """The word id of text[start:end], NO_ID where no slice of nodes is that word."""
        cdef Py_UCS4 char
        cdef int32_t state = 0, node
        cdef int32_t found
        if start == end:
            return self.empty_word
        if end - start == len(NO_WORD) and text.startswith(NO_WORD, start):
            return self.no_word
        while start < end:
            char = text[start]
            node = NO_ID
            if char == "*":
                for name in self.class_ids:
                    if text.startswith(name, start, end):
                        node = self.class_ids[name]
                        start += len(name)
                        break
            else:
                # The dictionary words have given every character of theirs a node id.
                if char < 0x10000:
                    node = NO_ID if self.renamed[char] else self.bmp_node[char]
                else:
                    node = self.astral_node.get(<uint64_t>char)
                start += 1
            if node == NO_ID:
                return NO_ID
            state = self.trie.get(pair_key(state, node))
            if state == NO_ID:
                return NO_ID
        return self.word_of_state[state]

    cdef inline int32_t _new_node(self):
        self.n_nodes += 1
        return self.n_nodes - 1

    cdef bint _word_nodes(self, str word, vector[int32_t]& nodes):
        """Whether some nodes joined make `word`, and then their ids in `nodes`. The classes
        start with "*", which pkuseg renames in the text, so the reading is unique."""
        cdef Py_ssize_t position = 0, length = len(word)
        cdef int32_t node
        nodes.clear()
        while position < length:
            if word[position] == "*":
                for name in self.class_ids:
                    if word.startswith(name, position):
                        nodes.push_back(self._node_id(name, 0, len(name)))
                        position += len(name)
                        break
                else:
                    return False
                continue
            node = self._node_id(word, position, position + 1)
            if node == NO_ID:
                return False
            nodes.push_back(node)
            position += 1
        return True

    cdef vector[int32_t] nodes(self, str text):
        cdef vector[int32_t] nodes
        cdef Py_UCS4 char
        nodes.reserve(len(text))
        for char in text:
            if char < 0x10000:
                nodes.push_back(self.bmp_node[char])
            else:
                nodes.push_back(self.astral_node.get(<uint64_t>char))
        return nodes

    cdef void node_features(
        self, vector[int32_t]& nodes, vector[int32_t]& features, vector[int32_t]& starts
    ) noexcept:
        """Each node's feature indices in pkuseg's order: node i's are
        features[starts[i]:starts[i + 1]]."""
        cdef int n = nodes.size()
        cdef int K = self.n_sizes
        cdef int i, k, size, start, step
        cdef int32_t node, other, state
        # words[start * K + k]: the word id of the slice of sizes[k] nodes from `start`.
        cdef vector[int32_t] words
        cdef int32_t pre_in[MAX_SIZES]
        cdef int32_t post_in[MAX_SIZES]
        cdef int32_t pre_ex[MAX_SIZES]
        cdef int32_t post_ex[MAX_SIZES]
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
                    state = self.trie.get(pair_key(state, nodes[start + step]))
                    if state == NO_ID:
                        break
                    size = step + 1
                    if size >= self.word_min and self.word_of_state[state] != NO_ID:
                        words[start * K + self.word_max - size] = self.word_of_state[state]
        starts.push_back(features.size())
        for i in range(n):
            node = nodes[i]
            features.push_back(0)
            if node != NO_ID:
                push_found(features, char_table[node * 5])
            if i > 0 and nodes[i - 1] != NO_ID:
                other = nodes[i - 1]
                push_found(features, char_table[other * 5 + 1])
                if node != NO_ID:
                    push_found(features, self.left_pairs.get(pair_key(other, node)))
            if i + 1 < n and nodes[i + 1] != NO_ID:
                other = nodes[i + 1]
                push_found(features, char_table[other * 5 + 2])
                if node != NO_ID:
                    push_found(features, self.right_pairs.get(pair_key(node, other)))
            if i > 1 and nodes[i - 2] != NO_ID:
                other = nodes[i - 2]
                push_found(features, char_table[other * 5 + 3])
                if nodes[i - 1] != NO_ID:
                    push_found(features, self.skip_pairs.get(pair_key(other, nodes[i - 1])))
            if i + 2 < n and nodes[i + 2] != NO_ID:
                push_found(features, char_table[nodes[i + 2] * 5 + 4])
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
                push_found(features, self.ending_words[pre_in[k]])
            for k in range(K):
                push_found(features, self.starting_words[post_in[k]])
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
        cdef int32_t pre
        for j in range(K):
            pre = pres[j]
            if not pairs.has_pairs[pre]:
                continue
            for k in range(K):
                if pre == self.no_word:
                    push_found(features, pairs.after_no_word[posts[k]])
                else:
                    push_found(features, pairs.by_words.get(pair_key(pre, posts[k])))

    def features(self, str text) -> list:
        """Each character's feature indices, as `get_node_features_idx` gives them for the nodes
        of `FeatureExtractor.normalize_text(text)`."""
        cdef vector[int32_t] nodes = self.nodes(text)
        cdef vector[int32_t] features, starts
        self.node_features(nodes, features, starts)
        return [
            [features[j] for j in range(starts[i], starts[i + 1])] for i in range(nodes.size())
        ]
