"""Name completion: one person, one name per document."""

from __future__ import annotations

import bisect

from spacy.tokens import Span


def complete_person_names(spans: list[Span], text: str) -> list[Span]:
    """傅明 before 先 is 傅明先 where the document names 傅明先 elsewhere: a given name's last
    character can also be a word (先 "first", 献 "offer"), and the model reads it as one in
    some sentences of an article and not in others. One person, one name per document.
    `text` is the doc's text."""
    if not spans:
        return spans
    names = sorted({s.text for s in spans if s.label_ == "PERSON"}, key=len, reverse=True)
    starts = sorted(s.start_char for s in spans)
    completed = []
    for span in spans:
        if span.label_ == "PERSON":
            following = bisect.bisect_right(starts, span.start_char)
            room = starts[following] if following < len(starts) else len(text)
            for name in names:
                end = span.start_char + len(name)
                if (
                    len(name) > len(span.text)
                    and end <= room
                    and text.startswith(name, span.start_char)
                ):
                    span = span.doc.char_span(span.start_char, end, label="PERSON") or span
                    break
        completed.append(span)
    return completed
