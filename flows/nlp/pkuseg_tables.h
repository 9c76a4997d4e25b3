// The hash tables of the pkuseg feature tables (flows/nlp/pkuseg_features.pxd declares them).
#pragma once
#include <cstdint>
#include <vector>

// uint64 -> int32 by open addressing: the tables hold up to a few hundred thousand keys
// and are read tens of times per character. A key of all ones is never stored.
struct FlatMap {
    std::vector<uint64_t> keys;
    std::vector<int32_t> values;
    size_t count = 0;
    static inline size_t slot(uint64_t key, size_t mask) {
        key ^= key >> 33;
        key *= 0xff51afd7ed558ccdULL;
        key ^= key >> 33;
        return key & mask;
    }
    int32_t get(uint64_t key) const {
        if (keys.empty()) return -1;
        size_t mask = keys.size() - 1;
        for (size_t i = slot(key, mask);; i = (i + 1) & mask) {
            if (keys[i] == key) return values[i];
            if (keys[i] == ~0ULL) return -1;
        }
    }
    void set(uint64_t key, int32_t value) {
        if ((count + 1) * 2 > keys.size()) grow();
        size_t mask = keys.size() - 1, i = slot(key, mask);
        while (keys[i] != ~0ULL && keys[i] != key) i = (i + 1) & mask;
        if (keys[i] == ~0ULL) { keys[i] = key; count++; }
        values[i] = value;
    }
    void grow() {
        std::vector<uint64_t> old_keys(keys.size() ? keys.size() * 2 : 64, ~0ULL);
        std::vector<int32_t> old_values(old_keys.size(), -1);
        old_keys.swap(keys);
        old_values.swap(values);
        count = 0;
        for (size_t i = 0; i < old_keys.size(); i++)
            if (old_keys[i] != ~0ULL) set(old_keys[i], old_values[i]);
    }
};

// One side of pkuseg's word-pair features ("ww.l" or "ww.r"): the index of (pre, post) by
// word ids, kept by post for the common pre "**noWord", and whether a pre has any.
struct WordPairs {
    FlatMap by_words;
    std::vector<int32_t> after_no_word;
    std::vector<char> has_pairs;
};
