"""How the parts of a parallel series are alike: characters shared in place, reduplicated
words (used by discovery.py and series.py)."""

from __future__ import annotations


def shared_in_place(first: str, second: str) -> int:
    """How many characters the parts share in place, aligned at the start or at the end; a
    shared first character alone does not count (新基建、新技术、新材料 is a list)."""
    from_start = sum(a == b for a, b in zip(first[1:], second[1:], strict=False))
    from_end = shared_from_end(first, second)
    shared = max(from_start, from_end)
    return shared + (first[0] == second[0]) if shared else 0


def shared_from_end(first: str, second: str) -> int:
    """Characters shared in place counted from the end, the first characters left out."""
    return sum(a == b for a, b in zip(first[:0:-1], second[:0:-1], strict=False))


def reduplicated_word(part: str) -> bool:
    """A four-character ABAC word (联防联控, 严防严控, 复工复产, 一校一策): a formula or measure
    on its own, listed beside another."""
    return len(part) == 4 and part[0] == part[2] != part[1] != part[3]
