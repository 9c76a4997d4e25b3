"""The spaCy component `zhnews_slogans`: `doc.spans["slogans"]` from the matcher.

It runs the matcher over a Doc's body (after the title) and writes `doc.spans["slogans"]` with
`span._.canonical`, `span._.slogan_id`, `span._.method` and `span._.score` (the span's label is
the lexicon category); its lexicon is saved inside the pipeline. Token boundaries are cut where a
slogan starts or ends inside a token, so every span has the slogan's exact offsets.
"""

from __future__ import annotations

import bisect
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from flows.nlp.slogans.discovery import DISCOVERY_THRESHOLD
from flows.nlp.slogans.lexicon import DEFAULT_LEXICON, SloganLexicon
from flows.nlp.slogans.matcher import SloganMatcher

COMPONENT = "zhnews_slogans"
SPANS_KEY = "slogans"
LEXICON_FILE = "lexicon.jsonl"


def body_start(text: str) -> int:
    """Where the body of a `documents.text` begins: after its title line and blank line."""
    title_end = text.find("\n")
    return title_end + 2 if title_end > 0 and text.startswith("\n\n", title_end) else 0


for _name in ("canonical", "slogan_id", "method", "score"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)


class SloganFinder:
    """The `zhnews_slogans` component: `doc.spans["slogans"]`, lexicon saved with it."""

    def __init__(self, *, discovery_threshold: float) -> None:
        self.discovery_threshold = discovery_threshold
        self.lexicon = SloganLexicon(())

    @property
    def lexicon(self) -> SloganLexicon:
        return self._lexicon

    @lexicon.setter
    def lexicon(self, lexicon: SloganLexicon) -> None:
        self._lexicon = lexicon
        self._matcher = SloganMatcher(lexicon, discovery_threshold=self.discovery_threshold)

    def __call__(self, doc: Doc) -> Doc:
        names = [(e.start_char, e.end_char) for e in doc.ents if e.label_ == "ORG"]
        text = doc.text  # spaCy joins every token's text anew on each read
        found = self._matcher.find(text, body_start=body_start(text), names=names)
        _cut_tokens_at(doc, text, (o for m in found for o in (m.start_char, m.end_char)))
        spans = []
        for mention in found:
            span = doc.char_span(mention.start_char, mention.end_char, label=mention.category or "")
            assert span is not None  # the tokens were cut at its ends
            span._.canonical = mention.canonical
            span._.slogan_id = mention.slogan_id
            span._.method = mention.method
            span._.score = mention.score
            spans.append(span)
        doc.spans[SPANS_KEY] = spans
        return doc

    def initialize(
        self,
        get_examples: Callable[[], Iterable[object]] | None = None,
        *,
        nlp: Language | None = None,
        lexicon: str | Path = DEFAULT_LEXICON,
    ) -> None:
        """Read the curated lexicon (models/slogans/lexicon.jsonl unless `lexicon` names one)."""
        self.lexicon = SloganLexicon.load(Path(lexicon))

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        Path(path).mkdir(parents=True, exist_ok=True)
        self.lexicon.save(Path(path) / LEXICON_FILE)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> SloganFinder:
        self.lexicon = SloganLexicon.load(Path(path) / LEXICON_FILE)
        return self


def _cut_tokens_at(doc: Doc, text: str, offsets: Iterable[int]) -> None:
    """Split the tokens that `offsets` fall inside, so that spans can start and end there
    (pkuseg may glue a slogan's first character to the word before it). `text` is the doc's."""
    # Token starts from the doc's arrays: a Token object per token costs more than the rest.
    starts = doc.to_array("IDX").tolist()
    inner: dict[int, set[int]] = defaultdict(set)
    for offset in offsets:
        index = bisect.bisect_right(starts, offset) - 1
        if index >= 0 and starts[index] < offset < starts[index] + len(doc[index]):
            inner[index].add(offset)
    if not inner:
        return
    with doc.retokenize() as retokenizer:
        for index, cuts in inner.items():
            token = doc[index]
            bounds = [token.idx, *sorted(cuts), token.idx + len(token)]
            pieces = [text[start:end] for start, end in itertools.pairwise(bounds)]
            heads = [(token, piece) for piece in range(len(pieces))]
            retokenizer.split(token, pieces, heads=heads)


@Language.factory(COMPONENT, default_config={"discovery_threshold": DISCOVERY_THRESHOLD})
def make_slogan_finder(nlp: Language, name: str, *, discovery_threshold: float) -> SloganFinder:
    """Create the slogan component with an empty lexicon (`initialize` or `from_disk` fill it).

    discovery_threshold: the least score (0 to 1) a discovered candidate needs to be kept.
    """
    return SloganFinder(discovery_threshold=discovery_threshold)


def add_to_pipeline(nlp: Language, lexicon: Path = DEFAULT_LEXICON) -> None:
    """Put the slogan component, with `lexicon`, after the date component (before numbers,
    which leave slogans out), replacing one already there."""
    if COMPONENT in nlp.pipe_names:
        nlp.remove_pipe(COMPONENT)
    finder = nlp.add_pipe(COMPONENT, after="zhnews_dates")
    assert isinstance(finder, SloganFinder)
    finder.initialize(lexicon=lexicon)
