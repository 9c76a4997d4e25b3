"""The spaCy component `zhnews_divisions`: `span._.adcode` on places and government bodies,
`doc._.article_places` on the document; `add_to_pipeline` fills its table when packaging.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from flows.nlp.divisions.table import (
    ArticlePlaces,
    DivisionTable,
    Mentions,
    bare_prefix,
    is_government_body,
)


class DivisionLinker:
    """`span._.adcode` on LOC mentions of divisions and on government and party bodies."""

    def __init__(self, table: DivisionTable | None = None) -> None:
        self.table = table or DivisionTable()

    def __call__(self, doc: Doc) -> Doc:
        mentions = Mentions.of(doc)
        places = self.table.article_places(doc, mentions)
        doc._.article_places = places
        sentence_codes: dict[int, list[str]] = {}
        for span in mentions.ents:
            candidates = self.table.span_codes(span, mentions)
            if len(candidates) == 1:
                nearby = sentence_codes.setdefault(mentions.sentence_start(span), [])
                nearby.append(next(iter(candidates)))
        for span in mentions.ents:
            nearby = sentence_codes.get(mentions.sentence_start(span), [])
            span._.adcode = self.code(span, mentions, places, nearby)
        return doc

    def code(
        self, span: Span, mentions: Mentions, places: ArticlePlaces, nearby: Sequence[str]
    ) -> str | None:
        candidates = self.table.span_codes(span, mentions, places.mentioned)
        if candidates:
            return self.table.resolve(candidates, nearby, places)
        if span.label_ == "ORG" and is_government_body(span.text):
            prefix = bare_prefix(span.text, self.table)
            if prefix is not None and len(span.text) > 1:
                return places.for_prefix(prefix)
        return None

    def to_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> None:
        self.table.to_disk(path)

    def from_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> DivisionLinker:
        self.table = DivisionTable.from_disk(path)
        return self


for _name, _default in (("outlet", None), ("article_places", None)):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)
if not Span.has_extension("adcode"):
    Span.set_extension("adcode", default=None)


@Language.factory("zhnews_divisions")
def make_division_linker(nlp: Language, name: str) -> DivisionLinker:
    """Codes come from the saved table; `add_to_pipeline` fills it when packaging."""
    return DivisionLinker()


def add_to_pipeline(nlp: Language) -> None:
    """Add `zhnews_divisions` after the entity rules (where missing) with today's divisions."""
    if "zhnews_divisions" not in nlp.pipe_names:
        nlp.add_pipe("zhnews_divisions", after="zhnews_entity_rules")
    linker = nlp.get_pipe("zhnews_divisions")
    assert isinstance(linker, DivisionLinker)
    linker.table = DivisionTable.from_registry()
