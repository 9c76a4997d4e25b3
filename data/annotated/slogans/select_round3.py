"""Pick the round-3 items of slogans_news.jsonl: 24 more whole news items spread over the corpus,
not in any annotated set (stdlib only; prints one JSON line per picked item).

Usage: python data/annotated/slogans/select_round3.py [covid_news.jsonl]

Rule (deterministic, no model or lexicon): for k = 0…23, start at item 30 + 142·k and walk
forward to the first item that (1) is in no annotated set of data/annotated (any news id written
in any of its files, sentence ids included), (2) passes the round-1 filters (body of at least 300
characters after the dateline, title not matching 全球|世卫|国际联播快讯|确诊病例超), (3) has a
body of at most 1,000 characters (to keep one annotation session's reading whole) and (4) is not
picked yet. Picked items alternate dev, test, dev… in pick order.
"""

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

from select_round2 import COVID_NEWS, TITLE_SKIP, body

COUNT, FIRST, STEP, MAX_CHARS = 24, 30, 142, 1000
ANNOTATED = Path(__file__).resolve().parents[1]
NEWS_ID = re.compile(r"VIDE[0-9A-Za-z]{20,}")


def annotated_ids() -> set[str]:
    """Every news id any annotated set names (files under data/annotated, work files included)."""
    found: set[str] = set()
    for path in ANNOTATED.rglob("*"):
        if path.is_file() and path.suffix in {".jsonl", ".json", ".tsv", ".txt", ".py", ".md"}:
            found.update(NEWS_ID.findall(path.read_text(encoding="utf-8", errors="ignore")))
    return found


def print_picks(
    corpus: Path, count: int, first: int, step: int, fits: Callable[[dict, str], bool]
) -> None:
    """For k = 0…count-1, print the first item from first + step·k on that no annotated set
    names, passes the round-1 title filter and `fits` (item, body), alternating dev and test."""
    items = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    taken = annotated_ids()
    for k in range(count):
        for number in range(first + step * k, len(items)):
            item = items[number]
            if item["id"] in taken or TITLE_SKIP.search(item["title"]):
                continue
            if not fits(item, body(item)):
                continue
            taken.add(item["id"])
            split = ("dev", "test")[k % 2]
            row = {"number": number, "split": split, "id": item["id"], "title": item["title"]}
            print(json.dumps(row, ensure_ascii=False))
            break


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else COVID_NEWS
    print_picks(corpus, COUNT, FIRST, STEP, lambda item, text: 300 <= len(text) <= MAX_CHARS)


if __name__ == "__main__":
    main()
