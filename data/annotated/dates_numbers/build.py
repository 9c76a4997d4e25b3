"""Build dates_numbers.jsonl from the hand annotation in work/annotations.txt.

The annotator wrote, per item, the date and number surfaces in text order with their values
(line format in README.md). This script only adds what a reader should not count by hand:
the item's text from the corpus, character offsets (found with a moving cursor, so repeated
surfaces get the right occurrence) and calendar bounds computed from the written value.
It stops on any surface it cannot find after the previous one.

Usage: python data/annotated/dates_numbers/build.py [covid_jsonl]
"""

import calendar
import datetime as dt
import json
import re
import sys
from pathlib import Path

from select_items import DATELINE, SOURCE, select, splits

HERE = Path(__file__).parent
KINDS = {"c": "cardinal", "m": "money", "p": "percent", "o": "ordinal"}
UNSCORED = {"duration", "relative-unresolved", "time"}


def item_text(item: dict) -> str:
    """Title, a blank line, then the body's non-empty lines, stripped (as linking/ does)."""
    body = DATELINE.sub("", item["text"])
    lines = [line.strip() for line in body.split("\n") if line.strip()]
    return item["title"].strip() + "\n\n" + "\n".join(lines)


def bounds(value: str) -> tuple[str, str]:
    """First and last day of a written value: 2020-01-31, 2020-01, 2020-Q1, 2020, a/b."""
    if "/" in value:
        first, last = value.split("/")
        return bounds(first)[0], bounds(last)[1]
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", value):
        year, quarter = int(m[1]), int(m[2])
        end = 3 * quarter
        return f"{year}-{end - 2:02d}-01", f"{year}-{end:02d}-{calendar.monthrange(year, end)[1]}"
    if re.fullmatch(r"\d{4}", value):
        return f"{value}-01-01", f"{value}-12-31"
    if m := re.fullmatch(r"(\d{4})-(\d{2})", value):
        last = calendar.monthrange(int(m[1]), int(m[2]))[1]
        return f"{value}-01", f"{value}-{last:02d}"
    dt.date.fromisoformat(value)
    return value, value


def parse(path: Path) -> dict[str, list[tuple[str, list[str]]]]:
    """Item id -> [(D or N, fields)] in the written order."""
    blocks: dict[str, list[tuple[str, list[str]]]] = {}
    current: list[tuple[str, list[str]]] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        if raw.startswith("@"):
            current = blocks.setdefault(raw.split()[1], [])
        else:
            current.append((raw[0], raw[2:].split("|")))
    return blocks


def build(items: list[dict], blocks: dict) -> list[dict]:
    records = []
    for pos, split in zip(select(items), splits(items), strict=True):
        item = items[pos]
        text = item_text(item)
        dates, numbers = [], []
        cursors = {"D": 0, "N": 0}
        for tag, written in blocks[item["id"]]:
            # `skip=K`: the K next occurrences are inside other words (一位 of 一位位).
            skips = [int(f[5:]) for f in written if f.startswith("skip=")]
            fields = [f for f in written if not f.startswith("skip=")]
            surface = fields[0]
            start = text.find(surface, cursors[tag])
            for _ in range(sum(skips)):
                start = text.find(surface, start + len(surface))
            if start < 0:
                raise SystemExit(f"{item['id']}: {tag} {surface!r} not found after {cursors[tag]}")
            end = start + len(surface)
            cursors[tag] = end
            if tag == "D":
                grain = fields[1]
                row = {"start": start, "end": end, "text": surface, "grain": grain}
                if grain not in UNSCORED:
                    row["value"] = fields[2]
                    row["date_start"], row["date_end"] = bounds(fields[2])
                if "optional" in fields[3:]:
                    row["optional"] = True
                dates.append(row)
            else:
                value, unit, kind = fields[1:4]
                numbers.append(
                    {
                        "start": start,
                        "end": end,
                        "text": surface,
                        "value": float(value),
                        "unit": None if unit == "-" else unit,
                        "kind": KINDS[kind],
                        "approx": "~" in fields[4:],
                    }
                )
        records.append(
            {
                "id": item["id"],
                "split": split,
                "published": item["pub_date"][:10],
                "text": text,
                "dates": dates,
                "numbers": numbers,
            }
        )
    return records


def main(source: Path) -> None:
    with source.open(encoding="utf-8") as handle:
        items = [json.loads(line) for line in handle]
    records = build(items, parse(HERE / "work" / "annotations.txt"))
    with (HERE / "dates_numbers.jsonl").open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE)
