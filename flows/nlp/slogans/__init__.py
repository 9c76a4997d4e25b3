"""Slogans (提法): lexicon matching, template matching and discovery of new candidates.

One pass per document: the text is normalised once (quotation marks dropped, separators
unified to 、) so that “外防输入”，“内防反弹” and 外防输入、内防反弹 meet the same
Aho-Corasick key; spans are mapped back to exact offsets of the cleaned text. Candidates not in
the lexicon are discovered by structural patterns, each with a score; those from the discovery
threshold up are reported, and all can be ranked across a corpus so a curator can promote them
(see models/slogans/README.md). One module per concern:

- `lexicon.py`: categories, entries, the JSONL lexicon, normalisation and template syntax;
- `discovery.py`: the structural patterns (quotes, numbered formulas, campaigns, 以X制X,
  应X尽X, 稳X稳Y, series with one opening word, 一手抓…一手抓…, X就是Y couplets, superlatives,
  parallel clauses), their scores and DISCOVERY_THRESHOLD;
- `series.py`: a formula that is one part of a parallel series grows to the whole series;
- `parts.py`: how the parts of a parallel series are alike (shared characters in place);
- `matcher.py`: `SloganMatcher.find`, quotation marks and overlap resolution;
- `component.py`: the spaCy component `zhnews_slogans` (`doc.spans["slogans"]`);
- `ranking.py`: ranking discovered candidates across a corpus.
"""

from flows.nlp.slogans.component import (
    COMPONENT,
    LEXICON_FILE,
    SPANS_KEY,
    SloganFinder,
    add_to_pipeline,
    body_start,
    make_slogan_finder,
)
from flows.nlp.slogans.discovery import DISCOVERY_THRESHOLD
from flows.nlp.slogans.lexicon import (
    DEFAULT_LEXICON,
    LexiconError,
    MatchMethod,
    SloganCategory,
    SloganEntry,
    SloganLexicon,
    canonical_form,
    normalize,
)
from flows.nlp.slogans.matcher import SloganMatcher
from flows.nlp.slogans.ranking import CandidateRow, CorpusScan, rank_candidates, scan_jsonl

__all__ = [
    "COMPONENT",
    "DEFAULT_LEXICON",
    "DISCOVERY_THRESHOLD",
    "LEXICON_FILE",
    "SPANS_KEY",
    "CandidateRow",
    "CorpusScan",
    "LexiconError",
    "MatchMethod",
    "SloganCategory",
    "SloganEntry",
    "SloganFinder",
    "SloganLexicon",
    "SloganMatcher",
    "add_to_pipeline",
    "body_start",
    "canonical_form",
    "make_slogan_finder",
    "normalize",
    "rank_candidates",
    "scan_jsonl",
]
