"""Token-level helpers the rules share: words put back together, token texts, entity maps."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from spacy.tokens import Doc, Span

# Set by the tokenizer (flows/nlp/tokenizer.py): the token ranges of the Han words outside its
# vocabulary that it cut into characters for the NER model.
if not Doc.has_extension("unknown_words"):
    Doc.set_extension("unknown_words", default=())


def rejoin_unknown_words(doc: Doc) -> None:
    """Merge back the words the tokenizer cut into characters for the NER model (see
    flows/nlp/token_splits.py), except where an entity starts or ends inside one.

    The rules read words: 漱玉平民大药房 is a name because the walk back from 大药房 stops at
    the unknown word 漱玉, which as 漱|玉 would be two known characters.
    """
    ranges = doc._.unknown_words
    if not ranges:
        return
    iob = doc.to_array("ENT_IOB").tolist()  # 1 = I, 2 = O, 3 = B, 0 = not set
    with doc.retokenize() as retokenizer:
        for start, end in ranges:
            inside = iob[start] in (1, 3)
            if all((iob[i] == 1) == inside and iob[i] != 3 for i in range(start + 1, end)):
                retokenizer.merge(doc[start:end])
    doc._.unknown_words = ()


def token_texts(doc: Doc) -> list[str]:
    """Each token's text, read from the doc's arrays (much cheaper than making Token objects)."""
    strings = doc.vocab.strings
    return [strings[orth] for orth in doc.to_array("ORTH").tolist()]


def words_outside_entities(doc: Doc) -> tuple[list[str], list[bool]]:
    """Each token's text, and whether it is outside every entity (IOB code not I or B)."""
    return token_texts(doc), [iob not in (1, 3) for iob in doc.to_array("ENT_IOB").tolist()]


def entity_at(spans: Iterable[Span]) -> dict[int, Span]:
    """The span each token index belongs to."""
    return {i: span for span in spans for i in range(span.start, span.end)}


def joined_to_bodies(
    spans: list[Span], bounds: Callable[[Span, dict[int, Span]], tuple[int, int] | None]
) -> list[Span]:
    """Each span, replaced by an organisation over the token range `bounds(span, taken)` gives
    (`taken`: the span each token index belongs to), or kept where it gives None."""
    if not spans:
        return spans
    doc = spans[0].doc
    taken = entity_at(spans)
    joined = []
    for span in spans:
        reach = bounds(span, taken)
        joined.append(span if reach is None else Span(doc, *reach, label="ORG"))
    return joined
