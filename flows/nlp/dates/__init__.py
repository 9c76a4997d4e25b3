"""Dates: `extract_dates` and the spaCy component `zhnews_dates` (see `periods.py`)."""

from flows.nlp.dates.periods import (
    SHANGHAI,
    UNKNOWN_YEAR,
    Anchor,
    DateExtractor,
    Grain,
    Period,
    extract_dates,
    make_date_extractor,
)

__all__ = [
    "SHANGHAI",
    "UNKNOWN_YEAR",
    "Anchor",
    "DateExtractor",
    "Grain",
    "Period",
    "extract_dates",
    "make_date_extractor",
]
