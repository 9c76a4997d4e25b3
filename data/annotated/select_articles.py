"""Select the whole COVID news items of ner_news_articles.jsonl (organisation-rich articles).

Deterministic, no model. Prints one line per item: position in the corpus, item id, round,
split, number of sentences. The sentence split and the sentence index in the ids are those of
the other sets (README): split `text` after 。！？ (a closing quote or bracket right after the
mark stays with the sentence) and at newlines, index = position in that split counting all
pieces; here every non-empty sentence of an item is kept (no length filter).

Items already used by ner_news.jsonl, slogans/ or linking/ are skipped. Windows of 71 items
(11–81, 82–152, …; round 2: 46–116, …); in each window the unused item whose text (dateline
removed) has the most matches of a body pattern is taken, ties to the earliest:
- round 1: 300–1000 chars, BODY matches, every window;
- round 2: windows shifted by 35, 300–1000 chars, BODY, kept only with ≥ 12 matches;
- round 3: round-1 windows, 300–1000 chars, STRICT (no 企业/中心/办), kept with ≥ 10 matches;
- round 4: round-1 windows, 1000–1500 chars, STRICT, kept with ≥ 15 matches;
- round 5 (session 11): round-1 windows, 300–900 chars, BODY, kept with ≥ 5 matches, only items
  dated 2020-04-01 or later (rounds 1–4 are mostly from February and March 2020) and only
  domestic ones (no FOREIGN match of select_covid.py);
- round 6 (session 11): as round 5 in the round-2 windows, kept with ≥ 4 matches;
- round 7 (session 11, train only): windows starting at 64, 300–700 chars, BODY, kept with ≥ 8
  matches, domestic only, any date;
- round 8 (session 11, train only): windows starting at 28, 300–800 chars, BODY, kept with
  ≥ 10 matches, foreign items too (as in rounds 1–4, where the dev split comes from);
- round 9 (session 11, train only): windows starting at 0, 300–800 chars, BODY, kept with ≥ 8
  matches, foreign items too;
- round 10 (session 12): windows starting at 53, 300–700 chars, LOCAL (BODY and place words:
  省市县区州镇乡村 not before 民/长, 街道, 社区), kept with ≥ 12 matches, foreign items too, and
  also skipping the items of dates_numbers/ (which rounds 1–9 did not check);
- round 11 (session 13): windows starting at 20, 300–800 chars, LOCAL, kept with ≥ 11 matches,
  foreign items too, skipping every news id written in any file under data/annotated/ (work
  files included), the first 24 windows kept.
Items of earlier rounds are excluded from later ones. Split: items of rounds 1–4 alternate dev,
train, dev, … in this selection order (round 1 first); those of rounds 5–6 alternate dev2, train, …
so the first dev split stays as it was measured; rounds 7–9 are all train, so neither dev
split changes; round 10 alternates dev3, train, … (a third held-out split), round 11 dev4,
train, … (a fourth).

An item this file holds counts as unused by the other sets: slogans/ round 3 was picked in the
same session as round 10 and took two of its items.

Usage: python data/annotated/select_articles.py [covid_jsonl]
"""

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from select_covid import DATELINE, FOREIGN
from select_covid import sentences as numbered_sentences

HERE = Path(__file__).parent
SOURCE = Path("/work/shared/corpora/covid_news/xwlb_covid_2020_2021.jsonl")
BODY = re.compile(
    r"机制|领导小组|工作组|指挥部|委员会|医院|公司|集团|企业|银行|大学|研究院|研究所|中心"
    r"|[部局委厅办]"
)
STRICT = re.compile(
    r"机制|领导小组|工作组|指挥部|委员会|医院|公司|集团|银行|大学|研究院|研究所|[部局委署]"
)
LOCAL = re.compile(BODY.pattern + r"|[省市县区州镇乡村](?![民长])|街道|社区")
NEWS_ID = re.compile(r"VIDE[0-9A-Za-z]{20,}")
WINDOW = 71
# (first window start, pattern, minimum matches, min chars, max chars, earliest date, domestic
# only, items skipped besides the other sets' ("", "dated": dates_numbers/, "any": every id
# under data/annotated/), most items kept (0: no limit))
ROUNDS = (
    (11, BODY, 0, 300, 1000, "", False, "", 0),
    (46, BODY, 12, 300, 1000, "", False, "", 0),
    (11, STRICT, 10, 300, 1000, "", False, "", 0),
    (11, STRICT, 15, 1000, 1500, "", False, "", 0),
    (11, BODY, 5, 300, 900, "20200401", True, "", 0),
    (46, BODY, 4, 300, 900, "20200401", True, "", 0),
    (64, BODY, 8, 300, 700, "", True, "", 0),
    (28, BODY, 10, 300, 800, "", False, "", 0),
    (0, BODY, 8, 300, 800, "", False, "", 0),
    (53, LOCAL, 12, 300, 700, "", False, "dated", 0),
    (20, LOCAL, 11, 300, 800, "", False, "any", 24),
)
SECOND_DEV_ROUND = 5
TRAIN_ONLY_ROUND = 7
# rounds that alternate a held-out split of their own with train
OWN_DEV_ROUNDS = {10: "dev3", 11: "dev4"}


