"""Check dates_numbers.jsonl (hand-annotated dates and numbers on whole CCTV news items).

Stdlib only. Usage: python data/annotated/dates_numbers/validate.py [path]
Checks: JSON per line, keys, unique ids, split values (rounds 1–3, the first ALTERNATING lines,
alternate dev/test by article; rounds 4 to 6 after them are dev), published
format, offsets in range with text[start:end] == text field and no surrounding spaces, spans
sorted and not overlapping within dates and within numbers; dates: grain vocabulary, a value and
date_start <= date_end exactly for calendar grains, none for durations and vague references;
numbers: float value, kind, unit, approx. Prints counts per split; exit 1 on any problem.
"""

import datetime as dt
import itertools
import json
import re
import sys
from collections import Counter
from pathlib import Path

SPLITS = ("dev", "test")
ALTERNATING = 73
CALENDAR = {"day", "month", "quarter", "year", "range"}
UNSCORED = {"duration", "relative-unresolved", "time"}
KINDS = {"cardinal", "money", "percent", "ordinal"}
KEYS = {"id", "split", "published", "text", "dates", "numbers"}
DATE_KEYS = {"start", "end", "text", "grain"}
NUMBER_KEYS = {"start", "end", "text", "value", "unit", "kind", "approx"}


def span_problems(span: dict, text: str) -> list[str]:
    start, end = span.get("start"), span.get("end")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        return [f"bad offsets {start}-{end}"]
    if text[start:end] != span.get("text"):
        return [f"text {text[start:end]!r} != {span.get('text')!r}"]
    if span["text"] != span["text"].strip():
        return [f"surrounding spaces {span['text']!r}"]
    return []


def order_problems(spans: list[dict]) -> list[str]:
    ends = [(s["start"], s["end"]) for s in spans if isinstance(s.get("start"), int)]
    if ends != sorted(ends):
        return ["spans not sorted"]
    return [f"overlap at {b[0]}" for a, b in itertools.pairwise(ends) if b[0] < a[1]]


def date_problems(row: dict) -> list[str]:
    grain = row.get("grain")
    extra = {"value", "date_start", "date_end"} if grain in CALENDAR else set()
    allowed = DATE_KEYS | extra | {"optional"}
    if not DATE_KEYS | extra <= set(row) <= allowed:
        return [f"date keys {sorted(row)}"]
    if grain in UNSCORED:
        return []
    if grain not in CALENDAR:
        return [f"bad grain {grain!r}"]
    try:
        first = dt.date.fromisoformat(row["date_start"])
        last = dt.date.fromisoformat(row["date_end"])
    except (TypeError, ValueError):
        return [f"bad bounds {row['date_start']!r}/{row['date_end']!r}"]
    return [] if first <= last else [f"date_start after date_end in {row['text']!r}"]


def number_problems(row: dict) -> list[str]:
    if set(row) != NUMBER_KEYS:
        return [f"number keys {sorted(row)}"]
    problems = []
    if not isinstance(row["value"], float):
        problems.append(f"value not a float in {row['text']!r}")
    if row["kind"] not in KINDS:
        problems.append(f"bad kind {row['kind']!r}")
    if row["unit"] is not None and not isinstance(row["unit"], str):
        problems.append(f"bad unit {row['unit']!r}")
    if not isinstance(row["approx"], bool):
        problems.append(f"approx not a bool in {row['text']!r}")
    if row["kind"] == "percent" and row["unit"] not in ("%", "百分点"):
        problems.append(f"percent with unit {row['unit']!r}")
    return problems


def check(path: Path) -> tuple[list[str], dict[str, Counter]]:
    errors: list[str] = []
    stats = {split: Counter() for split in SPLITS}
    ids: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            errors.append(f"line {number}: bad JSON ({error})")
            continue
        if set(item) != KEYS:
            errors.append(f"line {number}: keys {sorted(item)}")
            continue
        where = f"line {number} ({item['id']})"
        problems = []
        if item["id"] in ids:
            problems.append("duplicate id")
        ids.add(item["id"])
        expected = SPLITS[(number - 1) % 2] if number <= ALTERNATING else "dev"
        if item["split"] != expected:
            problems.append(f"split {item['split']!r}: must be {expected!r}")
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(item["published"])):
            problems.append(f"bad published {item['published']!r}")
        text = item["text"]
        for row in item["dates"]:
            problems += span_problems(row, text) + date_problems(row)
        for row in item["numbers"]:
            problems += span_problems(row, text) + number_problems(row)
        problems += order_problems(item["dates"]) + order_problems(item["numbers"])
        errors += [f"{where}: {problem}" for problem in problems]
        counts = stats.get(item["split"])
        if counts is not None:
            counts["articles"] += 1
            counts["chars"] += len(text)
            for row in item["dates"]:
                scored = row["grain"] in CALENDAR and not row.get("optional")
                counts["dates scored" if scored else "dates unscored"] += 1
            counts["numbers"] += len(item["numbers"])
    return errors, stats


def main() -> int:
    default = Path(__file__).with_name("dates_numbers.jsonl")
    errors, stats = check(Path(sys.argv[1]) if len(sys.argv) > 1 else default)
    for split, counts in stats.items():
        print(split, ", ".join(f"{key} {value}" for key, value in counts.items()))
    for error in errors:
        print(error, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
