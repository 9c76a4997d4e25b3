"""Readers for the public corpora in `../shared/corpora` (never copied into the project)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPORA = Path(os.environ.get("ZHNEWS_CORPORA", REPO_ROOT.parent / "shared" / "corpora"))

# Full-width ASCII letters and digits (U+FF10-FF19, FF21-FF3A, FF41-FF5A) become half-width;
# NFKC would also turn Chinese punctuation (，：) into ASCII, which the contract forbids.
_HALF_WIDTH = {
    code: code - 0xFEE0
    for start, end in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
    for code in range(start, end + 1)
}
# People's Daily writes decimal points and percent signs of numbers full-width too.
_HALF_WIDTH_NUMERIC = {**_HALF_WIDTH, ord("．"): ord("."), ord("％"): ord("%")}


def to_half_width(text: str) -> str:
    """Full-width ASCII letters and digits to half-width; everything else unchanged."""
    return text.translate(_HALF_WIDTH)


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
    normalised = word.translate(_HALF_WIDTH_NUMERIC)
    # "．" also ends sentences in running text; only a digit-adjacent one is a decimal point.
    return normalised if any(ch.isdigit() for ch in normalised) else to_half_width(word)


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
