"""Readers for the public corpora in `../shared/corpora` (never copied into the project)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from flows import REPO_ROOT
from flows.inputs.clean import halfwidth_alnum

DEFAULT_CORPORA = Path(os.environ.get("ZHNEWS_CORPORA", REPO_ROOT.parent / "shared" / "corpora"))
# The unlabelled CCTV news items (JSONL: id, title, text), inside a corpora directory.
COVID_NEWS = Path("covid_news") / "xwlb_covid_2020_2021.jsonl"

# People's Daily also writes decimal points and percent signs of numbers full-width.
_NUMERIC_MARKS = str.maketrans({"．": ".", "％": "%"})


def peoples_daily_sentences(path: Path) -> Iterator[list[tuple[str, str]]]:
    """Yield each non-empty line of People's Daily 1998 as (word, tag) pairs, half-width."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            pairs = []
            for item in line.split():
                word, _, tag = item.rpartition("/")
                # Bracketed compounds ([中央/n 人民/n]nt) keep only their parts' tags.
                word = word.lstrip("[")
                if word:
                    pairs.append((_normalise_token(word), tag.split("]")[0]))
            if pairs:
                yield pairs


def _normalise_token(word: str) -> str:
    normalised = halfwidth_alnum(word)
    # "．" also ends sentences in running text; only one inside a number is a decimal point.
    if any(ch.isdigit() for ch in normalised):
        return normalised.translate(_NUMERIC_MARKS)
    return normalised


def bio_sentences(path: Path) -> Iterator[tuple[str, list[tuple[int, int, str]]]]:
    """Yield (text, [(start, end, label)]) from a `char TAG` per line file (BIO or BMES)."""
    chars: list[str] = []
    tags: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            parts = line.split()
            if len(parts) >= 2:
                chars.append(parts[0])
                tags.append(parts[-1])
            elif chars:
                yield "".join(chars), spans_from_tags(tags)
                chars, tags = [], []
    if chars:
        yield "".join(chars), spans_from_tags(tags)


def spans_from_tags(tags: list[str]) -> list[tuple[int, int, str]]:
    """Character spans from BIO/BIOES/BMES tags (B-X, I-X/M-X, E-X, S-X, O)."""
    spans: list[tuple[int, int, str]] = []
    start, label = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, kind = tag.partition("-")
        continues = prefix in {"I", "M", "E"} and kind == label and start >= 0
        if not continues:
            if start >= 0:
                spans.append((start, i, label))
            # A stray I-/M-/E- tag (no B- before it) opens a span rather than losing it.
            start, label = (i, kind) if prefix != "O" else (-1, "")
        if prefix in {"E", "S"} and start >= 0:
            spans.append((start, i + 1, label))
            start, label = -1, ""
    return spans
