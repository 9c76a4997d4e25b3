"""Corpus ranking of discovered candidates, for curators promoting them to the lexicon.

`rank_candidates` reads a pipeline output's slogans and documents tables; `scan_jsonl` runs the
matcher over JSONL corpora. Both score a candidate by its spread over documents, sources, outlets
and time (`CandidateRow`).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from flows.nlp.slogans.lexicon import MatchMethod
from flows.nlp.slogans.matcher import SloganMatcher


@dataclass(frozen=True, slots=True)
class CandidateRow:
    """A discovered candidate's spread across a corpus, with its ranking score.

    score = ln(1 + mentions) + 2 ln(1 + docs) + ln(1 + sources) + ln(1 + outlets)
    + 0.5 ln(1 + days between first and last date): spread over documents counts most,
    spread over sources and outlets and persistence in time lift formulas that travel.
    """

    canonical: str
    n_mentions: int
    n_docs: int
    n_sources: int
    n_outlets: int
    first_date: dt.date | None
    last_date: dt.date | None
    example: str
    score: float

    @classmethod
    def scored(
        cls,
        canonical: str,
        n_mentions: int,
        n_docs: int,
        n_sources: int,
        n_outlets: int,
        first_date: dt.date | None,
        last_date: dt.date | None,
        example: str,
    ) -> CandidateRow:
        """A row with its score computed from the counts."""
        days = (last_date - first_date).days if first_date and last_date else 0
        score = (
            math.log1p(n_mentions)
            + 2 * math.log1p(n_docs)
            + math.log1p(n_sources)
            + math.log1p(n_outlets)
            + 0.5 * math.log1p(days)
        )
        return cls(
            canonical,
            n_mentions,
            n_docs,
            n_sources,
            n_outlets,
            first_date,
            last_date,
            example,
            round(score, 4),
        )


def _top(rows: Iterable[CandidateRow], limit: int) -> list[CandidateRow]:
    """The best `limit` rows, by score then frequency then canonical form."""
    return sorted(rows, key=lambda r: (-r.score, -r.n_mentions, r.canonical))[:limit]


_RANK_SQL = """
WITH mentions AS (
    SELECT doc_id, canonical, text
    FROM read_parquet(?, hive_partitioning = true)
    WHERE method = ? AND slogan_id IS NULL
), docs AS (
    SELECT doc_id, source, outlet, CAST(timezone('Asia/Shanghai', published_at) AS DATE) AS day
    FROM read_parquet(?, hive_partitioning = true)
), counts AS (
    SELECT canonical, count(*) AS n_mentions, count(DISTINCT doc_id) AS n_docs,
           mode(text) AS example
    FROM mentions GROUP BY canonical
), spread AS (
    SELECT m.canonical, count(DISTINCT d.source) AS n_sources,
           count(DISTINCT d.outlet) AS n_outlets, min(d.day) AS first_date,
           max(d.day) AS last_date
    FROM (SELECT DISTINCT canonical, doc_id FROM mentions) AS m
    LEFT JOIN docs AS d USING (doc_id)
    GROUP BY m.canonical
)
SELECT c.canonical, c.n_mentions, c.n_docs, s.n_sources, s.n_outlets, s.first_date,
       s.last_date, c.example
FROM counts AS c JOIN spread AS s USING (canonical)
"""


def rank_candidates(output_dir: Path, *, limit: int = 50) -> list[CandidateRow]:
    """Rank discovered slogan candidates of a pipeline output by frequency, spread and dates."""
    slogans = str(Path(output_dir) / "slogans" / "**" / "*.parquet")
    documents = str(Path(output_dir) / "documents" / "**" / "*.parquet")
    with duckdb.connect() as connection:
        result = connection.execute(
            _RANK_SQL, [slogans, str(MatchMethod.DISCOVERED), documents]
        ).fetchall()
    # The query selects the counts in the order `CandidateRow.scored` takes them.
    rows = (CandidateRow.scored(*row) for row in result)
    return _top(rows, limit)


@dataclass(frozen=True, slots=True)
class CorpusScan:
    """Mentions found in a JSONL corpus: discovered candidates ranked, lexicon hits counted."""

    n_docs: int
    n_chars: int
    candidates: list[CandidateRow]
    lexicon_docs: dict[str, int]  # canonical -> number of documents it appears in


def scan_jsonl(
    paths: Iterable[Path], matcher: SloganMatcher, *, limit: int = 50, text_field: str = "text"
) -> CorpusScan:
    """Run find() over JSONL items (id, date, title, text) and rank discovered candidates.

    Each file counts as one source and the item's `source` field (if any) as its outlet.
    """
    found: dict[str, list[tuple[str, str, str, dt.date | None, str]]] = defaultdict(list)
    lexicon_docs: dict[str, set[str]] = defaultdict(set)
    n_docs = n_chars = 0
    for path in paths:
        with Path(path).open(encoding="utf-8") as lines:
            for line in lines:
                item = json.loads(line)
                text = item.get(text_field) or ""
                doc_id, day = str(item.get("id", n_docs)), _item_date(item)
                n_docs, n_chars = n_docs + 1, n_chars + len(text)
                for mention in matcher.find(text):
                    if mention.method == MatchMethod.DISCOVERED:
                        outlet = str(item.get("source", ""))
                        found[mention.canonical].append(
                            (doc_id, str(path), outlet, day, mention.text)
                        )
                    else:
                        lexicon_docs[mention.canonical].add(doc_id)
    rows = (_row_from_hits(canonical, hits) for canonical, hits in found.items())
    counts = {canonical: len(docs) for canonical, docs in lexicon_docs.items()}
    return CorpusScan(n_docs, n_chars, _top(rows, limit), counts)


def _item_date(item: dict) -> dt.date | None:
    """The date of a JSONL item from `date` (20200120) or `pub_date` (2020-01-20 ...)."""
    for name in ("date", "pub_date", "published_at"):
        digits = re.sub(r"\D", "", str(item.get(name) or ""))[:8]
        if len(digits) == 8:
            try:
                return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
            except ValueError:
                continue
    return None


def _row_from_hits(
    canonical: str, hits: list[tuple[str, str, str, dt.date | None, str]]
) -> CandidateRow:
    """Aggregate (doc_id, source, outlet, date, text) hits of one candidate into a row."""
    days = [day for *_, day, _ in hits if day]
    texts = [text for *_, text in hits]
    return CandidateRow.scored(
        canonical,
        n_mentions=len(hits),
        n_docs=len({hit[0] for hit in hits}),
        n_sources=len({hit[1] for hit in hits}),
        n_outlets=len({hit[2] for hit in hits if hit[2]}),
        first_date=min(days, default=None),
        last_date=max(days, default=None),
        example=max(set(texts), key=texts.count),
    )
