"""Check the hand-annotated NER file and print its counts.

Usage: python data/annotated/validate.py [path]   (default: ner_news.jsonl next to this script)
Exits 1 and lists every problem if any line is invalid.
"""

import sys
from collections import Counter
from collections.abc import Callable, Iterator
from itertools import pairwise
from pathlib import Path

from jsonl_lines import parsed_lines

LABELS = frozenset({"PERSON", "ORG", "LOC"})
DEFAULT = Path(__file__).with_name("ner_news.jsonl")


def line_problems(record: dict, seen_ids: set[str]) -> list[str]:
    """Return the problems of one parsed record (empty when it is valid)."""
    problems = []
    rid, text, ents = record.get("id"), record.get("text"), record.get("entities")
    if not isinstance(rid, str) or not rid:
        problems.append("missing id")
    elif rid in seen_ids:
        problems.append(f"duplicate id {rid}")
    if not isinstance(text, str) or not text:
        return [*problems, "missing text"]
    return [*problems, *entity_problems(text, ents)]


def entity_problems(text: str, ents: object) -> list[str]:
    """Problems of one sentence's `[start, end, label]` list: shape, offsets, surrounding spaces,
    labels, order and overlaps (spans are sorted by offset and never overlap)."""
    if not isinstance(ents, list):
        return ["entities is not a list"]
    problems: list[str] = []
    spans = []
    for ent in ents:
        if not (isinstance(ent, list) and len(ent) == 3):
            problems.append(f"bad entity {ent!r}")
            continue
        start, end, label = ent
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            problems.append(f"offsets out of range {ent!r}")
            continue
        surface = text[start:end]
        if surface != surface.strip():
            problems.append(f"surrounding space in {surface!r}")
        if label not in LABELS:
            problems.append(f"bad label {label!r}")
        spans.append((start, end))
    if spans != sorted(spans):
        problems.append("entities not sorted")
    # sorted spans overlap exactly when one starts before its predecessor ends
    for (_, prev_end), (start, end) in pairwise(sorted(spans)):
        if start < prev_end:
            problems.append(f"overlapping spans ending {prev_end} and {start}-{end}")
    return problems


def checked_records(
    path: Path, problems_of: Callable[[dict], list[str]]
) -> Iterator[tuple[dict | None, list[str]]]:
    """(record, its problems) for each line of `path`, the problems printed with the line
    number; (None, [the JSON error]) for a line that is not JSON."""
    for lineno, record, error in parsed_lines(path):
        problems = [f"invalid JSON ({error})"] if record is None else problems_of(record)
        for problem in problems:
            print(f"line {lineno}: {problem}")
        yield record, problems


def main(path: Path) -> int:
    """Validate every line of path, print counts, return the exit status."""
    seen: set[str] = set()
    labels: Counter[str] = Counter()
    n_lines = n_chars = n_empty = n_bad = 0
    for record, problems in checked_records(path, lambda record: line_problems(record, seen)):
        n_bad += bool(problems)
        if record is None:
            continue
        seen.add(record.get("id"))
        n_lines += 1
        n_chars += len(record.get("text") or "")
        ents = record.get("entities") or []
        n_empty += not ents
        labels.update(e[2] for e in ents if isinstance(e, list) and len(e) == 3)
    print(f"sentences={n_lines} chars={n_chars} without_entity={n_empty} invalid_lines={n_bad}")
    print("entities " + " ".join(f"{k}={labels[k]}" for k in sorted(labels)))
    return 1 if n_bad else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT))