def sentences(text: str) -> Iterator[tuple[int, str]]:
    """(index, sentence) for every non-empty piece, dateline removed."""
    return numbered_sentences(text, min_chars=1, max_chars=len(text))


def item_ids(name: str) -> set[str]:
    """Item ids of one annotated JSONL file (sentence index dropped)."""
    with (HERE / name).open(encoding="utf-8") as handle:
        return {json.loads(line)["id"].split(":")[0] for line in handle}


def used_items() -> set[str]:
    """Item ids already used by the other annotated sets, less the items this file holds."""
    used = set()
    for name in ("ner_news.jsonl", "linking/linking.jsonl", "slogans/slogans_news.jsonl"):
        used |= item_ids(name)
    return used - item_ids("ner_news_articles.jsonl")


def annotated_ids() -> set[str]:
    """Every news id written in a file under data/annotated/ (work files included) that is
    not an item of this file."""
    found: set[str] = set()
    for path in HERE.rglob("*"):
        if path.is_file() and path.suffix in {".jsonl", ".json", ".tsv", ".txt", ".py", ".md"}:
            found.update(NEWS_ID.findall(path.read_text(encoding="utf-8", errors="ignore")))
    return found - item_ids("ner_news_articles.jsonl")


def dated_items() -> set[str]:
    """Item ids of the dates and numbers set."""
    with (HERE / "dates_numbers" / "dates_numbers.jsonl").open(encoding="utf-8") as handle:
        return {json.loads(line)["id"] for line in handle}


def select(
    items: list[dict], used: set[str], skipped: dict[str, set[str]]
) -> list[tuple[int, int]]:
    """(corpus position, round) of the selected items, in selection order; `skipped` maps a
    round's skip name to the item ids it leaves out."""
    picked: list[tuple[int, int]] = []
    taken: set[int] = set()
    for number, round_ in enumerate(ROUNDS, 1):
        first, pattern, minimum, low, high, since, domestic, skip, most = round_
        kept = 0
        for start in range(first, len(items), WINDOW):
            if most and kept == most:
                break
            best = None
            for pos in range(start, min(start + WINDOW, len(items))):
                item = items[pos]
                text = DATELINE.sub("", item["text"])
                if item["id"] in used or pos in taken or not low <= len(text) <= high:
                    continue
                if item["date"] < since or (domestic and FOREIGN.search(text)):
                    continue
                if skip and item["id"] in skipped[skip]:
                    continue
                score = len(pattern.findall(text))
                if best is None or score > best[0]:
                    best = (score, pos)
            if best is not None and best[0] >= minimum:
                picked.append((best[1], number))
                taken.add(best[1])
                kept += 1
    return picked


def main(source: Path) -> None:
    with source.open(encoding="utf-8") as handle:
        items = [json.loads(line) for line in handle]
    picked = select(items, used_items(), {"dated": dated_items(), "any": annotated_ids()})
    second = [
        order
        for order, (_, number) in enumerate(picked)
        if SECOND_DEV_ROUND <= number < TRAIN_ONLY_ROUND
    ]
    own_first = {}
    for order, (_, number) in enumerate(picked):
        own_first.setdefault(number, order)
    for order, (pos, number) in enumerate(picked):
        if number in OWN_DEV_ROUNDS:
            even = (order - own_first[number]) % 2 == 0
            split = OWN_DEV_ROUNDS[number] if even else "train"
        else:
            dev, index = ("dev2", order - second[0]) if order in second else ("dev", order)
            split = dev if index % 2 == 0 and number < TRAIN_ONLY_ROUND else "train"
        count = sum(1 for _ in sentences(items[pos]["text"]))
        print(pos, items[pos]["id"], number, split, count, sep="\t")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE)
